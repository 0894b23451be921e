"""A report opened from the supervisor's lists: the route, and the app's Detail laporan
view-model offering the supervisor's own actions (with the domain's refusals) and
recording one of them on the real device database."""

from __future__ import annotations

import asyncio

import pytest

from domain import Action, Need, Status
from officer_app.state.detail import DetailModel
from officer_app.supervisor.open_report import LIST_ROUTES, open_report, report_route
from officer_app.supervisor.state import SupervisorState

from .test_models import unit

OFFICER_ACTIONS = {Action.ACCEPT, Action.START, Action.PROGRESS, Action.COMPLETE}


def test_rows_open_the_report_over_their_list(state: SupervisorState) -> None:
    unit(state.session.device)
    asyncio.run(state.sla.refresh())
    breach = state.sla.breaches[0].item.report
    for route in LIST_ROUTES:
        open_report(state.session, route, breach.id)
        assert state.session.navigated[-1] == f"{route}/laporan/{breach.id}"
    with pytest.raises(ValueError):
        report_route("/tim", breach.id)


def test_the_detail_offers_the_supervisors_actions_and_dispatches(
    state: SupervisorState,
) -> None:
    unit(state.session.device)
    asyncio.run(state.dispatch.refresh())
    new = next(i.report for i in state.dispatch.new if i.report.tracking_id.endswith("N1"))

    detail = DetailModel(state.session, report_id=new.id)
    detail.load_now()
    offered = {o.action: o for o in detail.actions}
    assert offered, "no action offered to the supervisor"
    assert not OFFICER_ACTIONS & offered.keys()  # only the supervisor's role's actions
    assert offered[Action.DISPATCH].allowed
    assert not offered[Action.REASSIGN].allowed and offered[Action.REASSIGN].reason
    assert not offered[Action.APPROVE_EXTENSION].allowed

    asyncio.run(detail.choose(Action.DISPATCH))
    assert detail.form is not None and Need.ASSIGNEE in detail.form.needs
    assert "off-1" in {uid for uid, _ in detail.colleagues}
    detail.form.values.assignee_id = "off-1"
    asyncio.run(detail.submit_form())
    assert detail.form is None
    assert detail.status is Status.DIDISPOSISIKAN and detail.pending == 1

    # The list shown again no longer holds it.
    asyncio.run(state.dispatch.refresh())
    assert new.id not in {i.report.id for i in state.dispatch.new}
    assert new.id in {i.report.id for i in state.dispatch.working}

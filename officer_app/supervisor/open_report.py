"""Opening a report from the supervisor's lists (Disposisi, Perpanjangan, Pantauan SLA)
and from the map (Peta).

The report opens in the app's own Detail laporan (`officer_app.views.detail_view`,
`state.detail.DetailModel`): it lists the signed-in user's actions from
`domain.available`, so a supervisor sees dispatch, reassign, extension decisions...
each allowed or with the domain's refusal, and no officer action. The route is a child
of the list's route (`/disposisi/laporan/<report id>`), so the view stack keeps the list
under the report and the app bar's back arrow returns to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..state.session import Session

# The supervisor's lists whose rows open a report (routes of `routes.supervisor_routes`).
LIST_ROUTES = ("/disposisi", "/perpanjangan", "/sla", "/peta")
DETAIL_CHILD = "laporan/:rid"


def report_route(list_route: str, report_id: str) -> str:
    if list_route not in LIST_ROUTES:
        raise ValueError(f"no report opens from {list_route!r}")
    return f"{list_route}/laporan/{report_id}"


def open_report(session: Session, list_route: str, report_id: str) -> None:
    """A row of a list was tapped: show the report over the list."""
    session.navigate(report_route(list_route, report_id))

"""What can be done now: every action of the user's role, allowed or with the reason why not."""

from __future__ import annotations

import flet as ft

from domain import Action

from ..state.detail import ActionOption, DetailModel
from .context import use_session

ICONS: dict[Action, ft.IconData] = {
    Action.ACCEPT: ft.Icons.CHECK_CIRCLE,
    Action.START: ft.Icons.PLAY_ARROW,
    Action.PROGRESS: ft.Icons.TRENDING_UP,
    Action.ADD_PHOTO: ft.Icons.ADD_A_PHOTO,
    Action.COMPLETE: ft.Icons.TASK_ALT,
    Action.REQUEST_EXTENSION: ft.Icons.EVENT,
    Action.RETURN_NOT_OUR_DUTY: ft.Icons.UNDO,
    Action.DISPATCH: ft.Icons.ASSIGNMENT_IND,
    Action.REASSIGN: ft.Icons.SWAP_HORIZ,
    Action.APPROVE_EXTENSION: ft.Icons.EVENT_AVAILABLE,
    Action.REFUSE_EXTENSION: ft.Icons.EVENT_BUSY,
    Action.REROUTE: ft.Icons.ALT_ROUTE,
    Action.APPROVE: ft.Icons.VERIFIED,
    Action.SEND_BACK: ft.Icons.REPLAY,
    Action.CLOSE: ft.Icons.CANCEL,
}
_PRIMARY = frozenset({Action.ACCEPT, Action.START, Action.COMPLETE, Action.APPROVE})


@ft.component
def ActionPanel(model: DetailModel) -> ft.Control:
    session = use_session()
    app = session.app

    def button(option: ActionOption) -> ft.Control:
        label = app.t(f"action.{option.action.value}")

        async def choose() -> None:
            await model.choose(option.action)

        kind = ft.FilledButton if option.action in _PRIMARY else ft.OutlinedButton
        btn = kind(
            label,
            icon=ICONS.get(option.action),
            on_click=choose,
            disabled=not option.allowed,
            height=48,
        )
        ident = f"action-{option.action.value}"
        if option.allowed:
            return ft.Semantics(identifier=ident, content=btn)
        return ft.Column(
            spacing=2,
            controls=[
                ft.Semantics(identifier=ident, content=btn),
                ft.Semantics(
                    identifier=f"why-{option.action.value}",
                    content=ft.Text(option.reason, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                ),
            ],
        )

    allowed = [o for o in model.actions if o.allowed]
    blocked = [o for o in model.actions if not o.allowed and not o.other_step]
    refused = [o for o in model.actions if not o.allowed and o.other_step]
    controls: list[ft.Control] = [
        ft.Text(app.t("detail.actions"), weight=ft.FontWeight.W_600),
    ]
    if allowed:
        controls.append(
            ft.Row(wrap=True, spacing=8, run_spacing=8, controls=[button(o) for o in allowed])
        )
    else:
        controls.append(ft.Text(app.t("detail.no_actions"), size=13))
    # Blocked by something the officer can fix (a missing after photo, a pending
    # extension...): shown in full with the reason.
    controls += [button(o) for o in blocked]
    if refused:
        controls.append(
            ft.ExpansionTile(
                title=ft.Text(app.t("detail.other_actions", n=len(refused)), size=13),
                dense=True,
                expanded=False,
                controls=[
                    ft.Container(
                        padding=ft.Padding.only(left=8, bottom=8),
                        content=ft.Column(spacing=10, controls=[button(o) for o in refused]),
                    )
                ],
            )
        )
    return ft.Card(
        content=ft.Container(padding=12, content=ft.Column(spacing=8, controls=controls))
    )

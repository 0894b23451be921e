"""Pemeriksaan: the report, before/after photos side by side with their checks, the
notes, and the decision (buttons and keyboard shortcuts).

The decision (note field and buttons) is pinned below the scrolling evidence, so it is
on screen at desktop size however long the report's notes are."""

from __future__ import annotations

import flet as ft

from domain import PhotoKind

from ...format import category_name, coords_text, distance_text, wib
from ...i18n import Translator
from ...supervisor.texts import duration_text
from ...supervisor.views.shell import VALIDATOR_NAV, role_view
from ...views.context import use_session
from ..review import EvidencePhoto, ReviewModel
from ..state import validator_state

PHOTO_HEIGHT = 360
RED, AMBER = ft.Colors.RED_700, ft.Colors.AMBER_900


def photo_card(p: EvidencePhoto, model: ReviewModel, tr: Translator) -> ft.Control:
    image = model.images.get(p.sha256)
    picture: ft.Control
    if image is not None:

        async def zoom() -> None:
            await model.open_photo(p.sha256)

        picture = ft.Semantics(
            identifier=f"zoom-{p.kind.value}-{p.sha256[:8]}",
            button=True,
            label=tr.t("validator.review.zoom"),
            content=ft.Container(
                on_click=zoom,
                ink=True,
                tooltip=tr.t("validator.review.zoom"),
                content=ft.Image(src=image, height=PHOTO_HEIGHT, fit=ft.BoxFit.CONTAIN),
            ),
        )
    else:
        picture = ft.Container(
            height=PHOTO_HEIGHT,
            alignment=ft.Alignment.CENTER,
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            content=ft.Text(
                tr.t("validator.review.unavailable"), color=ft.Colors.ON_SURFACE_VARIANT
            ),
        )
    facts: list[ft.Control] = [
        ft.Text(tr.t("validator.review.taken", time=wib(p.captured_at, tr)), size=12),
    ]
    if p.check.distance_m is not None:
        facts.append(
            ft.Text(
                tr.t("validator.review.distance", d=distance_text(p.check.distance_m, tr)), size=12
            )
        )
    if p.taken_by:
        facts.append(ft.Text(p.taken_by, size=12, color=ft.Colors.ON_SURFACE_VARIANT))
    source = tr.t(f"validator.source.{p.source}") if p.source else tr.t("validator.source.unknown")
    age = p.age
    facts.append(
        ft.Text(
            source
            + (" · " + tr.t("validator.review.age", age=duration_text(age, tr)) if age else ""),
            size=12,
            color=ft.Colors.ON_SURFACE_VARIANT,
        )
    )
    notes = p.notes(tr)
    for n in notes:
        colour = RED if n.red else AMBER
        facts.append(
            ft.Semantics(
                identifier=f"flag-{p.kind.value}-{n.code}",
                content=ft.Row(
                    spacing=4,
                    controls=[
                        ft.Icon(
                            ft.Icons.WARNING_AMBER if n.red else ft.Icons.INFO_OUTLINE,
                            color=colour,
                            size=16,
                        ),
                        ft.Text(n.text, color=colour, size=12, expand=True),
                    ],
                ),
            )
        )
    if not notes:
        facts.append(
            ft.Row(
                spacing=4,
                controls=[
                    ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE, color=ft.Colors.GREEN_700, size=16),
                    ft.Text(tr.t("validator.review.ok"), color=ft.Colors.GREEN_800, size=12),
                ],
            )
        )
    return ft.Container(
        padding=8,
        border_radius=8,
        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
        content=ft.Column(
            spacing=4,
            controls=[
                ft.Semantics(
                    identifier=f"photo-{p.kind.value}-{p.sha256[:8]}",
                    content=ft.Text(tr.t(f"photo.kind.{p.kind.value}"), weight=ft.FontWeight.W_600),
                ),
                picture,
                *facts,
            ],
        ),
    )


def photo_columns(model: ReviewModel, tr: Translator) -> ft.Control:
    columns: list[ft.Control] = []
    for kind in (PhotoKind.BEFORE, PhotoKind.DURING, PhotoKind.AFTER):
        mine = [p for p in model.photos if p.kind is kind]
        if kind is PhotoKind.DURING and not mine:
            continue
        cards = [photo_card(p, model, tr) for p in mine] or [
            ft.Text(
                tr.t("validator.review.no_photo", kind=tr.t(f"photo.kind.{kind.value}").lower()),
                color=ft.Colors.RED_700,
            )
        ]
        columns.append(
            ft.Container(col={"xs": 12, "md": 6}, content=ft.Column(spacing=8, controls=cards))
        )
    return ft.ResponsiveRow(vertical_alignment=ft.CrossAxisAlignment.START, controls=columns)


@ft.component
def ReviewView() -> ft.View:
    session = use_session()
    app = session.app
    ft.use_state(app)
    state = validator_state(session)
    review, _ = ft.use_state(state.review)
    ft.use_state(state.queue)
    page = ft.context.page
    params = ft.use_route_params()
    rid = params.get("rid", "")
    tr = app.tr

    async def load() -> None:
        if state.queue.loaded_at is None:
            await state.queue.refresh()
        if rid and rid != review.report_id:
            await review.open(rid)

    ft.use_effect(load, [rid])

    async def on_key(e: ft.KeyboardEvent) -> None:
        await review.on_key(e.key, ctrl=e.ctrl, alt=e.alt, meta=e.meta)

    def listen() -> None:
        page.on_keyboard_event = on_key

    def stop_listening() -> None:
        if page.on_keyboard_event is on_key:
            page.on_keyboard_event = None

    ft.use_effect(listen, [], cleanup=stop_listening)

    detail = review.detail
    body: list[ft.Control] = []
    if review.error:
        body.append(
            ft.Semantics(
                identifier="review-error", content=ft.Text(review.error, color=ft.Colors.RED_700)
            )
        )
    title = tr.t("validator.nav.queue")
    if detail is not None:
        r = detail.report
        title = tr.t("validator.review.title", id=r.tracking_id)
        pos = review.position
        header = [
            ft.Text(r.title, size=18, weight=ft.FontWeight.W_600),
            ft.Text(
                " · ".join(
                    p
                    for p in (
                        category_name(r.category, tr.lang),
                        detail.view.kelurahan,
                        r.address,
                        coords_text(r.latitude, r.longitude),
                    )
                    if p
                ),
                size=12,
                color=ft.Colors.ON_SURFACE_VARIANT,
            ),
            ft.Text(r.description, size=13),
            ft.Text(
                (
                    tr.t("validator.review.position", i=pos + 1, n=len(review.ids)) + " · "
                    if pos >= 0
                    else ""
                )
                + tr.t("validator.review.shortcuts"),
                size=12,
                color=ft.Colors.ON_SURFACE_VARIANT,
            ),
        ]
        notes = [
            ft.Text(f"{wib(n.at, tr)} · {n.actor_name}: {n.note}", size=12) for n in review.notes
        ] or [ft.Text(tr.t("validator.review.no_notes"), size=12)]
        note_field = ft.Row(
            controls=[
                ft.Semantics(
                    identifier="review-note",
                    expand=True,
                    content=ft.TextField(
                        key=f"note-{review.field_seq}",
                        label=tr.t("validator.review.note"),
                        value=review.note,
                        multiline=True,
                        min_lines=2,
                        max_lines=4,
                        autofocus=review.want_note,
                        on_change=lambda e: review.set_note(e.control.value or ""),
                        on_focus=lambda: review.set_typing(True),
                        on_blur=lambda: review.set_typing(False),
                    ),
                )
            ]
        )
        decided = r.status.value != "menunggu_validasi"
        held = review.staged is not None
        buttons = ft.Row(
            wrap=True,
            controls=[
                ft.Semantics(
                    identifier="review-approve",
                    content=ft.FilledButton(
                        tr.t("validator.review.approve"),
                        icon=ft.Icons.CHECK,
                        on_click=lambda: review.approve(),
                        disabled=review.busy or decided or held,
                        height=48,
                    ),
                ),
                ft.Semantics(
                    identifier="review-send-back",
                    content=ft.OutlinedButton(
                        tr.t("validator.review.send_back"),
                        icon=ft.Icons.UNDO,
                        on_click=review.send_back,
                        disabled=review.busy or decided or held,
                        height=48,
                    ),
                ),
                ft.TextButton(tr.t("validator.review.previous"), on_click=lambda: review.step(-1)),
                ft.TextButton(tr.t("validator.review.next"), on_click=lambda: review.step(1)),
            ],
        )
        evidence: list[ft.Control] = [
            *header,
            photo_columns(review, tr),
            ft.Text(tr.t("validator.review.notes"), weight=ft.FontWeight.W_600),
            *notes,
        ]
        body += [
            ft.Column(controls=evidence, spacing=10, expand=True, scroll=ft.ScrollMode.AUTO),
            ft.Divider(height=1),
        ]
        if review.zoomed is not None:
            body = [zoomed_view(review, tr)]
        if decided and not held:
            body.append(ft.Text(tr.t("validator.review.gone"), color=ft.Colors.ON_SURFACE_VARIANT))
        if review.confirming:
            body.append(confirm_panel(review, tr))
        if review.staged is not None:
            body.append(undo_bar(review, tr))
        body += [note_field, buttons]
    elif review.loaded_at is not None:
        body.append(ft.Text(tr.t("validator.review.gone"), color=ft.Colors.ON_SURFACE_VARIANT))
    if review.flash:
        body.insert(
            0,
            ft.Semantics(
                identifier="review-flash",
                content=ft.Container(
                    bgcolor=ft.Colors.GREEN_50,
                    border_radius=8,
                    padding=8,
                    content=ft.Text(review.flash, color=ft.Colors.GREEN_900),
                ),
            ),
        )
    return role_view(
        session,
        route=f"/validasi/{rid}",
        title=title,
        body=body,
        nav=VALIDATOR_NAV,
        selected=0,
        scroll=False,
        back="/",
    )


def undo_bar(review: ReviewModel, tr: Translator) -> ft.Control:
    staged = review.staged
    assert staged is not None
    key = "approve" if staged.action.value == "approve" else "send_back"
    return ft.Semantics(
        identifier="review-held",
        content=ft.Container(
            bgcolor=ft.Colors.BLUE_GREY_50,
            border_radius=8,
            padding=8,
            content=ft.Row(
                controls=[
                    ft.ProgressRing(width=18, height=18, stroke_width=2),
                    ft.Text(
                        tr.t(
                            f"validator.review.held.{key}",
                            id=staged.tracking_id,
                            s=f"{review.undo_seconds:.0f}",
                        ),
                        expand=True,
                    ),
                    ft.Semantics(
                        identifier="review-undo",
                        content=ft.FilledTonalButton(
                            tr.t("validator.review.undo"), icon=ft.Icons.UNDO, on_click=review.undo
                        ),
                    ),
                ]
            ),
        ),
    )


def confirm_panel(review: ReviewModel, tr: Translator) -> ft.Control:
    reds = review.red_notes()
    return ft.Semantics(
        identifier="review-confirm",
        content=ft.Container(
            bgcolor=ft.Colors.RED_50,
            border=ft.Border.all(1, RED),
            border_radius=8,
            padding=10,
            content=ft.Column(
                spacing=6,
                controls=[
                    ft.Text(tr.t("validator.review.confirm_title"), weight=ft.FontWeight.W_600),
                    *[ft.Text("• " + n.text, color=RED, size=12) for n in reds],
                    ft.Row(
                        controls=[
                            ft.Semantics(
                                identifier="review-confirm-yes",
                                content=ft.FilledButton(
                                    tr.t("validator.review.confirm_yes"), on_click=review.confirm
                                ),
                            ),
                            ft.Semantics(
                                identifier="review-confirm-no",
                                content=ft.OutlinedButton(
                                    tr.t("validator.review.confirm_no"),
                                    on_click=review.cancel_confirm,
                                ),
                            ),
                        ]
                    ),
                ],
            ),
        ),
    )


def zoomed_view(review: ReviewModel, tr: Translator) -> ft.Control:
    picture: ft.Control = (
        ft.InteractiveViewer(
            min_scale=1,
            max_scale=8,
            boundary_margin=ft.Margin.all(200),
            expand=True,
            content=ft.Image(src=review.full_image, fit=ft.BoxFit.CONTAIN),
        )
        if review.full_image is not None
        else ft.ProgressRing()
    )
    return ft.Column(
        expand=True,
        controls=[
            ft.Row(
                controls=[
                    ft.Text(tr.t("validator.review.zoom_hint"), expand=True, size=12),
                    ft.Semantics(
                        identifier="photo-close",
                        content=ft.OutlinedButton(
                            tr.t("validator.review.close"),
                            icon=ft.Icons.CLOSE,
                            on_click=review.close_photo,
                        ),
                    ),
                ]
            ),
            ft.Semantics(identifier="photo-full", expand=True, content=picture),
        ],
    )

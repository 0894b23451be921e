"""Detail laporan: one report, its timeline and photos, and what this user may do now.

The actions offered are the user's role's actions from `domain.available`: each one is
either allowed or carries the domain's refusal sentence, shown next to the disabled
button (an action never just vanishes). An action that needs input (a note, a reason,
a percent, a date, an officer) opens an `ActionForm`; submitting records it locally
with its outbox entry in one transaction (`Device.record`) and the screen shows it at
once, marked "belum terkirim" until the server confirms it.
"""

from __future__ import annotations

import asyncio
from dataclasses import InitVar, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from domain import JAKARTA, RULES, Action, Need, PhotoKind, Refusal, Status, available, channel
from domain.errors import UnknownCode
from local_db import (
    ActionRefusedLocally,
    LocalDbError,
    LocalPhoto,
    PhotoAlreadySent,
    PhotoInUse,
    ReportDetail,
)
from local_db import ReportNotFound as LocalReportNotFound

from ..format import (
    URGENCY_COLOURS,
    category_icon,
    category_name,
    coords_text,
    distance_between,
    distance_text,
    place_text,
    time_left_text,
    wib,
)
from ..i18n import Translator

if TYPE_CHECKING:
    from .session import Session

# Actions that do not open a form: their payload is empty (or handled elsewhere).
_PHOTO_FLOW = Action.ADD_PHOTO
_FORM_NEEDS = frozenset(
    {Need.NOTE, Need.REASON, Need.PERCENT, Need.PROPOSED_DEADLINE, Need.ASSIGNEE, Need.UNIT}
)
# The app asks more than the rules require: completing asks for a short note for the
# validator (the dialog is also the confirmation).
_APP_NEEDS = {Action.COMPLETE: (Need.NOTE,)}
PHOTO_ORDER = (PhotoKind.REPORTER, PhotoKind.BEFORE, PhotoKind.DURING, PhotoKind.AFTER)
# How far past the current deadline the date picker goes (a longer delay is a new case).
MAX_EXTENSION_DAYS = 90


def day_text(day: date, tr: Translator) -> str:
    """A calendar day as the officer reads it ("2 Desember 2026")."""
    noon = datetime.combine(day, time(12, 0), tzinfo=JAKARTA)
    return wib(noon, tr, with_time=False)


@dataclass(frozen=True, slots=True)
class ActionOption:
    action: Action
    allowed: bool
    reason: str  # why not, when not allowed
    needs_form: bool
    # Refused only because of the report's status (or role): shown folded away, since
    # such actions belong to another step of the workflow.
    other_step: bool = False


@dataclass(frozen=True, slots=True)
class TimelineRow:
    at: str
    label: str
    actor: str
    note: str
    sent: bool


@dataclass(frozen=True, slots=True)
class PhotoTile:
    sha256: str
    kind: PhotoKind
    thumb: bytes | None  # a small JPEG, when the device holds the photo
    where: str  # coordinates, or "tanpa lokasi"
    when: str
    uploaded: bool
    taken_by: str
    # The server refused the photo's action: it waits in Perlu perhatian, not for an
    # upload ("ditolak", never "menunggu unggah").
    refused: bool = False
    from_device: bool = False  # taken on this device (it may be taken back until sent)
    # Neither on the device nor fetched yet (offline, or the server refused it): the
    # screen keeps its placeholder with "foto belum diunduh".
    not_downloaded: bool = False


@dataclass(frozen=True, slots=True)
class Returned:
    note: str
    by: str
    at: str
    needs_photo: bool


@dataclass
class FormValues:
    """What the officer typed into a form. Deliberately not observable: typing must not
    re-render the dialog (a render sends each field's value back to the client, which
    would lose keys typed meanwhile); the dialog renders again on submit, error, busy."""

    note: str = ""
    reason: str = ""
    percent: str = ""
    date: str = ""  # YYYY-MM-DD (Asia/Jakarta), the proposed completion date
    assignee_id: str = ""
    unit_id: str = ""


@ft.observable
@dataclass
class ActionForm:
    action: Action
    needs: tuple[Need, ...]
    values: FormValues = field(default_factory=FormValues)
    error: str | None = None
    busy: bool = False
    # The completion date is picked in a calendar (never typed): the days it offers,
    # from the day after the current deadline, and the chosen day as the officer reads it.
    first_day: date | None = None
    last_day: date | None = None
    date_text: str = ""

    def pick_date(self, day: date, tr: Translator) -> None:
        """A day chosen in the date picker (Asia/Jakarta calendar day)."""
        self.values.date = day.isoformat()
        self.date_text = day_text(day, tr)
        self.error = None


@ft.observable
@dataclass
class DetailModel:
    session: InitVar[Session]
    report_id: str
    loading: bool = True
    missing: bool = False
    gone: str = ""  # why the report is not shown (it left the device), in words
    detail: ReportDetail | None = None
    header: dict[str, str] = field(default_factory=dict)
    actions: list[ActionOption] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)
    photos: list[PhotoTile] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    pending: int = 0
    form: ActionForm | None = None
    # Officers a supervisor may dispatch to: (user id, name).
    colleagues: list[tuple[str, str]] = field(default_factory=list)
    # Sent back and not yet completed again: the validator's note, who, when, and
    # whether the new after photo is still owed.
    returned: Returned | None = None
    # The photo shown full size (its tile), its bytes, and whether it may still be
    # taken back (not uploaded, its action not sent).
    viewing: PhotoTile | None = None
    viewing_image: bytes | None = None

    def __post_init__(self, session: Session) -> None:
        self._session = session
        self._stamp: object = object()  # nothing read yet
        self._previews_missing = True
        self._pics: dict[str, bytes | None] = {}
        # Photos a fetch did not get in this screen's life (offline, refused); a
        # reload after the data changed (e.g. a sync) tries again.
        self._unavailable: set[str] = set()
        # While shown, the retention sweep leaves this report and its files alone.
        self._unpin = session.device.on_screen.pin(self.report_id)

    def close(self) -> None:
        """The screen closed: the report is no longer on screen."""
        self._unpin()

    @property
    def status(self) -> Status | None:
        return self.detail.report.status if self.detail else None

    # --- loading --------------------------------------------------------------------

    def load_now(self, stamp: object = None) -> None:
        """First paint: read the report inline (a few indexed queries) with the previews
        already made; `load()` then makes any missing preview on a worker thread. Saves
        the screen a round trip when the officer opens a report. `stamp` is what the
        screen reloads on (the queue's last load): see `should_reload`."""
        device, thumbs = self._session.device, self._session.thumbs
        detail = device.report(self.report_id)
        pics = {p.sha256: thumbs.get(p.sha256, None) for p in detail.photos} if detail else {}
        self._stamp = stamp
        self._previews_missing = any(v is None for v in pics.values())
        self._apply(detail, pics, device.colleagues())

    async def reload_if_changed(self, stamp: object) -> None:
        """Read again when the data changed since the last read (a sync, an action: the
        queue's reload stamp moved) or when previews are still to be made."""
        if stamp != self._stamp or self._previews_missing:
            if stamp != self._stamp:
                self._unavailable.clear()
            self._stamp = stamp
            await self.load()

    async def load(self) -> None:
        device, thumbs = self._session.device, self._session.thumbs

        def read() -> tuple[ReportDetail | None, dict[str, bytes | None], list[tuple[str, str]]]:
            detail = device.report(self.report_id)
            pics: dict[str, bytes | None] = {}
            if detail is not None:
                for p in detail.photos:
                    path = device.preview_source(p.sha256, p.local_path)
                    pics[p.sha256] = thumbs.get(p.sha256, path)
            return detail, pics, device.colleagues()

        detail, pics, colleagues = await asyncio.to_thread(read)
        self._previews_missing = False
        self._apply(detail, pics, colleagues)
        if detail is not None:
            await self._fetch_missing(detail)

    async def _fetch_missing(self, detail: ReportDetail) -> None:
        """Download the shown photos the device does not hold (another officer's, the
        public reporter's), one worker thread, after the screen painted what it had."""
        device, thumbs = self._session.device, self._session.thumbs
        wanted = [
            p.sha256
            for p in _shown_photos(detail)
            if self._pics.get(p.sha256) is None and p.sha256 not in self._unavailable
        ]
        if not wanted:
            return

        def fetch() -> dict[str, bytes | None]:
            return {sha: thumbs.get(sha, device.fetch_photo(sha)) for sha in wanted}

        got = await asyncio.to_thread(fetch)
        self._unavailable.update(sha for sha, thumb in got.items() if thumb is None)
        if self.detail is detail and any(got.values()):
            self._pics = {**self._pics, **{k: v for k, v in got.items() if v is not None}}
            self.relabel()
        elif self.detail is detail:
            self.relabel()  # the captions change to "belum diunduh"

    def _apply(
        self,
        detail: ReportDetail | None,
        pics: dict[str, bytes | None],
        colleagues: list[tuple[str, str]],
    ) -> None:
        self.colleagues = colleagues
        self.loading = False
        if detail is None:
            self._gone()
            return
        self.missing = False
        self.detail = detail
        self._pics = pics
        self.relabel()

    def _gone(self) -> None:
        """The report is no longer on this device: what happened, in words, with who
        holds it now when this device last knew (a colleague it was given to)."""
        known = self.detail
        tr = self._session.app.tr
        self.missing, self.detail = True, None
        tracking = known.report.tracking_id if known else self.header.get("tracking_id", "")
        me = self._session.app.account
        holder = known.view.assignee_name if known else ""
        if me is not None and holder == me.user.name:
            holder = ""  # still shown as ours: the device does not know the new holder
        text = tr.t("detail.gone", id=tracking) if tracking else tr.t("detail.gone_this")
        if holder:
            text += " " + tr.t("detail.gone_holder", name=holder)
        self.gone = text

    def relabel(self) -> None:
        detail = self.detail
        if detail is None:
            return
        app, here = self._session.app, self._session.location.here
        tr = app.tr
        r = detail.report
        view = detail.view
        self.header = {
            "tracking_id": r.tracking_id,
            "title": r.title or category_name(r.category, tr.lang),
            "description": r.description,
            "category": category_name(r.category, tr.lang),
            "icon": category_icon(r.category),
            "channel": _channel_name(r.channel),
            "status": tr.t(f"status.{r.status.value}"),
            "time_left": time_left_text(detail.urgency.level, detail.urgency.time_left, tr),
            "colour": URGENCY_COLOURS[detail.urgency.level],
            "deadline": wib(r.deadline, tr),
            "received": wib(r.received_at, tr),
            "address": r.address,
            "place": place_text(r.address, view.kelurahan, view.kecamatan, view.kota),
            "coords": coords_text(r.latitude, r.longitude),
            "distance": distance_text(distance_between(here, r.latitude, r.longitude), tr),
            "unit": view.unit_name,
            "assignee": view.assignee_name,
            "progress": f"{r.progress_pct}%",
            "extension": _extension_text(detail, tr),
            "public": tr.t("detail.public") if r.is_public else tr.t("detail.private"),
        }
        self.returned = _returned(detail, tr)
        if self.returned is not None:
            self.header["status"] = tr.t("stage.rework")
            self.header["progress"] = tr.t("detail.progress.rework", n=r.rework_count)
        self.pending = view.pending
        self.actions = self._options(detail, tr)
        self.timeline = [
            TimelineRow(
                at=wib(item.entry.at, tr),
                label=_event_label(item.entry.event, item.entry.percent, tr),
                actor=item.entry.actor_name,
                note=item.entry.note,
                sent=item.sent,
            )
            for item in sorted(detail.timeline, key=lambda i: i.entry.at, reverse=True)
        ]
        photos = _shown_photos(detail)
        self.photos = [
            PhotoTile(
                sha256=p.sha256,
                kind=p.kind,
                thumb=self._pics.get(p.sha256),
                where=coords_text(p.latitude, p.longitude)
                if p.latitude is not None
                else tr.t("photo.no_location"),
                when=wib(p.captured_at_server or p.captured_at, tr),
                uploaded=p.on_server,
                taken_by=p.taken_by,
                refused=p.refused,
                from_device=p.from_device,
                not_downloaded=self._pics.get(p.sha256) is None and p.sha256 in self._unavailable,
            )
            for p in photos
        ]
        self.attention = [a.message(tr.lang) for a in detail.attention]

    def _options(self, detail: ReportDetail, tr: Translator) -> list[ActionOption]:
        account = self._session.app.account
        if account is None:
            return []
        actor = self._session.actor()
        options = []
        for action, decision in available(actor, detail.report):
            refusal = decision.refusal
            reason = refusal.message(tr.lang) if refusal else ""
            options.append(
                ActionOption(
                    action=action,
                    allowed=decision.allowed,
                    reason=reason,
                    needs_form=bool(_form_needs(action)),
                    other_step=refusal is not None
                    and refusal.code in (Refusal.WRONG_STATUS, Refusal.ROLE_NOT_ALLOWED),
                )
            )
        return options

    # --- actions --------------------------------------------------------------------

    async def choose(self, action: Action) -> None:
        """The officer tapped an action button."""
        option = next((o for o in self.actions if o.action is action), None)
        if option is None or not option.allowed:
            return
        if action is _PHOTO_FLOW:
            self._session.navigate(f"/laporan/{self.report_id}/foto")
            return
        if option.needs_form:
            needs = _form_needs(action)
            values = FormValues()
            first = last = None
            if Need.PROPOSED_DEADLINE in needs and self.detail is not None:
                deadline_day = self.detail.report.deadline.astimezone(JAKARTA).date()
                first = deadline_day + timedelta(days=1)
                last = deadline_day + timedelta(days=MAX_EXTENSION_DAYS)
            if Need.PERCENT in needs and self.detail is not None:
                values.percent = str(min(100, self.detail.report.progress_pct + 25))
            self.form = ActionForm(
                action=action, needs=needs, values=values, first_day=first, last_day=last
            )
            if first is not None:
                self.form.pick_date(first + timedelta(days=6), self._session.app.tr)
            return
        await self._record(action, {})

    def cancel_form(self) -> None:
        self.form = None

    async def submit_form(self) -> None:
        form = self.form
        if form is None or form.busy:
            return
        tr = self._session.app.tr
        payload, error = form_payload(form, tr)
        if error:
            form.error = error
            return
        form.busy = True
        try:
            ok = await self._record(form.action, payload, form)
        finally:
            form.busy = False
        if ok:
            self.form = None

    async def _record(
        self, action: Action, payload: dict[str, Any], form: ActionForm | None = None
    ) -> bool:
        app = self._session.app
        try:
            await asyncio.to_thread(self._session.device.record, self.report_id, action, payload)
        except ActionRefusedLocally as exc:
            message = exc.refusal.message(app.lang)
            if form is not None:
                form.error = message
            else:
                app.say(message)
            return False
        except LocalReportNotFound:
            # The report left the device while it was open (a sync removed it: given to
            # someone else, or out of this user's scope): say so, never a blank screen.
            self._gone()
            if form is not None:
                self.form = None
            app.say(self.gone)
            return False
        except LocalDbError as exc:  # pragma: no cover - a disk fault
            app.say(app.t("error.save_failed", detail=str(exc)))
            return False
        app.say(app.t(f"action.done.{action.value}"))
        await self.load()
        await self._session.queue.refresh()
        return True

    # --- a photo full size; taking back one not yet sent ---------------------------

    async def open_photo(self, sha256: str) -> None:
        tile = next((p for p in self.photos if p.sha256 == sha256), None)
        detail = self.detail
        if tile is None or detail is None:
            return
        local = next((p for p in detail.photos if p.sha256 == sha256), None)
        device = self._session.device
        self.viewing, self.viewing_image = tile, tile.thumb

        def read() -> bytes | None:
            path = device.cached_photo(sha256, local.local_path if local else None)
            return path.read_bytes() if path is not None else None

        data = await asyncio.to_thread(read)
        if self.viewing is tile and data is not None:
            self.viewing_image = data

    def close_photo(self) -> None:
        self.viewing, self.viewing_image = None, None

    def may_take_back(self, tile: PhotoTile) -> bool:
        return tile.from_device and not tile.uploaded and not tile.refused

    async def discard_photo(self, *, retake: bool = False) -> bool:
        """Hapus (or Ambil ulang): the photo and its queued action leave together."""
        tile = self.viewing
        if tile is None:
            return False
        app = self._session.app
        try:
            await asyncio.to_thread(self._session.device.discard_photo, self.report_id, tile.sha256)
        except PhotoAlreadySent:
            app.say(app.t("photo.discard.sent"))
            return False
        except PhotoInUse:
            app.say(app.t("photo.discard.in_use"))
            return False
        except LocalDbError as exc:  # pragma: no cover - a disk fault
            app.say(app.t("error.save_failed", detail=str(exc)))
            return False
        self.close_photo()
        app.say(app.t("photo.discard.done"))
        await self.load()
        await self._session.queue.refresh()
        if retake:
            self._session.navigate(f"/laporan/{self.report_id}/foto")
        return True

    def maps_url(self, mobile: bool) -> str | None:
        detail = self.detail
        if detail is None or detail.report.latitude is None or detail.report.longitude is None:
            return None
        lat, lon = detail.report.latitude, detail.report.longitude
        if mobile:
            label = detail.report.tracking_id
            return f"geo:{lat},{lon}?q={lat},{lon}({label})"
        return f"https://www.google.com/maps/search/?api=1&query={lat},{lon}"


def _form_needs(action: Action) -> tuple[Need, ...]:
    needs = tuple(n for n in RULES[action].needs if n in _FORM_NEEDS)
    return needs + tuple(n for n in _APP_NEEDS.get(action, ()) if n not in needs)


def form_payload(form: ActionForm, tr: Translator) -> tuple[dict[str, Any], str | None]:
    """The action's payload from the form, or the first thing missing (in words)."""
    payload: dict[str, Any] = {}
    v = form.values
    for need in form.needs:
        if need is Need.NOTE:
            if not v.note.strip():
                return {}, tr.t("form.error.note")
            payload["note"] = v.note.strip()
        elif need is Need.REASON:
            if not v.reason.strip():
                return {}, tr.t("form.error.reason")
            payload["reason"] = v.reason.strip()
        elif need is Need.PERCENT:
            text = v.percent.strip().rstrip("%")
            if not text.isdigit() or not 0 <= int(text) <= 100:
                return {}, tr.t("form.error.percent")
            payload["percent"] = int(text)
            if v.note.strip():
                payload["note"] = v.note.strip()
        elif need is Need.PROPOSED_DEADLINE:
            try:
                day = datetime.strptime(v.date.strip(), "%Y-%m-%d").date()
            except ValueError:
                return {}, tr.t("form.error.date")
            # End of that day in Jakarta: "selesai tanggal X" means by the end of X.
            end = datetime.combine(day, time(23, 59), tzinfo=JAKARTA)
            payload["proposed_deadline"] = end.isoformat()
        elif need is Need.ASSIGNEE:
            if not v.assignee_id:
                return {}, tr.t("form.error.assignee")
            payload["assignee_id"] = v.assignee_id
        elif need is Need.UNIT:
            if not v.unit_id.strip():
                return {}, tr.t("form.error.unit")
            payload["unit_id"] = v.unit_id.strip()
    if Need.NOTE not in form.needs and v.note.strip():
        payload.setdefault("note", v.note.strip())
    return payload, None


def _returned(detail: ReportDetail, tr: Translator) -> Returned | None:
    r = detail.report
    if r.status is not Status.DALAM_PROSES or r.rework_count == 0:
        return None
    backs = [t.entry for t in detail.timeline if t.entry.event == Action.SEND_BACK.value]
    if not backs:
        return None
    last = max(backs, key=lambda e: e.at)
    return Returned(last.note, last.actor_name, wib(last.at, tr), r.awaiting_new_after_photo)


def _extension_text(detail: ReportDetail, tr: Translator) -> str:
    ext = detail.report.extension
    if ext.state.value == "none":
        return ""
    key = f"extension.{ext.state.value}"
    return tr.t(key, date=wib(ext.proposed_deadline, tr, with_time=False))


def _event_label(event: str, percent: int | None, tr: Translator) -> str:
    key = f"event.{event}"
    label = tr.t(key) if tr.has(key) else event
    if percent is not None and event == Action.PROGRESS.value:
        label = f"{label} {percent}%"
    return label


def _channel_name(code: str) -> str:
    try:
        return channel(code).name
    except UnknownCode:
        return code


def _shown_photos(detail: ReportDetail) -> list[LocalPhoto]:
    """The photos the screen shows, in order: a private report's reporter photo is never
    shown (nor fetched), even if a device held it."""
    r = detail.report
    photos = [p for p in detail.photos if p.kind is not PhotoKind.REPORTER or r.is_public]
    photos.sort(key=lambda p: (PHOTO_ORDER.index(p.kind), p.captured_at or r.received_at))
    return photos

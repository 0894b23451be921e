"""`tindak-server`: run and administer the reference central server.

    tindak-server serve [--host 127.0.0.1] [--port 8765] [--workers 1] [--db URL] [--photos DIR]
    tindak-server migrate                      schema + the kota/kecamatan/kelurahan units
    tindak-server create-unit --id ID --kind KIND --name NAME [--parent ID] [--kota K]
    tindak-server create-user --username U --password P --name N --role R [--unit ID]
    tindak-server move-user --username U --unit ID   feed changes follow (admin.move_user)
    tindak-server seed-demo [--reports 5000] [--seed 2024]
    tindak-server create-api-key --channel jaki [--label TEXT]
    tindak-server list-devices --username U
    tindak-server revoke-device --username U --device DEVICE_ID
    tindak-server demo [--host 127.0.0.1] [--port 8765] [--reports 5000] [--seed 2024]

Every command takes `--db URL` (default: `$TINDAK_DB_URL`, else
`sqlite:///var/server.sqlite`) and `--photos DIR` (default: `$TINDAK_PHOTO_DIR`, else
`var/photos`); `demo` defaults to `sqlite:///var/demo.sqlite`. Photos go to object storage
with `TINDAK_PHOTO_STORE=s3` and `TINDAK_S3_BUCKET` (docs/server.md, "Photo storage"). Messages are Indonesian
first, English second. Exit codes: 0 done, 1 refused or failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from domain import CHANNELS, Role, UnitKind

from .config import DEFAULT_DB_URL, Settings, settings_from_env
from .db import make_engine, read_tx, write_tx
from .errors import ServerError
from .migrations import migrate
from .schema import reports, sessions, units, users
from .wilayah import install_wilayah_units

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEMO_DB_URL = "sqlite:///var/demo.sqlite"


class CliError(ServerError):
    """A refusal to print as 'Galat: <id> / Error: <en>' with exit code 1."""

    status = 400
    code = "bad_request"

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(message_en, message_id)


def _say(message_id: str, message_en: str) -> None:
    print(f"{message_id}\n  ({message_en})")


# --- settings and database ---------------------------------------------------------------


def _settings(args: argparse.Namespace, default_db: str = DEFAULT_DB_URL) -> Settings:
    try:
        return settings_from_env(
            args.db or os.environ.get("TINDAK_DB_URL") or default_db, args.photos
        )
    except ValueError as exc:
        raise CliError(
            f"Pengaturan penyimpanan foto tidak sah (TINDAK_PHOTO_STORE, TINDAK_S3_*): {exc}",
            f"Invalid photo store settings (TINDAK_PHOTO_STORE, TINDAK_S3_*): {exc}",
        ) from exc


def _engine(settings: Settings, *, migrated: bool = True) -> Engine:
    engine = make_engine(settings.db_url)
    if migrated:
        _migrate(engine)
    return engine


def _migrate(engine: Engine) -> tuple[str, int]:
    version = migrate(engine)
    with write_tx(engine) as conn:
        added = install_wilayah_units(conn)
    return version, added


# --- commands ----------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = _settings(args)
    engine = _engine(settings, migrated=False)
    try:
        version, added = _migrate(engine)
    finally:
        engine.dispose()
    _say(
        f"Skema pada revisi {version}; {added} unit wilayah ditambahkan.",
        f"Schema at revision {version}; {added} wilayah units added.",
    )


def cmd_create_unit(args: argparse.Namespace) -> None:
    from .admin import create_unit

    settings = _settings(args)
    engine = _engine(settings)
    try:
        with write_tx(engine) as conn:
            create_unit(
                conn,
                id=args.id,
                kind=args.kind,
                name=args.name,
                parent_id=args.parent,
                kota=args.kota,
                kelurahan_code=args.kelurahan_code,
                officers_see_open_queue=args.open_queue,
            )
    finally:
        engine.dispose()
    _say(f"Unit {args.id} dibuat.", f"Unit {args.id} created.")


def cmd_create_user(args: argparse.Namespace) -> None:
    from .admin import create_user

    settings = _settings(args)
    if len(args.password) < 8:
        raise CliError(
            "Kata sandi minimal 8 karakter.", "The password needs at least 8 characters."
        )
    engine = _engine(settings)
    try:
        with write_tx(engine) as conn:
            if args.unit is not None and _unit_name(conn, args.unit) is None:
                raise CliError(
                    f"Unit {args.unit} tidak ada (kelurahan: kel-<kode>, mis. "
                    "kel-31.71.06.1001 untuk Menteng).",
                    f"No unit {args.unit} (kelurahan: kel-<code>, e.g. kel-31.71.06.1001 "
                    "for Menteng).",
                )
            user_id = create_user(
                conn,
                args.username,
                args.password,
                args.name,
                args.role,
                args.unit,
                settings=settings,
                now=settings.now(),
            )
    finally:
        engine.dispose()
    _say(
        f"Pengguna {args.username} ({args.role}) dibuat, id {user_id}.",
        f"User {args.username} ({args.role}) created, id {user_id}.",
    )


def cmd_seed_demo(args: argparse.Namespace) -> None:
    from .demo import seed_demo

    settings = _settings(args)
    if args.year is not None:
        _seed_year(settings, args.year, args.seed)
        return
    engine = _engine(settings)
    try:
        summary = seed_demo(engine, reports=args.reports, seed=args.seed, settings=settings)
    finally:
        engine.dispose()
    _say(
        f"Data demo: {summary.reports} laporan, {summary.users} pengguna, "
        f"{summary.overdue} lewat tenggat, dalam {summary.seconds:.1f} detik.",
        f"Demo data: {summary.reports} reports, {summary.users} users, "
        f"{summary.overdue} overdue, in {summary.seconds:.1f} s.",
    )
    _print_logins()
    _print_keys(summary.api_keys)


def _seed_year(settings: Settings, year: int, seed: int) -> None:
    from .demo.year import seed_year

    engine = _engine(settings)
    try:
        with write_tx(engine) as conn:
            summary = seed_year(conn, year, settings.now(), seed=seed)
    finally:
        engine.dispose()
    _say(
        f"Tahun {year}: {summary.reports} laporan dari {summary.reporters} pelapor, "
        f"dalam {summary.seconds:.1f} detik. Lihat Dasbor kota sebagai analis.demo.",
        f"Year {year}: {summary.reports} reports from {summary.reporters} reporters, "
        f"in {summary.seconds:.1f} s. See Dasbor kota as analis.demo.",
    )


def cmd_create_api_key(args: argparse.Namespace) -> None:
    from .apikeys import create_api_key

    settings = _settings(args)
    engine = _engine(settings)
    try:
        with write_tx(engine) as conn:
            record, plain = create_api_key(
                conn, args.channel, now=settings.now(), label=args.label or ""
            )
    finally:
        engine.dispose()
    _say(
        f"Kunci API untuk kanal {record.channel} (simpan sekarang, tidak ditampilkan lagi):",
        f"API key for channel {record.channel} (store it now, it is not shown again):",
    )
    print(plain)


def cmd_list_devices(args: argparse.Namespace) -> None:
    settings = _settings(args)
    engine = _engine(settings)
    try:
        with read_tx(engine) as conn:
            user_id = _user_id(conn, args.username)
            rows = conn.execute(
                select(sessions)
                .where(sessions.c.user_id == user_id)
                .order_by(sessions.c.last_seen_at.desc())
            ).all()
    finally:
        engine.dispose()
    if not rows:
        _say(
            f"{args.username} belum masuk dari perangkat mana pun.",
            f"{args.username} has not logged in from any device.",
        )
        return
    print(f"{'device_id':<36}  {'nama/name':<20}  {'terakhir/last seen (UTC)':<25}  status")
    for r in rows:
        state = "dicabut/revoked" if r.revoked_at is not None else "aktif/active"
        seen = r.last_seen_at.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{r.device_id:<36}  {r.device_name[:20]:<20}  {seen:<25}  {state}")


def cmd_revoke_device(args: argparse.Namespace) -> None:
    from .admin import revoke_device

    settings = _settings(args)
    engine = _engine(settings)
    try:
        with write_tx(engine) as conn:
            _user_id(conn, args.username)
            count = revoke_device(conn, args.username, args.device, now=settings.now())
    finally:
        engine.dispose()
    if count == 0:
        raise CliError(
            f"Tidak ada sesi aktif {args.username} pada perangkat {args.device}.",
            f"No live session of {args.username} on device {args.device}.",
        )
    _say(
        f"{count} sesi dicabut; pada sinkron berikutnya perangkat melaporkan pekerjaan yang belum terkirim lalu menghapus datanya.",
        f"{count} session(s) revoked; on its next sync the device reports its unsent work, then wipes its data.",
    )


def cmd_move_user(args: argparse.Namespace) -> None:
    from .admin import move_user

    settings = _settings(args)
    engine = _engine(settings)
    try:
        with write_tx(engine) as conn:
            if _unit_name(conn, args.unit) is None:
                raise CliError(f"Unit {args.unit} tidak ada.", f"No unit {args.unit}.")
            _user_id(conn, args.username)
            moved = move_user(conn, args.username, args.unit, now=settings.now())
    finally:
        engine.dispose()
    _say(
        f"{args.username} pindah dari {moved.old_unit or '-'} ke {moved.new_unit}: "
        f"{moved.reports_changed} laporan dan {moved.users_changed} pengguna berubah di perangkat.",
        f"{args.username} moved from {moved.old_unit or '-'} to {moved.new_unit}: "
        f"{moved.reports_changed} reports and {moved.users_changed} users change on devices.",
    )
    if moved.unfinished:
        _say(
            f"Masih ditugaskan kepadanya ({len(moved.unfinished)}), alihkan bila perlu: "
            + ", ".join(moved.unfinished),
            f"Still assigned to them ({len(moved.unfinished)}), reassign if needed.",
        )


def _unit_name(conn: Connection, unit_id: str) -> str | None:
    name = conn.execute(select(units.c.name).where(units.c.id == unit_id)).scalar()
    return None if name is None else str(name)


def _user_id(conn: Connection, username: str) -> str:
    found = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if found is None:
        raise CliError(f"Pengguna {username} tidak ada.", f"No user {username}.")
    return str(found)


def _serve(
    settings: Settings, host: str, port: int, before: Callable[[str], None], workers: int = 1
) -> None:
    import socket

    import uvicorn

    from .api import create_app

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(
            f"Tidak dapat memakai {host}:{port} ({exc.strerror}); coba --port lain.",
            f"Cannot listen on {host}:{port} ({exc.strerror}); try another --port.",
        ) from exc
    try:
        engine = _engine(settings)  # the migration runs here, once, before any worker
    except BaseException:
        sock.close()
        raise
    port = sock.getsockname()[1]
    url = f"http://{host}:{port}"
    if workers > 1:
        from .workers import serve_workers

        try:
            create_app(settings, engine=engine)  # opens the photo store: refuse here, once
        finally:
            # uvicorn binds the address again for its workers: this socket proved it free.
            engine.dispose()
            sock.close()
        before(url)
        serve_workers(settings, host, port, workers)
        return
    try:
        app = create_app(settings, engine=engine)  # opens the photo store: may refuse
        before(url)
        config = uvicorn.Config(app, log_level="warning", access_log=False)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        engine.dispose()


def cmd_serve(args: argparse.Namespace) -> None:
    settings = _settings(args)
    if args.workers < 1:
        raise CliError("--workers minimal 1.", "--workers must be at least 1.")

    def announce(url: str) -> None:
        _say(
            f"Server berjalan di {url}, {args.workers} proses (Ctrl+C untuk berhenti).",
            f"Serving at {url}, {args.workers} process(es).",
        )

    _serve(settings, args.host, args.port, announce, args.workers)


def cmd_demo(args: argparse.Namespace) -> None:
    from .demo import seed_demo

    settings = _settings(args, DEMO_DB_URL)
    engine = _engine(settings)
    try:
        with read_tx(engine) as conn:
            empty = conn.execute(select(func.count()).select_from(reports)).scalar_one() == 0
        keys: dict[str, str] = {}
        if empty:
            _say(
                f"Mengisi data demo ({args.reports} laporan)...",
                f"Seeding demo data ({args.reports} reports)...",
            )
            summary = seed_demo(engine, reports=args.reports, seed=args.seed, settings=settings)
            keys = dict(summary.api_keys)
            _say(
                f"Selesai dalam {summary.seconds:.1f} detik.",
                f"Done in {summary.seconds:.1f} s.",
            )
        else:
            keys = _fresh_demo_keys(engine, settings)
    finally:
        engine.dispose()

    def announce(url: str) -> None:
        _say(f"Server demo: {url}", f"Demo server: {url}")
        print(f"  Open311: {url}/open311/v2/services.json")
        _print_logins()
        _print_keys(keys)
        print("Ctrl+C: berhenti / stop")

    _serve(settings, args.host, args.port, announce)


def _fresh_demo_keys(engine: Engine, settings: Settings) -> dict[str, str]:
    """New demo keys for an already seeded database (only hashes are stored, so the
    ones printed at seeding cannot be shown again; they are revoked)."""
    from .demo.seed import issue_demo_keys

    with write_tx(engine) as conn:
        return issue_demo_keys(conn, settings.now())


def _print_logins() -> None:
    from .demo import DEMO_LOGINS, DEMO_PASSWORD

    print(f"Login demo (kata sandi / password: {DEMO_PASSWORD}):")
    for login in DEMO_LOGINS:
        print(f"  {login.username:<18} {login.role.value:<12} {login.description_id}")


def _print_keys(keys: Mapping[str, str]) -> None:
    if not keys:
        return
    print("Kunci API Open311 per kanal / Open311 API keys per channel:")
    for channel, key in keys.items():
        print(f"  {channel:<14} {key}")


# --- argument parsing --------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", help="URL basis data / database URL (sqlite:///..., postgresql://...)"
    )
    common.add_argument("--photos", help="folder foto / photo folder")

    parser = argparse.ArgumentParser(
        prog="tindak-server",
        description="Server pusat referensi Tindak (CRM) / Tindak's reference central server.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, handler: Callable[[argparse.Namespace], None], help_: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    p = add("serve", cmd_serve, "Jalankan server / run the server")
    p.add_argument("--host", default=DEFAULT_HOST)
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="jumlah proses uvicorn pada satu alamat / uvicorn worker processes on one address",
    )

    add("migrate", cmd_migrate, "Migrasi skema + unit wilayah / migrate schema + wilayah units")

    p = add("create-unit", cmd_create_unit, "Buat unit / create a unit")
    p.add_argument("--id", required=True)
    p.add_argument("--kind", required=True, choices=[k.value for k in UnitKind])
    p.add_argument("--name", required=True)
    p.add_argument("--parent")
    p.add_argument("--kota")
    p.add_argument("--kelurahan-code")
    p.add_argument("--open-queue", action="store_true", help="officers see the unit's new reports")

    p = add("create-user", cmd_create_user, "Buat pengguna / create a user")
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--unit")

    p = add("move-user", cmd_move_user, "Pindahkan pengguna ke unit lain / move a user to a unit")
    p.add_argument("--username", required=True)
    p.add_argument("--unit", required=True)

    p = add("seed-demo", cmd_seed_demo, "Isi data demo / seed demo data")
    p.add_argument("--reports", type=int, default=5000)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument(
        "--year",
        type=int,
        choices=[2024],
        help="a whole year matching the published figures (Dasbor kota) / satu tahun penuh",
    )

    p = add(
        "create-api-key", cmd_create_api_key, "Buat kunci API Open311 / create an Open311 API key"
    )
    p.add_argument("--channel", required=True, choices=sorted(CHANNELS))
    p.add_argument("--label")

    p = add("list-devices", cmd_list_devices, "Daftar perangkat pengguna / list a user's devices")
    p.add_argument("--username", required=True)

    p = add("revoke-device", cmd_revoke_device, "Cabut sesi perangkat / revoke a device")
    p.add_argument("--username", required=True)
    p.add_argument("--device", required=True)

    p = add("demo", cmd_demo, "Server demo dengan data contoh / demo server with sample data")
    p.add_argument("--host", default=DEFAULT_HOST)
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--reports", type=int, default=5000)
    p.add_argument("--seed", type=int, default=2024)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .demo import DemoError

    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except KeyboardInterrupt:
        return 0
    except DemoError as exc:  # before ServerError, its root: it says what it was doing
        return _fail(
            f"Data demo tidak dapat diisi: {exc.message_id}.",
            f"Cannot seed the demo: {exc.message_en}.",
        )
    except ServerError as exc:  # CliError and every other refusal
        return _fail(exc.message_id, exc.message_en)
    except IntegrityError as exc:
        detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        return _fail(
            "Data bertentangan dengan yang sudah ada atau merujuk ke yang tidak ada "
            f"(mis. nama pengguna/id ganda, unit induk tidak ada): {detail}",
            "Conflicts with existing data or refers to something missing "
            f"(e.g. a duplicate username or id, an unknown parent unit): {detail}",
        )
    except OperationalError as exc:
        detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        return _fail(
            f"Basis data tidak dapat dibuka: {detail}", f"Cannot open the database: {detail}"
        )
    return 0


def _fail(message_id: str, message_en: str) -> int:
    print(f"Galat: {message_id}\n  (Error: {message_en})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""Back up a Tindak PostgreSQL database with pg_dump and restore it with pg_restore,
then prove the copy is whole: the same rows in every table, the same reports byte for
byte, and a server that starts on it. This is the drill docs/deploy.md asks for before
trusting a backup.

    .venv/bin/python scripts/pg_backup_check.py [--pg URL] [--reports 5000 | --year 2024]
        [--keep DIR]

It creates two scratch databases on the server of `--pg` (default: the local
PostgreSQL), seeds the first (`tindak-server seed-demo`), dumps it (custom format,
compressed), restores the dump into the second, compares them, starts the reference
server on the restored copy for a sign-in, and drops both. It prints the seed, dump and
restore times and the dump's size. Exit code 0 only if the copy is whole.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _libpq(url: str) -> list[str]:
    """pg_dump / pg_restore connection options from a SQLAlchemy URL."""
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    return [*args, "-d", u.database or "postgres"]


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    # The seed prints the demo's API keys and passwords: not this script's business.
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _fingerprint(url: str) -> dict[str, str]:
    """Row count of every table, and an md5 of the reports in id order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            out = {
                t: str(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
                for t in tables
            }
            out["reports md5"] = str(
                conn.execute(
                    text("SELECT md5(string_agg(r::text, '|' ORDER BY r.id)) FROM reports r")
                ).scalar_one()
            )
        return out
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=os.environ.get("TINDAK_TEST_PG_URL", DEFAULT_PG))
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--reports", type=int, default=5000)
    size.add_argument("--year", type=int, help="seed a whole demo year (e.g. 2024) instead")
    parser.add_argument("--keep", type=Path, help="keep the dump file in this folder")
    args = parser.parse_args()

    suffix = uuid.uuid4().hex[:8]
    names = (f"tindak_backup_{suffix}", f"tindak_restored_{suffix}")
    base = args.pg.rsplit("/", 1)[0]
    source, copy = (f"{base}/{n}" for n in names)
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    server = [str(Path(sys.executable).parent / "tindak-server")]
    env = _env(args.pg)
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        seed = ["seed-demo", "--db", source]
        seed += ["--year", str(args.year)] if args.year else ["--reports", str(args.reports)]
        seeded = _timed([*server, *seed], env)
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.keep or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            dump = folder / f"{names[0]}.dump"
            # Custom format: compressed, and pg_restore can restore it in parallel (-j).
            dumped = _timed(["pg_dump", "-Fc", "-f", str(dump), *_libpq(source)], env)
            restored = _timed(
                ["pg_restore", "--no-owner", "--exit-on-error", *_libpq(copy), str(dump)], env
            )
            dump_mb = dump.stat().st_size / 1e6
        want, got = _fingerprint(source), _fingerprint(copy)
        # The restored copy is a working database: the server migrates (nothing to do)
        # and its admin commands read it.
        subprocess.run(
            [*server, "migrate", "--db", copy], check=True, env=env, stdout=subprocess.DEVNULL
        )
        print(f"seeded  {want['reports']} reports in {seeded:.1f} s")
        print(f"dumped  in {dumped:.1f} s: {dump_mb:.1f} MB (pg_dump -Fc)")
        print(f"restored in {restored:.1f} s (pg_restore)")
        diff = {k: (want[k], got.get(k)) for k in want if want[k] != got.get(k)}
        if diff:
            print(f"NOT WHOLE: {diff}")
            return 1
        print(
            f"whole: {len(want) - 1} tables with the same rows, reports md5 {want['reports md5']}"
        )
        return 0
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())

"""A retention sweep in a child process, to be SIGKILLed mid-way.

Run as `python -m tests.support.sweep_child --db ... --photos ... --now ISO` from the
project root: opens the device file, says `ready`, sweeps once with the default
policy (orphans at once) and the real thumbnail maker, says `done`, and exits.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from local_db import LocalDb, RetentionPolicy, sweep_storage
from officer_app.photos import write_thumbnail


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--photos", required=True)
    parser.add_argument("--now", required=True)
    args = parser.parse_args()
    db = LocalDb.open(Path(args.db))
    os.write(1, b"ready\n")
    policy = replace(RetentionPolicy(), orphan_grace_s=0)
    sweep_storage(
        db, Path(args.photos), policy, datetime.fromisoformat(args.now), make_thumb=write_thumbnail
    )
    db.close()
    os.write(1, b"done\n")


if __name__ == "__main__":
    main()

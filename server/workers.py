"""Several uvicorn worker processes on one address (`tindak-server serve --workers N`).

uvicorn starts each worker from an import string, so the app is built in the worker by
`app_from_env()` from the settings the parent put in its environment
(`TINDAK_DB_URL`, `TINDAK_PHOTO_DIR`, and the inherited `TINDAK_PHOTO_STORE` /
`TINDAK_S3_*`). The parent has migrated the database and opened the photo store once
before.

The workers are stateless towards each other; what one process needs of another's work
lives in the database or on the shared photo folder:
- login throttling counts `login_attempts` rows (`server/throttle.py`);
- a photo upload's progress is `photos.received` plus the bytes staged in the photo
  store (the shared folder or the bucket, `server/photostore`), and each chunk locks its
  `photos` row (`server/photos.py`), so the chunks of one upload may reach different
  workers;
- sessions and tokens are rows; pull cursors are held by the device and name feed
  sequence numbers, which become visible in commit order (`server/db.py`);
- each process's near-duplicate photo index is a cache caught up from `photo_hashes`
  before every lookup (`server/photo_index.py`);
- the rest kept in a process is read-only (the kelurahan boundaries, password hashers).
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from .config import Settings, settings_from_env

APP_FACTORY = "server.workers:app_from_env"


def app_from_env() -> FastAPI:
    """The app of one worker process (uvicorn calls this: `factory=True`)."""
    from .api import create_app

    return create_app(settings_from_env())


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run `workers` processes on host:port until SIGINT/SIGTERM, then stop them all."""
    import uvicorn

    os.environ["TINDAK_DB_URL"] = settings.db_url
    os.environ["TINDAK_PHOTO_DIR"] = str(settings.photo_dir)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )

"""Benchmark: photo uploads and downloads through the real server, local folder vs bucket.

    .venv/bin/python bench/bench_photo_store.py [--photos 20] [--kb 600]

Two `EmbeddedServer`s on their own SQLite files: one with the local photo store (the
baseline, measured in the same run), one with the S3 store against moto's standalone S3
server on loopback (needs the `dev` extra). Each uploads the same photos in the device's
256 KiB chunks and downloads them again. Prints the median time per photo of each, the
ratio, and the S3 requests per photo (counted on the store's boto3 client). moto is a
Python process on this machine, so the ratio says what the store's round trips cost here,
not what a cloud bucket would; the request count is what carries over.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from serving import free_port

from domain.protocol import PHOTO_CHUNK
from server.admin import create_unit, create_user
from server.config import PhotoStoreSettings, Settings
from server.db import write_tx
from server.embedded import EmbeddedServer
from server.photostore import open_store
from server.photostore.s3 import make_client

PASSWORD = "rahasia-123"


def photo(kb: int, seed: int) -> bytes:
    """A JPEG of about `kb` KB: smooth gradients with noise, like a street scene."""
    rnd = random.Random(seed)
    side = max(64, int((kb * 1024 / 0.9) ** 0.5))
    image = Image.effect_noise((side, side), 60).convert("RGB")
    image = Image.blend(image, Image.new("RGB", image.size, (rnd.randrange(256), 90, 40)), 0.4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def seeded(settings: Settings) -> EmbeddedServer:
    server = EmbeddedServer(settings).start()
    assert server.engine is not None
    with write_tx(server.engine) as conn:
        create_unit(conn, id="kel-1", kind="kelurahan", name="Menteng", kota="Jakarta Pusat")
        create_user(
            conn, username="petugas", password=PASSWORD, name="Petugas",
            role="officer", unit_id="kel-1",
        )  # fmt: skip
    return server


def run(server: EmbeddedServer, photos: list[bytes]) -> list[float]:
    """Seconds per photo: upload in chunks, then download and compare."""
    times = []
    with httpx.Client(base_url=server.base_url, timeout=60) as http:
        login = http.post(
            "/v1/auth/login",
            json={"username": "petugas", "password": PASSWORD, "device_id": "bench",
                  "device_name": "bench"},
        )  # fmt: skip
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        for data in photos:
            sha = hashlib.sha256(data).hexdigest()
            start = time.perf_counter()
            for offset in range(0, len(data), PHOTO_CHUNK):
                answer = http.put(
                    f"/v1/photos/{sha}",
                    params={"offset": offset, "size": len(data)},
                    content=data[offset : offset + PHOTO_CHUNK],
                    headers={"Content-Type": "application/octet-stream"},
                )
                answer.raise_for_status()
            assert answer.json()["complete"]
            assert http.get(f"/v1/photos/{sha}/content").content == data
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--kb", type=int, default=600)
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    photos = [photo(args.kb, seed) for seed in range(args.photos)]
    size = statistics.median(len(p) for p in photos)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            store = PhotoStoreSettings(
                kind="s3", bucket="tindak-bench", endpoint_url=f"http://127.0.0.1:{port}"
            )
            make_client(store).create_bucket(Bucket=store.bucket)
            local = Settings(db_url=f"sqlite:///{root / 'local.sqlite'}", photo_dir=root / "p")
            bucket = Settings(
                db_url=f"sqlite:///{root / 's3.sqlite'}", photo_dir=root / "q", photo_store=store
            )
            requests: list[Any] = []
            client = open_store(bucket).client  # type: ignore[attr-defined]
            client.meta.events.register("before-send.s3", lambda **kw: requests.append(kw))
            results = {}
            for name, settings in (("local", local), ("s3", bucket)):
                server = seeded(settings)
                try:
                    results[name] = run(server, photos)
                finally:
                    server.stop()
    finally:
        moto.stop()
    base, s3 = statistics.median(results["local"]), statistics.median(results["s3"])
    chunks = -(-int(size) // PHOTO_CHUNK)
    print(f"{args.photos} photos, median {size / 1024:.0f} KiB ({chunks} chunks of 256 KiB)")
    print(f"local folder (baseline): {base * 1000:7.1f} ms per photo (upload + download)")
    print(f"S3 bucket (moto):        {s3 * 1000:7.1f} ms per photo")
    print(f"ratio S3 / local:        {s3 / base:7.2f}")
    print(f"S3 requests per photo:   {len(requests) / args.photos:7.1f}")


if __name__ == "__main__":
    main()

"""The photo store in an S3-compatible bucket (AWS S3, MinIO, moto...), through boto3.

Keys, under the configured prefix:
    <sha[:2]>/<sha>                 a stored photo (the local folder's layout)
    partial/<sha>/<offset:016d>     one staged chunk of an upload in progress

Why staged chunks and not S3 multipart upload: a part must be at least 5 MiB (but the
last), and a device sends 256 KiB chunks over a weak link; a multipart upload's id would
also be state to keep next to the row. A chunk object is written by one PUT (whole or
not at all) before the row's `received` moves past it, so the database row and the
bucket are all another server process needs to take the next chunk.

Invariants:
- the chunks that count are the chain from offset 0, each starting where the previous
  one ends, up to the row's `received`; keys off the chain (a chunk whose transaction
  rolled back, an upload restarted with another size) are never read, and are deleted
  with the rest of the staging;
- the photo is written under its sha256 by one PUT of the bytes the caller checked, sent
  with `x-amz-checksum-sha256` = that sha256 (S3's SHA-256 checksum *is* the content
  address: AWS and MinIO refuse the PUT unless what they received hashes to it), then
  read back and hashed once more before `server/photos.py` marks the row complete - the
  row, not the object, is what makes a photo visible, so a wrong object is never served;
- every boto3/botocore error becomes `PhotoStoreUnavailable` here, at one boundary;
  "no such key" is an answer (None), not an error.

The low-level boto3 client is thread-safe (boto3's documentation: clients, unlike
sessions and resources, may be shared between threads): one per process, with a
connection pool sized for the server's worker threads.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
from collections.abc import Iterator
from typing import Any

from ..config import PhotoStoreSettings
from ..errors import PhotoStoreMissing, PhotoStoreUnavailable

log = logging.getLogger(__name__)

_POOL = 50  # connections: FastAPI's thread pool runs at most 40 sync handlers at once
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def make_client(config: PhotoStoreSettings) -> Any:
    """A boto3 S3 client for `config` (credentials from the standard AWS chain)."""
    try:
        import boto3
        from botocore.config import Config
    except ModuleNotFoundError as exc:
        raise PhotoStoreMissing() from exc
    options = Config(
        region_name=config.region,
        max_pool_connections=_POOL,
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=30,
        # Path-style URLs (http://host/bucket/key) for a given endpoint: MinIO and moto
        # answer them without wildcard DNS; AWS itself picks its own style.
        s3={"addressing_style": "path" if config.endpoint_url else "auto"},
    )
    return boto3.session.Session().client("s3", endpoint_url=config.endpoint_url, config=options)


@contextlib.contextmanager
def _mapped(action: str) -> Iterator[None]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        log.warning("photo store: %s failed: %s", action, exc)
        raise PhotoStoreUnavailable(
            f"The photo storage failed ({action}); try again later.",
            f"Penyimpanan foto gagal ({action}); coba lagi nanti.",
        ) from exc


def _missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _MISSING


class S3PhotoStore:
    def __init__(self, config: PhotoStoreSettings) -> None:
        self.bucket = config.bucket
        self.prefix = config.prefix
        self.client = make_client(config)
        with _mapped(f"open bucket {self.bucket!r}"):
            self.client.head_bucket(Bucket=self.bucket)

    # --- keys ---

    def _final(self, sha: str) -> str:
        return f"{self.prefix}{sha[:2]}/{sha}"

    def _staging(self, sha: str) -> str:
        return f"{self.prefix}partial/{sha}/"

    def _chunk(self, sha: str, offset: int) -> str:
        return f"{self._staging(sha)}{offset:016d}"

    def _staged_sizes(self, sha: str) -> dict[int, int]:
        """Offset -> size of every staged chunk object of `sha` (one listing)."""
        sizes: dict[int, int] = {}
        base = self._staging(sha)
        with _mapped("list staged chunks"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=base
            )
            for page in pages:
                for item in page.get("Contents", []):
                    tail = item["Key"][len(base) :]
                    if tail.isdigit():
                        sizes[int(tail)] = int(item["Size"])
        return sizes

    @staticmethod
    def _chain(sizes: dict[int, int], limit: int) -> list[int]:
        """The offsets of the chunks that count, from 0 while below `limit`."""
        offsets, pos = [], 0
        while pos < limit and sizes.get(pos, 0) > 0:
            offsets.append(pos)
            pos += sizes[pos]
        return offsets

    # --- the PhotoStore contract ---

    def held(self, sha: str, received: int) -> int:
        sizes = self._staged_sizes(sha)
        chain = self._chain(sizes, received)
        end = chain[-1] + sizes[chain[-1]] if chain else 0
        return min(end, received)

    def stage(self, sha: str, offset: int, chunk: bytes) -> None:
        if not chunk:
            return
        with _mapped("stage a chunk"):
            self.client.put_object(Bucket=self.bucket, Key=self._chunk(sha, offset), Body=chunk)

    def staged(self, sha: str, size: int) -> bytes:
        parts: list[bytes] = []
        with _mapped("read staged chunks"):
            for offset in self._chain(self._staged_sizes(sha), size):
                body = self.client.get_object(Bucket=self.bucket, Key=self._chunk(sha, offset))
                parts.append(body["Body"].read())
        return b"".join(parts)[:size]

    def publish_staged(self, sha: str, data: bytes) -> None:
        self.put(sha, data)
        try:
            self.discard(sha)
        except PhotoStoreUnavailable:
            # The photo is stored; leftover chunks are only space (a lifecycle rule
            # on `partial/` expires them, see docs/server.md).
            log.warning("photo store: staged chunks of %s left behind", sha)

    def put(self, sha: str, data: bytes) -> None:
        checksum = base64.b64encode(bytes.fromhex(sha)).decode("ascii")
        key = self._final(sha)
        with _mapped("store a photo"):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ChecksumSHA256=checksum)
            # Read back before the row says "complete": not every S3-compatible service
            # checks x-amz-checksum-sha256 (moto does not), and the name is a promise.
            stored = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            if hashlib.sha256(stored).hexdigest() != sha:
                self.client.delete_object(Bucket=self.bucket, Key=key)
                raise PhotoStoreUnavailable(
                    f"The stored photo does not hash to {sha}; try again.",
                    f"Foto yang tersimpan tidak sesuai sha256 {sha}; coba lagi.",
                )

    def discard(self, sha: str) -> None:
        keys = [self._chunk(sha, offset) for offset in self._staged_sizes(sha)]
        with _mapped("delete staged chunks"):
            for start in range(0, len(keys), 1000):  # DeleteObjects takes 1000 keys
                batch = [{"Key": k} for k in keys[start : start + 1000]]
                self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )

    def read(self, sha: str) -> bytes | None:
        with _mapped("read a photo"):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self._final(sha))
            except Exception as exc:
                if _missing(exc):
                    return None
                raise
            data: bytes = answer["Body"].read()
            return data

    def content(self, sha: str) -> bytes | None:
        return self.read(sha)

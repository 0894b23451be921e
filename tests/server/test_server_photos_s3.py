"""Photos in an S3-compatible bucket, shared by two server processes.

A real S3 HTTP endpoint (moto's standalone server, on a free loopback port) holds the
photos; two `EmbeddedServer`s share one database and one bucket, as two machines behind
one address would. Nothing of an upload may live in one process: it is cut on one server
and finished on the other, and what lands under the sha256 is the device's bytes.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from server.config import PhotoStoreSettings
from server.photostore.s3 import make_client
from server.schema import photos
from tests.server.kit import (
    OFFICER_A1,
    OFFICER_A2,
    OFFICER_B1,
    SUPERVISOR_A,
    ApiClient,
    RunningServer,
    World,
    make_jpeg,
    seed_world,
    sha256,
    start_server,
)
from tests.support.faultproxy import Fault, FaultProxy

pytest.importorskip("moto.server")

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
CHUNK = 64 * 1024  # several chunks per test photo


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    with pytest.MonkeyPatch.context() as env:
        # The standard AWS chain reads these; moto accepts any credentials.
        env.setenv("AWS_ACCESS_KEY_ID", "tindak-test")
        env.setenv("AWS_SECRET_ACCESS_KEY", "tindak-test-secret")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.delenv("AWS_PROFILE", raising=False)
        moto.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            moto.stop()


@dataclass
class Pair:
    """Two server processes' worth of servers on one database and one bucket."""

    first: RunningServer
    second: RunningServer
    world: World
    store: PhotoStoreSettings
    bucket: Any  # a boto3 client, to look into the bucket

    def keys(self) -> list[str]:
        answer = self.bucket.list_objects_v2(Bucket=self.store.bucket)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def staged(self, sha: str) -> list[str]:
        return [k for k in self.keys() if k.startswith(f"{self.store.prefix}partial/{sha}/")]

    def object(self, sha: str) -> bytes | None:
        key = f"{self.store.prefix}{sha[:2]}/{sha}"
        if key not in self.keys():
            return None
        body: bytes = self.bucket.get_object(Bucket=self.store.bucket, Key=key)["Body"].read()
        return body

    def row(self, sha: str) -> Any:
        with self.second.engine.connect() as conn:
            return conn.execute(select(photos).where(photos.c.sha256 == sha)).first()

    def client(self, server: RunningServer, username: str) -> ApiClient:
        client = server.client()
        assert client.login(username).status_code == 200
        return client


@pytest.fixture(params=BACKENDS)
def pair(request: pytest.FixtureRequest, s3_endpoint: str, tmp_path: Path) -> Iterator[Pair]:
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database_factory")()
    else:
        url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    store = PhotoStoreSettings(
        kind="s3",
        bucket=f"tindak-{uuid.uuid4().hex[:12]}",
        prefix="photos/",
        endpoint_url=s3_endpoint,
    )
    bucket = make_client(store)
    bucket.create_bucket(Bucket=store.bucket)
    first = start_server(request.param, url, tmp_path / "first-photos", photo_store=store)
    second = start_server(request.param, url, tmp_path / "second-photos", photo_store=store)
    try:
        world = seed_world(first.engine, first.settings, first.clock())
        yield Pair(first, second, world, store, bucket)
    finally:
        first.stop()
        second.stop()
    # Neither process kept a photo byte on its own disk.
    assert not (tmp_path / "first-photos").exists()
    assert not (tmp_path / "second-photos").exists()


def send_from(client: ApiClient, data: bytes, offset: int) -> dict[str, Any]:
    body: dict[str, Any] = {}
    while offset < len(data):
        response = client.put_chunk(sha256(data), offset, len(data), data[offset : offset + CHUNK])
        assert response.status_code == 200, response.text
        body = response.json()
        offset = body["received"]
    return body


def test_upload_cut_mid_chunk_resumes_on_another_process(pair: Pair) -> None:
    data = make_jpeg(640, 480, seed=141)
    sha = sha256(data)
    assert len(data) > 3 * CHUNK
    with FaultProxy("127.0.0.1", pair.first.embedded.port) as proxy:
        device = ApiClient(proxy.url)
        assert device.login(OFFICER_A1).status_code == 200
        assert device.put_chunk(sha, 0, len(data), data[:CHUNK]).json()["received"] == CHUNK
        # The link drops halfway through the second chunk's body.
        proxy.set(Fault.cut_upstream(CHUNK // 2, after=b"PUT /v1/photos/"))
        with pytest.raises(httpx.TransportError):
            device.put_chunk(sha, CHUNK, len(data), data[CHUNK : 2 * CHUNK])
        device.close()
    pair.first.stop()  # and that process is gone for good

    other = pair.client(pair.second, OFFICER_A1)
    status = other.request("GET", f"/v1/photos/{sha}").json()
    assert status == {"sha256": sha, "size": len(data), "received": CHUNK, "complete": False}
    assert send_from(other, data, status["received"])["complete"] is True

    assert other.request("GET", f"/v1/photos/{sha}/content").content == data
    assert pair.object(sha) == data
    assert pair.staged(sha) == []
    row = pair.row(sha)
    assert (row.complete, row.received, row.mime) == (True, len(data), "image/jpeg")


def test_chunks_alternate_between_the_processes(pair: Pair) -> None:
    data = make_jpeg(600, 400, seed=142)
    sha = sha256(data)
    clients = [pair.client(pair.first, OFFICER_A1), pair.client(pair.second, OFFICER_A1)]
    offset, turn, body = 0, 0, {}
    while offset < len(data):
        response = clients[turn % 2].put_chunk(
            sha, offset, len(data), data[offset : offset + CHUNK]
        )
        assert response.status_code == 200, response.text
        body, turn = response.json(), turn + 1
        offset = body["received"]
    assert body["complete"] and turn > 2
    for client in clients:
        assert client.request("GET", f"/v1/photos/{sha}/content").content == data


def test_a_corrupt_chunk_is_refused_and_leaves_nothing(pair: Pair) -> None:
    data = make_jpeg(480, 360, seed=143)
    sha = sha256(data)
    bad = bytearray(data)
    bad[CHUNK + 100] ^= 0xFF  # one byte changed on the way, in the second chunk
    pair.client(pair.first, OFFICER_A1).put_chunk(sha, 0, len(data), bytes(bad[:CHUNK]))
    answer = send_expecting_refusal(pair.client(pair.second, OFFICER_A1), sha, bytes(bad), CHUNK)
    assert answer.json()["error"]["code"] == "hash_mismatch"
    assert pair.row(sha) is None and pair.staged(sha) == [] and pair.object(sha) is None


def test_a_chunk_damaged_in_the_bucket_is_refused(pair: Pair) -> None:
    data = make_jpeg(480, 360, seed=144)
    sha = sha256(data)
    client = pair.client(pair.first, OFFICER_A1)
    client.put_chunk(sha, 0, len(data), data[:CHUNK])
    staged = pair.staged(sha)
    assert len(staged) == 1
    damaged = bytearray(data[:CHUNK])
    damaged[10] ^= 0x01
    pair.bucket.put_object(Bucket=pair.store.bucket, Key=staged[0], Body=bytes(damaged))
    answer = send_expecting_refusal(pair.client(pair.second, OFFICER_A1), sha, data, CHUNK)
    assert answer.json()["error"]["code"] == "hash_mismatch"
    assert pair.row(sha) is None and pair.staged(sha) == [] and pair.object(sha) is None


def send_expecting_refusal(client: ApiClient, sha: str, data: bytes, offset: int) -> httpx.Response:
    """Send `data` from `offset` as the photo `sha`; the answer that refuses it."""
    while True:
        response = client.put_chunk(sha, offset, len(data), data[offset : offset + CHUNK])
        if response.status_code != 200:
            assert response.status_code == 422, response.text
            return response
        offset = response.json()["received"]
        assert offset < len(data), "the damaged upload was accepted"


def test_a_lost_staged_chunk_is_sent_again(pair: Pair) -> None:
    data = make_jpeg(480, 360, seed=145)
    sha = sha256(data)
    client = pair.client(pair.first, OFFICER_A1)
    client.put_chunk(sha, 0, len(data), data[:CHUNK])
    client.put_chunk(sha, CHUNK, len(data), data[CHUNK : 2 * CHUNK])
    lost = pair.staged(sha)[-1]  # the bucket lost the second chunk
    pair.bucket.delete_object(Bucket=pair.store.bucket, Key=lost)
    other = pair.client(pair.second, OFFICER_A1)
    conflict = other.put_chunk(sha, 2 * CHUNK, len(data), data[2 * CHUNK : 3 * CHUNK])
    assert conflict.status_code == 409 and conflict.json()["received"] == CHUNK
    assert send_from(other, data, CHUNK)["complete"] is True
    assert other.request("GET", f"/v1/photos/{sha}/content").content == data


def test_photo_access_rules_hold_on_object_storage(pair: Pair) -> None:
    world = pair.world
    officer = pair.client(pair.first, OFFICER_A1)
    data = make_jpeg(seed=146)
    assert officer.upload(data, chunk=CHUNK)["complete"]
    url = f"/v1/photos/{sha256(data)}/content"
    assert pair.client(pair.second, OFFICER_A1).request("GET", url).content == data
    for outsider in (OFFICER_A2, OFFICER_B1, SUPERVISOR_A):  # not linked to a report yet
        assert pair.client(pair.second, outsider).request("GET", url).status_code == 404
    # The reporters' photos were stored whole (intake) in the bucket too.
    supervisor = pair.client(pair.second, SUPERVISOR_A)
    public, private = world.reporter_photos["a_public"], world.reporter_photos["a_private"]
    assert pair.object(public) is not None and pair.object(private) is not None
    shown = supervisor.request("GET", f"/v1/photos/{public}/content")
    assert shown.status_code == 200 and sha256(shown.content) == public
    assert supervisor.request("GET", f"/v1/photos/{private}/content").status_code == 404


def test_an_unreachable_bucket_answers_503_and_the_upload_goes_on(
    s3_endpoint: str, tmp_path: Path
) -> None:
    port = int(s3_endpoint.rsplit(":", 1)[1])
    with FaultProxy("127.0.0.1", port) as link:  # the path from the server to the bucket
        store = PhotoStoreSettings(
            kind="s3", bucket=f"tindak-{uuid.uuid4().hex[:12]}", endpoint_url=link.url
        )
        make_client(store).create_bucket(Bucket=store.bucket)
        url = f"sqlite:///{tmp_path / 'server.sqlite'}"
        server = start_server("sqlite", url, tmp_path / "photos", photo_store=store)
        try:
            seed_world(server.engine, server.settings, server.clock())
            client = server.client()
            assert client.login(OFFICER_A1).status_code == 200
            data = make_jpeg(480, 360, seed=147)
            sha = sha256(data)
            last = (len(data) - 1) // CHUNK * CHUNK  # where the last chunk starts
            assert last > CHUNK
            assert client.put_chunk(sha, 0, len(data), data[:CHUNK]).status_code == 200
            # The bucket goes away for a chunk in the middle, then for the last one
            # (whose PUT reads the chunks back and publishes the photo).
            for offset, until in ((CHUNK, last), (last, len(data))):
                link.set(Fault.refuse())
                down = client.put_chunk(sha, offset, len(data), data[offset : offset + CHUNK])
                assert down.status_code == 503, down.text
                assert down.json()["error"]["code"] == "photo_store_unavailable"
                link.set(Fault.passthrough())
                status = client.request("GET", f"/v1/photos/{sha}").json()
                assert status["received"] == offset and not status["complete"]
                while status["received"] < until:
                    at = status["received"]
                    answer = client.put_chunk(sha, at, len(data), data[at : at + CHUNK])
                    assert answer.status_code == 200, answer.text
                    status = answer.json()
            assert status["complete"] is True
            assert client.request("GET", f"/v1/photos/{sha}/content").content == data
            client.close()
        finally:
            server.stop()

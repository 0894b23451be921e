"""domain/json_codec.py: orjson where installed, the standard library on phones, and
each reads what the other writes."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import json_codec

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)

SNAPSHOT_PART = {
    "id": "0f8c",
    "title": "Jalan berlubang di depan SDN Menteng 01 — dekat halte “Cikini”",
    "description": "Lubang ±40 cm; pengendara motor jatuh kemarin. Mohon segera ditambal.",
    "latitude": -6.1944,
    "longitude": 106.8229,
    "is_public": False,
    "assignee_id": None,
    "photos": [{"sha256": "a" * 64, "flags": ["same_as_before"], "size_bytes": 512_000}],
}


def test_the_desktop_install_uses_orjson() -> None:
    # A dependency of `pip install tindak` on every platform but the phone builds.
    assert sys.platform != "android"
    assert json_codec.IMPLEMENTATION == "orjson"


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_each_implementation_reads_what_the_other_writes(value: object) -> None:
    assert json_codec.loads(json_codec.dumps(value)) == value
    assert json.loads(json_codec.dumps(value)) == value
    assert json_codec.loads(json_codec.dumps_std(value)) == value


def test_the_text_is_compact_and_keeps_indonesian_characters_as_they_are() -> None:
    text = json_codec.dumps(SNAPSHOT_PART)
    assert text == json_codec.dumps_std(SNAPSHOT_PART)
    assert "“Cikini”" in text and "±40" in text and ", " not in text.replace("; ", "")
    assert json_codec.loads(text.encode()) == SNAPSHOT_PART  # bytes, as httpx hands them


@pytest.mark.parametrize("bad", [b"", b"{", b'{"a": }', b"\xff\xfe", b"[1,]"])
def test_malformed_text_raises_value_error(bad: bytes) -> None:
    # The transport turns a ValueError into "the server sent an unexpected body".
    with pytest.raises(ValueError):
        json_codec.loads(bad)


def test_without_orjson_the_standard_library_does_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(json_codec, "orjson", None)
    text = json_codec.dumps(SNAPSHOT_PART)
    assert text == json.dumps(SNAPSHOT_PART, separators=(",", ":"), ensure_ascii=False)
    assert json_codec.loads(text.encode()) == SNAPSHOT_PART
    with pytest.raises(ValueError):
        json_codec.loads(b"{")

"""Conversions at the SQL edge: datetimes, JSON and enums to and from column values.

Invariant: every datetime column holds UTC in one fixed-width text form
(`2024-05-14T03:00:00.000000Z`), so text order is time order and an index on a
datetime column serves ORDER BY and range conditions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from domain import json_codec

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_WIDTH = len("2024-05-14T03:00:00.000000Z")


def dt_out(value: datetime | None) -> str | None:
    """An aware datetime to its column text (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime cannot be stored: {value!r}")
        value = value.astimezone(UTC)
    # isoformat, not strftime: a sync stores about seven of these per report, and
    # strftime takes twice as long. "+00:00" becomes the form's "Z".
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


def dt_in(value: object) -> datetime | None:
    """A column's text back to an aware UTC datetime."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a stored datetime: {value!r}")
    if len(value) == _WIDTH and value[-1] == "Z":
        # fromisoformat reads the fixed form (its "Z" as UTC), 28x cheaper than strptime.
        return datetime.fromisoformat(value)
    return datetime.strptime(value, _FORMAT).replace(tzinfo=UTC)


def dt_req(value: object) -> datetime:
    parsed = dt_in(value)
    if parsed is None:
        raise ValueError("a required datetime column is NULL")
    return parsed


def json_out(value: Mapping[str, Any] | list[Any] | tuple[Any, ...]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def json_in(value: object) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not stored JSON: {value!r}")
    return json_codec.loads(value)

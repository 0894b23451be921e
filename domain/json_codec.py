"""JSON text for the wire and for stored snapshots: orjson where it is installed, the
standard library where it is not.

Why: an initial sync decodes every report the server sends and stores each one's JSON
again (`local_db.reports.snapshot_columns`); with the standard library those two steps
were about a fifth of the device's CPU per report. orjson is a dependency wherever
Flet runs as a desktop or web app; the phone builds have no orjson wheel (Flet's mobile
package index does not build it), so they keep the standard library. Both write the
same compact, UTF-8 JSON (no spaces, non-ASCII characters as they are) and read each
other's output.

`IMPLEMENTATION` names the one in use, for the benchmarks' headers.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # a phone build: see the module docstring
    orjson = None  # type: ignore[assignment]

IMPLEMENTATION = "json" if orjson is None else "orjson"


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII characters kept as they are."""
    if orjson is None:
        return dumps_std(value)
    return orjson.dumps(value).decode()


def loads(data: bytes | str) -> Any:
    """Parse JSON text; malformed text raises ValueError (a JSONDecodeError)."""
    if orjson is None:
        return json.loads(data)
    return orjson.loads(data)


def dumps_std(value: Any) -> str:
    """The standard library's form of `dumps` (what a phone build writes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

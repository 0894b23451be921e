"""local_db/codec.py: the one text form of a stored datetime, written and read fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from local_db.codec import dt_in, dt_out

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # the documented column form

instants = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)
)
offsets = st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3))])


@given(instant=instants, zone=offsets)
def test_every_instant_is_written_in_the_one_form_and_read_back(
    instant: datetime, zone: timezone
) -> None:
    local = instant.astimezone(zone)
    text = dt_out(local)
    assert text == instant.strftime(FORMAT)  # whole seconds keep ".000000"
    back = dt_in(text)
    assert back == instant and back is not None and back.tzinfo is UTC


def test_text_order_is_time_order() -> None:
    start = datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)
    times = [start + timedelta(microseconds=7919**k % 10**11) for k in range(200)]
    texts = [dt_out(t) for t in times]
    assert sorted(texts) == [dt_out(t) for t in sorted(times)]


def test_naive_datetimes_and_other_text_are_refused() -> None:
    with pytest.raises(ValueError):
        dt_out(datetime(2024, 5, 14, 3, 0))
    for bad in ("2024-05-14", "2024-05-14T03:00:00.000000+07:00", "kemarin sore"):
        with pytest.raises(ValueError):
            dt_in(bad)
    with pytest.raises(ValueError):
        dt_in(1715655600)

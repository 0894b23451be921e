"""The capture-time rule shared by the device and the server (`domain.capture_time`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import InvalidValue, PhotoKind
from domain.capture_time import (
    CLOCK_SKEW,
    MAX_BEFORE_AGE,
    TIME_FLAG_TEXT,
    TimeFlag,
    capture_time_flag,
    plausible_capture_time,
)

RECEIVED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
EVIDENCE = (PhotoKind.BEFORE, PhotoKind.DURING, PhotoKind.AFTER)


def flag(at: datetime, kind: PhotoKind = PhotoKind.AFTER) -> TimeFlag | None:
    return capture_time_flag(at, kind=kind, report_received_at=RECEIVED, now=NOW)


@pytest.mark.parametrize("kind", EVIDENCE)
def test_the_gallery_oddities_are_flagged(kind: PhotoKind) -> None:
    assert flag(datetime(2099, 1, 1, tzinfo=UTC), kind) is TimeFlag.FUTURE
    assert flag(NOW + timedelta(days=30), kind) is TimeFlag.FUTURE
    expected_1970 = TimeFlag.TOO_OLD if kind is PhotoKind.BEFORE else TimeFlag.BEFORE_REPORT
    assert flag(datetime(1970, 1, 1, tzinfo=UTC), kind) is expected_1970


def test_work_cannot_be_photographed_before_it_was_asked_for() -> None:
    an_hour_before = RECEIVED - timedelta(hours=1)
    assert flag(an_hour_before, PhotoKind.AFTER) is TimeFlag.BEFORE_REPORT
    assert flag(an_hour_before, PhotoKind.DURING) is TimeFlag.BEFORE_REPORT
    assert flag(an_hour_before, PhotoKind.BEFORE) is None  # the site earlier: fine
    assert flag(RECEIVED - MAX_BEFORE_AGE - timedelta(days=1), PhotoKind.BEFORE) is TimeFlag.TOO_OLD


def test_clock_skew_is_tolerated_on_both_edges() -> None:
    assert flag(NOW + CLOCK_SKEW) is None
    assert flag(NOW + CLOCK_SKEW + timedelta(seconds=1)) is TimeFlag.FUTURE
    assert flag(RECEIVED - CLOCK_SKEW) is None
    assert flag(RECEIVED - CLOCK_SKEW - timedelta(seconds=1)) is TimeFlag.BEFORE_REPORT


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(EVIDENCE),
)
def test_a_refused_time_is_replaced_by_now_and_a_kept_one_is_plausible(
    claimed: datetime, kind: PhotoKind
) -> None:
    result = plausible_capture_time(claimed, kind=kind, report_received_at=RECEIVED, now=NOW)
    if result.flag is None:
        assert result.at == claimed and result.claimed is None
        assert claimed <= NOW + CLOCK_SKEW
        assert claimed >= RECEIVED - MAX_BEFORE_AGE
    else:
        assert result.at == NOW and result.claimed == claimed
        assert capture_time_flag(NOW, kind=kind, report_received_at=RECEIVED, now=NOW) is None


def test_every_flag_has_words_in_both_languages() -> None:
    for code in TimeFlag:
        text_id, text_en = TIME_FLAG_TEXT[code]
        assert text_id and text_en and text_id != text_en


def test_naive_times_are_refused() -> None:
    with pytest.raises(InvalidValue):
        capture_time_flag(
            datetime(2026, 1, 1), kind=PhotoKind.AFTER, report_received_at=RECEIVED, now=NOW
        )

"""Reading a gallery pick: real files of every awkward kind, and the officer is told."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from domain import Status
from officer_app.i18n import Translator
from officer_app.picked_file import (
    PickedFileError,
    PickProblem,
    check_picked_bytes,
    read_picked_file,
)
from officer_app.state.capture import CaptureModel

from .kit import Phone, report

MakePhone = Callable[..., Phone]
LIMIT = 40 * 1024 * 1024


def problem_of(path: Path | str, limit: int = LIMIT) -> PickProblem:
    with pytest.raises(PickedFileError) as caught:
        read_picked_file(path, limit)
    return caught.value.problem


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # several chunks and a remainder
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    assert read_picked_file(path, LIMIT) == data
    link = tmp_path / "link.jpg"
    link.symlink_to(path)
    assert read_picked_file(link, LIMIT) == data


def test_a_huge_file_is_refused_by_its_size_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "video.mp4"
    with open(path, "wb") as f:
        f.truncate(1024**3)  # 1 GiB, sparse: reading it would cost 1 GB of memory
    started = time.perf_counter()
    assert problem_of(path) is PickProblem.TOO_LARGE
    assert time.perf_counter() - started < 5  # refused from stat, not after a read


def test_a_link_to_dev_zero_is_not_a_file(tmp_path: Path) -> None:
    link = tmp_path / "zero.jpg"
    link.symlink_to("/dev/zero")
    assert problem_of(link) is PickProblem.NOT_A_FILE


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    result: list[PickProblem] = []
    reader = threading.Thread(target=lambda: result.append(problem_of(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert result == [PickProblem.NOT_A_FILE]


def test_a_directory_a_missing_file_and_a_loop(tmp_path: Path) -> None:
    assert problem_of(tmp_path) is PickProblem.NOT_A_FILE
    assert problem_of(tmp_path / "removed.jpg") is PickProblem.GONE
    loop_a, loop_b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    assert problem_of(loop_a) is PickProblem.UNREADABLE


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert problem_of(path) is PickProblem.EMPTY


def test_bytes_handed_over_by_the_web_chooser_follow_the_same_rules() -> None:
    assert check_picked_bytes(b"\xff\xd8data", 100) == b"\xff\xd8data"
    for data, problem in (
        (None, PickProblem.FAILED),
        (b"", PickProblem.EMPTY),
        (b"x" * 101, PickProblem.TOO_LARGE),
    ):
        with pytest.raises(PickedFileError) as caught:
            check_picked_bytes(data, 100)
        assert caught.value.problem is problem


@pytest.mark.parametrize("problem", list(PickProblem))
def test_every_unreadable_pick_is_told_in_both_languages(
    make_phone: MakePhone, problem: PickProblem
) -> None:
    p = make_phone(report("r1", status=Status.DITERIMA))
    model = CaptureModel(p.session, report_id="r1")
    model.pick_failed(PickedFileError(problem, "detail for the log"))
    assert model.error and "detail for the log" not in model.error
    assert not model.has_photo
    assert model.error == Translator("id").t(f"pick.{problem.value}", mb="40.0")
    assert Translator("en").t(f"pick.{problem.value}", mb="40.0") != model.error

"""Reading a file the officer picked from the gallery: bounded, regular files only.

A pick is a path chosen by someone else's file chooser, so it can be anything: a 1 GiB
video, a FIFO that never ends, a link to /dev/zero, a directory, a symlink loop, a file
removed between the pick and the read. The rules, in this order:
1. `stat` first (following links): gone, a loop, or no permission is told as such;
   anything but a regular file (directory, FIFO, device) is refused without opening it;
   a size over the limit is refused without reading a byte;
2. opened non-blocking (a FIFO swapped in after the `stat` cannot hang the read) and
   checked again on the open descriptor (the same regular file, within the limit);
3. read in chunks of `CHUNK_BYTES`, never more than the limit plus one chunk: a file
   that grows while it is read is refused, not swallowed.
Blocking: call it with `asyncio.to_thread`, never on the UI loop. Raises only
`PickedFileError`, whose `problem` names the translation the screen shows.
"""

from __future__ import annotations

import errno
import os
import stat
from enum import StrEnum

from .errors import AppError

CHUNK_BYTES = 1024 * 1024


class PickProblem(StrEnum):
    """Why a pick gave no photo; `pick.<value>` is the text the officer reads."""

    GONE = "gone"  # removed between the pick and the read
    NOT_A_FILE = "not_a_file"  # a directory, a FIFO, a device
    UNREADABLE = "unreadable"  # no permission, a symlink loop, an I/O error
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    FAILED = "failed"  # the chooser itself failed or gave neither data nor a path


class PickedFileError(AppError):
    """A picked file that cannot be read as a photo; `problem` says why."""

    def __init__(self, problem: PickProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail

    @property
    def message_key(self) -> str:
        return f"pick.{self.problem.value}"


def read_picked_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file at `path`, at most `max_bytes`; raises `PickedFileError`."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _problem(exc) from exc
    _check(info, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _problem(exc) from exc
    try:
        _check(os.fstat(fd), max_bytes)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, CHUNK_BYTES)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise PickedFileError(PickProblem.TOO_LARGE, f"grew past {max_bytes} bytes")
            chunks.append(chunk)
    except OSError as exc:
        raise _problem(exc) from exc
    finally:
        os.close(fd)
    if total == 0:
        raise PickedFileError(PickProblem.EMPTY)
    return b"".join(chunks)


def check_picked_bytes(data: bytes | None, max_bytes: int) -> bytes:
    """Bytes a chooser handed over itself (the web build): the same size rules."""
    if data is None:
        raise PickedFileError(PickProblem.FAILED, "the chooser gave neither data nor a path")
    if len(data) > max_bytes:
        raise PickedFileError(PickProblem.TOO_LARGE, f"{len(data)} bytes")
    if not data:
        raise PickedFileError(PickProblem.EMPTY)
    return data


def _check(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise PickedFileError(PickProblem.NOT_A_FILE, stat.filemode(info.st_mode))
    if info.st_size > max_bytes:
        raise PickedFileError(PickProblem.TOO_LARGE, f"{info.st_size} bytes")


def _problem(exc: OSError) -> PickedFileError:
    if exc.errno == errno.ENOENT:
        return PickedFileError(PickProblem.GONE, str(exc))
    if exc.errno in (errno.EISDIR, errno.ENXIO, errno.ENODEV):
        return PickedFileError(PickProblem.NOT_A_FILE, str(exc))
    return PickedFileError(PickProblem.UNREADABLE, str(exc))

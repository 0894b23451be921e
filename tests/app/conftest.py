"""Fixtures of the app's view-model tests (no browser): see kit.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .kit import Phone, phone


@pytest.fixture
def make_phone(tmp_path: Path) -> Iterator[type[Phone] | object]:
    made: list[Phone] = []

    def make(*reports: object, signed_in: bool = True) -> Phone:
        p = phone(tmp_path / f"p{len(made)}", *reports, signed_in=signed_in)  # type: ignore[arg-type]
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()

"""The public API lists stay honest: sorted, importable, and documented in docs/sync.md."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "sync.md"


@pytest.mark.parametrize("package", ["local_db", "sync"])
def test_all_is_sorted_importable_and_documented(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(names)
    assert len(names) == len(set(names))
    doc = DOC.read_text(encoding="utf-8")
    for name in names:
        assert hasattr(module, name), name
        assert name in doc, f"{package}.{name} is not described in docs/sync.md"

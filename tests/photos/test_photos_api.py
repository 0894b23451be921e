"""The package's public surface: honest `__all__`, documented, no UI import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import officer_app.photos as photos
from officer_app.photos import (
    CorruptImage,
    ImageTooLarge,
    InvalidPhotoRequest,
    PhotoError,
    PhotoNotRecorded,
    PhotoSettings,
    PhotoStoreError,
    StampCorner,
    UnreadableImage,
    UnsupportedFormat,
)

ROOT = Path(__file__).resolve().parents[2]


def isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert photos.__all__ == sorted(photos.__all__, key=isort_key)
    public = {
        name
        for name, value in vars(photos).items()
        if not name.startswith("_") and not isinstance(value, type(sys))
    }
    assert public == set(photos.__all__)


def test_every_public_name_is_documented() -> None:
    doc = (ROOT / "docs" / "photos.md").read_text(encoding="utf-8")
    missing = [name for name in photos.__all__ if f"`{name}" not in doc]
    assert missing == []


def test_the_pipeline_never_imports_flet() -> None:
    code = (
        "import sys, officer_app.photos, officer_app.photos.testimages\n"
        "bad = sorted(m for m in sys.modules if m == 'flet' or m.startswith('flet.'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_error_tree() -> None:
    tree = (
        PhotoError,
        UnreadableImage,
        UnsupportedFormat,
        CorruptImage,
        ImageTooLarge,
        InvalidPhotoRequest,
        PhotoStoreError,
        PhotoNotRecorded,
    )
    assert all(issubclass(leaf, PhotoError) for leaf in tree)
    assert issubclass(UnsupportedFormat, UnreadableImage)
    texts = [(cls.message_id, cls.message_en) for cls in tree]
    assert len(set(texts)) == len(texts)  # each says its own thing
    assert all(i and e and i != e for i, e in texts)


def test_settings_follow_the_deployment_profile() -> None:
    from officer_app.profile import PhotoProfile

    settings = PhotoSettings.from_profile(
        PhotoProfile(long_edge=1280, quality=70, stamp=False, stamp_corner="top_right")
    )
    assert (settings.long_edge, settings.quality, settings.stamp, settings.corner) == (
        1280,
        70,
        False,
        StampCorner.TOP_RIGHT,
    )
    default = PhotoSettings.from_profile(PhotoProfile())
    assert (default.long_edge, default.quality, default.corner) == (
        1600,
        80,
        StampCorner(PhotoProfile().stamp_corner),
    )


def test_impossible_settings_are_refused() -> None:
    import pytest

    bad_values: list[dict[str, object]] = [
        {"long_edge": 0},
        {"quality": 0},
        {"quality": 101},
        {"max_pixels": 0},
        {"max_input_bytes": -1},
        {"max_decode_bytes": 0},
        {"corner": "middle"},
    ]
    for bad in bad_values:
        with pytest.raises(InvalidPhotoRequest):
            PhotoSettings(**bad)  # type: ignore[arg-type]

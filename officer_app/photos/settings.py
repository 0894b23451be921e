"""How photos are processed on this deployment: `PhotoSettings`, from the profile.

Invariant: a `PhotoSettings` is always valid (checked at construction), so the pipeline
never meets a zero long edge or a quality JPEG cannot encode.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from domain.photo_files import MAX_DECODE_BYTES, MAX_PIXELS

from .errors import InvalidPhotoRequest

DEFAULT_LONG_EDGE = 1600
DEFAULT_QUALITY = 80
# A 50 MP phone photo (8160 x 6120) is accepted and reduced with JPEG DCT scaling; a
# 108/200 MP "high resolution" mode photo is refused before decoding (see docs/photos.md).
# The same limits as the server's (`domain.photo_files`).
DEFAULT_MAX_PIXELS = MAX_PIXELS
# What a full decode (PNG, WebP..., progressive JPEG) may hold at its peak: the pixel
# limit of each format follows from its cost per pixel (`domain.photo_files`).
DEFAULT_MAX_DECODE_BYTES = MAX_DECODE_BYTES
DEFAULT_MAX_INPUT_BYTES = 40 * 1024 * 1024


class StampCorner(StrEnum):
    """Where the visible stamp goes; the values are the profile's `photos.stamp_corner`."""

    TOP_LEFT = "top_left"
    TOP_RIGHT = "top_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_RIGHT = "bottom_right"


class PhotoProfileLike(Protocol):
    """The `[photos]` section of the deployment profile (`officer_app.profile.PhotoProfile`)."""

    @property
    def long_edge(self) -> int: ...
    @property
    def quality(self) -> int: ...
    @property
    def stamp(self) -> bool: ...
    @property
    def stamp_corner(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PhotoSettings:
    long_edge: int = DEFAULT_LONG_EDGE  # output long edge in pixels; smaller photos kept as is
    quality: int = DEFAULT_QUALITY  # JPEG quality 1..95
    stamp: bool = True  # draw the visible date / place / tracking-id stamp
    corner: StampCorner = StampCorner.BOTTOM_LEFT
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS  # width x height as the file header claims it
    max_decode_bytes: int = DEFAULT_MAX_DECODE_BYTES  # peak of a decode without DCT scaling

    def __post_init__(self) -> None:
        checks = (
            (16 <= self.long_edge <= 8192, f"long_edge must be 16..8192, got {self.long_edge}"),
            (1 <= self.quality <= 95, f"quality must be 1..95, got {self.quality}"),
            (self.max_input_bytes > 0, f"max_input_bytes must be > 0, got {self.max_input_bytes}"),
            (self.max_pixels > 0, f"max_pixels must be > 0, got {self.max_pixels}"),
            (
                self.max_decode_bytes > 0,
                f"max_decode_bytes must be > 0, got {self.max_decode_bytes}",
            ),
        )
        for ok, why in checks:
            if not ok:
                raise InvalidPhotoRequest(why)
        if not isinstance(self.corner, StampCorner):
            raise InvalidPhotoRequest(f"corner must be a StampCorner, got {self.corner!r}")

    @classmethod
    def from_profile(cls, photos: PhotoProfileLike) -> PhotoSettings:
        """The settings of the profile's `[photos]` section (limits keep their defaults)."""
        try:
            corner = StampCorner(photos.stamp_corner)
        except ValueError as exc:
            raise InvalidPhotoRequest(f"unknown stamp corner {photos.stamp_corner!r}") from exc
        return cls(
            long_edge=photos.long_edge,
            quality=photos.quality,
            stamp=photos.stamp,
            corner=corner,
        )

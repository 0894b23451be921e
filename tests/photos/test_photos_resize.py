"""The banded parallel resize gives the same pixels as Pillow's own bicubic resize."""

from __future__ import annotations

import pytest
from PIL import Image

from officer_app.photos.decode import target_size
from officer_app.photos.resize import band_edges, resize_bicubic
from officer_app.photos.testimages import scene

BICUBIC = Image.Resampling.BICUBIC

# What DCT scaling leaves of common phone sizes (4000x3000, 4032x3024, 8160x6120 at
# 1/4), portrait, a 16:9 gallery pick, and sizes with no whole-row band edge.
CAMERA_SIZES = [
    (2000, 1500),
    (1500, 2000),
    (2016, 1512),
    (2040, 1530),
    (1920, 1080),
    (2312, 1736),
    (3001, 2001),
]


@pytest.mark.parametrize("bands", [2, 3, 4])
@pytest.mark.parametrize(("width", "height"), CAMERA_SIZES)
def test_bands_match_pillow_resize(width: int, height: int, bands: int) -> None:
    image = scene(width, height)
    size = target_size(width, height, 1600)
    expected = image.resize(size, BICUBIC)
    assert resize_bicubic(image, size, bands=bands).tobytes() == expected.tobytes()


def test_band_count_never_changes_pixels_when_pillow_picks_the_other_order() -> None:
    # Pillow takes the vertical pass first here; the bands all take the horizontal
    # pass first, so the result does not depend on how many bands there are.
    image = scene(1000, 4000)
    one = resize_bicubic(image, (400, 1600), bands=1)
    assert resize_bicubic(image, (400, 1600), bands=4).tobytes() == one.tobytes()
    wide = image.resize((400, 4000), BICUBIC)
    assert one.tobytes() == wide.resize((400, 1600), BICUBIC).tobytes()


def test_band_edges_fall_on_whole_source_rows() -> None:
    edges = band_edges(1512, 1200, 4)
    assert edges[0] == 0 and edges[-1] == 1200 and len(edges) == 5
    assert all(edge * 1512 % 1200 == 0 for edge in edges)
    assert band_edges(1736, 1201, 4) == [0, 1201]  # no whole-row edge: one band


def test_large_reduction_keeps_pillows_reducing_gap() -> None:
    image = scene(3200, 600)
    expected = image.resize((400, 75), BICUBIC, reducing_gap=3.0)
    assert resize_bicubic(image, (400, 75), bands=4).tobytes() == expected.tobytes()

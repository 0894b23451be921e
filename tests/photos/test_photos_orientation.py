"""All eight EXIF orientations come out upright.

The upright picture has four differently coloured quadrants (an asymmetric mark: no
flip or rotation maps it onto itself). The stored picture is built from the EXIF
specification's own definition of each orientation (where stored row 0 and column 0
appear on screen), independent of the pipeline's transposition table.
"""

from __future__ import annotations

import io

import piexif
import pytest
from PIL import Image

from officer_app.photos import PhotoSettings, read_embedded_tags
from tests.photos.photokit import close, jpeg, process, rgb_at

W, H = 96, 64  # the upright picture
QUADRANTS = {  # (column, row) of the upright quadrant -> colour
    (0, 0): (230, 30, 30),  # top left: red
    (1, 0): (30, 200, 40),  # top right: green
    (0, 1): (30, 60, 230),  # bottom left: blue
    (1, 1): (240, 220, 30),  # bottom right: yellow
}


def upright() -> Image.Image:
    image = Image.new("RGB", (W, H))
    for (col, row), colour in QUADRANTS.items():
        image.paste(colour, (col * W // 2, row * H // 2, (col + 1) * W // 2, (row + 1) * H // 2))
    return image


def displayed_position(orientation: int, x: int, y: int, ws: int, hs: int) -> tuple[int, int]:
    """Where stored pixel (x, y) of a ws x hs stored image is shown (EXIF 2.32, 4.6.4)."""
    return {
        1: (x, y),  # row 0 top, column 0 left
        2: (ws - 1 - x, y),  # row 0 top, column 0 right
        3: (ws - 1 - x, hs - 1 - y),  # row 0 bottom, column 0 right
        4: (x, hs - 1 - y),  # row 0 bottom, column 0 left
        5: (y, x),  # row 0 left, column 0 top
        6: (hs - 1 - y, x),  # row 0 right, column 0 top
        7: (hs - 1 - y, ws - 1 - x),  # row 0 right, column 0 bottom
        8: (y, ws - 1 - x),  # row 0 left, column 0 bottom
    }[orientation]


def stored_for(orientation: int) -> Image.Image:
    """The stored pixels that display as `upright()` under this orientation."""
    ws, hs = (W, H) if orientation <= 4 else (H, W)
    shown = upright()
    stored = Image.new("RGB", (ws, hs))
    stored.putdata(
        [
            shown.getpixel(displayed_position(orientation, x, y, ws, hs))  # type: ignore[misc]
            for y in range(hs)
            for x in range(ws)
        ]
    )
    return stored


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_comes_out_upright(orientation: int) -> None:
    stored = stored_for(orientation)
    raw = jpeg(
        stored, quality=95, exif=piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})
    )
    photo = process(raw, settings=PhotoSettings(stamp=False))

    assert (photo.width, photo.height) == (W, H)
    for (col, row), colour in QUADRANTS.items():
        centre = (col * W // 2 + W // 4, row * H // 2 + H // 4)
        got = rgb_at(photo.data, centre)
        assert close(got, colour), f"orientation {orientation}: {centre} is {got}, not {colour}"
    assert piexif.load(photo.data)["0th"][piexif.ImageIFD.Orientation] == 1


@pytest.mark.parametrize("orientation", [6, 8])
def test_rotated_camera_photo_is_downscaled_to_portrait(orientation: int) -> None:
    """A phone held upright stores 4000x3000 with orientation 6 or 8: out comes 1200x1600."""
    stored = Image.new("RGB", (4000, 3000), (120, 120, 120))
    stored.paste((230, 30, 30), (0, 0, 400, 300))  # marks the stored top-left corner
    raw = jpeg(
        stored, quality=85, exif=piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})
    )
    photo = process(raw, settings=PhotoSettings(stamp=False))
    assert (photo.width, photo.height) == (1200, 1600)
    # The stored top-left corner is shown top-right (6: rotated clockwise) or bottom-left (8).
    expected = (1200 - 40, 40) if orientation == 6 else (40, 1600 - 40)
    assert close(rgb_at(photo.data, expected), (230, 30, 30))


@pytest.mark.parametrize("bad", [0, 9, 65535])
def test_out_of_range_orientation_is_treated_as_upright(bad: int) -> None:
    stored = upright()
    raw = jpeg(stored, quality=95, exif=piexif.dump({"0th": {piexif.ImageIFD.Orientation: bad}}))
    photo = process(raw, settings=PhotoSettings(stamp=False))
    assert (photo.width, photo.height) == (W, H)
    assert close(rgb_at(photo.data, (W // 4, H // 4)), QUADRANTS[(0, 0)])
    with Image.open(io.BytesIO(photo.data)) as out:
        assert out.getexif().get(0x0112) == 1
    assert read_embedded_tags(photo.data).software == "Tindak"

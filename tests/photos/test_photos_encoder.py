"""The evidence encoder: flatter scaled tables, 4:2:0, optimised Huffman coding."""

from __future__ import annotations

import io

from PIL import Image, JpegImagePlugin

from officer_app.photos import PhotoSettings, read_embedded_tags
from officer_app.photos.encoder import BASE_TABLES, SCALE_AT_80, quant_tables
from officer_app.photos.testimages import scene
from tests.photos.photokit import jpeg, process


def _tables(data: bytes) -> list[list[int]]:
    image = Image.open(io.BytesIO(data))
    assert isinstance(image, JpegImagePlugin.JpegImageFile)
    return [list(image.quantization[i]) for i in sorted(image.quantization)]


def test_quality_scales_the_tables_like_libjpeg_around_the_measured_point() -> None:
    at_80 = quant_tables(80)
    assert at_80 == [[round(v * SCALE_AT_80) for v in t] for t in BASE_TABLES]
    finer, coarser = quant_tables(90), quant_tables(60)
    for table in range(2):
        assert all(
            f <= m <= c for f, m, c in zip(finer[table], at_80[table], coarser[table], strict=True)
        )
    assert finer != at_80 != coarser
    assert all(1 <= v <= 255 for t in quant_tables(1) + quant_tables(95) for v in t)


def test_evidence_is_420_with_the_evidence_tables_and_keeps_its_tags() -> None:
    photo = process(jpeg(scene(2000, 1500), quality=92))
    out = Image.open(io.BytesIO(photo.data))
    assert not (out.info.get("progressive") or out.info.get("progression"))  # see encoder.py
    assert JpegImagePlugin.get_sampling(out) == 2  # 4:2:0
    standard = io.BytesIO()
    Image.new("RGB", (64, 64)).save(standard, "JPEG", quality=80)
    assert _tables(photo.data) != _tables(standard.getvalue())  # not libjpeg's q80 tables
    same = io.BytesIO()
    Image.new("RGB", (64, 64)).save(same, "JPEG", qtables=quant_tables(80))
    assert _tables(photo.data) == _tables(same.getvalue())
    tags = read_embedded_tags(photo.data)
    assert tags.fix is not None and tags.captured_at is not None  # GPS and time kept


def test_the_profile_quality_still_trades_size_for_fidelity() -> None:
    raw = jpeg(scene(1600, 1200), quality=92)
    small = process(raw, settings=PhotoSettings(quality=60))
    large = process(raw, settings=PhotoSettings(quality=90))
    assert len(small.data) < len(large.data)

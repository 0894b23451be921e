"""Benchmark: the evidence JPEG's size and quality, against the previous encoder.

    .venv/bin/pip install scikit-image        # the SSIM (or: pip install -e '.[bench]')
    .venv/bin/python bench/bench_jpeg_quality.py [--scenes 6]

Inputs: realistic textured 12 MP camera JPEGs (`bench/scenes.py`, one per seed) and
the project's `testimages.scene()` (noise over gradients, the hardest case). Each goes
through the real pipeline (`process_photo`, defaults: 1600 px, quality 80, stamp); the
pixels it hands to the encoder are then encoded two ways:

- previous: libjpeg's standard tables at quality 80, optimised Huffman (the pipeline
  before `officer_app/photos/encoder.py`);
- current:  `encode_evidence` (flatter tables, 4:2:0, optimised Huffman coding).

Quality is SSIM (scikit-image, all three channels) of each decoded output against the
full-resolution scene reduced to the output size with Lanczos: the reference is the
scene itself, not the previous output. Prints per input and the medians; targets:
median <= 250 KB with an SSIM at least the previous one's on every input.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from PIL import Image  # noqa: E402
from scenes import textured_scene  # noqa: E402

import officer_app.photos.process as process  # noqa: E402
from domain import PhotoKind  # noqa: E402
from officer_app.photos import GeoFix, PhotoSource, process_photo  # noqa: E402
from officer_app.photos.encoder import encode_evidence  # noqa: E402
from officer_app.photos.testimages import camera_jpeg, scene  # noqa: E402

try:
    import numpy as np
    from skimage.metrics import structural_similarity
except ImportError:  # pragma: no cover - an optional benchmark dependency
    raise SystemExit("needs scikit-image: .venv/bin/pip install scikit-image") from None


def previous_encoder(image: Image.Image, quality: int, exif: bytes) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, exif=exif)
    return out.getvalue()


def encoder_input(raw: bytes) -> tuple[Image.Image, bytes]:
    """The pixels and EXIF the pipeline hands to its encoder for `raw`."""
    seen: dict[str, object] = {}
    real = process._encode

    def capture(image: Image.Image, quality: int, exif: bytes) -> bytes:
        seen["image"], seen["exif"] = image.copy(), exif
        return real(image, quality, exif)

    process._encode = capture
    try:
        process_photo(
            raw,
            kind=PhotoKind.BEFORE,
            report_id="laporan-1",
            tracking_id="CRM-2605-10001",
            source=PhotoSource.CAMERA,
            fix=GeoFix(-6.1962, 106.8325, accuracy_m=6.0),
            device_time=datetime(2026, 5, 14, 2, 30, tzinfo=UTC),
        )
    finally:
        process._encode = real
    image, exif = seen["image"], seen["exif"]
    assert isinstance(image, Image.Image) and isinstance(exif, bytes)
    return image, exif


def ssim(reference: Image.Image, data: bytes) -> float:
    out = Image.open(io.BytesIO(data)).convert("RGB")
    ref = reference.resize(out.size, Image.Resampling.LANCZOS)
    return float(
        structural_similarity(np.asarray(ref), np.asarray(out), channel_axis=2, data_range=255)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=6, help="textured scenes (seeds)")
    args = parser.parse_args()
    inputs = [(f"textured {s}", textured_scene(s)) for s in range(args.scenes)]
    inputs.append(("testimages.scene", scene()))
    rows = []
    for name, picture in inputs:
        image, exif = encoder_input(camera_jpeg(image=picture))
        before = previous_encoder(image.copy(), 80, exif)
        after = encode_evidence(image.copy(), 80, exif)
        row = (name, len(before), ssim(picture, before), len(after), ssim(picture, after))
        rows.append(row)
        print(
            f"{name:18s} previous {row[1] / 1024:4.0f} KB ssim {row[2]:.4f} | "
            f"current {row[3] / 1024:4.0f} KB ssim {row[4]:.4f} "
            f"({row[3] / row[1]:.2f}x bytes, ssim {row[4] - row[2]:+.4f})",
            flush=True,
        )
    med_before = statistics.median(r[1] for r in rows) / 1024
    med_after = statistics.median(r[3] for r in rows) / 1024
    never_worse = all(r[4] >= r[2] for r in rows)
    print(
        f"median: previous {med_before:.0f} KB -> current {med_after:.0f} KB "
        f"({med_after / med_before:.2f}x); SSIM at least the previous on every input: "
        f"{'yes' if never_worse else 'NO'} -> "
        f"{'OK' if med_after <= 250 and never_worse else 'OVER'} (<= 250 KB, equal or better)"
    )


if __name__ == "__main__":
    main()

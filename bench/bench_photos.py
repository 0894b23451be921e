"""Benchmark: the photo pipeline against naive Pillow pipelines, in the same run.

    .venv/bin/python bench/bench_photos.py [--runs 9] [--megapixels 12]

Input: a camera-like 12 MP JPEG (4000x3000, quality 92, a phone's EXIF block) from
`officer_app.photos.testimages`. Compared, on the same bytes:

- naive-lanczos: Image.open + full decode + resize(LANCZOS) to 1600 px + save(q80);
- naive-default: the same with Pillow's default resize filter (bicubic);
- pipeline:      `process_photo()` with the default `PhotoSettings`: JPEG draft at the
                 aspect-correct size, bicubic to the exact size in bands of rows on
                 each core, orientation, stamp,
                 fresh EXIF, optimised quality-80 JPEG, sha256.

Prints each one's median time, the speed-up ratios (target >= 2x), the output size
(target < 500 KB) and the peak memory each adds, measured in a fresh child process
(peak resident set after the run minus before it: Pillow's pixel buffers are
invisible to tracemalloc). Absolute times depend on the machine; read the ratios.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from domain import PhotoKind
from officer_app.photos import GeoFix, PhotoSettings, PhotoSource, process_photo
from officer_app.photos.decode import target_size
from officer_app.photos.testimages import camera_jpeg

FIX = GeoFix(-6.175392, 106.827153, altitude_m=12.0, accuracy_m=8.0)


def _naive(raw: bytes, settings: PhotoSettings, resample: Image.Resampling) -> bytes:
    image: Image.Image = Image.open(io.BytesIO(raw))
    image.load()
    size = target_size(image.width, image.height, settings.long_edge)
    image = image.resize(size, resample)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=settings.quality)
    return out.getvalue()


def naive_lanczos(raw: bytes, settings: PhotoSettings) -> bytes:
    return _naive(raw, settings, Image.Resampling.LANCZOS)


def naive_default(raw: bytes, settings: PhotoSettings) -> bytes:
    return _naive(raw, settings, Image.Resampling.BICUBIC)


def pipeline(raw: bytes, settings: PhotoSettings) -> bytes:
    return process_photo(
        raw,
        kind=PhotoKind.AFTER,
        report_id="bench-report",
        tracking_id="CRM-2024-000123",
        source=PhotoSource.CAMERA,
        fix=FIX,
        device_time=datetime.now(UTC),
        clock_offset=timedelta(seconds=42),
        settings=settings,
    ).data


LABELS = {
    "naive-lanczos": "full decode + LANCZOS + save q80",
    "naive-default": "full decode + default (bicubic) + save q80",
    "pipeline": "process_photo (draft, banded bicubic, stamp, EXIF, optimised q80)",
}

PIPELINES: dict[str, Callable[[bytes, PhotoSettings], bytes]] = {
    "naive-lanczos": naive_lanczos,
    "naive-default": naive_default,
    "pipeline": pipeline,
}


def input_size(megapixels: float) -> tuple[int, int]:
    width = round((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    return width, round(width * 3 / 4)


def peak_rss_kib() -> int:
    """This process's peak resident set (KiB).

    Linux: VmHWM, which belongs to the address space and so starts afresh at exec
    (ru_maxrss does not: it carries the parent's peak across fork + exec).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child(name: str, path: str) -> None:
    """Run one pipeline once in this fresh process; print the peak RSS it added (KiB)."""
    raw = Path(path).read_bytes()
    settings = PhotoSettings()
    before = peak_rss_kib()
    PIPELINES[name](raw, settings)
    print(peak_rss_kib() - before)


def peak_mib(name: str, path: Path) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--input", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--child", choices=sorted(PIPELINES), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.input)
        return

    width, height = input_size(args.megapixels)
    raw = camera_jpeg(width, height)
    settings = PhotoSettings()
    print(f"input: {width}x{height} camera-like JPEG, {len(raw) / 1e6:.2f} MB; runs: {args.runs}")
    for fn in PIPELINES.values():  # warm-up: imports, the stamp's font, code paths
        fn(raw, settings)
    times: dict[str, list[float]] = {name: [] for name in PIPELINES}
    sizes: dict[str, int] = {}
    for _ in range(args.runs):  # interleaved, so machine drift hits all alike
        for name, fn in PIPELINES.items():
            start = time.perf_counter()
            sizes[name] = len(fn(raw, settings))
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jpg"
        path.write_bytes(raw)
        peaks = {name: peak_mib(name, path) for name in PIPELINES}
    for name in PIPELINES:
        print(
            f"{name:>14}: median {medians[name] * 1000:6.1f} ms   "
            f"output {sizes[name] / 1000:5.0f} KB   peak memory +{peaks[name]:5.1f} MiB   "
            f"({LABELS[name]})"
        )
    for baseline in ("naive-lanczos", "naive-default"):
        ratio = medians[baseline] / medians["pipeline"]
        print(f"speed-up vs {baseline}: {ratio:.2f}x (target >= 2x)")
    print(f"pipeline output: {sizes['pipeline'] / 1000:.0f} KB (target < 500 KB)")


if __name__ == "__main__":
    main()

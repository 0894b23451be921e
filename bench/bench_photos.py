"""Benchmark: the photo pipeline against naive Pillow pipelines, in the same run.

    .venv/bin/python bench/bench_photos.py [--runs 9] [--megapixels 12] [--formats-only]

Input: a camera-like 12 MP JPEG (4000x3000, quality 92, a phone's EXIF block) from
`officer_app.photos.testimages`. Compared, on the same bytes:

- naive-lanczos: Image.open + full decode + resize(LANCZOS) to 1600 px + save(q80);
- naive-default: the same with Pillow's default resize filter (bicubic);
- pipeline:      `process_photo()` with the default `PhotoSettings`: JPEG draft at the
                 aspect-correct size, bicubic to the exact size in bands of rows on
                 each core, orientation, stamp,
                 fresh EXIF, the evidence JPEG (`encoder.py`, quality 80), sha256.

Prints each one's median time, the speed-up ratios (target >= 2x), the output size
(target < 500 KB) and the peak memory each adds, measured in a fresh child process
(peak resident set after the run minus before it: Pillow's pixel buffers are
invisible to tracemalloc). Absolute times depend on the machine; read the ratios.

Then, per input format at its size limit (`domain.photo_files`: 64 MP for a baseline
JPEG, the decode budget for everything decoded at full size), the gallery path the app
runs - the pick-time preview, then `process_photo` - in a fresh child process each:
the peak memory it adds from before the file is read (the raw bytes count) against the
150 MB target, and the time of each step. `--formats-only` runs just that part.
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
    "pipeline": "process_photo (draft, banded bicubic, stamp, EXIF, evidence q80)",
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


TARGET_MB = 150.0


def _smooth(width: int, height: int) -> Image.Image:
    """A picture that compresses like a photo's large areas (quick to make at 64 MP)."""
    from officer_app.photos.testimages import scene

    return scene(max(16, width // 8), max(16, height // 8)).resize(
        (width, height), Image.Resampling.BILINEAR
    )


def _at(pixels: int, aspect: float = 4 / 3) -> tuple[int, int]:
    width = int((pixels * aspect) ** 0.5)
    return width, pixels // width


def _format_inputs() -> list[tuple[str, Callable[[], bytes]]]:
    """(label, maker) of each input format at its limit, as the decode budget sets it."""
    from domain.photo_files import MAX_DECODE_BYTES, MAX_PIXELS, max_full_decode_pixels

    def make(fmt: str, mode: str, pixels: int, **params: object) -> Callable[[], bytes]:
        def build() -> bytes:
            image = _smooth(*_at(pixels))
            if mode == "RGBA":
                image.putalpha(Image.linear_gradient("L").resize(image.size))
            elif mode == "I;16":
                image = image.convert("L").convert("I;16")
            elif mode != "RGB":
                image = image.convert(mode)
            out = io.BytesIO()
            image.save(out, fmt, **params)
            return out.getvalue()

        return build

    colour = max_full_decode_pixels("PNG", "RGB")
    progressive = MAX_DECODE_BYTES // 3  # 4:2:0: 3 bytes of coefficients a pixel
    return [
        ("JPEG baseline", make("JPEG", "RGB", MAX_PIXELS - 1, quality=90)),
        ("JPEG progressive 4:2:0", make("JPEG", "RGB", progressive, quality=90, progressive=True)),
        ("PNG RGB", make("PNG", "RGB", colour)),
        ("PNG RGBA", make("PNG", "RGBA", colour)),
        ("PNG 16-bit grey", make("PNG", "I;16", max_full_decode_pixels("PNG", "I;16"))),
        ("PNG palette", make("PNG", "P", max_full_decode_pixels("PNG", "P"))),
        ("GIF", make("GIF", "P", max_full_decode_pixels("GIF", "P"))),
        ("WebP", make("WEBP", "RGB", max_full_decode_pixels("WEBP", "RGB"), quality=80)),
        ("AVIF", make("AVIF", "RGB", max_full_decode_pixels("AVIF", "RGB"), speed=10)),
        ("TIFF RGB deflate", make("TIFF", "RGB", colour, compression="tiff_adobe_deflate")),
        ("BMP RGB", make("BMP", "RGB", min(colour, (40 * 1024 * 1024 - 1024) // 3))),
    ]


def gallery_child(path: str) -> None:
    """The app's gallery path once in this fresh process: peak added (KiB) and times."""
    from officer_app.photos import make_preview

    before = peak_rss_kib()
    raw = Path(path).read_bytes()
    start = time.perf_counter()
    make_preview(raw)
    previewed = time.perf_counter()
    process_photo(
        raw,
        kind=PhotoKind.AFTER,
        report_id="bench-report",
        tracking_id="CRM-2024-000123",
        source=PhotoSource.GALLERY,
        fix=FIX,
        device_time=datetime.now(UTC),
    )
    done = time.perf_counter()
    print(peak_rss_kib() - before, f"{previewed - start:.3f}", f"{done - previewed:.3f}")


def bench_formats() -> None:
    print(f"\ngallery path per input format at its limit (peak memory target {TARGET_MB:.0f} MB):")
    with tempfile.TemporaryDirectory() as tmp:
        for label, build in _format_inputs():
            raw = build()
            path = Path(tmp) / "input"
            path.write_bytes(raw)
            with Image.open(path) as probe:
                width, height = probe.size
            out = subprocess.run(
                [sys.executable, __file__, "--gallery-child", str(path)],
                check=False,
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                print(f"{label:>24}: FAILED {out.stderr.strip().splitlines()[-1:]}")
                continue
            kib, preview_s, save_s = out.stdout.split()
            peak_mb = int(kib) * 1024 / 1e6
            verdict = "ok" if peak_mb <= TARGET_MB else "OVER"
            print(
                f"{label:>24}: {width}x{height} ({width * height / 1e6:4.1f} MP, "
                f"{len(raw) / 1e6:5.1f} MB)   peak +{peak_mb:5.1f} MB [{verdict}]   "
                f"preview {float(preview_s) * 1000:6.0f} ms   save {float(save_s) * 1000:6.0f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--child", choices=sorted(PIPELINES), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--gallery-child", help=argparse.SUPPRESS)
    parser.add_argument("--formats-only", action="store_true", help="only the per-format part")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.input)
        return
    if args.gallery_child:
        gallery_child(args.gallery_child)
        return
    if args.formats_only:
        bench_formats()
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
    bench_formats()


if __name__ == "__main__":
    main()

"""Benchmark: the perceptual hash of one evidence photo and the near-duplicate lookup.

Prints medians and their ratio to a baseline measured in the same run:
- hashing a 1600 px JPEG (`server.phash.photo_hash`: reduced-scale decode, grey, the
  whole picture and nine windows) against decoding the same JPEG at full size;
- finding a photo's near-duplicates among N stored photos (`server.photo_index`, ten
  hashes each) against a full scan of the whole-picture hashes.

    .venv/bin/python bench/bench_evidence.py [--stored 200000] [--repeat 50]

Targets: under 10 ms per photo hashed at 1600 px; under 20 ms per lookup with 200,000
stored hashes.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from server.phash import PerceptualHash, photo_hash
from server.photo_index import HashIndex

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the generated scenes
from tests.support.scenes import brightness, jpeg, street_scene


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stored", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    data = jpeg(street_scene(11, 1600, 1200), 80)

    def full_decode() -> None:
        with Image.open(io.BytesIO(data)) as image:
            image.load()

    decode = median_ms(full_decode, args.repeat)
    hashed = median_ms(lambda: photo_hash(data), args.repeat)
    print(f"photo 1600x1200 JPEG, {len(data) // 1024} KB")
    print(f"  full decode (baseline)      {decode:8.2f} ms")
    print(f"  perceptual hash             {hashed:8.2f} ms   ratio {hashed / decode:5.2f}x")

    rng = random.Random(3)
    index = HashIndex()
    started = time.perf_counter()
    for i in range(args.stored):
        index.add(
            f"{i:064x}",
            PerceptualHash(rng.getrandbits(64), tuple(rng.getrandbits(64) for _ in range(9))),
        )
    built = time.perf_counter() - started
    planted = photo_hash(data)
    index.add("planted", photo_hash(jpeg(brightness(street_scene(11, 1600, 1200), 1.2), 60)))
    wholes = [rng.getrandbits(64) for _ in range(args.stored)]

    def scan() -> list[int]:
        return [h for h in wholes if (h ^ planted.whole).bit_count() <= 8]

    scanned = median_ms(scan, max(5, args.repeat // 5))
    looked = median_ms(lambda: index.near(planted), args.repeat)
    assert "planted" in index.near(planted)
    print(
        f"lookup among {args.stored:,} stored photos ({len(index):,} indexed, built in {built:.1f} s)"
    )
    print(f"  full scan of whole hashes (baseline) {scanned:8.2f} ms")
    print(
        f"  index lookup                         {looked:8.2f} ms   ratio {looked / scanned:5.3f}x"
    )


if __name__ == "__main__":
    main()

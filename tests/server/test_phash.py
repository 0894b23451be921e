"""Perceptual hashes on generated street scenes: the edits of a reused photo match,
different scenes do not; the index finds what a full scan finds."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from PIL import Image

from server.phash import NEAR_DISTANCE, PerceptualHash, distance, near, photo_hash
from server.photo_index import HashIndex
from tests.support.scenes import brightness, crop, jpeg, street_scene

SCENES = 24

EDITS: dict[str, Callable[[Image.Image], bytes]] = {
    "identical": lambda im: jpeg(im, 90),
    "re-encoded q50": lambda im: jpeg(im, 50),
    "re-encoded q30": lambda im: jpeg(im, 30),
    "cropped 10% centre": lambda im: jpeg(crop(im, 0.1, "centre")),
    "cropped 10% corner": lambda im: jpeg(crop(im, 0.1, "corner")),
    "cropped 10% side": lambda im: jpeg(crop(im, 0.1, "side")),
    "brightness +20%": lambda im: jpeg(brightness(im, 1.2)),
    "brightness -20%": lambda im: jpeg(brightness(im, 0.8)),
    "scaled to 800 px": lambda im: jpeg(im.resize((800, 600))),
}


@pytest.fixture(scope="module")
def originals() -> list[tuple[Image.Image, PerceptualHash]]:
    out = []
    for seed in range(SCENES):
        image = street_scene(seed)
        out.append((image, photo_hash(jpeg(image, 90))))
    return out


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_photo_matches_its_original(
    edit: str, originals: list[tuple[Image.Image, PerceptualHash]]
) -> None:
    far = [
        (seed, distance(h, photo_hash(EDITS[edit](image))))
        for seed, (image, h) in enumerate(originals)
    ]
    missed = [(seed, d) for seed, d in far if d > NEAR_DISTANCE]
    assert not missed, f"{edit}: {missed} above {NEAR_DISTANCE}"
    if edit == "identical":
        assert all(d == 0 for _, d in far)


def test_different_scenes_do_not_match(originals: list[tuple[Image.Image, PerceptualHash]]) -> None:
    hashes = [h for _, h in originals]
    pairs = [(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]]
    close = [distance(a, b) for a, b in pairs if near(a, b)]
    assert not close, f"{len(close)} of {len(pairs)} pairs of different scenes matched"


def test_the_hash_round_trips_as_text(originals: list[tuple[Image.Image, PerceptualHash]]) -> None:
    _, h = originals[0]
    assert PerceptualHash.from_text(h.to_text()) == h
    with pytest.raises(ValueError):
        PerceptualHash.from_text("zz")


def test_the_index_finds_what_a_full_scan_finds() -> None:
    """Random hashes plus planted near copies at every distance up to the threshold."""
    rng = random.Random(7)

    def random_hash() -> PerceptualHash:
        return PerceptualHash(rng.getrandbits(64), tuple(rng.getrandbits(64) for _ in range(9)))

    def flip(value: int, bits: int) -> int:
        for bit in rng.sample(range(64), bits):
            value ^= 1 << bit
        return value

    index = HashIndex()
    stored = {f"{i:064x}": random_hash() for i in range(3000)}
    query = random_hash()
    for d in range(0, 8):  # the whole picture, or one of its windows, d bits away
        stored[f"near-whole-{d}"] = PerceptualHash(flip(query.whole, d), random_hash().windows)
        windows = list(random_hash().windows)
        windows[d % 9] = flip(query.whole, d)
        stored[f"near-window-{d}"] = PerceptualHash(rng.getrandbits(64), tuple(windows))
        stored[f"crop-of-it-{d}"] = PerceptualHash(flip(query.windows[d % 9], d), ())
    for sha, h in stored.items():
        index.add(sha, h)
    scan = {sha: distance(query, h) for sha, h in stored.items() if near(query, h)}
    found = index.near(query)
    planted = {sha for sha in stored if not sha[0].isdigit()}
    assert planted <= set(found)
    assert {s: d for s, d in found.items() if d <= 7} == {s: d for s, d in scan.items() if d <= 7}
    assert set(found) <= set(scan)
    assert index.near(query, exclude=planted).keys() == set(scan) - planted

"""The deployment profile: `flet.toml`, read once at start-up into a typed `Profile`.

Where it is looked for, first found wins: the path given by the caller, the
`TINDAK_PROFILE` environment variable, then the `flet.toml` shipped as package data of
`officer_app` (read through `importlib.resources`, so a wheel, an editable install and a
`flet build` all carry it). With no file at all the built-in defaults below apply.

Invariants: a `Profile` is always complete and valid (every value checked here, with
an error naming the file and the key); unknown keys are refused so that a misspelt
setting is not silently ignored.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from local_db import RetentionPolicy

from .errors import ProfileError

PROFILE_ENV = "TINDAK_PROFILE"
DEFAULT_PROFILE_PATH: Traversable = files("officer_app") / "flet.toml"

LANGUAGES = ("id", "en")
THEMES = ("light", "dark", "system")
CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")
PHOTO_SIZES = (1280, 1600, 2048)  # the long-edge choices offered in Pengaturan


@dataclass(frozen=True, slots=True)
class PhotoProfile:
    long_edge: int = 1600
    quality: int = 80
    stamp: bool = True
    stamp_corner: str = "bottom_left"


@dataclass(frozen=True, slots=True)
class MapProfile:
    # The base map's tiles ({z}/{x}/{y} template) and the attribution their licence
    # asks for. Empty `tiles`: never fetch tiles (the map draws kelurahan outlines).
    tiles: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    attribution: str = "OpenStreetMap contributors"


@dataclass(frozen=True, slots=True)
class Profile:
    server_url: str = "http://127.0.0.1:8765"
    sync_interval_s: int = 60
    wifi_only_photos: bool = False
    photo_streams: int = 2  # concurrent photo chunk streams (one connection each)
    photos: PhotoProfile = field(default_factory=PhotoProfile)
    storage: RetentionPolicy = field(default_factory=RetentionPolicy)
    map: MapProfile = field(default_factory=MapProfile)
    language: str = "id"
    theme: str = "light"
    source: str = "(bawaan / built-in defaults)"

    def with_server(self, url: str) -> Profile:
        return replace(self, server_url=_url(url, "server.url", self.source))


_SECTIONS: Mapping[str, frozenset[str]] = {
    "server": frozenset({"url"}),
    "sync": frozenset({"interval_s", "wifi_only_photos", "photo_streams"}),
    "photos": frozenset({"long_edge", "quality", "stamp", "stamp_corner"}),
    "ui": frozenset({"language", "theme"}),
    "storage": frozenset({"done_days", "full_photo_days", "photo_cache_mb", "low_storage_mb"}),
    "map": frozenset({"tiles", "attribution"}),
}


ProfilePath = str | os.PathLike[str] | Traversable


def find_profile(path: ProfilePath | None = None) -> Traversable | None:
    if isinstance(path, str | os.PathLike):
        return Path(path)
    if path is not None:
        return path
    env = os.environ.get(PROFILE_ENV)
    if env:
        return Path(env)
    return DEFAULT_PROFILE_PATH if DEFAULT_PROFILE_PATH.is_file() else None


def load_profile(path: ProfilePath | None = None) -> Profile:
    """Read and check the profile; raises `ProfileError` with the file and key named."""
    found = find_profile(path)
    if found is None:
        return Profile()
    try:
        raw = tomllib.loads(found.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProfileError(f"{found}: profile file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{found}: cannot read the profile: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{found}: not valid TOML: {exc}") from exc
    return parse_profile(raw, source=str(found))


def parse_profile(raw: Mapping[str, Any], source: str = "<profile>") -> Profile:
    for section, value in raw.items():
        if section not in _SECTIONS:
            raise ProfileError(f"{source}: unknown section [{section}]")
        if not isinstance(value, Mapping):
            raise ProfileError(f"{source}: [{section}] must be a table")
        unknown = set(value) - _SECTIONS[section]
        if unknown:
            raise ProfileError(f"{source}: unknown key(s) in [{section}]: {sorted(unknown)}")
    server, sync = raw.get("server", {}), raw.get("sync", {})
    photos, ui = raw.get("photos", {}), raw.get("ui", {})
    storage, map_ = raw.get("storage", {}), raw.get("map", {})
    defaults, photo_defaults, keep = Profile(), PhotoProfile(), RetentionPolicy()
    map_defaults = MapProfile()
    return Profile(
        server_url=_url(server.get("url", defaults.server_url), "server.url", source),
        sync_interval_s=_int(
            sync.get("interval_s", defaults.sync_interval_s), "sync.interval_s", 5, 86_400, source
        ),
        wifi_only_photos=_bool(
            sync.get("wifi_only_photos", defaults.wifi_only_photos), "sync.wifi_only_photos", source
        ),
        photo_streams=_int(
            sync.get("photo_streams", defaults.photo_streams), "sync.photo_streams", 1, 3, source
        ),
        photos=PhotoProfile(
            long_edge=_int(
                photos.get("long_edge", photo_defaults.long_edge),
                "photos.long_edge",
                640,
                4096,
                source,
            ),
            quality=_int(
                photos.get("quality", photo_defaults.quality), "photos.quality", 30, 95, source
            ),
            stamp=_bool(photos.get("stamp", photo_defaults.stamp), "photos.stamp", source),
            stamp_corner=_choice(
                photos.get("stamp_corner", photo_defaults.stamp_corner),
                "photos.stamp_corner",
                CORNERS,
                source,
            ),
        ),
        storage=RetentionPolicy(
            done_days=_int(
                storage.get("done_days", keep.done_days), "storage.done_days", 1, 3650, source
            ),
            full_photo_days=_int(
                storage.get("full_photo_days", keep.full_photo_days),
                "storage.full_photo_days",
                0,
                3650,
                source,
            ),
            photo_cache_mb=_int(
                storage.get("photo_cache_mb", int(keep.photo_cache_mb)),
                "storage.photo_cache_mb",
                10,
                100_000,
                source,
            ),
            low_storage_mb=_int(
                storage.get("low_storage_mb", keep.low_storage_mb),
                "storage.low_storage_mb",
                0,
                100_000,
                source,
            ),
        ),
        map=MapProfile(
            tiles=_tiles(map_.get("tiles", map_defaults.tiles), "map.tiles", source),
            attribution=_text(
                map_.get("attribution", map_defaults.attribution), "map.attribution", source
            ),
        ),
        language=_choice(ui.get("language", defaults.language), "ui.language", LANGUAGES, source),
        theme=_choice(ui.get("theme", defaults.theme), "ui.theme", THEMES, source),
        source=source,
    )


def _url(value: object, key: str, source: str) -> str:
    if not isinstance(value, str):
        raise ProfileError(f"{source}: {key} must be a string URL, got {value!r}")
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ProfileError(f"{source}: {key} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _tiles(value: object, key: str, source: str) -> str:
    if value == "":
        return ""
    if not isinstance(value, str) or not all(p in value for p in ("{z}", "{x}", "{y}")):
        raise ProfileError(
            f'{source}: {key} must be a tile URL with {{z}}, {{x}} and {{y}} (or "" for '
            f"no tiles), got {value!r}"
        )
    _url(value, key, source)
    return value


def _text(value: object, key: str, source: str) -> str:
    if not isinstance(value, str):
        raise ProfileError(f"{source}: {key} must be a string, got {value!r}")
    return value


def _int(value: object, key: str, low: int, high: int, source: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProfileError(f"{source}: {key} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ProfileError(f"{source}: {key} must be between {low} and {high}, got {value}")
    return value


def _bool(value: object, key: str, source: str) -> bool:
    if not isinstance(value, bool):
        raise ProfileError(f"{source}: {key} must be true or false, got {value!r}")
    return value


def _choice(value: object, key: str, choices: tuple[str, ...], source: str) -> str:
    if value not in choices:
        raise ProfileError(f"{source}: {key} must be one of {list(choices)}, got {value!r}")
    assert isinstance(value, str)
    return value

"""The officer's own settings on this device (Pengaturan), kept in a small JSON file.

Defaults come from the deployment profile; what the officer changes is stored next to
the database as `preferences.json` (written atomically: temp file, fsync, rename), so a
crash mid-write leaves the old file, never half a file. Nothing secret lives here.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .profile import LANGUAGES, PHOTO_SIZES, THEMES, Profile

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Preferences:
    language: str = "id"
    theme: str = "light"
    wifi_only_photos: bool = False
    photo_long_edge: int = 1600

    @classmethod
    def defaults(cls, profile: Profile) -> Preferences:
        return cls(
            language=profile.language,
            theme=profile.theme,
            wifi_only_photos=profile.wifi_only_photos,
            photo_long_edge=profile.photos.long_edge,
        )

    def changed(self, **changes: object) -> Preferences:
        return replace(self, **changes)  # type: ignore[arg-type]


def load_preferences(path: Path, profile: Profile) -> Preferences:
    """The stored preferences; any unreadable or invalid value falls back to the default."""
    prefs = Preferences.defaults(profile)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return prefs
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return prefs
    if not isinstance(raw, dict):
        return prefs
    if raw.get("language") in LANGUAGES:
        prefs = prefs.changed(language=raw["language"])
    if raw.get("theme") in THEMES:
        prefs = prefs.changed(theme=raw["theme"])
    if isinstance(raw.get("wifi_only_photos"), bool):
        prefs = prefs.changed(wifi_only_photos=raw["wifi_only_photos"])
    edge = raw.get("photo_long_edge")
    if isinstance(edge, int) and not isinstance(edge, bool) and (640 <= edge <= 4096):
        prefs = prefs.changed(photo_long_edge=edge)
    return prefs


def save_preferences(path: Path, prefs: Preferences) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(asdict(prefs), f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


__all__ = ["PHOTO_SIZES", "Preferences", "load_preferences", "save_preferences"]

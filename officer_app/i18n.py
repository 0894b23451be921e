"""Interface strings in Bahasa Indonesia (first) and English, from `assets/i18n/*.json`.

The files are package data of `officer_app` (`officer_app/assets/i18n/`), read through
`importlib.resources`, so a wheel, an editable install and a `flet build` all find them.

Each file is one flat JSON object of dotted keys (`"queue.title"`) to strings, with
`{name}` placeholders filled by `Translator.t(key, name=...)`. Both files must hold the
same keys (checked at load and by a test); the domain's own bilingual texts (refusal
reasons, category names, time left) come from `domain` and are not duplicated here.

Invariant: a `Translator` is immutable; switching language builds another one, so a
view that captured a translator never sees strings change under it mid-render.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType

from .errors import TranslationError

I18N_DIR: Traversable = files("officer_app") / "assets" / "i18n"
LANGUAGES = ("id", "en")


@cache
def catalogs(directory: Traversable = I18N_DIR) -> Mapping[str, Mapping[str, str]]:
    """Every language's strings; raises `TranslationError` if the files disagree."""
    loaded: dict[str, Mapping[str, str]] = {}
    for lang in LANGUAGES:
        path = directory / f"{lang}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TranslationError(f"{path}: {exc}") from exc
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise TranslationError(f"{path}: must be one object of string keys to strings")
        loaded[lang] = MappingProxyType(data)
    keys = {lang: set(strings) for lang, strings in loaded.items()}
    if keys["id"] != keys["en"]:
        diff = sorted(keys["id"] ^ keys["en"])
        raise TranslationError(f"id.json and en.json differ in keys: {diff[:10]}")
    return MappingProxyType(loaded)


@dataclass(frozen=True, slots=True)
class Translator:
    lang: str = "id"

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise TranslationError(f"unknown language {self.lang!r}")

    def t(self, key: str, **params: object) -> str:
        strings = catalogs()[self.lang]
        try:
            text = strings[key]
        except KeyError as exc:
            raise TranslationError(f"no string {key!r} in {self.lang}.json") from exc
        return text.format(**params) if params else text

    def has(self, key: str) -> bool:
        return key in catalogs()[self.lang]

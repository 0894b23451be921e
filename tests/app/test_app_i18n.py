"""Translations: both files hold the same keys, every key the code asks for exists, and
the views hold no user-facing text of their own (it all comes from the files)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from domain import Action, PhotoKind, Role, Status
from domain.statuses import STATUS_NAMES
from local_db import AttentionKind, Stage
from officer_app.errors import TranslationError
from officer_app.i18n import I18N_DIR, Translator, catalogs
from sync import Phase

APP = Path(__file__).resolve().parents[2] / "officer_app"
VIEWS = APP / "views"
# Strings in views that are not prose: identifiers, keys, colour and icon names.
NOT_PROSE = re.compile(r"^[a-z0-9_.:/{}\-]*$")


def test_both_languages_have_the_same_keys() -> None:
    ids = json.loads((I18N_DIR / "id.json").read_text(encoding="utf-8"))
    ens = json.loads((I18N_DIR / "en.json").read_text(encoding="utf-8"))
    assert set(ids) == set(ens)
    assert all(v.strip() for v in ids.values() if v), "an empty Indonesian string"
    # Placeholders agree, so formatting never fails in one language only.
    for key in ids:
        assert set(re.findall(r"{(\w+)}", ids[key])) == set(re.findall(r"{(\w+)}", ens[key])), key


def test_a_missing_key_is_an_error_not_a_blank() -> None:
    with pytest.raises(TranslationError):
        Translator("id").t("no.such.key")
    with pytest.raises(TranslationError):
        Translator("fr")


def _literal_keys() -> set[str]:
    """Every `t("...")` / `app.t("...")` key written literally in the app."""
    keys: set[str] = set()
    for path in APP.rglob("*.py"):
        if "photos" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute | ast.Name)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                keys.add(node.args[0].value)
    return keys


def _dynamic_keys() -> set[str]:
    """Keys built from domain values (f"status.{...}" and the like)."""
    keys = {f"status.{s.value}" for s in Status}
    keys |= {f"stage.{s.value}" for s in Stage}
    keys |= {f"action.{a.value}" for a in Action}
    keys |= {f"action.done.{a.value}" for a in Action}
    keys |= {f"photo.kind.{k.value}" for k in PhotoKind}
    keys |= {f"role.{r.value}" for r in Role}
    keys |= {f"attention.hint.{k.value}" for k in AttentionKind}
    keys |= {f"sync.phase.{p.value}" for p in Phase}
    keys |= {f"extension.{s}" for s in ("requested", "approved", "refused")}
    return keys


def test_every_key_the_app_uses_exists_in_both_files() -> None:
    strings = catalogs()
    used = _literal_keys() | _dynamic_keys()
    assert len(used) > 150
    missing = {k for k in used if k not in strings["id"] or k not in strings["en"]}
    assert not missing


def test_views_hold_no_user_facing_text_of_their_own() -> None:
    offenders = []
    for path in sorted(VIEWS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        # Log lines and programming errors are for developers, not officers.
        for_developers = {
            id(c)
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and (
                (isinstance(n.func, ast.Attribute) and getattr(n.func.value, "id", "") == "log")
                or (isinstance(n.func, ast.Name) and n.func.id in {"RuntimeError", "TypeVar"})
            )
            for c in ast.walk(n)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings | for_developers
                and not NOT_PROSE.match(node.value)
                and re.search(r"[A-Za-z]", node.value)  # punctuation is not text
            ):
                offenders.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert not offenders, "\n".join(offenders)


def test_status_names_in_refusals_are_the_app_s_status_names() -> None:
    """The domain writes status names into refusal sentences (both sides use them);
    they must read as the screens name the same status."""
    for status, (name_id, name_en) in STATUS_NAMES.items():
        assert Translator("id").t(f"status.{status.value}") == name_id
        assert Translator("en").t(f"status.{status.value}") == name_en
    assert set(STATUS_NAMES) == set(Status)

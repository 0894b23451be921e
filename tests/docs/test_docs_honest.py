"""Docs that cannot drift: what README.md and docs/ name must exist, and the reverse.

Read the way Datasette keeps its CLI reference honest:
- every `tindak ...`, `tindak-server ...` and `scripts/demo ...` command a page shows
  exists, with every `--option` written after it (`scripts/demo` passes its arguments
  to `tindak demo`);
- every command of both CLIs is shown somewhere;
- every file or folder a page names in backticks exists (relative to the repository,
  or to the rooms the page describes), and every dotted `package.module.name` imports.
"""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from officer_app.cli import build_parser as app_parser
from server.cli import build_parser as server_parser

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Where a page's bare names (`device.py`, `state/`) live: the rooms it describes.
ROOMS: dict[str, tuple[str, ...]] = {
    "app.md": ("officer_app", "officer_app/assets", "officer_app/state", "officer_app/views"),
    "roles.md": ("officer_app", "officer_app/supervisor", "officer_app/validator"),
    "photos.md": ("officer_app/photos", "officer_app", "tests/photos"),
    "server.md": ("server", "server/figures", "tests/server"),
    "intake.md": ("server", "tests/intake", "domain/data"),
    "sync.md": ("sync", "local_db", "tests/sync", "tests/local_db", "officer_app"),
    "reliability.md": ("tests/reliability", "tests/support"),
    "architecture.md": ("officer_app", "officer_app/assets", "officer_app/assets/i18n"),
    "README.md": ("officer_app", "bench", "docs"),
}
# Names of files the software makes at run time, not files of the repository.
MADE_AT_RUN_TIME = {"preferences.json", "var/photos", ".venv/", "./var/demo/"}
MADE_AT_RUN_TIME_ON = {"sync.md": {"photos/"}}  # the device's photo folder
PACKAGES = ("domain", "local_db", "sync", "officer_app", "server")

CLIS = {"tindak": app_parser, "tindak-server": server_parser}
COMMAND = re.compile(
    r"(?<![\w/-])(tindak-server|tindak|scripts/demo)\b(?!\[)((?:[ \t]+[^\s#`|]+)*)"
)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    # argparse has no public accessor for its subparsers; this is the documented layout.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> set[str]:
    return set(parser._option_string_actions)


def logical_lines(page: Path) -> Iterator[tuple[int, str]]:
    """Lines of a page, a shell continuation (`\\` at the end) joined to the next."""
    pending, start = "", 0
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield start, pending + line
        pending = ""


def command_mentions() -> Iterator[tuple[str, str, str | None, list[str]]]:
    """(where, cli, command or None, options) for every command a page shows."""
    for page in PAGES:
        for number, line in logical_lines(page):
            for found in COMMAND.finditer(line):
                cli, rest = found.group(1), found.group(2).split()
                if cli == "scripts/demo":
                    cli, rest = "tindak", ["demo", *rest]
                where = f"{page.relative_to(ROOT)}:{number}"
                command = rest[0] if rest and re.fullmatch(r"[a-z][a-z-]*", rest[0]) else None
                opts = [re.sub(r"[=\]].*", "", w.lstrip("[")) for w in rest]
                yield where, cli, command, [o for o in opts if o.startswith("--")]


def test_every_command_and_option_shown_in_the_docs_exists() -> None:
    wrong = []
    for where, cli, command, opts in command_mentions():
        parser = CLIS[cli]()
        commands = subcommands(parser)
        if command is None:
            known = options(parser)
        elif command in commands:
            known = options(commands[command]) | options(parser)
        else:
            wrong.append(f"{where}: {cli} has no command {command!r}")
            continue
        wrong += [f"{where}: {cli} {command or ''} has no {o}" for o in opts if o not in known]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("cli", sorted(CLIS))
def test_every_command_is_documented(cli: str) -> None:
    shown = {command for _, name, command, _ in command_mentions() if name == cli}
    missing = sorted(set(subcommands(CLIS[cli]())) - shown)
    assert not missing, f"{cli} commands no page shows: {missing}"


def test_the_readme_lists_the_real_admin_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in subcommands(server_parser()):
        assert f"`{command}`" in readme or f" {command}" in readme, command


BACKTICKED = re.compile(r"`([^`\s]+)`")
PATHLIKE = re.compile(r"[\w.{},*/-]*(?:/|\.(?:py|md|json|toml|png|geojson|csv))|scripts/\w+")


def named_paths(page: Path) -> Iterator[str]:
    for token in BACKTICKED.findall(page.read_text(encoding="utf-8")):
        if token.startswith(("/", "<")) or "://" in token or "<" in token or ":" in token:
            continue  # URL paths, placeholders, database URLs
        if token in MADE_AT_RUN_TIME or token in MADE_AT_RUN_TIME_ON.get(page.name, ()):
            continue
        if PATHLIKE.fullmatch(token):
            yield token


def expand(token: str) -> list[str]:
    braces = re.search(r"\{([^}]*)\}", token)
    if not braces:
        return [token]
    return [
        expanded
        for choice in braces.group(1).split(",")
        for expanded in expand(token[: braces.start()] + choice + token[braces.end() :])
    ]


def exists(token: str, bases: list[Path]) -> bool:
    for base in bases:
        if "*" in token:
            if any(base.glob(token)):
                return True
        elif (base / token).exists():
            return True
    return False


def test_every_file_and_folder_a_page_names_exists() -> None:
    missing = []
    for page in PAGES:
        bases = [ROOT, page.parent, *(ROOT / room for room in ROOMS.get(page.name, ()))]
        for token in named_paths(page):
            for path in expand(token):
                if not exists(path, bases):
                    missing.append(f"{page.relative_to(ROOT)}: `{token}`")
    assert not missing, "\n".join(sorted(set(missing)))


DOTTED = re.compile(r"`((?:" + "|".join(PACKAGES) + r")(?:\.\w+)+)(?:\(\))?`")


def test_every_dotted_name_a_page_names_imports() -> None:
    wrong = []
    for page in PAGES:
        for name in sorted(set(DOTTED.findall(page.read_text(encoding="utf-8")))):
            parts = name.split(".")
            obj: object = None
            for size in range(len(parts), 0, -1):
                try:
                    obj = importlib.import_module(".".join(parts[:size]))
                except ModuleNotFoundError:
                    continue
                for attr in parts[size:]:
                    obj = getattr(obj, attr, None)
                break
            if obj is None:
                wrong.append(f"{page.relative_to(ROOT)}: `{name}`")
    assert not wrong, "\n".join(wrong)

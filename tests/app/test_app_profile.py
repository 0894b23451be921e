"""The deployment profile, the device preferences, formatting, tokens, CLI and packaging."""

from __future__ import annotations

import asyncio
import threading
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain import UrgencyLevel
from officer_app import cli
from officer_app.errors import ProfileError
from officer_app.format import ago, distance_text, time_left_text, wib
from officer_app.i18n import Translator
from officer_app.preferences import Preferences, load_preferences, save_preferences
from officer_app.profile import DEFAULT_PROFILE_PATH, PROFILE_ENV, Profile, load_profile
from officer_app.tokens import SecureStorageTokenStore, desktop_token_store, keyring_usable
from sync import KeyringTokenStore, MemoryTokenStore, Tokens

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_profile_reads_cleanly() -> None:
    profile = load_profile(DEFAULT_PROFILE_PATH)
    assert profile.server_url.startswith("http")
    assert profile.language == "id" and profile.photos.long_edge == 1600
    assert profile.photo_streams == 2
    assert profile.source == str(DEFAULT_PROFILE_PATH)
    # The shipped retention policy is the documented default one.
    assert profile.storage == Profile().storage
    assert (profile.storage.done_days, profile.storage.full_photo_days) == (30, 7)


def test_the_storage_policy_is_read_and_checked(tmp_path: Path) -> None:
    p = load_profile(
        write(tmp_path, "[storage]\ndone_days = 14\nfull_photo_days = 3\nphoto_cache_mb = 120\n")
    )
    assert (p.storage.done_days, p.storage.full_photo_days, p.storage.photo_cache_mb) == (
        14,
        3,
        120,
    )
    assert p.storage.low_storage_mb == Profile().storage.low_storage_mb
    with pytest.raises(ProfileError, match=r"storage\.done_days must be between 1 and 3650"):
        load_profile(write(tmp_path, "[storage]\ndone_days = 0\n"))
    with pytest.raises(ProfileError, match=r"unknown key\(s\) in \[storage\]"):
        load_profile(write(tmp_path, "[storage]\nkeep_days = 3\n"))


def test_profile_values_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path,
        '[server]\nurl = "https://crm.jakarta.go.id/"\n[sync]\ninterval_s = 30\n'
        'wifi_only_photos = true\nphoto_streams = 3\n[photos]\nlong_edge = 1280\nstamp_corner = "top_right"\n'
        '[ui]\nlanguage = "en"\n',
    )
    monkeypatch.setenv(PROFILE_ENV, str(path))
    p = load_profile()
    assert p.server_url == "https://crm.jakarta.go.id"
    assert (p.sync_interval_s, p.wifi_only_photos, p.language) == (30, True, "en")
    assert p.photo_streams == 3
    assert (p.photos.long_edge, p.photos.quality, p.photos.stamp_corner) == (1280, 80, "top_right")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[server]\nurl = "ftp://x"\n', "server.url must be an http(s) URL"),
        ("[sync]\ninterval_s = 1\n", "sync.interval_s must be between 5 and 86400"),
        ("[sync]\ninterval_s = true\n", "sync.interval_s must be an integer"),
        ("[sync]\nphoto_streams = 8\n", "sync.photo_streams must be between 1 and 3"),
        ('[photos]\nstamp = "yes"\n', "photos.stamp must be true or false"),
        ('[ui]\nlanguage = "fr"\n', "ui.language must be one of"),
        ('[ui]\nlanguag = "id"\n', "unknown key(s) in [ui]"),
        ("[kamera]\n", "unknown section [kamera]"),
        ('[map]\ntiles = "https://tiles.example/x.png"\n', "map.tiles must be a tile URL"),
        ('[map]\ntiles = "ftp://t/{z}/{x}/{y}.png"\n', "map.tiles must be an http(s) URL"),
        ("[map]\nattribution = 3\n", "map.attribution must be a string"),
        ("[server\n", "not valid TOML"),
    ],
)
def test_a_wrong_profile_names_file_and_key(tmp_path: Path, text: str, says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert says in str(err.value) and str(path) in str(err.value)


def test_the_map_tiles_and_attribution_come_from_the_profile(tmp_path: Path) -> None:
    shipped = load_profile(DEFAULT_PROFILE_PATH)
    assert "{z}" in shipped.map.tiles and shipped.map.attribution
    own = load_profile(
        write(tmp_path, '[map]\ntiles = "https://t.example/{z}/{x}/{y}.png"\nattribution = "X"\n')
    )
    assert (own.map.tiles, own.map.attribution) == ("https://t.example/{z}/{x}/{y}.png", "X")
    assert load_profile(write(tmp_path, '[map]\ntiles = ""\n')).map.tiles == ""


def test_a_missing_profile_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="not found"):
        load_profile(tmp_path / "nope.toml")


def test_preferences_round_trip_and_survive_garbage(tmp_path: Path) -> None:
    path = tmp_path / "preferences.json"
    profile = Profile()
    assert load_preferences(path, profile) == Preferences.defaults(profile)
    save_preferences(path, Preferences(language="en", theme="dark", photo_long_edge=2048))
    assert load_preferences(path, profile).photo_long_edge == 2048
    path.write_text('{"language": "xx", "photo_long_edge": true, "theme": "dark"}')
    prefs = load_preferences(path, profile)
    assert (prefs.language, prefs.photo_long_edge, prefs.theme) == ("id", 1600, "dark")
    path.write_text("{broken")
    assert load_preferences(path, profile) == Preferences.defaults(profile)


def test_formatting_in_both_languages() -> None:
    tr_id, tr_en = Translator("id"), Translator("en")
    at = datetime(2024, 5, 14, 3, 5, tzinfo=UTC)  # 10:05 WIB
    assert wib(at, tr_id) == "14 Mei 2024 10.05 WIB"
    assert wib(at, tr_en) == "14 May 2024 10:05 WIB"
    assert ago(at, at + timedelta(minutes=3), tr_id) == "3 menit lalu"
    assert ago(None, at, tr_en) == "never"
    assert distance_text(432, tr_id) == "430 m"
    assert distance_text(12_345, tr_id) == "12 km" and distance_text(1_250, tr_id) == "1,2 km"
    assert distance_text(1_250, tr_en) == "1.2 km"
    late = timedelta(hours=-5)
    assert time_left_text(UrgencyLevel.OVERDUE, late, tr_id) == "terlambat 5 jam"
    assert time_left_text(UrgencyLevel.CLOSED, late, tr_en) == "Closed"


def test_desktop_tokens_use_the_keyring_only_when_one_works() -> None:
    store = desktop_token_store()
    assert isinstance(store, KeyringTokenStore if keyring_usable() else MemoryTokenStore)


class StorageStandIn:
    """The secure-storage plugin's async surface (get_all/set/remove), in memory: the
    real one needs an Android keystore. Only the thread-to-loop bridge is under test."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = dict(values)

    async def get_all(self) -> dict[str, str]:
        return dict(self.values)

    async def set(self, key: str, value: str) -> None:
        await asyncio.sleep(0)
        self.values[key] = value

    async def remove(self, key: str) -> None:
        self.values.pop(key, None)


def test_secure_storage_store_bridges_the_sync_thread_to_the_loop() -> None:
    stored = '{"access": "a-1", "refresh": "r-1"}'
    storage = StorageStandIn({"tindak|http://srv|budi": stored, "other": "x"})
    seen: dict[str, Any] = {}

    async def run() -> None:
        store = SecureStorageTokenStore(storage)
        await store.load()
        assert store.get("http://srv/", "budi") == Tokens("a-1", "r-1")

        def sync_thread() -> None:  # the engine calls from its own thread
            store.set("http://srv", "budi", Tokens("a-2", "r-2"))
            seen["after_set"] = dict(storage.values)
            store.clear("http://srv", "budi")
            seen["after_clear"] = dict(storage.values)
            seen["get"] = store.get("http://srv", "budi")

        thread = threading.Thread(target=sync_thread)
        thread.start()
        while thread.is_alive():
            await asyncio.sleep(0.01)

    asyncio.run(run())
    assert '"a-2"' in seen["after_set"]["tindak|http://srv|budi"]
    assert "tindak|http://srv|budi" not in seen["after_clear"]
    assert seen["get"] is None and storage.values == {"other": "x"}
    assert "a-2" not in repr(Tokens("a-2", "r-2"))


def test_cli_arguments_and_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    args = cli.build_parser().parse_args(["demo", "--reports", "50", "--web"])
    assert (args.command, args.reports, args.web, args.dir) == ("demo", 50, True, "var/demo")
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    assert cli.default_data_dir() == tmp_path
    monkeypatch.delenv("FLET_APP_STORAGE_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert cli.default_data_dir() == tmp_path / "tindak"
    assert cli.main(["run", "--profile", str(tmp_path / "missing.toml")]) == 2


def test_packaging_configuration_for_flet_build() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    flet = config["tool"]["flet"]
    assert flet["product"] == "Tindak" and flet["bundle_id"].startswith(flet["org"])
    assert set(flet["permissions"]) == {"camera", "location", "photo_library"}
    app = flet["app"]
    module_file = ROOT / app["path"] / f"{app['module']}.py"
    assert module_file.is_file()  # flet build looks for <module>.py at the app path root
    assert {"tests", "server", "bench", "docs", "var"} <= set(app["exclude"])
    perms = flet["android"]["permission"]
    assert perms["android.permission.ACCESS_MEDIA_LOCATION"] is True
    assert perms["android.permission.ACCESS_BACKGROUND_LOCATION"] is False
    assert flet["web"]["cdn"] is False
    # The phone build carries the client only: no server dependency, and neither the
    # desktop nor the web client (flet build's pip reports platform_system Android/iOS).
    from packaging.requirements import Requirement

    for phone in ("Android", "iOS"):
        carried = {
            r.name
            for r in map(Requirement, config["project"]["dependencies"])
            if r.marker is None or r.marker.evaluate({"platform_system": phone})
        }
        assert "flet" in carried
        assert not carried & {"fastapi", "uvicorn", "sqlalchemy", "psycopg", "flet-web"}
        assert "flet-desktop" not in carried
    assert config["project"]["scripts"]["tindak"] == "officer_app.cli:main"

"""The packaged app's start (`flet build` runs main.py, which runs `phone_main`).

On a phone there is one page per process, so the device is built here, inside the page:
its data folder is Flet's app storage (`FLET_APP_STORAGE_DATA`), and the tokens go to
the platform's secure storage (Android keystore / iOS keychain) through
`SecureStorageTokenStore`, loaded before the sync engine starts. On a desktop build the
OS keyring is used (memory when none is usable, see officer_app/tokens.py).
"""

from __future__ import annotations

import logging

import flet as ft

from .app import make_main
from .cli import default_data_dir
from .device import Device
from .profile import load_profile
from .tokens import SecureStorageTokenStore, desktop_token_store

log = logging.getLogger(__name__)


async def phone_main(page: ft.Page) -> None:
    from sync import TokenStore

    profile = load_profile()
    mobile = bool(page.platform and page.platform.is_mobile())
    store: TokenStore
    if mobile:
        import flet_secure_storage as fss

        secure = SecureStorageTokenStore(fss.SecureStorage())
        await secure.load()
        store = secure
    else:
        store = desktop_token_store()
    device = Device(profile, default_data_dir(), store, device_name=_device_name(page))
    device.start()
    page.on_close = lambda: device.close()
    make_main(device)(page)


def _device_name(page: ft.Page) -> str:
    platform = page.platform.value if page.platform else "unknown"
    return f"Tindak ({platform})"

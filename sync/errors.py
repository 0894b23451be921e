"""Exceptions of the sync engine: one tree, mapped from httpx and HTTP at one boundary.

    SyncError                    root; .code, .message_id, .message_en for the UI
     ├── Offline                 connect / DNS / timeout / connection cut mid-exchange
     ├── ServerError             5xx, a redirect, or a body that is not the protocol's
     │                           JSON (a captive portal's HTML "200 OK")
     ├── ProtocolError           a 4xx the engine did not expect (.status, .code)
     ├── AccountConflict         another user's unsent work is on this device
     ├── PhotoUnavailable        a photo's bytes cannot be had: not on the server or
     │                           outside the user's scope (photo_not_available), or
     │                           they do not hash to their name (photo_mismatch)
     └── AuthError
          ├── LoginRefused       wrong credentials or throttled (.retry_after_s)
          ├── TokenExpired       401 token_expired (refreshed once, internally)
          ├── SessionExpired     401 session_revoked / token_invalid (or any other 401)
          │                      from any call, or a refresh that did not help: the
          │                      user logs in again; every piece of data stays
          └── DeviceRevoked      401 device_revoked from any call (refresh included): an
                                 admin revoked this device: stop, report unsent work,
                                 then wipe

The server's code alone decides between the last two, never which call it answered:
only `device_revoked` ever leads to a wipe, so a network cut (e.g. a lost refresh
answer, whose retry the server may refuse with `session_revoked`) never does.

`sync/transport.py` is the only module that turns httpx exceptions and HTTP statuses
into these; every other module catches the root or a precise leaf.
"""

from __future__ import annotations

from typing import ClassVar


class SyncError(Exception):
    """Root of every error the sync engine raises."""

    default_code: ClassVar[str] = "sync_error"
    default_id: ClassVar[str] = "Sinkronisasi gagal."
    default_en: ClassVar[str] = "Synchronisation failed."

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        message_id: str | None = None,
        message_en: str | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message_id = message_id or self.default_id
        self.message_en = message_en or self.default_en
        self.detail = detail
        super().__init__(f"{self.code}: {detail or self.message_en}")

    def message(self, lang: str) -> str:
        return self.message_id if lang == "id" else self.message_en


class Offline(SyncError):
    default_code = "offline"
    default_id = "Tidak ada koneksi ke server. Data tersimpan dan akan dikirim nanti."
    default_en = "No connection to the server. Your data is kept and will be sent later."


class ServerError(SyncError):
    default_code = "server_error"
    default_id = "Server sedang bermasalah atau jaringan mengalihkan permintaan. Dicoba lagi nanti."
    default_en = "The server has a problem or the network redirected the request. Retrying later."

    def __init__(self, detail: str = "", *, status: int | None = None, **kw: str | None) -> None:
        super().__init__(detail, **kw)
        self.status = status


class ProtocolError(SyncError):
    default_code = "protocol_error"
    default_id = "Server menolak permintaan aplikasi. Perbarui aplikasi bila masalah berlanjut."
    default_en = "The server refused the app's request. Update the app if this persists."

    def __init__(self, detail: str = "", *, status: int | None = None, **kw: str | None) -> None:
        super().__init__(detail, **kw)
        self.status = status


class AccountConflict(SyncError):
    default_code = "account_conflict"
    default_id = (
        "Perangkat ini masih menyimpan pekerjaan pengguna lain yang belum terkirim. "
        "Masuk dengan akun tersebut untuk mengirimnya terlebih dahulu."
    )
    default_en = (
        "This device still holds another user's unsent work. Sign in as that user to send it first."
    )


class PhotoUnavailable(SyncError):
    NOT_AVAILABLE: ClassVar[str] = "photo_not_available"
    MISMATCH: ClassVar[str] = "photo_mismatch"

    default_code = NOT_AVAILABLE
    default_id = "Foto tidak tersedia untuk akun ini."
    default_en = "This photo is not available to this account."


class AuthError(SyncError):
    default_code = "auth_error"
    default_id = "Sesi tidak sah."
    default_en = "The session is not valid."


class LoginRefused(AuthError):
    default_code = "invalid_credentials"
    default_id = "Nama pengguna atau kata sandi salah."
    default_en = "Wrong username or password."

    def __init__(self, detail: str = "", *, retry_after_s: float | None = None, **kw: str | None):
        super().__init__(detail, **kw)
        self.retry_after_s = retry_after_s


class TokenExpired(AuthError):
    default_code = "token_expired"
    default_id = "Sesi perlu diperbarui."
    default_en = "The session needs refreshing."


class SessionExpired(AuthError):
    default_code = "session_expired"
    default_id = "Sesi Anda berakhir. Silakan masuk lagi; data Anda tetap tersimpan."
    default_en = "Your session has ended. Please sign in again; your data is kept."


class DeviceRevoked(AuthError):
    default_code = "device_revoked"
    default_id = (
        "Akses perangkat ini telah dicabut. Periksa pekerjaan yang belum terkirim sebelum "
        "data di perangkat dihapus."
    )
    default_en = (
        "This device's access was revoked. Review the unsent work before the data on the "
        "device is erased."
    )

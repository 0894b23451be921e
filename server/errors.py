"""The server's exception tree and the JSON error envelope.

    ServerError                       500 internal_error
     ├── BadRequest                   400 bad_request
     │    ├── InvalidJson             400 invalid_json
     │    ├── InvalidCursor           400 invalid_cursor
     │    └── NulCharacter            400 nul_character (a NUL in any text, refused at
     │                                  the edge: PostgreSQL cannot store one)
     ├── AuthError                    401
     │    ├── InvalidCredentials          invalid_credentials
     │    ├── TokenExpired                token_expired   (refresh and retry)
     │    ├── TokenInvalid                token_invalid   (log in again, data kept)
     │    ├── SessionRevoked              session_revoked (the session ended - logout,
     │    │                                 a new login, refresh-token reuse, deactivated
     │    │                                 user: log in again, data kept)
     │    └── DeviceRevoked               device_revoked  (an admin revoked this device:
     │                                      report unsent work, then wipe)
     ├── Forbidden                    403 forbidden
     ├── NotFound                     404 not_found
     ├── MethodNotAllowed             405 method_not_allowed
     ├── Conflict                     409 conflict
     │    ├── OffsetMismatch          409 offset_mismatch (carries the photo's status)
     │    └── UploadOwned             409 upload_owned (another user's upload)
     ├── BodyTooLarge                 413 body_too_large
     │    └── PhotoTooLarge           413 photo_too_large
     ├── InvalidRequest               422 invalid_request
     ├── PhotoRefused                 422
     │    ├── HashMismatch                hash_mismatch
     │    ├── InvalidImage                invalid_image
     │    └── ImageTooLarge               image_too_large
     ├── TooManyAttempts              429 too_many_attempts (carries Retry-After)
     ├── PhotoStoreUnavailable        503 photo_store_unavailable (the object storage
     │    │                             did not answer or refused: retry later)
     │    └── PhotoStoreMissing           the S3 store is configured but boto3 is not
     │                                    installed (server/photostore/, at start)
     │   (the rooms' own, same root, mostly met off the JSON API:)
     ├── IntakeError                  Open311's refusals, answered in Open311's own shape
     │                                  (server/intake.py, `http_status`, `description`)
     ├── RoutingError                 422 a point cannot be routed (server/routing.py)
     │    ├── InvalidCoordinates
     │    └── OutsideJakarta
     ├── DemoError                    409 the demo seeder refuses (server/demo/seed.py)
     │    ├── AlreadySeeded
     │    ├── UnitConflict
     │    └── YearError               (server/demo/year.py) no published figures for the year
     ├── CliError                     an admin command refuses (server/cli.py, exit 1)
 ├── DatabaseTooNew               a newer server migrated the database: every start
 │                                  refuses (server/migrations.py, exit 1)
     └── ServerStartError             the embedded server did not come up (server/embedded.py)

Every 4xx/5xx the server sends is `{"error": {"code", "message_id", "message_en"}}`
(Indonesian first), except under `/open311`, where it is the GeoReport v2 list
`[{"code": <status>, "description": "<Indonesian> / <English>"}]` (`server/answers.py`):
`server/api.py` maps these exceptions, FastAPI's validation errors and Starlette's HTTP
errors to it at one boundary, and the middleware uses the same rendering. A refused *workflow action* is not an
error: it is a `MutationResult` with a `domain.Refusal` code.
"""

from __future__ import annotations

from typing import Any, ClassVar


def envelope(code: str, message_id: str, message_en: str) -> dict[str, Any]:
    return {"error": {"code": code, "message_id": message_id, "message_en": message_en}}


class ServerError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_id: ClassVar[str] = "Terjadi kesalahan pada server."
    default_en: ClassVar[str] = "Something went wrong on the server."

    def __init__(self, message_en: str | None = None, message_id: str | None = None) -> None:
        self.message_en = message_en or self.default_en
        self.message_id = message_id or self.default_id
        super().__init__(self.message_en)

    def headers(self) -> dict[str, str]:
        return {}

    def body(self) -> dict[str, Any]:
        return envelope(self.code, self.message_id, self.message_en)


class BadRequest(ServerError):
    status = 400
    code = "bad_request"
    default_id = "Permintaan tidak sah."
    default_en = "Bad request."


class InvalidJson(BadRequest):
    code = "invalid_json"
    default_id = "Isi permintaan bukan JSON yang sah."
    default_en = "The request body is not valid JSON."


class InvalidCursor(BadRequest):
    code = "invalid_cursor"
    default_id = "Kursor sinkronisasi tidak dikenal; mulai sinkronisasi dari awal."
    default_en = "Unknown sync cursor; start the sync from the beginning."


class NulCharacter(BadRequest):
    code = "nul_character"
    default_id = "Teks dalam permintaan tidak boleh berisi karakter NUL (\\u0000)."
    default_en = "Text in the request may not contain a NUL character (\\u0000)."


class AuthError(ServerError):
    status = 401
    code = "unauthorized"
    default_id = "Silakan masuk terlebih dahulu."
    default_en = "Please log in first."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class InvalidCredentials(AuthError):
    code = "invalid_credentials"
    default_id = "Nama pengguna atau kata sandi salah."
    default_en = "Wrong username or password."


class TokenExpired(AuthError):
    code = "token_expired"
    default_id = "Sesi kedaluwarsa; perbarui token."
    default_en = "The token has expired; refresh it."


class TokenInvalid(AuthError):
    code = "token_invalid"
    default_id = "Token tidak sah; silakan masuk kembali."
    default_en = "Invalid token; please log in again."


class SessionRevoked(AuthError):
    """The session ended without an admin revoking the device: a new login fixes it."""

    code = "session_revoked"
    default_id = (
        "Sesi ini telah berakhir; silakan masuk kembali. Data di perangkat tetap tersimpan."
    )
    default_en = "This session has ended; please log in again. The data on the device is kept."


class DeviceRevoked(AuthError):
    """An admin revoked the device (`revoke_device`): it must stop, report its unsent
    work and wipe its data. Answered for every token of the revoked sessions."""

    code = "device_revoked"
    default_id = (
        "Akses perangkat ini telah dicabut oleh admin. Laporkan pekerjaan yang belum "
        "terkirim, lalu data di perangkat akan dihapus."
    )
    default_en = (
        "An administrator revoked this device's access. Report the unsent work; the data "
        "on the device will then be erased."
    )


class Forbidden(ServerError):
    status = 403
    code = "forbidden"
    default_id = "Anda tidak berwenang melakukan ini."
    default_en = "You are not allowed to do this."


class NotFound(ServerError):
    status = 404
    code = "not_found"
    default_id = "Tidak ditemukan."
    default_en = "Not found."


class MethodNotAllowed(ServerError):
    status = 405
    code = "method_not_allowed"
    default_id = "Metode tidak diizinkan."
    default_en = "Method not allowed."


class Conflict(ServerError):
    status = 409
    code = "conflict"
    default_id = "Permintaan bertentangan dengan keadaan saat ini."
    default_en = "The request conflicts with the current state."


class OffsetMismatch(Conflict):
    """The chunk does not start where the server's copy ends: resume from `status`."""

    code = "offset_mismatch"
    default_id = "Potongan foto tidak bersambung; lanjutkan dari posisi yang dikirim server."
    default_en = "The photo chunk does not continue the upload; resume at the server's offset."

    def __init__(self, status: dict[str, Any]) -> None:
        super().__init__()
        self.status_wire = status

    def body(self) -> dict[str, Any]:
        return {**super().body(), **self.status_wire}


class UploadOwned(Conflict):
    """The photo is held (or being uploaded) by another user: this request changes
    nothing and the upload's progress is not revealed."""

    code = "upload_owned"
    default_id = "Foto ini sedang atau sudah diunggah oleh pengguna lain."
    default_en = "This photo is being or has been uploaded by another user."


class BodyTooLarge(ServerError):
    status = 413
    code = "body_too_large"
    default_id = "Isi permintaan terlalu besar."
    default_en = "The request body is too large."


class PhotoTooLarge(BodyTooLarge):
    code = "photo_too_large"
    default_id = "Ukuran foto melebihi batas."
    default_en = "The photo exceeds the size limit."


class InvalidRequest(ServerError):
    status = 422
    code = "invalid_request"
    default_id = "Data permintaan tidak sah."
    default_en = "Invalid request data."


class PhotoRefused(ServerError):
    status = 422
    code = "photo_refused"
    default_id = "Foto ditolak."
    default_en = "The photo was refused."


class HashMismatch(PhotoRefused):
    code = "hash_mismatch"
    default_id = "Isi foto tidak cocok dengan sidik SHA-256-nya; unggah ulang."
    default_en = "The photo's bytes do not match its SHA-256; upload it again."


class InvalidImage(PhotoRefused):
    code = "invalid_image"
    default_id = "Berkas bukan gambar JPEG atau PNG yang utuh."
    default_en = "The file is not a complete JPEG or PNG image."


class ImageTooLarge(PhotoRefused):
    code = "image_too_large"
    default_id = "Resolusi gambar melebihi batas."
    default_en = "The image has too many pixels."


class TooManyAttempts(ServerError):
    status = 429
    code = "too_many_attempts"
    default_id = "Terlalu banyak percobaan masuk yang gagal; coba lagi nanti."
    default_en = "Too many failed login attempts; try again later."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__()
        self.retry_after_s = max(1, retry_after_s)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class PhotoStoreUnavailable(ServerError):
    """The photo store (object storage) failed; nothing was committed, so a retry of the
    same request is safe (`server/photostore/s3.py` maps the client's errors here)."""

    status = 503
    code = "photo_store_unavailable"
    default_id = "Penyimpanan foto sedang tidak dapat dihubungi; coba lagi nanti."
    default_en = "The photo storage cannot be reached right now; try again later."


class PhotoStoreMissing(PhotoStoreUnavailable):
    """`TINDAK_PHOTO_STORE=s3` without its client library: said in one line at start."""

    default_id = (
        "Penyimpanan foto S3 dipilih tetapi boto3 belum terpasang: pip install 'tindak[s3]'"
    )
    default_en = (
        "The S3 photo store is configured but boto3 is not installed: pip install 'tindak[s3]'"
    )

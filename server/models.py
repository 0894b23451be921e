"""Request and response models of the HTTP API (pydantic, at the JSON edge only).

Requests are strict: no bool for an int, no number for a string, bounded strings,
lists and integers, so a malformed request is a clear 422 before any service runs.
Response models document the wire shapes in OpenAPI; the handlers send the
`domain.protocol` types' `to_wire()` dicts, which these models describe.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from domain.protocol import MAX_PUSH_BATCH

Text64 = Annotated[str, Field(min_length=1, max_length=64)]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]
MAX_SEQ = 2**53  # an integer every JSON client represents exactly


class StrictIn(BaseModel):
    # extra="ignore": a newer client may send more fields; types stay strict.
    model_config = ConfigDict(strict=True, extra="ignore")


class LoginIn(StrictIn):
    username: Text200
    password: Annotated[str, Field(min_length=1, max_length=512)]
    device_id: Text200
    device_name: Annotated[str, Field(max_length=200)] = ""


class RefreshIn(StrictIn):
    refresh_token: Text200


class MutationIn(StrictIn):
    id: Text64
    device_seq: Annotated[int, Field(ge=0, le=MAX_SEQ)]
    action: Annotated[str, Field(min_length=1, max_length=32)]
    report_id: Text64
    payload: dict[str, Any] = Field(default_factory=dict)
    created_at: Annotated[str, Field(max_length=64)] | None = None


class PushIn(StrictIn):
    mutations: Annotated[list[MutationIn], Field(max_length=MAX_PUSH_BATCH)]


# --- responses (documentation of the wire shapes) --------------------------------------


class ErrorBody(BaseModel):
    code: str
    message_id: str
    message_en: str


class ErrorOut(BaseModel):
    error: ErrorBody


class UserOut(BaseModel):
    id: str
    username: str
    name: str
    role: str
    unit_id: str | None
    unit_name: str


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int = Field(description="Seconds until the access token expires.")
    token_type: str = "Bearer"
    user: UserOut


class ChangeOut(BaseModel):
    op: str = Field(description="upsert | remove")
    entity: str = Field(description="report | user")
    id: str
    data: dict[str, Any] | None = Field(
        None, description="For an upsert: the ReportSnapshot or UserInfo wire form."
    )


class PullOut(BaseModel):
    changes: list[ChangeOut]
    cursor: str = Field(description="Opaque; send it back on the next pull.")
    has_more: bool
    server_time: str


class MutationResultOut(BaseModel):
    id: str
    outcome: str = Field(description="applied | rejected")
    code: str | None = Field(None, description="A domain.Refusal code when rejected.")
    message_id: str
    message_en: str
    report_version: int | None


class PushOut(BaseModel):
    results: list[MutationResultOut]
    server_time: str


class PhotoStatusOut(BaseModel):
    sha256: str
    size: int
    received: int
    complete: bool


class HealthOut(BaseModel):
    status: str
    protocol_version: int
    server_time: str
    database: str

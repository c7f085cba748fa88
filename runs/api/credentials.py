"""/v1/credentials: store a credential (encrypted, shown once as a masked hint), list, get, delete; and
POST /v1/credentials/totp, where a 2FA code (or the message holding it) is pushed for a waiting run."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from runs import selectors
from runs.api.auth import request_organization
from runs.api.routing import route
from runs.execution.totp_extract import code_from_content
from runs.presenters.credentials import credential_to_response, totp_code_to_response
from runs.selectors.credentials import credential_get_for_org, credential_list_for_org
from runs.services.credentials import credential_create, credential_delete, credential_type_parse
from runs.services.totp_codes import totp_code_create

router = Router(tags=["Credentials"])


class CreateCredentialRequest(Schema):
    name: str = Field(description="Name of the credential")
    credential_type: str = Field(description="password, credit_card or secret")
    credential: dict[str, Any] = Field(
        description="password: username, password, totp (base32 secret), totp_type, totp_identifier; "
        "credit_card: card_number, card_cvv, card_exp_month, card_exp_year, card_brand, card_holder_name; "
        "secret: secret_value, secret_label"
    )


class CredentialResponse(Schema):
    credential_id: str
    credential: dict[str, Any] = Field(description="Only what may be shown: never a password or number")
    credential_type: str
    name: str
    created_at: datetime | None = None
    modified_at: datetime | None = None


class CredentialListQuery(Schema):
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=10, ge=1, le=100)
    credential_type: str | None = None
    vault_type: str | None = None
    search: str | None = Field(None, max_length=500, pattern=r"^[^\x00]*$")


class TOTPCodeCreate(Schema):
    totp_identifier: str = Field(max_length=500)
    content: str = Field(max_length=20_000)
    task_id: str | None = None
    workflow_id: str | None = None
    workflow_run_id: str | None = None
    source: str | None = None
    expired_at: datetime | None = None

    @field_validator("expired_at", mode="before")
    @classmethod
    def _date_time_text(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str | datetime):
            raise ValueError("expired_at must be an ISO 8601 date-time string")
        return value


class TOTPCode(Schema):
    totp_code_id: str
    totp_identifier: str
    task_id: str | None = None
    workflow_id: str | None = None
    workflow_run_id: str | None = None
    source: str | None = None
    content: str
    code: str
    expired_at: datetime | None = None
    organization_id: str
    created_at: datetime
    modified_at: datetime
    otp_type: str | None = None


@route(
    router,
    "POST",
    "/credentials/totp",
    response=TOTPCode,
    operation_id="send_totp_code_v1_credentials_totp_post",
)
def send_totp_code(request: HttpRequest, payload: TOTPCodeCreate):
    """Store a 2FA code for runs waiting on `totp_identifier`: content of up to 10 characters is the code;
    a longer message has its code found by one LLM call."""
    organization = request_organization(request)
    code = code_from_content(content=payload.content, organization=organization)
    return totp_code_to_response(
        totp_code_create(organization=organization, code=code or "", **payload.model_dump())
    )


@route(
    router,
    "POST",
    "/credentials",
    response={201: CredentialResponse},
    operation_id="create_credential_v1_credentials_post",
)
def create_credential(request: HttpRequest, payload: CreateCredentialRequest):
    """Store a credential, encrypted; the answer (and every later one) shows only a masked hint."""
    credential = credential_create(organization=request_organization(request), **payload.model_dump())
    return 201, credential_to_response(credential)


@route(
    router,
    "GET",
    "/credentials",
    response=list[CredentialResponse],
    operation_id="get_credentials_v1_credentials_get",
)
def get_credentials(request: HttpRequest, query: Query[CredentialListQuery]):
    kind = credential_type_parse(query.credential_type) if query.credential_type else None
    if query.vault_type not in (None, "", "skyvern"):
        return []  # this server keeps every credential itself
    rows = credential_list_for_org(
        organization=request_organization(request), credential_type=kind, search=query.search or ""
    )
    page = selectors.page_of(rows, page=query.page, page_size=query.page_size)
    return [credential_to_response(credential) for credential in page]


@route(
    router,
    "GET",
    "/credentials/{credential_id}",
    response=CredentialResponse,
    operation_id="get_credential_v1_credentials__credential_id__get",
)
def get_credential(request: HttpRequest, credential_id: str):
    credential = credential_get_for_org(
        organization=request_organization(request), credential_id=credential_id
    )
    return credential_to_response(credential)


@route(
    router,
    "POST",
    "/credentials/{credential_id}/delete",
    response={204: None},
    operation_id="delete_credential_v1_credentials__credential_id__delete_post",
)
def delete_credential(request: HttpRequest, credential_id: str):
    """Delete the credential: its secret is dropped at once; runs that named it can no longer use it."""
    _delete(request, credential_id)
    return 204, None


@route(
    router, "DELETE", "/credentials/{credential_id}", response={204: None}, operation_id="delete_credential"
)
def delete_credential_rest(request: HttpRequest, credential_id: str):
    _delete(request, credential_id)
    return 204, None


def _delete(request: HttpRequest, credential_id: str) -> None:
    credential = credential_get_for_org(
        organization=request_organization(request), credential_id=credential_id
    )
    credential_delete(credential=credential)

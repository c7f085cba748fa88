"""The legacy spec's credential and 2FA routes (/api/v1/totp, /api/v1/credentials…): the /v1 operations
under their old paths (a created credential answers 200 there, as the legacy spec says)."""

from django.http import HttpRequest
from ninja import Router

from runs.api import credentials as v1
from runs.api.routing import route

router = Router(tags=["Credentials"])

route(router, "POST", "/totp", response=v1.TOTPCode, operation_id="save_totp_code_api_v1_totp_post")(
    v1.send_totp_code
)
route(
    router,
    "GET",
    "/credentials",
    response=list[v1.CredentialResponse],
    operation_id="get_credentials_api_v1_credentials_get",
)(v1.get_credentials)
route(
    router,
    "GET",
    "/credentials/{credential_id}",
    response=v1.CredentialResponse,
    operation_id="get_credential_api_v1_credentials__credential_id__get",
)(v1.get_credential)


@route(
    router,
    "POST",
    "/credentials",
    response=v1.CredentialResponse,
    operation_id="create_credential_api_v1_credentials_post",
)
def create_credential(request: HttpRequest, payload: v1.CreateCredentialRequest):
    return v1.create_credential(request, payload)[1]


@route(
    router,
    "DELETE",
    "/credentials/{credential_id}",
    response={200: None},
    operation_id="delete_credential_api_v1_credentials__credential_id__delete",
)
def delete_credential(request: HttpRequest, credential_id: str):
    v1.delete_credential(request, credential_id)
    return 200, None

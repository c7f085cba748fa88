"""GET /api/v1/models: the models a request's `model: {"model_name": ...}` may name, as Skyvern's route
answers it ({"models": {name: label}}), the default first."""

from django.http import HttpRequest
from ninja import Router, Schema

from runs import selectors
from runs.api.auth import request_organization
from runs.api.routing import route

router = Router(tags=["Models"])


class ModelsResponse(Schema):
    models: dict[str, str]


@route(router, "GET", "/models", response=ModelsResponse, operation_id="get_models_api_v1_models_get")
def get_models(request: HttpRequest):
    """Every model this server is configured with, keyed by the name a run request may give; the
    organization's default model (or else the server's) comes first."""
    organization = request_organization(request)
    default = selectors.model_resolve(name=None, organization=organization)
    offered = selectors.models_offered()
    return {"models": _ordered([default, *offered] if default is not None else offered)}


def _ordered(choices: list[selectors.ModelChoice]) -> dict[str, str]:
    models: dict[str, str] = {}
    for choice in choices:
        models.setdefault(choice.name, choice.label)
    return models

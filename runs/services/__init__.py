"""Writes. Each service is keyword-only and named <entity>_<action>; callers import from here."""

from runs.services.keys import api_key_authenticate, api_key_create, api_key_raw, api_key_revoke
from runs.services.orgs import organization_get_or_create, user_create
from runs.services.runs import (
    IllegalTransition,
    run_cancel,
    run_claim,
    run_create,
    run_enqueue,
    run_transition,
)

__all__ = [
    "IllegalTransition",
    "api_key_authenticate",
    "api_key_create",
    "api_key_raw",
    "api_key_revoke",
    "organization_get_or_create",
    "run_cancel",
    "run_claim",
    "run_create",
    "run_enqueue",
    "run_transition",
    "user_create",
]

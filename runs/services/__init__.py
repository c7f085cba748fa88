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
from runs.services.steps import (
    action_record,
    artifact_store,
    run_fail,
    run_finish,
    run_heartbeat,
    run_progress,
    run_reap_stale,
    step_finish,
    step_record,
)

__all__ = [
    "IllegalTransition",
    "action_record",
    "api_key_authenticate",
    "api_key_create",
    "api_key_raw",
    "api_key_revoke",
    "artifact_store",
    "organization_get_or_create",
    "run_cancel",
    "run_claim",
    "run_create",
    "run_enqueue",
    "run_fail",
    "run_finish",
    "run_heartbeat",
    "run_progress",
    "run_reap_stale",
    "run_transition",
    "step_finish",
    "step_record",
    "user_create",
]

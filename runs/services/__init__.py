"""Writes: keyword-only services named <entity>_<action> (runs, steps, artifacts, keys, orgs, requests)."""

from runs.exceptions import IllegalTransition
from runs.services.artifacts import artifact_store
from runs.services.keys import api_key_authenticate, api_key_create, api_key_raw, api_key_revoke
from runs.services.members import MemberChangeRefused, member_add, member_remove
from runs.services.orgs import organization_get_or_create, user_create
from runs.services.runs import (
    run_cancel,
    run_claim,
    run_create,
    run_enqueue,
    run_fail,
    run_transition,
    runs_redispatch,
)
from runs.services.steps import (
    action_record,
    run_finish,
    run_heartbeat,
    run_progress,
    run_reap_stale,
    run_start_url,
    run_warn,
    step_finish,
    step_record,
    thought_record,
)

__all__ = [
    "IllegalTransition",
    "MemberChangeRefused",
    "action_record",
    "api_key_authenticate",
    "api_key_create",
    "api_key_raw",
    "api_key_revoke",
    "artifact_store",
    "member_add",
    "member_remove",
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
    "run_start_url",
    "run_transition",
    "run_warn",
    "runs_redispatch",
    "step_finish",
    "step_record",
    "thought_record",
    "user_create",
]

"""Reads: keyword-only and organization-scoped (another organization's row is simply not found)."""

from runs.selectors.artifacts import (
    SCREENSHOT_TYPES,
    RunMedia,
    artifact_get,
    artifact_get_for_org,
    artifact_latest,
    artifacts_for_run,
    media_for_runs,
)
from runs.selectors.keys import api_key_find, api_key_get_for_org, api_keys_for_org
from runs.selectors.llms import ModelChoice, model_primary, model_resolve, model_secondary, models_offered
from runs.selectors.members import (
    members_for_org,
    membership_for_user,
    membership_get_for_org,
    organization_for_user,
)
from runs.selectors.queue import QueueHealth, queue_health_for_org
from runs.selectors.runs import (
    page_of,
    run_get_for_org,
    run_list_for_org,
    run_matches_filters,
    run_rerun_source,
    run_reruns,
    run_status,
    runs_get_for_org,
)
from runs.selectors.steps import (
    DIAGNOSTIC_TYPES,
    StepView,
    actions_for_run,
    run_steps_with_actions,
    step_get_for_org,
    step_get_for_run,
    steps_for_run,
    thoughts_for_run,
)
from runs.selectors.workflows import (
    blocks_for_run,
    workflow_get_for_org,
    workflow_list_for_org,
    workflow_runs_for_org,
    workflow_versions,
)

__all__ = [
    "blocks_for_run",
    "workflow_get_for_org",
    "workflow_list_for_org",
    "workflow_runs_for_org",
    "workflow_versions",
    "ModelChoice",
    "DIAGNOSTIC_TYPES",
    "SCREENSHOT_TYPES",
    "RunMedia",
    "StepView",
    "actions_for_run",
    "api_key_find",
    "api_key_get_for_org",
    "api_keys_for_org",
    "artifact_get",
    "artifact_get_for_org",
    "artifact_latest",
    "artifacts_for_run",
    "media_for_runs",
    "QueueHealth",
    "queue_health_for_org",
    "members_for_org",
    "membership_for_user",
    "membership_get_for_org",
    "model_primary",
    "run_rerun_source",
    "run_reruns",
    "model_resolve",
    "model_secondary",
    "models_offered",
    "organization_for_user",
    "page_of",
    "run_get_for_org",
    "run_list_for_org",
    "run_matches_filters",
    "run_status",
    "run_steps_with_actions",
    "runs_get_for_org",
    "step_get_for_org",
    "step_get_for_run",
    "steps_for_run",
    "thoughts_for_run",
]

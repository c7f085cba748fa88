"""Ninja schemas with the wire names of Skyvern's API (classic /v1 and legacy /api/v1).

Request schemas check types only and forbid unknown fields; what a value means is checked by
runs.services.run_requests. Response schemas are generous where the database holds free-form JSON (outputs,
errors, the stored request), so a stored value can never turn a read into a 500.
"""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from runs.choices import (
    ActionStatus,
    ProxyLocation,
    RunEngine,
    RunStatus,
    RunType,
    StepStatus,
    WorkflowBlockStatus,
)
from runs.services.run_request_schema import GeoTarget, TaskRunRequest

__all__ = ["GeoTarget", "TaskRunRequest"]  # re-exported: the API documents the request with the rest


MAX_PAGE = 100_000
NO_NUL = r"^[^\x00]*$"
MAX_BULK_CANCEL = 100

# Filters accept every value Skyvern's SDK may send; a status or type no run here can have matches nothing.
RunStatusFilter = Literal[(*RunStatus.values, "paused")]
RunTypeFilter = Literal[(*RunType.values, "task_v3", "workflow_run", "yutori_navigator")]


class ErrorDetail(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorDetail(Schema):
    detail: list[FieldError]


class RunListQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(10, ge=1, le=100)
    status: list[RunStatusFilter] | None = Field(None, description="Repeat to ask for several statuses")
    run_type: list[RunTypeFilter] | None = Field(None, description="Repeat to ask for several run types")
    search_key: str | None = Field(
        None, max_length=500, pattern=NO_NUL, description="Case-insensitive, in title, prompt or url"
    )
    search: str | None = Field(None, max_length=500, pattern=NO_NUL, description="The same as search_key")


class LegacyTaskListQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(10, ge=1, le=1000)
    task_status: list[RunStatus] | None = None
    sort: Literal["created_at", "modified_at"] = "created_at"
    order: Literal["asc", "desc"] = "desc"


class FileInfo(Schema):
    url: str
    checksum: str | None = None
    filename: str | None = None
    file_size: int | None = None
    modified_at: datetime | None = None
    artifact_id: str | None = None


class TaskRunResponse(Schema):
    run_id: str
    status: RunStatus
    output: Any = Field(default=None, description="What the run extracted, shaped by data_extraction_schema")
    downloaded_files: list[FileInfo] | None = None
    recording_url: str | None = None
    screenshot_urls: list[str] | None = Field(default=None, description="Latest first; signed links")
    failure_reason: str | None = None
    errors: list[dict[str, Any]] | None = None
    created_at: datetime
    modified_at: datetime
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    app_url: str | None = None
    browser_session_id: str | None = None
    browser_profile_id: str | None = None
    max_screenshot_scrolls: int | None = None
    script_run: dict[str, Any] | None = None
    step_count: int | None = None
    run_type: RunType
    run_request: dict[str, Any] | None = Field(default=None, description="The normalised TaskRunRequest")
    # Not in Skyvern's schema (its SDK models accept extra fields): what the dashboard shows.
    title: str | None = None
    input_token_count: int = 0
    output_token_count: int = 0
    total_cost: float = 0
    # A workflow run's workflow, or the workflow a task published with publish_workflow.
    workflow_permanent_id: str | None = None


class RunListItem(TaskRunResponse):
    """A run in GET /v1/runs: the whole run, plus the fields of Skyvern's TaskRunListItem."""

    task_run_id: str = Field(description="The same as run_id")
    task_run_type: str = Field(description="The same as run_type")
    workflow_permanent_id: str | None = None
    workflow_deleted: bool | None = None
    trigger_type: str | None = None
    truncated: bool | None = Field(
        default=None,
        description="Long text shortened to keep the page small; GET /v1/runs/{run_id} has it whole",
    )


class BulkCancelRequest(Schema):
    run_ids: list[str] = Field(min_length=1, max_length=MAX_BULK_CANCEL)


class BulkCancelResponse(Schema):
    cancelled: list[str] = Field(description="Runs this call canceled")
    failed: list[str] = Field(description="Runs not found, or already finished")


class Artifact(Schema):
    artifact_id: str
    artifact_type: str
    uri: str = Field(description="Returns the file to the owning organization's API key")
    signed_url: str | None = Field(default=None, description="Returns the file to anyone, until it expires")
    organization_id: str
    run_id: str | None = None
    task_id: str | None = None
    step_id: str | None = None
    workflow_run_id: str | None = None
    workflow_run_block_id: str | None = None
    observer_cruise_id: str | None = None
    observer_thought_id: str | None = None
    ai_suggestion_id: str | None = None
    filename: str | None = None
    content_type: str | None = None
    size: int = 0
    checksum: str | None = None
    created_at: datetime
    modified_at: datetime


class Action(Schema):
    action_type: str
    status: ActionStatus = ActionStatus.PENDING
    action_id: str | None = None
    organization_id: str | None = None
    workflow_run_id: str | None = None
    task_id: str | None = None
    step_id: str | None = None
    step_order: int | None = None
    action_order: int | None = None
    reasoning: str | None = None
    element_id: str | None = None
    text: str | None = None
    option: dict[str, Any] | None = None
    file_url: str | None = None
    response: str | None = None
    result: Any = None
    screenshot_url: str | None = None
    # Coordinate engines (openai-cua, anthropic-cua, ui-tars): where the action landed on its screenshot, in
    # viewport pixels. Not in Skyvern's schema; its SDK models keep unknown fields.
    x: float | None = None
    y: float | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None


class TimelineBlock(Schema):
    """One attempt of one step, in the shape of Skyvern's WorkflowRunBlock (a workflow run's entries are its
    blocks, with step_id null, and their steps among the children)."""

    workflow_run_block_id: str
    workflow_run_id: str
    organization_id: str
    block_type: str = "task"
    label: str | None = None
    status: StepStatus | WorkflowBlockStatus | None = None
    output: Any = None
    engine: RunEngine | None = None
    task_id: str | None = None
    url: str | None = None
    navigation_goal: str | None = None
    actions: list[Action] = []
    duration: float | None = None
    step_id: str | None = None
    order: int
    retry_index: int = 0
    # Workflow runs: the loop iteration a block ran in, its parent block, what it ran with, why it failed.
    parent_workflow_run_block_id: str | None = None
    loop_index: int | None = None
    loop_value: Any = None
    failure_reason: str | None = None
    data_extraction_goal: str | None = None
    prompt: str | None = None
    inputs: dict[str, Any] | None = None
    input_token_count: int = 0
    output_token_count: int = 0
    step_cost: float = 0
    created_at: datetime
    modified_at: datetime


class TimelineEntry(Schema):
    type: Literal["block", "thought"] = "block"
    status: StepStatus | WorkflowBlockStatus
    order: int
    retry_index: int
    block: TimelineBlock | None = None
    thought: dict[str, Any] | None = None
    children: list[dict[str, Any]] = []
    created_at: datetime
    modified_at: datetime


class RetryWebhookRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    webhook_url: str | None = Field(default=None, description="Not supported: the run's webhook_url is used")


class WebhookReplay(Schema):
    """Skyvern's RunWebhookReplayResponse: what was sent where, and how the receiver answered."""

    run_id: str
    run_type: str
    default_webhook_url: str | None = None
    target_webhook_url: str | None = None
    payload: str
    headers: dict[str, str]
    status_code: int | None = None
    latency_ms: int | None = None
    response_body: str | None = None
    error: str | None = None


# Legacy /api/v1 shapes.


class LegacyTaskBase(Schema):
    title: str | None = None
    url: str
    webhook_callback_url: str | None = None
    totp_verification_url: str | None = None
    totp_identifier: str | None = None
    navigation_goal: str | None = None
    data_extraction_goal: str | None = None
    navigation_payload: Any = None
    error_code_mapping: dict[str, str] | None = None
    proxy_location: str | None = None
    extracted_information_schema: Any = None
    complete_criterion: str | None = None
    terminate_criterion: str | None = None
    task_type: str | None = "general"
    application: str | None = None


class LegacyTask(LegacyTaskBase):
    created_at: datetime
    modified_at: datetime
    task_id: str
    status: RunStatus
    extracted_information: Any = None
    failure_reason: str | None = None
    organization_id: str | None = None
    workflow_run_id: str | None = None
    order: int | None = None
    retry: int | None = None
    max_steps_per_run: int | None = None
    errors: list[dict[str, Any]] = []


class LegacyTaskResponse(Schema):
    request: LegacyTaskBase
    task_id: str
    status: RunStatus
    created_at: datetime
    modified_at: datetime
    extracted_information: Any = None
    action_screenshot_urls: list[str] | None = None
    screenshot_url: str | None = None
    recording_url: str | None = None
    browser_console_log_url: str | None = None
    downloaded_files: list[FileInfo] | None = None
    downloaded_file_urls: list[str] | None = None
    failure_reason: str | None = None
    errors: list[dict[str, Any]] = []
    max_steps_per_run: int | None = None
    workflow_run_id: str | None = None
    app_url: str | None = None


class LegacyRunListQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(10, ge=1, le=1000)
    status: list[RunStatus] | None = None


class LegacyTaskRequest(Schema):
    """Skyvern's legacy TaskRequest (POST /api/v1/tasks). Unknown fields are ignored and named in a header."""

    title: str | None = None
    url: str = Field(description="Starting URL; https:// is added when it has no scheme")
    webhook_callback_url: str | None = None
    totp_verification_url: str | None = None
    totp_identifier: str | None = None
    navigation_goal: str | None = Field(None, description="What to do; becomes the run's prompt")
    data_extraction_goal: str | None = Field(None, description="Added to the prompt")
    navigation_payload: dict[str, Any] | list[Any] | str | None = Field(
        None, description="Details the task needs (a form's values); added to the prompt as JSON"
    )
    error_code_mapping: dict[str, str] | None = None
    proxy_location: ProxyLocation | None = None
    extracted_information_schema: dict[str, Any] | list[Any] | str | None = None
    complete_criterion: str | None = Field(None, description="Added to the prompt")
    terminate_criterion: str | None = Field(None, description="Added to the prompt")
    task_type: Literal["general", "validation", "action"] | None = Field(
        "general", description='Only "general" is supported'
    )
    application: str | None = Field(None, description="A label; not used")
    browser_session_id: str | None = Field(None, description="An open browser session (pbs_…) to run in")


class CreateTaskResponse(Schema):
    task_id: str


class TaskV2Request(Schema):
    """Skyvern's TaskV2Request (POST /api/v2/tasks): a run with the skyvern-2.0 engine."""

    user_prompt: str = Field(min_length=1, pattern=r"\S", description="What to do; becomes the run's prompt")
    url: str | None = None
    browser_session_id: str | None = Field(None, description="An open browser session (pbs_…) to run in")
    webhook_callback_url: str | None = None
    totp_verification_url: str | None = None
    totp_identifier: str | None = None
    proxy_location: ProxyLocation | None = None
    publish_workflow: bool = Field(False, description="Save the task as a workflow (is_saved_task) too")


class TaskV2Response(Schema):
    task_id: str
    status: RunStatus
    prompt: str
    url: str | None = None
    output: Any = None
    summary: str | None = None
    failure_reason: str | None = None
    organization_id: str
    workflow_run_id: str | None = None
    webhook_callback_url: str | None = None
    totp_verification_url: str | None = None
    totp_identifier: str | None = None
    proxy_location: Any = None
    created_at: datetime
    modified_at: datetime
    app_url: str


class LegacyStep(Schema):
    created_at: datetime
    modified_at: datetime
    task_id: str
    step_id: str
    status: StepStatus
    output: dict[str, Any] | None = None
    order: int
    is_last: bool
    retry_index: int = 0
    organization_id: str | None = None
    input_token_count: int = 0
    output_token_count: int = 0
    reasoning_token_count: int = 0
    cached_token_count: int = 0
    step_cost: float = 0
    llm_model: str | None = None


class Heartbeat(Schema):
    status: str

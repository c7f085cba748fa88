"""Enumerations with the exact strings of Skyvern's API."""

from enum import StrEnum

from django.db import models


class MemberRole(models.TextChoices):
    """What a dashboard user may do in their organization: admins also add and remove members."""

    MEMBER = "member"
    ADMIN = "admin"


class RunStatus(models.TextChoices):
    CREATED = "created"
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    TERMINATED = "terminated"
    TIMED_OUT = "timed_out"
    CANCELED = "canceled"


TERMINAL_STATUSES = frozenset(
    {RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.TERMINATED, RunStatus.TIMED_OUT, RunStatus.CANCELED}
)
ACTIVE_STATUSES = frozenset({RunStatus.CREATED, RunStatus.QUEUED, RunStatus.RUNNING})

# Every legal move; anything else is refused by services.run_transition.
RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.CREATED: frozenset({RunStatus.QUEUED, RunStatus.CANCELED, RunStatus.FAILED}),
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.CANCELED, RunStatus.FAILED}),
    RunStatus.RUNNING: TERMINAL_STATUSES,
    RunStatus.COMPLETED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.TERMINATED: frozenset(),
    RunStatus.TIMED_OUT: frozenset(),
    RunStatus.CANCELED: frozenset(),
}


class StepStatus(models.TextChoices):
    CREATED = "created"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"


class ActionStatus(models.TextChoices):
    PENDING = "pending"
    SKIPPED = "skipped"
    FAILED = "failed"
    COMPLETED = "completed"


class RunEngine(models.TextChoices):
    SKYVERN_V1 = "skyvern-1.0"
    SKYVERN_V2 = "skyvern-2.0"
    OPENAI_CUA = "openai-cua"
    ANTHROPIC_CUA = "anthropic-cua"
    UI_TARS = "ui-tars"


class RunType(models.TextChoices):
    TASK_V1 = "task_v1"
    TASK_V2 = "task_v2"
    OPENAI_CUA = "openai_cua"
    ANTHROPIC_CUA = "anthropic_cua"
    UI_TARS = "ui_tars"
    WORKFLOW_RUN = "workflow_run"


RUN_TYPE_FOR_ENGINE = {
    RunEngine.SKYVERN_V1: RunType.TASK_V1,
    RunEngine.SKYVERN_V2: RunType.TASK_V2,
    RunEngine.OPENAI_CUA: RunType.OPENAI_CUA,
    RunEngine.ANTHROPIC_CUA: RunType.ANTHROPIC_CUA,
    RunEngine.UI_TARS: RunType.UI_TARS,
}


class BrowserSessionStatus(models.TextChoices):
    """A persistent browser's life: created (waiting for its worker), running, then one final status."""

    CREATED = "created"
    RUNNING = "running"
    COMPLETED = "completed"  # closed by its owner
    FAILED = "failed"  # the browser crashed, or its worker died (close_reason says which)
    TIMED_OUT = "timed_out"  # closed by the reaper when its timeout passed


SESSION_OPEN_STATUSES = frozenset({BrowserSessionStatus.CREATED, BrowserSessionStatus.RUNNING})


class CredentialType(models.TextChoices):
    PASSWORD = "password"
    CREDIT_CARD = "credit_card"
    SECRET = "secret"


class WorkflowBlockStatus(models.TextChoices):
    CREATED = "created"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    TERMINATED = "terminated"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"
    SKIPPED = "skipped"


class ThoughtType(models.TextChoices):
    PLAN = "plan"
    METADATA = "metadata"
    USER_GOAL_CHECK = "user_goal_check"
    INTERNAL_PLAN = "internal_plan"
    FAILURE_DESCRIBE = "failure_describe"


class ThoughtScenario(models.TextChoices):
    GENERATE_PLAN = "generate_plan"
    USER_GOAL_CHECK = "user_goal_check"
    FAILURE_DESCRIBE = "failure_describe"
    SUMMARIZATION = "summarization"
    GENERATE_METADATA = "generate_metadata"
    EXTRACT_LOOP_VALUES = "extract_loop_values"
    GENERATE_TASK_IN_LOOP = "generate_task_in_loop"
    GENERATE_GENERAL_TASK = "generate_general_task"


class ArtifactType(models.TextChoices):
    RECORDING = "recording"
    SCREENSHOT = "screenshot"
    SCREENSHOT_LLM = "screenshot_llm"
    SCREENSHOT_ACTION = "screenshot_action"
    SCREENSHOT_FINAL = "screenshot_final"
    LLM_PROMPT = "llm_prompt"
    LLM_REQUEST = "llm_request"
    LLM_RESPONSE = "llm_response"
    LLM_RESPONSE_PARSED = "llm_response_parsed"
    VISIBLE_ELEMENTS_TREE = "visible_elements_tree"
    HTML_SCRAPE = "html_scrape"
    BROWSER_CONSOLE_LOG = "browser_console_log"
    SKYVERN_LOG = "skyvern_log"
    DOWNLOAD = "download"


class ProxyLocation(StrEnum):
    """Skyvern's proxy names (the ProxyLocation enum of its API)."""

    RESIDENTIAL = "RESIDENTIAL"
    US_CA = "US-CA"
    US_NY = "US-NY"
    US_TX = "US-TX"
    US_FL = "US-FL"
    US_WA = "US-WA"
    RESIDENTIAL_ES = "RESIDENTIAL_ES"
    RESIDENTIAL_IE = "RESIDENTIAL_IE"
    RESIDENTIAL_GB = "RESIDENTIAL_GB"
    RESIDENTIAL_IN = "RESIDENTIAL_IN"
    RESIDENTIAL_JP = "RESIDENTIAL_JP"
    RESIDENTIAL_FR = "RESIDENTIAL_FR"
    RESIDENTIAL_DE = "RESIDENTIAL_DE"
    RESIDENTIAL_NZ = "RESIDENTIAL_NZ"
    RESIDENTIAL_ZA = "RESIDENTIAL_ZA"
    RESIDENTIAL_AR = "RESIDENTIAL_AR"
    RESIDENTIAL_AU = "RESIDENTIAL_AU"
    RESIDENTIAL_BR = "RESIDENTIAL_BR"
    RESIDENTIAL_TR = "RESIDENTIAL_TR"
    RESIDENTIAL_CA = "RESIDENTIAL_CA"
    RESIDENTIAL_MX = "RESIDENTIAL_MX"
    RESIDENTIAL_IT = "RESIDENTIAL_IT"
    RESIDENTIAL_NL = "RESIDENTIAL_NL"
    RESIDENTIAL_ISP = "RESIDENTIAL_ISP"
    NONE = "NONE"


NO_PROXY = ProxyLocation.NONE.value
DEFAULT_PROXY_LOCATION = ProxyLocation.RESIDENTIAL.value

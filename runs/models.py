from django.conf import settings
from django.db import models
from django.db.models import Q

from runs import ids
from runs.choices import (
    ActionStatus,
    ArtifactType,
    BrowserSessionStatus,
    CredentialType,
    MemberRole,
    RunEngine,
    RunStatus,
    RunType,
    StepStatus,
    ThoughtScenario,
    ThoughtType,
    WorkflowBlockStatus,
)


class Organization(models.Model):
    organization_id = models.CharField(max_length=32, unique=True, default=ids.new_org_id, editable=False)
    name = models.CharField(max_length=200, unique=True)
    max_steps_per_run = models.PositiveIntegerField(
        null=True, blank=True, help_text="Default max steps; empty = server default"
    )
    default_model = models.CharField(
        max_length=200,
        blank=True,
        help_text="Model for runs that name none (a name from GET /api/v1/models); empty = server default",
    )
    # Fernet-encrypted (SKYVERN_ENCRYPTION_KEYS); when set, webhooks and TOTP requests are signed with it
    # instead of the API key that made the run (manage.py set_webhook_secret, or the admin's action).
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Each dashboard user belongs to exactly one organization."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN


class ApiKey(models.Model):
    """Found by its hash. An encrypted copy (Fernet, SKYVERN_ENCRYPTION_KEYS) is kept too, because Skyvern
    signs webhooks with the raw key that created the run; whoever holds both the database and the encryption
    key can read every key (README "Security")."""

    key_id = models.CharField(max_length=32, unique=True, default=ids.new_key_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, help_text="The first characters, shown to recognise the key")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TaskRun(models.Model):
    run_id = models.CharField(max_length=40, unique=True, default=ids.new_run_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="runs")
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    engine = models.CharField(max_length=20, choices=RunEngine.choices, default=RunEngine.SKYVERN_V1)
    run_type = models.CharField(max_length=20, choices=RunType.choices, default=RunType.TASK_V1)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.CREATED)
    # The whole POST /v1/run/tasks body as sent (after normalisation), so a run can be replayed.
    request = models.JSONField(default=dict)
    title = models.CharField(max_length=500, blank=True)
    prompt = models.TextField()
    url = models.TextField(blank=True)
    max_steps = models.PositiveIntegerField(default=10)
    output = models.JSONField(null=True, blank=True)
    failure_reason = models.TextField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    downloaded_files = models.JSONField(default=list, blank=True)
    step_count = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    total_cost = models.FloatField(default=0.0)
    webhook_url = models.TextField(blank=True)
    webhook_failure_reason = models.TextField(null=True, blank=True)
    webhook_status_code = models.IntegerField(null=True, blank=True)
    webhook_sent_at = models.DateTimeField(null=True, blank=True)
    browser_session_id = models.CharField(max_length=100, null=True, blank=True)
    worker_task_id = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The run this one was started again from (the dashboard's Rerun); its reruns are `reruns`.
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    # A workflow run (run_type workflow_run, id wr_…): the workflow version it started with.
    workflow = models.ForeignKey(
        "Workflow", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The database refuses any status string the API does not know.
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="taskrun_status_valid"),
            models.CheckConstraint(condition=Q(engine__in=RunEngine.values), name="taskrun_engine_valid"),
        ]
        indexes = [
            # GET /v1/runs and the dashboard list: one organization's runs, newest first.
            models.Index(fields=["organization", "-created_at"], name="taskrun_org_created"),
            # The reaper: running runs whose heartbeat stopped.
            models.Index(fields=["status", "heartbeat_at"], name="taskrun_status_heartbeat"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.run_id

    @property
    def warnings(self) -> list[dict]:
        """The entries of `errors` that are warnings (something asked for that the run did without); they
        stay when the run finishes."""
        return [e for e in self.errors or [] if isinstance(e, dict) and e.get("warning")]


class Step(models.Model):
    step_id = models.CharField(max_length=40, unique=True, default=ids.new_step_id, editable=False)
    run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField()
    retry_index = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.CREATED)
    is_last = models.BooleanField(default=False)
    input_token_count = models.PositiveIntegerField(default=0)
    output_token_count = models.PositiveIntegerField(default=0)
    reasoning_token_count = models.PositiveIntegerField(default=0)
    cached_token_count = models.PositiveIntegerField(default=0)
    step_cost = models.FloatField(default=0.0)
    llm_model = models.CharField(max_length=200, blank=True)
    output = models.JSONField(null=True, blank=True)
    # skyvern-2.0 runs a mini-goal per block: which one this step served (null for one-goal engines).
    block_index = models.PositiveIntegerField(null=True, blank=True)
    block_goal = models.TextField(blank=True)
    # Did the model get the page's screenshots with this step (null: no call had any), and why or why not.
    screenshots_sent = models.PositiveIntegerField(null=True, blank=True)
    screenshot_note = models.TextField(blank=True)
    # A workflow run's steps belong to the block that took them.
    workflow_block = models.ForeignKey(
        "WorkflowRunBlock", null=True, blank=True, on_delete=models.CASCADE, related_name="steps"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=StepStatus.values), name="step_status_valid"),
            # One row per attempt of a step: the legacy steps endpoint lists them in this order.
            models.UniqueConstraint(
                fields=["run", "order", "retry_index"], name="step_run_order_retry_unique"
            ),
        ]
        ordering = ["order", "retry_index"]

    def __str__(self) -> str:
        return self.step_id


class Action(models.Model):
    action_id = models.CharField(max_length=40, unique=True, default=ids.new_action_id, editable=False)
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="actions")
    index = models.PositiveIntegerField(default=0)
    action_type = models.CharField(max_length=30)
    element_id = models.CharField(max_length=100, blank=True)
    reasoning = models.TextField(blank=True)
    text = models.TextField(null=True, blank=True)
    option = models.JSONField(null=True, blank=True)
    file_url = models.TextField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PENDING)
    result = models.JSONField(
        null=True, blank=True, help_text="success, error type/message, data, download triggered"
    )
    screenshot = models.ForeignKey(
        "Artifact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Coordinate engines: where on the screenshot the action landed (viewport pixels), and the action as
    # the provider sent it.
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    raw = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
        ]
        ordering = ["step__order", "step__retry_index", "index"]

    def __str__(self) -> str:
        return self.action_id


class Thought(models.Model):
    """A reasoning call between browser steps (skyvern-2.0's planner, validator, summary)."""

    thought_id = models.CharField(max_length=40, unique=True, default=ids.new_thought_id, editable=False)
    run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="thoughts")
    order = models.PositiveIntegerField()
    thought_type = models.CharField(max_length=30, choices=ThoughtType.choices, default=ThoughtType.PLAN)
    thought_scenario = models.CharField(max_length=40, choices=ThoughtScenario.choices, blank=True)
    block_index = models.PositiveIntegerField(null=True, blank=True)
    user_input = models.TextField(blank=True)
    observation = models.TextField(blank=True)
    thought = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    output = models.JSONField(null=True, blank=True)
    input_token_count = models.PositiveIntegerField(default=0)
    output_token_count = models.PositiveIntegerField(default=0)
    reasoning_token_count = models.PositiveIntegerField(default=0)
    cached_token_count = models.PositiveIntegerField(default=0)
    thought_cost = models.FloatField(default=0.0)
    llm_model = models.CharField(max_length=200, blank=True)
    workflow_block = models.ForeignKey(
        "WorkflowRunBlock", null=True, blank=True, on_delete=models.CASCADE, related_name="thoughts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(thought_type__in=ThoughtType.values), name="thought_type_valid"
            ),
            # The timeline lists a run's thoughts in this order, between its blocks.
            models.UniqueConstraint(fields=["run", "order"], name="thought_run_order_unique"),
        ]
        ordering = ["order"]

    def __str__(self) -> str:
        return self.thought_id


def artifact_path(instance: "Artifact", filename: str) -> str:
    return (
        f"{instance.run.organization.organization_id}/{instance.run.run_id}/{instance.artifact_id}_{filename}"
    )


class Artifact(models.Model):
    artifact_id = models.CharField(max_length=40, unique=True, default=ids.new_artifact_id, editable=False)
    run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="artifacts")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.CASCADE, related_name="artifacts")
    artifact_type = models.CharField(max_length=40, choices=ArtifactType.choices)
    file = models.FileField(upload_to=artifact_path, max_length=500)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField(max_length=64, blank=True, help_text="sha256 hex")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # GET /v1/runs/{id}/artifacts?artifact_type=...
            models.Index(fields=["run", "artifact_type", "created_at"], name="artifact_run_type_created"),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.artifact_id


class BrowserSession(models.Model):
    """A persistent Chromium (`pbs_…`) that lives on the worker that launched it until closed or timed out.

    Runs with browser_session_id reach that worker through its own queue (`worker_queue`); while a run drives
    it, `runnable_id` names the run.
    """

    session_id = models.CharField(
        max_length=40, unique=True, default=ids.new_browser_session_id, editable=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="browser_sessions")
    status = models.CharField(
        max_length=20, choices=BrowserSessionStatus.choices, default=BrowserSessionStatus.CREATED
    )
    url = models.TextField(blank=True)
    timeout_minutes = models.PositiveIntegerField(default=60)
    proxy_location = models.CharField(max_length=40, blank=True)
    browser_profile = models.ForeignKey(
        "BrowserProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    worker_queue = models.CharField(max_length=200, blank=True)
    worker_hostname = models.CharField(max_length=200, blank=True)
    browser_address = models.CharField(max_length=500, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    user_data_dir = models.TextField(blank=True)
    runnable_type = models.CharField(max_length=30, blank=True)
    runnable_id = models.CharField(max_length=40, blank=True)
    close_reason = models.TextField(blank=True)
    recordings = models.JSONField(default=list, blank=True)
    downloaded_files = models.JSONField(default=list, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BrowserSessionStatus.values), name="browsersession_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="browsersession_org_status")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.session_id


def profile_path(instance: "BrowserProfile", filename: str) -> str:
    return f"{instance.organization.organization_id}/profiles/{instance.profile_id}_{filename}"


class BrowserProfile(models.Model):
    """A saved browser user-data snapshot (`bp_…`: cookies and storage) a session or run can start from."""

    profile_id = models.CharField(
        max_length=40, unique=True, default=ids.new_browser_profile_id, editable=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="browser_profiles")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_session_id = models.CharField(max_length=40, blank=True)
    source_run_id = models.CharField(max_length=40, blank=True)
    file = models.FileField(upload_to=profile_path, max_length=500, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.profile_id


class Credential(models.Model):
    """A stored secret (`cred_…`). `secret_encrypted` is Fernet (SKYVERN_ENCRYPTION_KEYS) over a JSON object;
    `hint` holds only what may be shown (a username, a card's last digits, whether a TOTP secret is set)."""

    credential_id = models.CharField(
        max_length=40, unique=True, default=ids.new_credential_id, editable=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(max_length=200)
    credential_type = models.CharField(max_length=20, choices=CredentialType.choices)
    secret_encrypted = models.TextField(editable=False)
    hint = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(credential_type__in=CredentialType.values), name="credential_type_valid"
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.credential_id} ({self.name})"


class TotpCode(models.Model):
    """A 2FA code pushed to POST /v1/credentials/totp; a run waiting for one takes it once (`used_at`)."""

    totp_code_id = models.CharField(max_length=40, unique=True, default=ids.new_totp_code_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="totp_codes")
    # Normalised (lower case, trimmed) so lookups match case-insensitively.
    totp_identifier = models.CharField(max_length=500)
    content = models.TextField()
    code = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=40, blank=True)
    workflow_id = models.CharField(max_length=40, blank=True)
    workflow_run_id = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=200, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by_run_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "totp_identifier", "-created_at"], name="totp_org_ident_created"
            )
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.totp_code_id


class Workflow(models.Model):
    """One version of a workflow: `workflow_permanent_id` (`wpid_…`) names the workflow across versions,
    `workflow_id` (`w_…`) this version. Updating adds a version; runs keep the version they started with."""

    workflow_id = models.CharField(max_length=40, unique=True, default=ids.new_workflow_id, editable=False)
    workflow_permanent_id = models.CharField(max_length=40, default=ids.new_workflow_permanent_id)
    version = models.PositiveIntegerField(default=1)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workflows")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    # The parsed definition ({"parameters": [...], "blocks": [...]}) and the YAML or JSON text it came from.
    definition = models.JSONField(default=dict)
    source_text = models.TextField(blank=True)
    # Run settings saved with the workflow: proxy_location, webhook_callback_url, totp_*, model, run_with,
    # ai_fallback, persist_browser_session, extra_http_headers, max_screenshot_scrolls…
    settings = models.JSONField(default=dict, blank=True)
    is_saved_task = models.BooleanField(default=False)
    status = models.CharField(max_length=20, default="published")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workflow_permanent_id", "version"], name="workflow_permanent_version_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "workflow_permanent_id"], name="workflow_org_permanent"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.workflow_permanent_id} v{self.version}"


class WorkflowRunBlock(models.Model):
    """One block's execution in a workflow run; a loop's iterations are children (`parent`, `loop_index`)."""

    block_id = models.CharField(max_length=40, unique=True, default=ids.new_workflow_block_id, editable=False)
    run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="blocks")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    order = models.PositiveIntegerField()
    label = models.CharField(max_length=200)
    block_type = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=WorkflowBlockStatus.choices, default=WorkflowBlockStatus.CREATED
    )
    loop_index = models.PositiveIntegerField(null=True, blank=True)
    loop_value = models.JSONField(null=True, blank=True)
    # The block's settings after templating (what actually ran), and what it produced.
    inputs = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    failure_reason = models.TextField(null=True, blank=True)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkflowBlockStatus.values), name="workflowrunblock_status_valid"
            ),
        ]
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.block_id


class Script(models.Model):
    """One revision of a script (`script_id` `s_…` across revisions, `script_revision_id` `sr_…` this one):
    a run's actions as a Playwright program (`code`) and as the steps the replayer follows (`plan`)."""

    script_revision_id = models.CharField(
        max_length=40, unique=True, default=ids.new_script_revision_id, editable=False
    )
    script_id = models.CharField(max_length=40, default=ids.new_script_id)
    version = models.PositiveIntegerField(default=1)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scripts")
    run = models.ForeignKey(TaskRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="scripts")
    workflow_permanent_id = models.CharField(max_length=40, blank=True)
    # A workflow's task block the script replays (its label); blank for a task run's script.
    block_label = models.CharField(max_length=200, blank=True)
    code = models.TextField(blank=True)
    plan = models.JSONField(default=list, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    files = models.JSONField(default=list, blank=True)
    deployed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["script_id", "version"], name="script_id_version_unique"),
        ]
        indexes = [models.Index(fields=["organization", "-created_at"], name="script_org_created")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.script_id} v{self.version}"

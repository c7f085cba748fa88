"""Workflows (`wpid_`/`w_` versions), a workflow run's blocks (`wrb_`) and scripts (`s_`)."""

from django.db import models
from django.db.models import Q

from runs import ids
from runs.choices import WorkflowBlockStatus
from runs.models.accounts import Organization
from runs.models.task_runs import TaskRun


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

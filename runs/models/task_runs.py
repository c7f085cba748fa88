"""Runs (task and workflow runs) and what they leave: steps, actions, thoughts, artifacts."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from runs import ids
from runs.choices import (
    ActionStatus,
    ArtifactType,
    RunEngine,
    RunStatus,
    RunType,
    StepStatus,
    ThoughtScenario,
    ThoughtType,
)
from runs.models.accounts import ApiKey, Organization


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

"""The run page: server-rendered from the database at any moment; run_live.js only adds what is new."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from runs import dispatch, selectors
from runs.choices import ACTIVE_STATUSES, ArtifactType, RunStatus, RunType
from runs.dashboard.access import member_required, run_for_request
from runs.dashboard.failures import failure_help, more_steps, renumber_steps
from runs.dashboard.run_blocks import block_tree, workflow_snippets
from runs.dashboard.scripts import script_context
from runs.dashboard.snippets import curl_snippet, python_snippet
from runs.dashboard.totp import totp_waiting
from runs.models import TaskRun, Thought
from runs.selectors import StepView

# The worker still saves (steps' final state, the recording) for a while after the status turns final; a page
# opened in that window keeps listening and reads the run again until it settles.
SETTLING = timedelta(seconds=30)


@member_required
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    run = run_for_request(request, run_id)
    return render(request, "runs/run_detail.html", run_detail_context(request, run))


def run_detail_context(request: HttpRequest, run: TaskRun) -> dict[str, Any]:
    base_url = request.build_absolute_uri("/").rstrip("/")
    active = run.status in ACTIVE_STATUSES
    steps = selectors.run_steps_with_actions(run=run)
    waiting = run.status in (RunStatus.CREATED, RunStatus.QUEUED)
    return {
        "run": run,
        "active": active,
        "steps": steps,
        "timeline": timeline_items(steps, list(selectors.thoughts_for_run(run=run))),
        "blocks": block_tree(run),
        "recordings": _files(run, ArtifactType.RECORDING),
        "final_screenshots": _files(run, ArtifactType.SCREENSHOT_FINAL),
        "downloads": _files(run, ArtifactType.DOWNLOAD),
        "has_output": run.output is not None,
        "settling": not active and _recently_finished(run),
        "step_numbers": len({view.step.order for view in steps}),
        "failure_text": renumber_steps(run.failure_reason or ""),
        "failure_help": failure_help(run.failure_reason),
        "more_steps": more_steps(run.max_steps),
        "waiting": waiting,
        # Asked only for a run that waits: the page then polls queue/status.json for changes.
        "workers_online": dispatch.browser_workers_online() if waiting else None,
        "rerun_of": selectors.run_rerun_source(run=run),
        "reruns": selectors.run_reruns(run=run),
        "warnings": [warning.get("reasoning") for warning in run.warnings],
        "totp_waiting": totp_waiting(run),
        "curl": curl_snippet(request=run.request, base_url=base_url),
        "python": python_snippet(request=run.request, base_url=base_url),
        **(workflow_snippets(run=run, base_url=base_url) if run.run_type == RunType.WORKFLOW_RUN else {}),
        **script_context(run),
        "nav": "runs",
    }


def _recently_finished(run: TaskRun) -> bool:
    return run.finished_at is not None and timezone.now() - run.finished_at < SETTLING


def _files(run: TaskRun, artifact_type: str) -> list:
    return list(selectors.artifacts_for_run(run=run, artifact_types=[artifact_type]))


# --- skyvern-2.0: mini-goals and thoughts -----------------------------------------------------------
# The run page's live script (static/js/run_live.js, thoughtTitle/thoughtDecision) words them the same way.
THOUGHT_TITLES = {
    "generate_plan": "Planning",
    "user_goal_check": "Goal check",
    "summarization": "Summary",
    "generate_metadata": "Choosing where to start",
}


@dataclass
class MiniGoalView:
    kind = "mini_goal"  # the template tells the timeline's items apart by it (a StepView has none)
    index: int
    goal: str
    steps: list[StepView] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class ThoughtView:
    kind = "thought"
    thought: Thought

    @property
    def title(self) -> str:
        scenario = self.thought.thought_scenario
        return (
            THOUGHT_TITLES.get(scenario)
            or (scenario or self.thought.thought_type).replace("_", " ").capitalize()
        )

    @property
    def decision(self) -> str:
        return thought_decision(self.thought.thought_scenario, self.thought.output)


def thought_decision(scenario: str, output: Any) -> str:
    """What the reasoning call decided, in one line."""
    output = output if isinstance(output, dict) else {}
    if scenario == "generate_plan":
        if output.get("should_terminate"):
            return f"Stop the run: {output.get('termination_reason') or 'no reason given'}"
        if output.get("user_goal_achieved"):
            return "The goal looks achieved"
        values = output.get("loop_values") or []
        rounds = f", once for each of {len(values)} values" if output.get("task_type") == "loop" else ""
        return f"Next mini-goal ({output.get('task_type')}{rounds}): {output.get('plan') or ''}"
    if scenario == "user_goal_check" and "user_goal_achieved" in output:
        return "The goal is achieved" if output["user_goal_achieved"] else "Not achieved yet"
    if scenario == "summarization" and output:
        return "Wrote the run's output"
    return ""


def timeline_items(steps: list[StepView], thoughts: list[Thought]) -> list[Any]:
    """The run page's timeline: steps (StepView); a mini-goal engine's steps grouped under their mini-goal
    (MiniGoalView), with its thoughts (ThoughtView) between them in the order they happened."""
    items: list[Any] = []
    groups: dict[int, MiniGoalView] = {}
    for view in steps:
        index = view.step.block_index
        if index is None:
            items.append(view)
            continue
        if index not in groups:
            groups[index] = MiniGoalView(index=index, goal=view.step.block_goal)
            items.append(groups[index])
        groups[index].steps.append(view)
    if not thoughts:
        return items
    return sorted([*items, *map(ThoughtView, thoughts)], key=_started_at)


def _started_at(item: Any) -> Any:
    if isinstance(item, ThoughtView):
        return item.thought.created_at
    return (item.steps[0] if isinstance(item, MiniGoalView) else item).step.created_at

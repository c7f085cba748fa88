"""A run's step attempts and actions, in execution order."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from runs.choices import ArtifactType
from runs.ids import is_public_id
from runs.models import Action, Artifact, Organization, Step, TaskRun, Thought, WorkflowRunBlock

# The step artifacts the run page's Diagnostics section offers, in the order a reader follows a decision.
DIAGNOSTIC_TYPES = (
    ArtifactType.LLM_PROMPT,
    ArtifactType.LLM_REQUEST,
    ArtifactType.LLM_RESPONSE,
    ArtifactType.LLM_RESPONSE_PARSED,
    ArtifactType.VISIBLE_ELEMENTS_TREE,
    ArtifactType.HTML_SCRAPE,
    ArtifactType.SCREENSHOT_LLM,
)


def steps_for_run(*, run: TaskRun) -> QuerySet[Step]:
    return run.steps.order_by("order", "retry_index")


def step_get_for_run(*, run: TaskRun, step_id: str) -> Step | None:
    return run.steps.filter(step_id=step_id).first() if is_public_id(step_id) else None


def step_get_for_org(*, organization: Organization, step_id: str) -> Step | None:
    """The step if its run belongs to `organization`; None for a missing or foreign id alike."""
    if not is_public_id(step_id):
        return None
    steps = Step.objects.select_related("run", "run__organization")
    return steps.filter(run__organization=organization, step_id=step_id).first()


def actions_for_run(*, run: TaskRun) -> QuerySet[Action]:
    return _in_order(Action.objects.filter(step__run=run))


def actions_for_block(*, block: WorkflowRunBlock) -> QuerySet[Action]:
    """The actions a workflow run's block took, in the order it took them."""
    return _in_order(Action.objects.filter(step__workflow_block=block))


def _in_order(actions: QuerySet[Action]) -> QuerySet[Action]:
    return actions.select_related("step", "screenshot").order_by(
        "step__order", "step__retry_index", "index", "id"
    )


def thoughts_for_run(*, run: TaskRun) -> QuerySet[Thought]:
    return run.thoughts.order_by("order")


@dataclass
class StepView:
    step: Step
    actions: list[Action]
    diagnostics: list[Artifact] = field(default_factory=list)


def run_steps_with_actions(*, run: TaskRun) -> list[StepView]:
    """Every step attempt with its actions (and their screenshots) and its diagnostic artifacts."""
    diagnostics = Artifact.objects.filter(artifact_type__in=DIAGNOSTIC_TYPES).order_by("created_at", "id")
    steps = (
        Step.objects.filter(run=run)
        .order_by("order", "retry_index")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("screenshot").order_by("index", "id")),
            Prefetch("artifacts", queryset=diagnostics, to_attr="diagnostic_artifacts"),
        )
    )
    return [
        StepView(step=s, actions=list(s.actions.all()), diagnostics=s.diagnostic_artifacts) for s in steps
    ]

"""Reads for the dashboard pages (runs/selectors.py holds the ones the API shares)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from runs.choices import ArtifactType
from runs.models import Action, Artifact, Organization, Step, TaskRun

# The step artifacts the Diagnostics section offers, in the order a reader follows a decision.
DIAGNOSTIC_TYPES = (
    ArtifactType.LLM_PROMPT,
    ArtifactType.LLM_REQUEST,
    ArtifactType.LLM_RESPONSE,
    ArtifactType.LLM_RESPONSE_PARSED,
    ArtifactType.VISIBLE_ELEMENTS_TREE,
    ArtifactType.HTML_SCRAPE,
    ArtifactType.SCREENSHOT_LLM,
)


def run_search_for_org(
    *, organization: Organization, status: str = "", engine: str = "", search: str = ""
) -> QuerySet[TaskRun]:
    """The organization's runs, newest first, narrowed by the Runs page filters."""
    runs = TaskRun.objects.filter(organization=organization)
    if status:
        runs = runs.filter(status=status)
    if engine:
        runs = runs.filter(engine=engine)
    if search:
        runs = runs.filter(
            Q(title__icontains=search) | Q(prompt__icontains=search) | Q(url__icontains=search)
        )
    return runs.order_by("-created_at", "-id")


def run_matches_filters(*, run: TaskRun, status: str = "", engine: str = "", search: str = "") -> bool:
    return (
        run_search_for_org(organization=run.organization, status=status, engine=engine, search=search)
        .filter(pk=run.pk)
        .exists()
    )


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


def run_artifacts_of_type(*, run: TaskRun, artifact_type: str) -> list[Artifact]:
    return list(Artifact.objects.filter(run=run, artifact_type=artifact_type).order_by("created_at", "id"))

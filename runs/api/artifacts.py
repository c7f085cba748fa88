"""/v1 artifacts: a run's artifacts (filterable by type) and one artifact by id."""

from enum import Enum

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from runs import presenters, selectors
from runs.api.auth import request_organization, run_or_404
from runs.api.routing import route
from runs.api.schemas import Artifact
from runs.choices import ArtifactType

router = Router(tags=["Artifacts"])

# Skyvern's artifact types plus ours, so a client may filter by any type either side knows.
SKYVERN_ARTIFACT_TYPES = (
    "recording browser_console_log skyvern_log skyvern_log_raw screenshot screenshot_llm screenshot_action "
    "screenshot_final llm_prompt llm_request llm_response llm_response_parsed llm_response_rendered "
    "visible_elements_id_css_map visible_elements_id_frame_map visible_elements_tree "
    "visible_elements_tree_trimmed visible_elements_tree_in_prompt hashed_href_map "
    "visible_elements_id_xpath_map html html_scrape html_action trace har script_file"
).split()
ArtifactTypeName = Enum(
    "ArtifactTypeName",
    {name: name for name in dict.fromkeys([*SKYVERN_ARTIFACT_TYPES, *ArtifactType.values])},
    type=str,
)


class ArtifactQuery(Schema):
    artifact_type: list[ArtifactTypeName] | None = None


@route(
    router,
    "GET",
    "/runs/{run_id}/artifacts",
    response=list[Artifact],
    operation_id="get_run_artifacts_v1_runs__run_id__artifacts_get",
)
def get_run_artifacts(request: HttpRequest, run_id: str, query: Query[ArtifactQuery]):
    """The run's artifacts, oldest first; repeat artifact_type to ask for several types."""
    run = run_or_404(request, run_id)
    types = [item.value for item in query.artifact_type or ()]
    artifacts = selectors.artifacts_for_run(run=run, artifact_types=types)
    return [presenters.artifact_to_response(artifact) for artifact in artifacts]


@route(
    router,
    "GET",
    "/artifacts/{artifact_id}",
    response=Artifact,
    operation_id="get_artifact_v1_artifacts__artifact_id__get",
)
def get_artifact(request: HttpRequest, artifact_id: str):
    artifact = selectors.artifact_get_for_org(
        organization=request_organization(request), artifact_id=artifact_id
    )
    if artifact is None:
        raise HttpError(404, "Artifact not found")
    return presenters.artifact_to_response(artifact)

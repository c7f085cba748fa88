"""The `run_with` fields of a new task run: replay a script (`"code"`) or run the agent (`"agent"`)."""

from typing import Any

from runs.exceptions import InvalidRunRequest
from runs.models import Organization
from runs.selectors.scripts import script_get

RUN_WITH = ("agent", "code")


def run_with_fields(request: Any, organization: Organization) -> dict[str, Any]:
    """run_with, ai_fallback, script_id and script_parameters, checked; the script must be the org's own."""
    run_with = (request.run_with or "agent").strip().lower()
    if run_with not in RUN_WITH:
        raise InvalidRunRequest(f'run_with must be "agent" or "code", not {request.run_with!r}')
    script_id = (request.script_id or "").strip() or None
    if run_with != "code" and (script_id or request.script_parameters):
        raise InvalidRunRequest('script_id and script_parameters need run_with "code"')
    if script_id and script_get(organization=organization, script_id=script_id) is None:
        raise InvalidRunRequest(f"script_id {script_id} was not found")
    return {
        "run_with": run_with,
        "ai_fallback": request.ai_fallback is not False,
        "script_id": script_id,
        "script_parameters": request.script_parameters or None,
    }

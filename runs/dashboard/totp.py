"""The run page's "waiting for a 2FA code" form: paste the code (or the whole message) for the run."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from runs.choices import RunStatus
from runs.dashboard.access import member_required, run_for_request
from runs.exceptions import InvalidRunRequest
from runs.execution.totp_extract import code_from_content
from runs.services.totp_codes import run_totp_is_waiting, totp_code_create

MAX_CONTENT_CHARS = 20_000


@require_POST
@member_required
def run_totp_view(request: HttpRequest, run_id: str) -> HttpResponse:
    run = run_for_request(request, run_id)
    content = request.POST.get("content", "").strip()[:MAX_CONTENT_CHARS]
    identifier = (run.request or {}).get("totp_identifier")
    if run.status != RunStatus.RUNNING or not identifier:
        messages.error(request, "This run is not waiting for a 2FA code.")
        return redirect("runs:detail", run_id=run.run_id)
    try:
        totp_code_create(
            organization=run.organization,
            totp_identifier=identifier,
            content=content,
            code=code_from_content(content=content, organization=run.organization) or "",
            task_id=run.run_id,
            source="dashboard",
        )
    except InvalidRunRequest as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Code sent to the run.")
    return redirect("runs:detail", run_id=run.run_id)


def totp_waiting(run) -> bool:
    return run.status == RunStatus.RUNNING and run_totp_is_waiting(run)

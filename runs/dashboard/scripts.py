"""The run page's Script panel (the task's generated Playwright program, highlighted) and its download."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.safestring import mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from runs.dashboard.access import member_required, run_for_request
from runs.models import Script, TaskRun
from runs.selectors.scripts import script_for_task, scripts_from_run


def script_for_run_page(run: TaskRun) -> Script | None:
    """The revision this run produced, else the latest script of its task (same url and prompt)."""
    return scripts_from_run(run=run).first() or script_for_task(
        organization=run.organization, url=run.url, prompt=run.prompt
    )


def script_context(run: TaskRun) -> dict[str, Any]:
    script = script_for_run_page(run)
    if script is None or not script.code:
        return {"script": None}
    # Pygments escapes the code; colours come from static/css/script.css (the CSP allows no inline styles).
    html = highlight(script.code, PythonLexer(), HtmlFormatter(cssclass="script-code", wrapcode=True))
    return {"script": script, "script_html": mark_safe(html), "script_from_this_run": script.run_id == run.pk}


@member_required
def run_script_download(request: HttpRequest, run_id: str) -> HttpResponse:
    run = run_for_request(request, run_id)
    script = script_for_run_page(run)
    if script is None or not script.code:
        return HttpResponse(
            "This run has no script yet.", status=404, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(script.code, content_type="text/x-python; charset=utf-8")
    filename = f"{script.script_id}_v{script.version}.py"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

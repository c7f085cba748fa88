"""Writing scripts: a revision from a run's actions (agent.scripts), from uploaded files, or a deploy.

A script (`s_…`) is a series of revisions (`sr_…`, version 1, 2, …). A revision keeps the plan a replay
follows (`plan`, `parameters`), the program made from it (`code`) and its files (`main.py` holds the code;
an upload or deploy may add others). Replays follow the plan; uploaded files are stored and served, never
executed on this server.
"""

import base64
import binascii
import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from agent.scripts import build_plan, generate_code
from runs.exceptions import InvalidRunRequest
from runs.models import Action, Organization, Script, TaskRun
from runs.selectors.steps import actions_for_run

MAIN_FILE = "main.py"
MAX_FILES = 50
MAX_FILE_BYTES = 1024 * 1024


def action_as_record(action: Action) -> dict[str, Any]:
    """An Action row in the shape of the agent's ActionRecord (what agent.scripts.build_plan reads)."""
    result = action.result or {}
    return {
        "action_type": action.action_type,
        "status": action.status,
        "text": action.text,
        "option": action.option,
        "file_url": action.file_url,
        "raw": action.raw,
        "data": result.get("data"),
        "locator": result.get("locator"),
        "page": result.get("page"),
    }


def script_from_actions(
    *,
    organization: Organization,
    run: TaskRun,
    actions: list[dict[str, Any]],
    prompt: str,
    output: Any = None,
    navigation_payload: Any = None,
    base: Script | None = None,
    workflow_permanent_id: str = "",
    block_label: str = "",
) -> Script | None:
    """A new revision of `base` (or a new script) from actions; None when nothing in them can be replayed.
    This is what a workflow's task block calls with its own actions (runs.execution.scripting)."""
    plan, parameters = build_plan(
        actions,
        prompt=prompt,
        navigation_payload=navigation_payload,
        known_parameters=base.parameters if base else None,
        output=output,
    )
    if not any(step["action"] != "complete" for step in plan):
        return None
    code = generate_code(plan, parameters, title=run.title or prompt, run_id=run.run_id)
    return script_revision_create(
        organization=organization,
        script_id=base.script_id if base else None,
        run=run,
        code=code,
        plan=plan,
        parameters=parameters,
        files=[file_entry(MAIN_FILE, code.encode(), "text/x-python")],
        workflow_permanent_id=workflow_permanent_id or (base.workflow_permanent_id if base else ""),
        block_label=block_label or (base.block_label if base else ""),
    )


def script_from_run(*, run: TaskRun, base: Script | None = None) -> Script | None:
    """A revision from a finished task run's actions (a new script when `base` is None)."""
    actions = [action_as_record(action) for action in actions_for_run(run=run)]
    return script_from_actions(
        organization=run.organization,
        run=run,
        actions=actions,
        prompt=run.prompt,
        output=run.output,
        navigation_payload=(run.request or {}).get("navigation_payload"),
        base=base,
    )


def script_revision_create(
    *,
    organization: Organization,
    script_id: str | None,
    run: TaskRun | None,
    code: str,
    plan: list,
    parameters: dict,
    files: list[dict[str, Any]],
    workflow_permanent_id: str = "",
    deployed: bool = False,
    block_label: str = "",
) -> Script:
    """Version 1 of a new script, or the next version of `script_id` (retried once if two race)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                fields: dict[str, Any] = {}
                if script_id:
                    latest = Script.objects.filter(script_id=script_id).aggregate(v=Max("version"))["v"]
                    fields = {"script_id": script_id, "version": (latest or 0) + 1}
                return Script.objects.create(
                    organization=organization,
                    run=run,
                    code=code,
                    plan=plan,
                    parameters=parameters,
                    files=files,
                    workflow_permanent_id=workflow_permanent_id or "",
                    block_label=block_label,
                    deployed_at=timezone.now() if deployed else None,
                    **fields,
                )
        except IntegrityError:
            if attempt or not script_id:
                raise
    raise AssertionError("unreachable")


def file_entry(path: str, content: bytes, mime_type: str | None) -> dict[str, Any]:
    return {
        "path": path,
        "content": base64.b64encode(content).decode(),
        "encoding": "base64",
        "mime_type": mime_type or "application/octet-stream",
        "size": len(content),
        "content_hash": hashlib.sha256(content).hexdigest(),
        "created_at": timezone.now().isoformat(),
    }


def files_parse(files: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Uploaded ScriptFileCreate items → stored entries; a bad path or encoding is a 400."""
    out: list[dict[str, Any]] = []
    for index, item in enumerate(files or []):
        path = str(item.get("path") or "").strip().lstrip("/")
        if not path or ".." in path.split("/") or len(path) > 300:
            raise InvalidRunRequest(f"files[{index}].path must be a relative path inside the script")
        encoding = (item.get("encoding") or "base64").lower()
        raw = item.get("content") or ""
        try:
            content = base64.b64decode(raw, validate=True) if encoding == "base64" else raw.encode()
        except (binascii.Error, ValueError):
            raise InvalidRunRequest(f"files[{index}].content is not valid base64") from None
        if len(content) > MAX_FILE_BYTES:
            raise InvalidRunRequest(f"files[{index}] is larger than {MAX_FILE_BYTES} bytes")
        out.append(file_entry(path, content, item.get("mime_type")))
    if len(out) > MAX_FILES:
        raise InvalidRunRequest(f"a script holds at most {MAX_FILES} files")
    return out


def main_code(files: list[dict[str, Any]]) -> str:
    """The text of main.py among stored files ('' when there is none or it is not text)."""
    for entry in files:
        if entry["path"] == MAIN_FILE:
            try:
                return base64.b64decode(entry["content"]).decode()
            except (binascii.Error, UnicodeDecodeError):
                return ""
    return ""


def script_create(
    *,
    organization: Organization,
    run: TaskRun | None,
    files: list[dict[str, Any]] | None,
    workflow_id: str = "",
) -> Script:
    """POST /v1/scripts: from a run's actions (when given), with any uploaded files added."""
    uploaded = files_parse(files)
    script = script_from_run(run=run) if run is not None else None
    if script is None and run is not None and not uploaded:
        raise InvalidRunRequest(
            f"Run {run.run_id} has no actions a script can replay (clicks, typing and choices on page elements)"
        )
    if script is None:
        return script_revision_create(
            organization=organization,
            script_id=None,
            run=run,
            code=main_code(uploaded),
            plan=[],
            parameters={},
            files=uploaded,
            workflow_permanent_id=workflow_id,
        )
    if uploaded or workflow_id:
        names = {entry["path"] for entry in uploaded}
        script.files = [entry for entry in script.files if entry["path"] not in names] + uploaded
        script.code = main_code(script.files) or script.code
        script.workflow_permanent_id = workflow_id or script.workflow_permanent_id
        script.save(update_fields=["files", "code", "workflow_permanent_id", "modified_at"])
    return script


def script_deploy(*, script: Script, files: list[dict[str, Any]]) -> Script:
    """A new version with these files; the plan and parameters carry over from the deployed-on revision."""
    uploaded = files_parse(files)
    return script_revision_create(
        organization=script.organization,
        script_id=script.script_id,
        run=script.run,
        code=main_code(uploaded) or script.code,
        plan=script.plan,
        parameters=script.parameters,
        files=uploaded,
        workflow_permanent_id=script.workflow_permanent_id,
        deployed=True,
    )

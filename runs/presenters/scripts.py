"""Scripts in the spec's shapes: Script (a revision) and CreateScriptResponse (with its file tree)."""

from typing import Any

from runs.models import Script
from runs.presenters.runs import iso


def script_to_response(script: Script, *, detail: bool = False) -> dict[str, Any]:
    """The spec's Script; `detail` adds what this server keeps with it (plan, parameters, code)."""
    body: dict[str, Any] = {
        "script_revision_id": script.script_revision_id,
        "script_id": script.script_id,
        "organization_id": script.organization.organization_id,
        "run_id": script.run.run_id if script.run_id else None,
        "version": script.version,
        "created_at": iso(script.created_at),
        "modified_at": iso(script.modified_at),
        "deleted_at": iso(script.deleted_at),
        "workflow_permanent_id": script.workflow_permanent_id or None,
        "deployed_at": iso(script.deployed_at),
    }
    if detail:
        body |= {
            "parameters": script.parameters,
            "plan": script.plan,
            "code": script.code,
            "file_tree": file_tree(script.files),
        }
    return body


def script_created(script: Script) -> dict[str, Any]:
    """CreateScriptResponse."""
    return {
        "script_id": script.script_id,
        "version": script.version,
        "run_id": script.run.run_id if script.run_id else None,
        "file_count": len(script.files),
        "file_tree": file_tree(script.files),
        "created_at": iso(script.created_at),
    }


def file_tree(files: list[dict[str, Any]]) -> dict[str, Any]:
    """{name: FileNode}, directories nested under `children`."""
    tree: dict[str, Any] = {}
    for entry in files:
        *folders, name = entry["path"].split("/")
        level = tree
        for folder in folders:
            node = level.setdefault(
                folder, {"type": "directory", "created_at": entry.get("created_at"), "children": {}}
            )
            level = node["children"]
        level[name] = {
            "type": "file",
            "size": entry.get("size"),
            "mime_type": entry.get("mime_type"),
            "content_hash": entry.get("content_hash"),
            "created_at": entry.get("created_at"),
        }
    return tree

"""Ready-to-run snippets that reproduce a run through the API: curl and the official Python SDK."""

import json
import pprint
import shlex
from typing import Any

SDK_KWARGS = (
    "prompt", "url", "engine", "title", "proxy_location", "data_extraction_schema", "error_code_mapping",
    "max_steps", "webhook_url", "totp_identifier", "totp_url", "browser_session_id", "model",
    "extra_http_headers", "publish_workflow", "include_action_history_in_verification", "max_screenshot_scrolls",
    "user_agent", "browser_address",
)  # fmt: skip


def request_body(request: dict[str, Any]) -> dict[str, Any]:
    """The stored request as a caller would send it: known fields, no nulls, no false flags."""
    return {k: request[k] for k in SDK_KWARGS if request.get(k) not in (None, "", False, {}, [])}


def curl_snippet(*, request: dict[str, Any], base_url: str) -> str:
    body = json.dumps(request_body(request), indent=2)
    # skyvern-2.0's planner limit travels as a header, not in the body.
    iterations = request.get("max_iterations")
    header = [f'  -H "x-max-iterations-override: {int(iterations)}" \\'] if iterations else []
    return "\n".join(
        [
            f"curl -X POST {shlex.quote(base_url + '/v1/run/tasks')} \\",
            '  -H "x-api-key: $SKYVERN_API_KEY" \\',
            *header,
            '  -H "Content-Type: application/json" \\',
            f"  -d {shlex.quote(body)}",
        ]
    )


def python_snippet(*, request: dict[str, Any], base_url: str) -> str:
    kwargs = []
    for name, value in request_body(request).items():
        literal = pprint.pformat(value, indent=2, width=90, sort_dicts=False).replace("\n", "\n    ")
        kwargs.append(f"    {name}={literal},")
    return "\n".join(
        [
            "import os",
            "",
            "from skyvern.client import Skyvern",
            "",
            f'client = Skyvern(base_url="{base_url}", api_key=os.environ["SKYVERN_API_KEY"])',
            "run = client.run_task(",
            *kwargs,
            ")",
            "print(run.run_id, run.status)",
            "# Later: client.get_run(run.run_id).output",
        ]
    )

"""The official SDK's scripts calls, run_task(run_with="code") and download_files, unchanged."""

import base64

import pytest

from runs.choices import RunStatus
from runs.models import TaskRun
from tests.sdk import test_official_sdk as official
from tests.support.factories import ActionFactory, StepFactory, run_in_status

# The official SDK tests' fixtures: the SDK module, a live server client with a key, no worker.
sdk, client, http, org_and_key, _no_worker = (
    official.sdk, official.client, official.http, official.org_and_key, official._no_worker,
)  # fmt: skip

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "https://example.com/form"


def _recorded_run(org) -> TaskRun:
    run = run_in_status(RunStatus.COMPLETED, organization=org, prompt="Sign up as ada@example.com", url=FORM)
    locator = {"label": "Email", "candidates": [{"by": "label", "value": "Email"}]}
    ActionFactory(
        step=StepFactory(run=run, order=0),
        action_type="input_text",
        text="ada@example.com",
        status="completed",
        result={"success": True, "locator": locator, "page": {"url": FORM, "url_after": FORM}},
    )
    return run


def test_the_sdk_creates_lists_reads_deploys_and_runs_a_script(client, org_and_key):
    run = _recorded_run(org_and_key[0])
    created = client.create_script(run_id=run.run_id)
    assert created.version == 1 and created.run_id == run.run_id and created.file_count == 1
    assert [script.script_id for script in client.get_scripts()] == [created.script_id]
    script = client.get_script(created.script_id)
    assert script.script_revision_id.startswith("sr_") and script.version == 1

    content = base64.b64encode(b"print('hi')").decode()
    deployed = client.deploy_script(created.script_id, files=[{"path": "main.py", "content": content}])
    assert deployed.version == 2 and deployed.file_tree["main.py"].type == "file"

    started = client.scripts.run_script(created.script_id)
    assert TaskRun.objects.get(run_id=started["run_id"]).request["run_with"] == "code"


def test_run_task_with_code_and_download_files_start_runs(client):
    run = client.run_task(prompt="Sign up", url=FORM, run_with="code")
    assert TaskRun.objects.get(run_id=run.run_id).request["run_with"] == "code"
    download = client.download_files(navigation_goal="Download the March invoice", url=FORM)
    assert download.run_id.startswith("tsk_") and download.status == "queued"
    assert "Download the March invoice" in TaskRun.objects.get(run_id=download.run_id).prompt

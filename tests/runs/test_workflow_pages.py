"""The dashboard's Workflows pages: list, YAML editor with inline errors, run form from the parameters,
and the block tree on a workflow run's page."""

import pytest
from django.test import Client

from runs.models import TaskRun, Workflow, WorkflowRunBlock
from runs.services.workflows import workflow_create
from tests.support.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

YAML = """title: Greet
workflow_definition:
  parameters:
    - {key: name, parameter_type: workflow, workflow_parameter_type: string}
    - {key: count, parameter_type: workflow, workflow_parameter_type: integer, default_value: 2}
    - {key: loud, parameter_type: workflow, workflow_parameter_type: boolean, default_value: false}
  blocks:
    - {block_type: text_prompt, label: hello, prompt: "Hello {{ name }} x{{ count }}"}
"""


@pytest.fixture(autouse=True)
def _isolated(no_worker, monkeypatch):
    monkeypatch.setattr("runs.dispatch.browser_workers_online", lambda: None)


@pytest.fixture
def browser(org) -> Client:
    client = Client()
    client.force_login(UserFactory(organization=org))
    return client


def test_the_nav_links_to_workflows_and_the_list_shows_them(browser, org):
    workflow = workflow_create(organization=org, body={"yaml_definition": YAML})
    workflow_create(
        organization=OrganizationFactory(), body={"yaml_definition": YAML.replace("Greet", "Theirs")}
    )
    page = browser.get("/workflows").content.decode()
    assert 'href="/workflows" aria-current="page">Workflows</a>' in page
    assert workflow.workflow_permanent_id in page and "Theirs" not in page


def test_a_bad_definition_is_shown_beside_the_text_and_saves_nothing(browser):
    broken = YAML.replace("text_prompt", "teleport")
    response = browser.post("/workflows/new", {"definition": broken})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and 'id="definition-error" role="alert"' in page
    assert "block &#x27;hello&#x27;: unknown block_type &#x27;teleport&#x27;" in page
    assert "teleport" in page.split('id="definition"')[1].split("</textarea>")[0]  # the text is kept
    assert not Workflow.objects.exists()


def test_creating_then_editing_adds_a_version(browser):
    response = browser.post("/workflows/new", {"definition": YAML})
    wpid = Workflow.objects.get().workflow_permanent_id
    assert response.status_code == 302 and response["Location"] == f"/workflows/{wpid}"
    browser.post(f"/workflows/{wpid}", {"definition": YAML.replace("title: Greet", "title: Greet all")})
    assert list(Workflow.objects.values_list("version", "title").order_by("version")) == [
        (1, "Greet"),
        (2, "Greet all"),
    ]


def test_the_run_form_has_a_field_per_parameter_and_starts_a_run(browser, org):
    wpid = workflow_create(organization=org, body={"yaml_definition": YAML}).workflow_permanent_id
    page = browser.get(f"/workflows/{wpid}").content.decode()
    assert 'type="text" id="param-name" name="param_name"' in page
    assert 'type="number" id="param-count" name="param_count" value="2"' in page
    assert 'type="checkbox" id="param-loud" name="param_loud"' in page

    missing = browser.post(f"/workflows/{wpid}/run", {"param_count": "3"})
    assert missing.status_code == 400 and "name is missing" in missing.content.decode()
    started = browser.post(
        f"/workflows/{wpid}/run", {"param_name": "Ada", "param_count": "3", "param_loud": "true"}
    )
    run = TaskRun.objects.get()
    assert started["Location"] == f"/runs/{run.run_id}"
    assert run.request["parameters"] == {"name": "Ada", "count": 3, "loud": True}


def test_a_workflow_runs_page_shows_its_block_tree(browser, org):
    wpid = workflow_create(organization=org, body={"yaml_definition": YAML}).workflow_permanent_id
    browser.post(f"/workflows/{wpid}/run", {"param_name": "Ada"})
    run = TaskRun.objects.get()
    loop = WorkflowRunBlock.objects.create(
        run=run, order=0, label="each", block_type="for_loop", status="running"
    )
    WorkflowRunBlock.objects.create(
        run=run,
        parent=loop,
        order=1,
        label="hello",
        block_type="text_prompt",
        status="completed",
        loop_index=0,
        output={"llm_response": "Hi Ada"},
    )
    page = browser.get(f"/runs/{run.run_id}").content.decode()
    tree = page.split('id="region-blocks"')[1].split("</section>")[0]
    assert tree.index(">each<") < tree.index(">hello<")
    assert "iteration 1" in tree and "Hi Ada" in tree


def test_a_workflow_run_is_shown_with_its_own_code_and_runs_again_with_its_parameters(browser, org):
    wpid = workflow_create(organization=org, body={"yaml_definition": YAML}).workflow_permanent_id
    browser.post(f"/workflows/{wpid}/run", {"param_name": "Ada"})
    run = TaskRun.objects.get()
    page = browser.get(f"/runs/{run.run_id}").content.decode()
    assert "client.run_workflow(" in page and "/v1/run/workflows" in page and "client.run_task(" not in page
    assert f'href="/workflows/{wpid}"' in page

    again = browser.post(f"/runs/{run.run_id}/rerun")
    rerun = TaskRun.objects.exclude(pk=run.pk).get()
    assert again["Location"] == f"/runs/{rerun.run_id}"
    assert rerun.run_id.startswith("wr_") and rerun.rerun_of == run
    assert rerun.request["parameters"] == run.request["parameters"]


def test_a_task_published_from_discover_links_to_its_workflow(browser):
    response = browser.post(
        "/discover", {"prompt": "Sign up as Ada", "url": "https://example.com/", "engine": "skyvern-1.0", "max_steps": 5,
                      "publish_workflow": "on", "proxy_location": "RESIDENTIAL"},
    )  # fmt: skip
    run = TaskRun.objects.get()
    assert response["Location"] == f"/runs/{run.run_id}"
    workflow = Workflow.objects.get()
    assert workflow.is_saved_task and run.workflow == workflow
    page = browser.get(f"/runs/{run.run_id}").content.decode()
    assert f'href="/workflows/{workflow.workflow_permanent_id}"' in page
    assert "Sign up as Ada" in browser.get("/workflows").content.decode()

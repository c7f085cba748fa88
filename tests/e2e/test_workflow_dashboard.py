"""The Workflows pages in a real browser: write the YAML (the problem shown beside it), run it from the form
made from its parameters, watch the block tree fill in; no serious axe violation, no sideways scrolling."""

# ruff: noqa: F811 (the dashboard tests' fixtures are imported by name, and tests take them as arguments)

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from runs.models import TaskRun
from runs.services.workflows import workflow_create
from tests.e2e.test_dashboard import (  # noqa: F401 (fixtures)
    PHONE,
    axe_source,
    chromium,
    open_page,
    page_width_fits,
    serious_violations,
    shoot,
    wide_elements,
)
from tests.support.factories import OrganizationFactory, UserFactory
from tests.support.fake_llm import prompt_kind

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

YAML = """title: Greet the team
workflow_definition:
  parameters:
    - {key: names, parameter_type: workflow, workflow_parameter_type: json}
  blocks:
    - block_type: for_loop
      label: each
      loop_over_parameter_key: names
      loop_blocks:
        - {block_type: text_prompt, label: greet, prompt: "Greet {{ current_value }}"}
"""


def greeting_script(messages):
    if prompt_kind(messages) == "text_prompt":
        name = re.search(r"Greet (\w+)", messages[-1]["content"]).group(1)
        return json.dumps({"llm_response": f"Hello {name}"})
    return '{"actions": []}'


def test_a_user_writes_a_workflow_runs_it_and_watches_its_blocks(worker, open_page, scripted_llm):
    scripted_llm.script = greeting_script
    page = open_page(UserFactory(organization=OrganizationFactory()))
    page.goto("/runs")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Workflows").click()
    page.get_by_role("link", name="New workflow").click()

    editor = page.get_by_label("Workflow YAML")
    editor.fill(YAML.replace("label: greet", "label: each"))
    page.get_by_role("button", name="Create workflow").click()
    expect(page.locator("#definition-error")).to_contain_text(
        "block 'each': the label is used by another block"
    )
    expect(editor).to_have_attribute("aria-invalid", "true")
    shoot(page, "workflow-editor")

    page.get_by_label("Workflow YAML").fill(YAML)
    page.get_by_role("button", name="Create workflow").click()
    expect(page.get_by_role("heading", name="Greet the team", level=1)).to_be_visible()
    page.get_by_label("names").fill('["Ada", "Grace", "Linus"]')
    page.get_by_role("button", name="Run workflow").click()

    expect(page.locator("#run-status .badge")).to_have_text("completed", timeout=60_000)
    blocks = page.locator("#blocks")
    expect(blocks.locator(".wf-block")).to_have_count(4)
    expect(blocks).to_contain_text("iteration 3")
    shoot(page, "workflow-run", full_page=True)
    run = TaskRun.objects.get()
    assert run.output == {
        "each": [{"greet": {"llm_response": f"Hello {n}"}} for n in ("Ada", "Grace", "Linus")]
    }


@pytest.mark.parametrize("viewport", [{"width": 1360, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_the_workflow_pages_pass_axe_and_fit_the_screen(
    viewport, chromium, daphne_server, transactional_db, axe_source
):
    org = OrganizationFactory()
    workflow = workflow_create(organization=org, body={"yaml_definition": YAML})
    client = Client()
    client.force_login(UserFactory(organization=org))
    context = chromium.new_context(base_url=daphne_server.url, viewport=viewport, bypass_csp=True)
    try:
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": daphne_server.url}]
        )
        page = context.new_page()
        for path in ("/workflows", "/workflows/new", f"/workflows/{workflow.workflow_permanent_id}"):
            page.goto(path)
            assert serious_violations(page, axe_source) == [], path
            assert page_width_fits(page), f"{path} scrolls sideways: {wide_elements(page)}"
    finally:
        context.close()

"""The run page's Script panel: the generated program highlighted on the server, and its download."""

import pytest
from django.test import Client

from runs.choices import RunStatus
from runs.services.scripts import script_revision_create
from tests.support.factories import OrganizationFactory, UserFactory, run_in_status

pytestmark = pytest.mark.django_db

CODE = 'async def run(page, *, email: str = "<b>ada@example.com</b>"):\n    await page.get_by_label("Email").fill(email)\n'


@pytest.fixture
def browser(org) -> Client:
    client = Client()
    client.force_login(UserFactory(organization=org))
    return client


def test_the_run_page_shows_its_script_highlighted_with_a_download(browser, org, no_worker):
    run = run_in_status(RunStatus.COMPLETED, organization=org)
    script = script_revision_create(
        organization=org,
        script_id=None,
        run=run,
        code=CODE,
        plan=[{"action": "input_text"}],
        parameters={},
        files=[],
    )
    page = browser.get(f"/runs/{run.run_id}").content.decode()
    assert f"{script.script_id} v1" in page and "Download script" in page
    assert '<span class="k">async</span>' in page and "css/script.css" in page  # Pygments, styled by a file
    assert "&lt;b&gt;ada@example.com&lt;/b&gt;" in page and "<b>ada" not in page  # escaped, never raw HTML
    download = browser.get(f"/runs/{run.run_id}/script.py")
    assert download.status_code == 200 and download.content.decode() == CODE
    assert download["Content-Disposition"] == f'attachment; filename="{script.script_id}_v1.py"'


def test_a_run_without_a_script_has_no_script_panel_and_no_download(browser, org, no_worker):
    run = run_in_status(RunStatus.COMPLETED, organization=org)
    assert "Download script" not in browser.get(f"/runs/{run.run_id}").content.decode()
    assert browser.get(f"/runs/{run.run_id}/script.py").status_code == 404


def test_another_organizations_script_cannot_be_downloaded(browser, no_worker):
    run = run_in_status(RunStatus.COMPLETED, organization=OrganizationFactory())
    script_revision_create(
        organization=run.organization, script_id=None, run=run, code=CODE, plan=[], parameters={}, files=[]
    )
    assert browser.get(f"/runs/{run.run_id}/script.py").status_code == 404


def test_replayed_and_ai_fallback_steps_say_so_on_the_run_page(browser, org, no_worker):
    from tests.support.factories import StepFactory

    run = run_in_status(RunStatus.COMPLETED, organization=org)
    StepFactory(run=run, order=0, output={"script_step": 0, "ai_fallback": False})
    reason = "no element matched any of its locators (label 'Email')"
    StepFactory(run=run, order=1, output={"script_step": 1, "ai_fallback": True, "fallback_reason": reason})
    page = browser.get(f"/runs/{run.run_id}").content.decode()
    assert "Replayed from the script (step 1), no LLM call." in page
    assert (
        "script step 2 could not run as recorded (no element matched any of its locators (label &#x27;Email&#x27;))"
        in page
    )

"""The run page of a run waiting for a pushed 2FA code: it says so and takes a pasted code."""

import pytest
from django.test import Client

from runs.models import TotpCode
from runs.services.totp_codes import run_totp_waiting
from tests.support.factories import UserFactory, run_in_status


@pytest.fixture
def browser(org, settings) -> Client:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client()
    client.force_login(UserFactory(organization=org))
    return client


def test_a_waiting_run_shows_a_form_whose_code_reaches_the_run(browser, org, no_worker):
    run = run_in_status("running", organization=org, request={"totp_identifier": "Ada@Example.com"})
    assert 'id="totp-form"' not in browser.get(f"/runs/{run.run_id}").content.decode()
    run_totp_waiting(run=run, waiting=True, identifier="Ada@Example.com")
    page = browser.get(f"/runs/{run.run_id}").content.decode()
    assert "Waiting for a 2FA code" in page and 'id="totp-form"' in page and "csrfmiddlewaretoken" in page
    assert "<script>" not in page.split('id="totp-form"')[1].split("</form>")[0]

    browser.post(f"/runs/{run.run_id}/totp", {"content": " 654321 "})
    code = TotpCode.objects.get(organization=org)
    assert (code.code, code.totp_identifier, code.task_id) == ("654321", "ada@example.com", run.run_id)
    run_totp_waiting(run=run, waiting=False)
    assert 'id="totp-form"' not in browser.get(f"/runs/{run.run_id}").content.decode()


def test_a_run_that_does_not_wait_takes_no_code(browser, org, no_worker):
    run = run_in_status("running", organization=org, request={})
    response = browser.post(f"/runs/{run.run_id}/totp", {"content": "654321"}, follow=True)
    assert "not waiting for a 2FA code" in response.content.decode()
    assert not TotpCode.objects.exists()

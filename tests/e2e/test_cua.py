"""A coordinate engine through the API, a real worker and Chromium: where each action landed is stored."""

from __future__ import annotations

import pytest

from runs.models import Action
from tests.e2e.helpers import wait_until
from tests.support.cua_providers import computer_call, message, responses_body

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_an_openai_cua_run_signs_up_by_coordinates_and_keeps_where_it_clicked(
    worker, e2e_client, test_site, cua_provider
):
    _, _, client = e2e_client
    cua_provider.script = [
        responses_body(computer_call({"type": "click", "button": "left", "x": 250, "y": 120})),
        responses_body(computer_call({"type": "type", "text": "Ada"})),
        responses_body(computer_call({"type": "click", "button": "left", "x": 160, "y": 220})),
        responses_body(message("Signed up as Ada.")),
    ]
    response = client.post(
        "/v1/run/tasks",
        json={"prompt": "Sign up as Ada", "url": test_site.url + "/fixed", "engine": "openai-cua"},
    )
    assert response.status_code == 200, response.text
    run_id = response.json()["run_id"]

    body = wait_until(
        lambda: (b := client.get(f"/v1/runs/{run_id}").json())["status"] not in ("queued", "running") and b,
        timeout=90,
        interval=0.2,
        what=f"{run_id} to finish",
    )

    assert body["status"] == "completed", body["failure_reason"]
    assert body["output"] == "Signed up as Ada."
    stored = Action.objects.filter(step__run__run_id=run_id).order_by("step__order", "index")
    assert [(a.action_type, a.x, a.y) for a in stored] == [
        ("click", 250, 120),
        ("input_text", None, None),
        ("click", 160, 220),
        ("complete", None, None),
    ]
    assert stored[0].raw == {"type": "click", "button": "left", "x": 250, "y": 120}
    actions = client.get(f"/api/v1/tasks/{run_id}/actions").json()
    assert [(a.get("x"), a.get("y")) for a in actions][:1] == [(250, 120)]
    # The page itself moved on: the last screenshot went back with the thank-you page's URL.
    last_output = cua_provider.bodies()[-1]["input"][0]
    assert last_output["current_url"].endswith("/done?name=Ada")

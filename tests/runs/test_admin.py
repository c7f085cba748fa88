import re

import pytest
from django.contrib.auth import get_user_model

from runs.models import ApiKey
from runs.services import api_key_authenticate


@pytest.fixture
def admin_client(client, org):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_an_admin_creates_a_key_and_sees_the_raw_value_once(admin_client, org):
    response = admin_client.post(
        "/admin/runs/apikey/add/", {"organization": org.pk, "name": "from admin"}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r"not be shown again: (sk_[\w-]+)", page).group(1)
    key = api_key_authenticate(raw=raw)
    assert key.organization == org and key.name == "from admin"
    listing = admin_client.get("/admin/runs/apikey/").content.decode()
    assert key.prefix in listing and raw not in listing
    detail = admin_client.get(f"/admin/runs/apikey/{key.pk}/change/").content.decode()
    assert raw not in detail


@pytest.mark.django_db
def test_an_admin_revokes_keys(admin_client, api_key):
    key, raw = api_key
    admin_client.post("/admin/runs/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert api_key_authenticate(raw=raw) is None


@pytest.mark.django_db
def test_runs_are_read_only_in_the_admin(admin_client):
    from tests.support.factories import TaskRunFactory

    run = TaskRunFactory()
    page = admin_client.get(f"/admin/runs/taskrun/{run.pk}/change/")
    assert page.status_code == 200 and run.run_id in page.content.decode()
    admin_client.post(f"/admin/runs/taskrun/{run.pk}/change/", {"prompt": "changed"})
    run.refresh_from_db()
    assert run.prompt != "changed"
    assert admin_client.get("/admin/runs/taskrun/add/").status_code == 403

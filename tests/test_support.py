"""The shared test helpers do what the tests built on them take for granted."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from runs.choices import TERMINAL_STATUSES, RunStatus
from runs.models import TaskRun
from tests.support.factories import run_in_status
from tests.support.http import LocalServer, QuietHandler


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(RunStatus))
def test_run_in_status_leaves_the_run_stamped_as_its_moves_would(status):
    run = run_in_status(status, title="t")

    stored = TaskRun.objects.get(pk=run.pk)
    assert (stored.status, stored.title) == (status, "t")
    assert (stored.queued_at is not None) == (status != RunStatus.CREATED)
    assert (stored.started_at is not None) == (status == RunStatus.RUNNING or status in TERMINAL_STATUSES)
    assert (stored.finished_at is not None) == (status in TERMINAL_STATUSES)


@pytest.mark.django_db
def test_timestamps_given_to_run_in_status_win_over_the_ones_its_moves_stamp():
    started = timezone.now() - timedelta(hours=1)

    run = run_in_status(RunStatus.FAILED, started_at=started, finished_at=started + timedelta(seconds=47))

    stored = TaskRun.objects.get(pk=run.pk)
    assert stored.finished_at - stored.started_at == timedelta(seconds=47)
    assert stored.started_at == started


class _Hello(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_body(200, b"hello", "text/plain")


def test_a_local_server_answers_until_it_is_stopped():
    with LocalServer(_Hello) as server:
        with urllib.request.urlopen(server.url + "/", timeout=5) as response:
            assert response.read() == b"hello"

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.url + "/", timeout=5)


def test_a_local_server_that_never_started_stops_at_once():
    server = LocalServer(_Hello)
    stopping = threading.Thread(target=server.stop, daemon=True)

    stopping.start()
    stopping.join(5)

    assert not stopping.is_alive()
    assert server.url == f"http://127.0.0.1:{server.port}"

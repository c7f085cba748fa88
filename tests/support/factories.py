"""The factories of every row the tests build, and `run_in_status` for a run that got where it is legally.

run = run_in_status(RunStatus.COMPLETED, organization=org, output={"price": 3})
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.db import transaction

from runs.choices import ArtifactType, RunEngine, RunStatus
from runs.models import Action, Artifact, Membership, Organization, Step, TaskRun
from runs.services import run_transition


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-secret-123")

    @factory.post_generation
    def organization(self, create, extracted, **kwargs):
        if create:
            Membership.objects.create(user=self, organization=extracted or OrganizationFactory())
            self.save()


class TaskRunFactory(factory.django.DjangoModelFactory):
    """A run as run_create leaves it: `created`. For any other status use run_in_status."""

    class Meta:
        model = TaskRun

    organization = factory.SubFactory(OrganizationFactory)
    engine = RunEngine.SKYVERN_V1
    prompt = factory.Sequence(lambda n: f"Do task number {n}")
    url = "https://example.com/"
    request = factory.LazyAttribute(lambda run: {"prompt": run.prompt, "url": run.url, "engine": run.engine})


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    run = factory.SubFactory(TaskRunFactory)
    order = factory.Sequence(lambda n: n)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    step = factory.SubFactory(StepFactory)
    index = factory.Sequence(lambda n: n)
    action_type = "click"
    element_id = "e12"
    reasoning = "The button submits the form"


class ArtifactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artifact

    run = factory.SubFactory(TaskRunFactory)
    artifact_type = ArtifactType.SCREENSHOT_ACTION
    file = factory.django.FileField(data=b"\x89PNG fake image bytes", filename="shot.png")
    filename = "shot.png"
    content_type = "image/png"
    size = factory.LazyAttribute(lambda artifact: artifact.file.size)


# The first moves of every run; then it ends in one of the final statuses.
_ROUTE = (RunStatus.QUEUED, RunStatus.RUNNING)
# The timestamps the moves stamp; given in `fields`, they win over the moves' own.
_STAMPED = ("queued_at", "started_at", "heartbeat_at", "finished_at")


def run_in_status(status: str, **fields: Any) -> TaskRun:
    """A TaskRunFactory(**fields) run moved by run_transition to `status` the way runs really go:
    created → queued → running → a final status, stopping early for `queued` or `running`.

    The moves commit as one, so their on-commit hooks (socket events, a final status's webhook) see where
    the run ended and only a run left `queued` is handed to the workers. Hooks run where commits do, in
    transactional tests: there, ask for `no_worker` before asking for a queued run.
    """
    run = TaskRunFactory(**fields)
    if status == RunStatus.CREATED:
        return run
    *before, last = _ROUTE[: _ROUTE.index(status) + 1] if status in _ROUTE else (*_ROUTE, status)
    stamps = {name: fields[name] for name in _STAMPED if name in fields}
    with transaction.atomic():
        for move in before:
            run_transition(run=run, to=move)
        return run_transition(run=run, to=last, **stamps)

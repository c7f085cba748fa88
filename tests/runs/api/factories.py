"""Factories for the rows the API reads: actions and artifacts (runs and steps are in tests/factories.py)."""

import factory

from runs.choices import ArtifactType
from runs.models import Action, Artifact
from tests.factories import StepFactory, TaskRunFactory


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

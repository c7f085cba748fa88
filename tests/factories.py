import factory
from django.contrib.auth import get_user_model

from runs.choices import RunEngine
from runs.models import Membership, Organization, Step, TaskRun


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

from django.core.management.base import BaseCommand

from runs.services import api_key_create, organization_get_or_create


class Command(BaseCommand):
    help = (
        "Create an API key (and the organization if needed). The raw key is printed alone on the last line."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="organization name")
        parser.add_argument("--name", default="", help="a label for the key")

    def handle(self, *args, org: str, name: str, **options) -> None:
        organization = organization_get_or_create(name=org)
        key, raw = api_key_create(organization=organization, name=name)
        self.stdout.write(
            f"Created API key {key.prefix}… for {organization.name} ({organization.organization_id})"
        )
        self.stdout.write(raw)

from django.core.management.base import BaseCommand, CommandError

from runs.models import Organization
from runs.services.keys import webhook_secret_set


class Command(BaseCommand):
    help = (
        "Give an organization its own webhook signing secret, used instead of the run's API key for "
        "x-skyvern-signature (webhooks and TOTP requests). The secret is printed alone on the last line, once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="organization name")
        parser.add_argument("--clear", action="store_true", help="sign with the run's API key again")

    def handle(self, *args, org: str, clear: bool, **options) -> None:
        organization = Organization.objects.filter(name=org).first()
        if organization is None:
            raise CommandError(f"no organization named {org!r}")
        secret = webhook_secret_set(organization=organization, clear=clear)
        if secret is None:
            self.stdout.write(f"{organization.name}: webhooks are signed with each run's API key again.")
            return
        self.stdout.write(f"New webhook signing secret for {organization.name}:")
        self.stdout.write(secret)

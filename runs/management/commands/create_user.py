from django.core.management.base import BaseCommand

from runs.services import organization_get_or_create, user_create


class Command(BaseCommand):
    help = "Create or update a dashboard user in an organization (created if needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--admin", action="store_true", help="staff and superuser (admin site access)")

    def handle(self, *args, org: str, username: str, password: str, admin: bool, **options) -> None:
        organization = organization_get_or_create(name=org)
        user = user_create(organization=organization, username=username, password=password, admin=admin)
        role = "admin" if user.is_superuser else "user"
        self.stdout.write(f"User {user.username} ({role}) in {organization.name}")

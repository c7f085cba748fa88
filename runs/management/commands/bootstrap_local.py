import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from runs.models import ApiKey
from runs.services import api_key_authenticate, api_key_create, organization_get_or_create, user_create


class Command(BaseCommand):
    help = "Local set-up: an organization, an admin user and an API key, kept under var/ so reruns are safe."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", default="Local")
        parser.add_argument("--username", default="admin")

    def handle(self, *args, org: str, username: str, **options) -> None:
        organization = organization_get_or_create(name=org)
        password = self._remembered(settings.VAR_DIR / "admin_password", lambda: secrets.token_urlsafe(12))
        user_create(organization=organization, username=username, password=password, admin=True)
        key_file = settings.VAR_DIR / "local_api_key"
        raw = key_file.read_text().strip() if key_file.exists() else ""
        key = api_key_authenticate(raw=raw)
        if key is None or key.organization_id != organization.pk:
            _, raw = api_key_create(organization=organization, name="local")
            self._write_private(key_file, raw)
        self.stdout.write(f"Organization: {organization.name} ({organization.organization_id})")
        self.stdout.write(f"Admin login:  {username} / {password}")
        self.stdout.write(
            f"API keys in this organization: {ApiKey.objects.filter(organization=organization).count()}"
        )
        self.stdout.write(f"API key:      {raw}")

    def _remembered(self, path: Path, make) -> str:
        if not path.exists():
            self._write_private(path, make())
        return path.read_text().strip()

    @staticmethod
    def _write_private(path: Path, value: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
        path.chmod(0o600)

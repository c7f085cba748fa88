from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand

from runs.services.keys import encryption_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt the stored copies of API keys and webhook secrets with the first of SKYVERN_ENCRYPTION_KEYS "
        "(any listed key, or the old SECRET_KEY-derived one, may read them). To rotate: put a new key first "
        "(--generate prints one), keep the old one after it, run this, then drop the old key."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--generate", action="store_true", help="print a new key and change nothing")

    def handle(self, *args, generate: bool, **options) -> None:
        if generate:
            self.stdout.write(Fernet.generate_key().decode())
            return
        done, unreadable = encryption_rotate()
        self.stdout.write(f"Re-encrypted {done} stored secret(s) with the first key.")
        if unreadable:
            self.stderr.write(
                f"{unreadable} could not be read with any key: those API keys still authenticate, but webhooks"
                " of their runs go unsigned until the organization sets a webhook secret."
            )

from django.contrib.auth import get_user_model
from django.db import transaction

from runs.models import Membership, Organization


def organization_get_or_create(*, name: str) -> Organization:
    org, _ = Organization.objects.get_or_create(name=name)
    return org


@transaction.atomic
def user_create(*, organization: Organization, username: str, password: str, admin: bool = False):
    """Create or update a dashboard user in the organization (running it twice is safe)."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = user.is_staff or admin
    user.is_superuser = user.is_superuser or admin
    user.save()
    Membership.objects.update_or_create(user=user, defaults={"organization": organization})
    return user

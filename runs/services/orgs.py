from django.contrib.auth import get_user_model
from django.db import transaction

from runs.choices import MemberRole
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
    membership, _ = Membership.objects.get_or_create(user=user, defaults={"organization": organization})
    if membership.organization_id != organization.pk:  # moved: an admin elsewhere is a member here
        membership.organization, membership.role = organization, MemberRole.MEMBER
    # An organization's first user is its admin, so someone can add the others from the dashboard.
    admins = Membership.objects.filter(organization=organization, role=MemberRole.ADMIN)
    if not admins.exclude(pk=membership.pk).exists():
        membership.role = MemberRole.ADMIN
    membership.save()
    return user

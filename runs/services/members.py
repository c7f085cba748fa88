"""An organization's people, managed by its admins: add one (with a password shown once), remove one."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from runs.choices import MemberRole
from runs.exceptions import InvalidRunRequest
from runs.models import Membership, Organization


class MemberChangeRefused(InvalidRunRequest):
    """An add or a removal the organization's rules do not allow; the message says why."""


@transaction.atomic
def member_add(*, organization: Organization, username: str, admin: bool = False) -> tuple[Membership, str]:
    """A new user in `organization` with a one-time password, returned to be shown once (only its hash is
    kept; the person changes it after logging in). An existing username is refused, never moved."""
    username = username.strip()
    user_model = get_user_model()
    if not username or len(username) > 150:
        raise MemberChangeRefused("Give a username of at most 150 characters.")
    if user_model.objects.filter(username__iexact=username).exists():
        raise MemberChangeRefused(f"The username {username!r} is taken; choose another.")
    password = secrets.token_urlsafe(12)
    user = user_model.objects.create_user(username=username, password=password)
    role = MemberRole.ADMIN if admin else MemberRole.MEMBER
    return Membership.objects.create(user=user, organization=organization, role=role), password


@transaction.atomic
def member_remove(*, membership: Membership, removed_by) -> None:
    """Take the member out of the organization (their account stays, with no organization: it sees nothing).
    Nobody removes themselves here, and an organization keeps at least one admin."""
    if membership.user_id == removed_by.pk:
        raise MemberChangeRefused("You cannot remove yourself.")
    admins = Membership.objects.select_for_update().filter(
        organization_id=membership.organization_id, role=MemberRole.ADMIN
    )
    if membership.role == MemberRole.ADMIN and admins.exclude(pk=membership.pk).count() == 0:
        raise MemberChangeRefused("An organization keeps at least one admin.")
    membership.delete()

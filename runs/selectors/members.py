"""Who belongs where: a dashboard user's organization."""

from runs.models import Membership, Organization


def organization_for_user(*, user) -> Organization | None:
    """The signed-in user's one organization; None for anonymous users and users without one."""
    if user is None or not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    return membership.organization if membership is not None else None


def membership_for_user(*, user) -> Membership | None:
    """The signed-in user's membership (organization and role); None for anonymous users and users without one."""
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.select_related("organization").filter(user=user).first()


def members_for_org(*, organization: Organization) -> list[Membership]:
    """The organization's members, admins first, then by username."""
    memberships = Membership.objects.select_related("user").filter(organization=organization)
    return sorted(memberships, key=lambda m: (not m.is_admin, m.user.get_username().lower()))


def membership_get_for_org(*, organization: Organization, membership_id: int) -> Membership | None:
    """One of the organization's memberships; None for a missing or foreign id alike."""
    return (
        Membership.objects.select_related("user").filter(organization=organization, pk=membership_id).first()
    )

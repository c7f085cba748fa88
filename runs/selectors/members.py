"""Who belongs where: a dashboard user's organization."""

from runs.models import Membership, Organization


def organization_for_user(*, user) -> Organization | None:
    """The signed-in user's one organization; None for anonymous users and users without one."""
    if user is None or not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    return membership.organization if membership is not None else None

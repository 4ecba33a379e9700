"""Writes to organizations, programs and memberships."""

from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from accounts.models import User
from organizations.models import Membership, Organization, Program, Role


def membership_ensure(
    *, user: User, organization: Organization, role: Role, program: Program | None = None
) -> Membership:
    """Give ``user`` the ``role`` (in ``program`` if given); one row per role, never two.

    Safe to call again, and safe when two requests race: the unique
    constraints decide, and the loser reads the winner's row.
    """
    lookup = {"user": user, "organization": organization, "program": program, "role": role}
    with scopes_disabled():
        existing = Membership.objects.filter(**lookup).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                return Membership.objects.create(**lookup)
        except IntegrityError:
            return Membership.objects.get(**lookup)

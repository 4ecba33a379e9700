"""Deleting an organization: restorable for 30 days (ERASE_AFTER), then erased with everything it holds."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import ERASE_AFTER
from organizations.models import Organization


def organization_delete(*, organization: Organization, now: datetime | None = None) -> Organization:
    """Delete ``organization`` restorably: its pages answer 404 to everyone, its people reach none of it."""
    now = now or timezone.now()
    if organization.deleted_at is None:
        organization.deleted_at, organization.erase_after = now, now + ERASE_AFTER
        organization.save(update_fields=["deleted_at", "erase_after"])
    return organization


def organization_restore(*, organization: Organization) -> bool:
    """Undo ``organization_delete`` (before the sweep erased it); False when it was not deleted."""
    if organization.deleted_at is None:
        return False
    organization.deleted_at = organization.erase_after = None
    organization.save(update_fields=["deleted_at", "erase_after"])
    return True


@transaction.atomic
def organization_erase(*, organization_id: int) -> bool:
    """Erase a deleted organization: the row and, by cascade, its programs, memberships, invitations and every
    program's rows. People's accounts stay (they may belong to other organizations). Locks the row first
    (skip_locked), so two sweeps at once erase it once. True when this call erased it."""
    organization = (
        Organization.objects.select_for_update(skip_locked=True)
        .filter(pk=organization_id, deleted_at__isnull=False)
        .first()
    )
    if organization is None:
        return False
    with scopes_disabled():
        organization.delete()
    return True


def organizations_due_for_erasure(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(Organization.objects.filter(erase_after__lte=now).values_list("pk", flat=True))

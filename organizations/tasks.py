"""The daily erasure sweep: deleted people and organizations whose 30 days are over."""

from celery import shared_task
from django_scopes import scopes_disabled

from accounts.services import user_erase, users_due_for_erasure
from organizations.services.retention import organization_erase, organizations_due_for_erasure


@shared_task(name="organizations.tasks.erase_deleted")
def erase_deleted() -> dict:
    """Erase what was deleted more than 30 days ago; safe to run twice (each erase locks its row and skips
    what is already erased)."""
    with scopes_disabled():
        organizations = sum(organization_erase(organization_id=pk) for pk in organizations_due_for_erasure())
        people = sum(user_erase(user_id=pk) for pk in users_due_for_erasure())
    return {"organizations": organizations, "people": people}

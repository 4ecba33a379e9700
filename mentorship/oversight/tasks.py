"""Oversight's background work: the looks at mentees' follow-up that pages queue instead of writing on a GET."""

from datetime import datetime

from celery import shared_task
from django_scopes import scopes_disabled

from accounts.models import User
from mentorship.oversight import services
from organizations.models import Membership


@shared_task(name="oversight.tasks.record_looks")
def record_looks(viewer_id: int, mentee_ids: list[int], viewed_at: str) -> int:
    """Record that the person ``viewer_id`` looked at the mentees of these memberships at ``viewed_at`` (the
    time of the view). A viewer or a mentee gone since (erased, removed) has no look to record."""
    with scopes_disabled():
        viewer = User.objects.filter(pk=viewer_id).first()
        if viewer is None:
            return 0
        found = list(Membership.objects.filter(pk__in=mentee_ids))
        services.looks_record(viewer=viewer, mentees=found, viewed_at=datetime.fromisoformat(viewed_at))
    return len(found)

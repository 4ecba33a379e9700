"""Ranked requests in the demo: two mentees mid-cascade, a mentor with a request waiting, one mentee whose
choices are used up. Made once: a program that already has requests is left alone."""

from matching.models import MentorRequest, Pairing, PairingStatus
from matching.services import requests as service
from organizations.models import Membership, Program, Role


def seed_demo_ranked_requests(program: Program, admin) -> int:
    """The demo's selections; how many requests were made (0 when they exist already or people lack)."""
    if MentorRequest.objects.filter(program=program).exists():
        return 0
    paired = Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE)
    mentors = list(Membership.objects.filter(program=program, role=Role.MENTOR).order_by("pk")[:3])
    mentees = list(
        Membership.objects.filter(program=program, role=Role.MENTEE)
        .exclude(pk__in=paired.values("mentee_id"))
        .order_by("-pk")[:3]
    )
    if len(mentors) < 3 or len(mentees) < 3:
        return 0

    def select(mentee, chosen):
        allowed = {m.pk: (None, []) for m in chosen}
        selection = service.select_mentors(
            program=program, mentee=mentee, mentor_ids=[m.pk for m in chosen], allowed=allowed, by=mentee.user
        )
        return selection.requests.get(rank=1)

    first = select(mentees[0], mentors)  # declined by the first: the second is being asked (rank 2 of 3)
    service.request_decline(request_id=first.pk, by=mentors[0].user, reason="")
    second = select(mentees[1], [mentors[2], mentors[1]])  # skipped by the admin: mid-cascade
    service.request_skip(request_id=second.pk, by=admin)
    third = select(mentees[2], [mentors[0]])  # the only choice declined: choices used up
    service.request_decline(request_id=third.pk, by=mentors[0].user, reason="")
    return MentorRequest.objects.filter(program=program).count()

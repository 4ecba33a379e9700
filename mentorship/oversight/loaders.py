"""The objects an oversight page is about, fetched through the tenant (404 outside it)."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django_scopes import scopes_disabled

from mentorship.oversight import selectors
from mentorship.oversight.models import Activity, ActivityDate, Observation
from mentorship.prepared import Prepared
from organizations.models import Membership, Role
from sessions_app.models import MentorshipSession


def activity_of_url(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(selectors.activity_with_schedule(request.program, pk))


def _date_of(program_id: int, activity_id: int, pk: int):
    with scopes_disabled():  # filtered by the program's id here, not by the scope of the request that compiles it
        return ActivityDate.objects.select_related("activity__program").filter(
            activity__program_id=program_id, activity_id=activity_id, pk=pk
        )[:1]


# Compiled once a process (mentorship.prepared): building this query cost the ORM 2 ms of each attendance page.
_DATE_OF = Prepared(_date_of, program_id=int, activity_id=int, pk=int)


def date_of_url(request: HttpRequest, pk: int, date: int) -> ActivityDate:
    found = _DATE_OF.fetch(program_id=request.program.pk, activity_id=pk, pk=date)
    if not found:
        raise Http404
    return found[0]


def mentee_of_url(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "program"), program=request.program, role=Role.MENTEE, pk=pk
    )


def observation_of_url(request: HttpRequest, pk: int) -> Observation:
    return get_object_or_404(
        Observation.objects.select_related("author__user", "mentee__user", "program"), program=request.program, pk=pk
    )


def session_of_url(request: HttpRequest, pk: int) -> MentorshipSession:
    return get_object_or_404(
        MentorshipSession.objects.select_related("mentor__user", "program"), program=request.program, pk=pk
    )

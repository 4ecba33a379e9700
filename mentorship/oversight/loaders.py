"""The objects an oversight page is about, fetched through the tenant (404 outside it)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from mentorship.oversight import selectors
from mentorship.oversight.models import Activity, ActivityDate, Observation
from organizations.models import Membership, Role
from sessions_app.models import MentorshipSession


def activity_of_url(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(selectors.activity_with_schedule(request.program, pk))


def date_of_url(request: HttpRequest, pk: int, date: int) -> ActivityDate:
    return get_object_or_404(
        ActivityDate.objects.select_related("activity__program"),
        activity__program=request.program,
        activity_id=pk,
        pk=date,
    )


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

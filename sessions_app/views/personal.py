"""Pages outside any program: "My Sessions" in every program and role, and the private calendar feed."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_scopes import scopes_disabled

from accounts.services import calendar_fetched, user_by_calendar_token
from sessions_app import ics, selectors

PAGE_SIZE = 25


@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    """The visitor's upcoming and past sessions, in every program and both roles (read across tenants,
    which is why scopes are off: every row is chosen by the visitor's own memberships)."""
    now = timezone.now()
    with scopes_disabled():
        upcoming, past = selectors.my_sessions(request.user, now=now)
        # Both lists counted in one query; a list counted empty is not read (its query, with its joins and
        # prefetches, compiled to read none).
        counts = selectors.my_session_counts(request.user, now=now)
        upcoming, past = (
            _page(sessions, count, request.GET.get(param))
            for sessions, count, param in ((upcoming, counts[0], "page"), (past, counts[1], "past"))
        )
        _annotate(request, upcoming.object_list)
    context = {"upcoming": upcoming, "past": past, "synced_at": request.user.calendar_fetched_at}
    return render(request, "sessions_app/my_sessions.html", context)


def _page(sessions, count: int, number: str | None) -> Page:
    paginator = Paginator(sessions, PAGE_SIZE)
    paginator.__dict__["count"] = count  # a cached property: known, it is not counted again
    page = paginator.get_page(number)
    page.object_list = list(page.object_list) if count else []
    return page


def _annotate(request: HttpRequest, upcoming: list) -> None:
    now = timezone.now()
    notices = {}
    for session in upcoming:
        session.my_booking = next((b for b in session.booked if b.mentee.user_id == request.user.pk), None)
        session.is_mine_to_mentor = session.mentor.user_id == request.user.pk
        session.show_link = session.online and session.starts_at - selectors.LINK_SHOWN_BEFORE <= now
        if session.my_booking:
            if session.program_id not in notices:
                notices[session.program_id] = selectors.cancel_notice(session.program)
            session.may_cancel = now <= session.starts_at - notices[session.program_id]


@require_GET
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's sessions as iCalendar, whatever the Accept header (Google sends none), never compressed.

    The token is the only key: no personal data in the URL, only its hash stored.
    """
    user = user_by_calendar_token(token)
    if user is None:
        raise Http404
    with scopes_disabled():
        body = ics.feed(user, list(selectors.sessions_of_person(user)))
    calendar_fetched(user=user, at=timezone.now())
    # Plain, uncompressed text (Outlook's subscription breaks on some compressed feeds): the project adds no
    # compression middleware; tests/sessions_app check the answer stays plain whatever the client accepts.
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    return response

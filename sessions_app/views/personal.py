"""Pages outside any program: "My Sessions" in every program and role, and the private calendar feed."""

import hashlib
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_scopes import scopes_disabled

from accounts.services import calendar_fetched, user_by_calendar_token
from mentorship.kept import kept_until, stamp_key
from mentorship.stamps import program_stamps
from sessions_app import ics, selectors

PAGE_SIZE = 25


# Where the cancel forms carry the visitor's CSRF token in the kept lists (no value shown holds a NUL).
_CSRF = "\x00csrf\x00"


@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    """The visitor's upcoming and past sessions, in every program and both roles (read across tenants,
    which is why scopes are off: every row is chosen by the visitor's own memberships).

    Both lists, rendered, are kept in this process under the stamps of the visitor's programs (read before the
    rows; the programs' ids are in the key, so a new membership reads afresh) per query, language and time
    zone, until the first moment one of them changes by itself: a session ends, its meeting link appears, its
    booking can no longer be cancelled here. The visitor's CSRF token is put in on each view."""
    user = request.user
    with scopes_disabled():
        program_ids = selectors.programs_of_person(user)
    stamp = stamp_key(program_stamps(program_ids).values())
    asked = hashlib.sha256(repr(sorted(request.GET.lists())).encode()).hexdigest()[:32]
    shown_as = f"{translation.get_language()}:{getattr(user, 'timezone', '')}"
    key = f"my-sessions:{user.pk}:{program_ids}:{shown_as}:{asked}"
    lists = kept_until(stamp, key, lambda: _my_session_lists(request), shared=False)
    context = {
        "lists": mark_safe(lists.replace(_CSRF, escape(get_token(request)))),  # nosec B308 B703 - kept HTML
        "synced_at": user.calendar_fetched_at,
    }
    return render(request, "sessions_app/my_sessions.html", context)


def _my_session_lists(request: HttpRequest) -> tuple[str, datetime | None]:
    now = timezone.now()
    with scopes_disabled():
        upcoming, past = selectors.my_sessions(request.user, now=now)
        # Both lists counted in one query; a list counted empty is not read (its query, with its joins and
        # prefetches, compiled to read none).
        counts = selectors.my_session_counts(request.user, now=now)
        upcoming, past = (
            _page(sessions, count, request.GET.get(param))
            for sessions, count, param in ((upcoming, counts.upcoming, "page"), (past, counts.past, "past"))
        )
        moments = _annotate(request, upcoming.object_list, now)
    context = {"upcoming": upcoming, "past": past, "csrf_token": _CSRF}
    html = render_to_string("sessions_app/_my_sessions_lists.html", context, request=request)
    return html, min(filter(None, [counts.first_end, *moments]), default=None)


def _page(sessions, count: int, number: str | None) -> Page:
    paginator = Paginator(sessions, PAGE_SIZE)
    paginator.__dict__["count"] = count  # a cached property: known, it is not counted again
    page = paginator.get_page(number)
    page.object_list = list(page.object_list) if count else []
    return page


def _annotate(request: HttpRequest, upcoming: list, now: datetime) -> list[datetime]:
    """Mark what each upcoming session shows the visitor; return the moments at which that changes."""
    notices, moments = {}, []
    for session in upcoming:
        session.my_booking = next((b for b in session.booked if b.mentee.user_id == request.user.pk), None)
        session.is_mine_to_mentor = session.mentor.user_id == request.user.pk
        link_from = session.starts_at - selectors.LINK_SHOWN_BEFORE
        session.show_link = session.online and link_from <= now
        if session.online and not session.show_link:
            moments.append(link_from)
        if session.my_booking:
            if session.program_id not in notices:
                notices[session.program_id] = selectors.cancel_notice(session.program)
            session.may_cancel = now <= session.starts_at - notices[session.program_id]
            if session.may_cancel:
                moments.append(session.starts_at - notices[session.program_id])
    return moments


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

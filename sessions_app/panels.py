"""What sessions add to the pages of a program (see ``mentorship.panels``)."""

from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from matching.selectors import visitor_active_pairings
from mentorship.panels import Link, Panel, pk_urls, program_url, words
from mentorship.prepared import Prepared
from organizations.models import Membership, ReviewStatus, Role
from organizations.selectors import program_membership_ids, tenant_roles
from sessions_app import selectors
from sessions_app.models import Booking, BookingStatus, MentorshipSession, RequestState, SessionRequest, SessionStatus


def program_nav_links(request: HttpRequest) -> list[Link]:
    """The Mentorship page, for everyone taking part in the program."""
    if not request.user.has_perm("sessions_app.view_mentorship", request.program):
        return []
    links = [Link(_("Mentorship"), program_url(request, "sessions:mentorship"))]
    return links + request_links(request)


def request_links(request: HttpRequest) -> list[Link]:
    """The pages of the request flows the program has on (F6), for the roles that have them."""
    program, user = request.program, request.user
    links = []
    if program.mentee_requests_enabled and user.has_perm("sessions_app.view_session_requests", program):
        links.append(Link(_("Session requests"), program_url(request, "sessions:requests")))
    if program.mentor_offers_enabled and user.has_perm("sessions_app.search_mentees", program):
        links.append(Link(_("Mentees looking for a mentor"), program_url(request, "sessions:mentee_search")))
    if program.mentor_offers_enabled and user.has_perm("sessions_app.view_mentorship_requests", program):
        links.append(Link(_("My Mentorship requests"), program_url(request, "sessions:my_requests")))
    if user.has_perm("organizations.manage_program", program):
        links.append(Link(_("Requests"), program_url(request, "sessions:requests_admin")))
    return links


def open_session_requests(request: HttpRequest) -> Panel | None:
    """A mentor's open session requests, on the program's page (F6.1: the mentor is notified there too)."""
    if not request.program.mentee_requests_enabled:
        return None
    if (request.program.pk, Role.MENTOR) not in tenant_roles(request.user, request.organization):
        return None  # a mentee's or an admin's overview: no query
    requests = list(
        selectors.session_requests_for(request.program).filter(
            mentor_id__in=program_membership_ids(request.user, request.program), state=RequestState.OPEN
        )[:5]
    )
    if not requests:
        return None
    return Panel("sessions_app/_requests_panel.html", {"open_requests": requests})


def _upcoming_of(program_id: int, user_id: int, now: datetime):
    """The person's next five published sessions in the program, as mentor or booked mentee, with the mentor's
    name (all the panel shows: no groups or booked mentees fetched): those not ended at ``now``, this process's
    clock, the one that tells when the kept panel stops being true (``Panel.until``)."""
    with scopes_disabled():
        ids = Membership._base_manager.filter(program_id=program_id, user_id=user_id).order_by().values("pk")
        # The visitor's bookings as a subquery on the bookings' mentee index: no join of every booking, no DISTINCT.
        booked = Booking.objects.filter(mentee_id__in=ids, status=BookingStatus.BOOKED).values("session_id")
        return (
            MentorshipSession.objects.filter(program_id=program_id, ends_at__gt=now, status=SessionStatus.PUBLISHED)
            .filter(Q(mentor_id__in=ids) | Q(pk__in=booked))
            .select_related("mentor__user")[:5]
        )


# Compiled once a process: every view of a program's overview runs it.
_UPCOMING_OF = Prepared(_upcoming_of, program_id=int, user_id=int, now=datetime)


def upcoming_sessions(request: HttpRequest) -> Panel | None:
    """The visitor's next sessions in this program, as mentor or booked mentee: true until the first one ends."""
    upcoming = _UPCOMING_OF.fetch(program_id=request.program.pk, user_id=request.user.pk, now=timezone.now())
    if not upcoming:
        return None
    until = min(session.ends_at for session in upcoming)
    return Panel("sessions_app/_upcoming_panel.html", {"upcoming_sessions": upcoming}, until=until)


def schedule_links(membership: Membership, pairings) -> list[Link]:
    """Where a paired person schedules a session with the other (F5.5): a mentee books on their mentor's
    profile in the program; a mentor adds the mentee from New Session, pre-filled with them."""
    args = [membership.organization.slug, membership.program.slug]
    if membership.role == Role.MENTEE:
        return [
            Link(_("Schedule a session together."), reverse("sessions:mentor", args=[*args, pairing.mentor_id]))
            for pairing in pairings
        ]
    new_session = reverse("sessions:create", args=args)
    return [
        Link(
            _("Schedule a session with %(name)s") % {"name": pairing.mentee.user.full_name},
            f"{new_session}?mentee={pairing.mentee_id}",
        )
        for pairing in pairings
    ]


def schedule_together(request: HttpRequest) -> Panel | None:
    """On the program's page: how the visitor, paired as mentor or mentee, schedules a session with the other."""
    mine = visitor_active_pairings(request)
    links = []
    for pairing in mine:
        membership = pairing.mentor if pairing.mentor.user_id == request.user.pk else pairing.mentee
        membership.organization, membership.program = request.organization, request.program  # no join for them
        links += schedule_links(membership, [pairing])
    if not links:
        return None
    return Panel("sessions_app/_schedule_panel.html", {"schedule_links": links})


HOME_LIMIT = 10


def _open_for(user_id: int):
    with scopes_disabled():
        return (
            SessionRequest.objects.filter(
                mentor__user_id=user_id,
                state=RequestState.OPEN,
                program__mentee_requests_enabled=True,
                # Of the programs home lists (organizations.selectors.memberships_of), under whose stamps it is kept.
                program__organization__status=ReviewStatus.APPROVED,
                program__organization__deleted_at__isnull=True,
            )
            .select_related("mentee__user", "program__organization")
            .only(*OPEN_FIELDS)
            .order_by("-created_at", "-pk")[: HOME_LIMIT + 1]
        )


# What the panel shows of each request (nothing else is read: the rest of the row is not fetched).
OPEN_FIELDS = ("created_at", "program__name", "program__slug", "program__organization__slug", "mentee__user__full_name")
# Compiled once a process: the mentor's home runs it on every view.
_OPEN_FOR = Prepared(_open_for, user_id=int)


def mentor_open_session_rows(user_id: int) -> dict | None:
    """The open "Request a Session" requests from mentees, in every program that has the flow on (F6.1: the
    mentor is notified by email and on their home page), in one query: what the home panel shows of them but
    how long ago each was made, which each view works out. Each row's links and words are made here (its
    program's URLs reversed once, not two {% url %} and two {% blocktranslate %} a row). Home keeps it under
    the stamps of the person's programs, with the language."""
    open_requests = _OPEN_FOR.fetch(user_id=user_id)
    if not open_requests:
        return None
    urls = {}
    rows = []
    for item in open_requests[:HOME_LIMIT]:
        program = item.program
        if program.pk not in urls:
            args = (program.organization.slug, program.slug)
            urls[program.pk] = (reverse("sessions:create", args=args), pk_urls("sessions:request_decline", *args))
        create, decline = urls[program.pk]
        rows.append(
            {
                "pk": item.pk,
                "asks": words(_("%(name)s requests a session"), name=item.mentee.user.full_name),
                "program": program.name,
                "created_at": item.created_at,
                "create": create,
                "decline": decline(item.pk),
            }
        )
    first = open_requests[0].program
    all_url = reverse("sessions:requests", args=[first.organization.slug, first.slug])
    return {"open_requests": rows, "all_url": all_url, "more": len(open_requests) > HOME_LIMIT}


def mentor_open_session_requests(kept: dict | None) -> Panel | None:
    """On a mentor's home: ``mentor_open_session_rows`` with how long ago each request was made, now."""
    if kept is None:
        return None
    rows = [
        {**row, "since": words(_("%(since)s ago"), since=timesince(row["created_at"]))} for row in kept["open_requests"]
    ]
    return Panel("sessions_app/_home_session_requests.html", {**kept, "open_requests": rows})

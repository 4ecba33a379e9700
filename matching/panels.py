"""What matching adds to the pages of a program (see ``mentorship.panels``)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from matching import selectors
from matching.models import MentorRequest, RequestState
from mentorship.panels import Link, Panel, pk_urls, program_url, words
from mentorship.prepared import Prepared
from organizations.models import Membership, ReviewStatus, Role
from organizations.selectors import program_roles


def participant_next_steps(request: HttpRequest) -> Panel | None:
    """The visitor's next step as mentor or mentee of the program (seed 000's flow)."""
    program = request.program
    # The visitor's memberships from the rows the tenant middleware read (no query): the panel needs their pk
    # and role only.
    memberships = [
        Membership(pk=pk, role=role, user_id=request.user.pk, program=program, organization=request.organization)
        for role, pk in program_roles(request.user, program)
        if role in (Role.MENTOR, Role.MENTEE)
    ]
    if not memberships:
        return None
    questionnaire = selectors.questionnaire_for(program)
    steps = []
    for membership in memberships:
        progress = selectors.progress_of(questionnaire, membership, selectors.answers_of(membership))
        # The visitor's active pairings, read once a request for every panel of the page.
        mine = [
            p
            for p in selectors.visitor_active_pairings(request)
            if getattr(p, f"{membership.role}_id") == membership.pk
        ]
        step = {"membership": membership, "progress": progress, "pairings": mine}
        if membership.role == Role.MENTEE and not mine:
            step["selection_step"] = selectors.mentee_selection_step(
                program, selectors.latest_selection_state(membership)
            )
        steps.append(step)
    return Panel("matching/_next_step.html", {"steps": steps})


def program_nav_links(request: HttpRequest) -> list[Link]:
    """A mentor's or mentee's own steps, then the managers' pages, as the visitor's roles allow."""
    links = []
    if request.user.has_perm("matching.answer_questionnaire", request.program):
        links += [
            Link(_("Your profile"), program_url(request, "matching:profile")),
            Link(_("Your answers"), program_url(request, "matching:questionnaire")),
        ]
    if request.user.has_perm("matching.view_recommendations", request.program):
        links.append(Link(_("Recommended mentors"), program_url(request, "matching:recommendations")))
    if request.user.has_perm("matching.manage_pairing", request.program):
        links += [
            Link(_("Questionnaire"), program_url(request, "matching:builder")),
            Link(_("Pairing"), program_url(request, "matching:pairing")),
        ]
    return links


HOME_LIMIT = 10


def _waiting_for(user_id: int):
    with scopes_disabled():
        soonest = MentorRequest.objects.filter(
            mentor__user_id=user_id,
            mentor__role=Role.MENTOR,
            state=RequestState.WAITING,
            program__ranked_matching_enabled=True,
            # Of the programs home lists (organizations.selectors.memberships_of), under whose stamps it is kept.
            program__organization__status=ReviewStatus.APPROVED,
            program__organization__deleted_at__isnull=True,
        ).order_by("deadline", "pk")[: HOME_LIMIT + 1]
        # Picked on the requests alone, then joined: not every waiting request joined to its mentee first.
        return (
            MentorRequest.objects.filter(pk__in=soonest.values("pk"))
            .select_related("mentee__user", "program__organization")
            .only(*WAITING_FIELDS)
            .order_by("deadline", "pk")
        )


# What the panel shows of each request (nothing else is read: the rest of the row is not fetched).
WAITING_FIELDS = (
    "deadline",
    "program__name",
    "program__slug",
    "program__organization__slug",
    "mentee__user__full_name",
)
# Compiled once a process: the mentor's home runs it on every view.
_WAITING_FOR = Prepared(_waiting_for, user_id=int)


def mentor_waiting_rows(user_id: int) -> dict | None:
    """The ranked requests waiting for the mentor's answer, in every program, soonest deadline first (F4.3), in
    one query: what the home panel shows of them but the time left, which each view works out. Each row's link
    and words are made here (one URL reversed a program, not a {% url %} and two {% blocktranslate %} a row);
    the deadline in the visitor's time zone, as a template shows it. Home keeps it under the stamps of the
    person's programs, with the language and time zone."""
    waiting = _WAITING_FOR.fetch(user_id=user_id)
    if not waiting:
        return None
    urls = {}
    rows = []
    for item in waiting[:HOME_LIMIT]:
        program = item.program
        if program.pk not in urls:
            urls[program.pk] = pk_urls("matching:request_detail", program.organization.slug, program.slug)
        # As the template's filters showed it (empty without a deadline).
        deadline = timezone.localtime(item.deadline) if item.deadline else None
        rows.append(
            {
                "url": urls[program.pk](item.pk),
                "asks": words(_("%(name)s asks you to be their mentor"), name=item.mentee.user.full_name),
                "program": program.name,
                "deadline": date_format(deadline, "c") if deadline else "",
                "deadline_at": deadline,
                "deadline_shown": date_format(deadline, "DATETIME_FORMAT") if deadline else "",
            }
        )
    first = waiting[0].program
    all_url = reverse("matching:my_requests", args=[first.organization.slug, first.slug])
    return {"waiting": rows, "all_url": all_url, "more": len(waiting) > HOME_LIMIT}


def mentor_waiting_requests(kept: dict | None) -> Panel | None:
    """On a mentor's home: ``mentor_waiting_rows`` with each request's time left, now."""
    if kept is None:
        return None
    rows = [
        {
            **row,
            "answer_by": words(
                _("answer by %(deadline)s (in %(left)s)"),
                deadline=row["deadline_shown"],
                left=timeuntil(row["deadline_at"]) if row["deadline_at"] else "",
            ),
        }
        for row in kept["waiting"]
    ]
    return Panel("matching/_home_waiting_requests.html", {**kept, "waiting": rows})

"""What matching adds to the pages of a program (see ``mentorship.panels``)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from matching import selectors
from matching.models import MentorRequest, RequestState
from mentorship.panels import Link, Panel, program_url
from organizations.models import Membership, Role


def participant_next_steps(request: HttpRequest) -> Panel | None:
    """The visitor's next step as mentor or mentee of the program (seed 000's flow)."""
    program = request.program
    memberships = list(
        Membership.objects.filter(program=program, user=request.user, role__in=[Role.MENTOR, Role.MENTEE])
    )
    if not memberships:
        return None
    questionnaire = selectors.questionnaire_for(program)
    steps = []
    for membership in memberships:
        membership.program = program
        progress = selectors.progress_of(questionnaire, membership, selectors.answers_of(membership))
        # The visitor's active pairings, read once a request for every panel of the page.
        mine = [
            p
            for p in selectors.visitor_active_pairings(request)
            if getattr(p, f"{membership.role}_id") == membership.pk
        ]
        step = {"membership": membership, "progress": progress, "pairings": mine}
        if membership.role == Role.MENTEE and not mine:
            state = selectors.latest_selection_states([membership]).get(membership.pk)
            step["selection_step"] = selectors.mentee_selection_step(program, state)
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


def mentor_waiting_requests(request: HttpRequest) -> Panel | None:
    """On a mentor's home: the ranked requests waiting for their answer, in every program, soonest deadline
    first (F4.3), in one query."""
    with scopes_disabled():
        soonest = MentorRequest.objects.filter(
            mentor__user=request.user,
            mentor__role=Role.MENTOR,
            state=RequestState.WAITING,
            program__ranked_matching_enabled=True,
        ).order_by("deadline", "pk")[: HOME_LIMIT + 1]
        # Picked on the requests alone, then joined: not every waiting request joined to its mentee first.
        waiting = list(
            MentorRequest.objects.filter(pk__in=soonest.values("pk"))
            .select_related("mentee__user", "program__organization")
            .order_by("deadline", "pk")
        )
    if not waiting:
        return None
    return Panel(
        "matching/_home_waiting_requests.html", {"waiting": waiting[:HOME_LIMIT], "more": len(waiting) > HOME_LIMIT}
    )

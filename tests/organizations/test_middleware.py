"""The tenant middleware's scope: a program's pages see only that program's rows.

Each test first creates the rows of a second program of the same organization,
the rows that could leak.
"""

from collections.abc import Callable
from datetime import date, time

import pytest
from django.apps import apps
from django.db import models
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from accounts.models import User
from matching.models import (
    Answer,
    AutoPairProposal,
    AutoPairRun,
    MentorDecline,
    MentorRequest,
    MentorSelection,
    Option,
    Pairing,
    Question,
    RequestEvent,
)
from mentorship.oversight.models import (
    Activity,
    ActivityDate,
    Attendance,
    FollowUpView,
    Observation,
    ObservationRevision,
    OversightSettings,
)
from mentorship.pairings.models import (
    Agreement,
    CheckIn,
    ConversationNotice,
    CycleSurvey,
    FeedbackQuestion,
    FeedbackRequest,
    Goal,
    Message,
    PairingSettings,
    ProgramCycle,
)
from organizations.middleware import TenantMiddleware
from organizations.models import AccessRequest, Group, Invitation, Membership, Program, Role
from organizations.services.invitations import invitation_issue
from sessions_app.models import Booking, Location, MentorOffer, MentorshipSession, SessionRequest, SessionSettings
from tests.factories import GroupFactory, MembershipFactory, ProgramFactory, member
from tests.sessions_app.factories import make_session


def _question(program: Program) -> Question:
    return Question.objects.create(program=program, kind="scale", text=f"How structured, in {program.name}?")


def _membership(program: Program, role: Role = Role.MENTEE) -> Membership:
    return MembershipFactory(program=program, role=role)


def _option(program: Program) -> Option:
    return Option.objects.create(question=_question(program), label="Very")


def _answer(program: Program) -> Answer:
    return Answer.objects.create(membership=_membership(program), question=_question(program), value=3)


def _pairing(program: Program) -> Pairing:
    return Pairing.objects.create(
        program=program, mentor=_membership(program, Role.MENTOR), mentee=_membership(program)
    )


def _decline(program: Program) -> MentorDecline:
    return MentorDecline.objects.create(
        program=program, mentor=_membership(program, Role.MENTOR), mentee=_membership(program)
    )


def _run(program: Program) -> AutoPairRun:
    return AutoPairRun.objects.create(program=program)


def _proposal(program: Program) -> AutoPairProposal:
    return AutoPairProposal.objects.create(run=_run(program), mentee=_membership(program))


def _group(program: Program) -> Group:
    return GroupFactory(program=program)


def _access_request(program: Program) -> AccessRequest:
    return AccessRequest.objects.create(
        organization=program.organization, program=program, admin_name="Ada", admin_email="ada@example.org"
    )


def _location(program: Program) -> Location:
    return Location.objects.create(program=program, name=f"Office of {program.name}", time_zone="Europe/Paris")


def _session(program: Program) -> MentorshipSession:
    return make_session(_membership(program, Role.MENTOR))


def _booking(program: Program) -> Booking:
    return make_session(_membership(program, Role.MENTOR), mentee=_membership(program)).bookings.get()


def _session_settings(program: Program) -> SessionSettings:
    return SessionSettings.objects.create(program=program)


def _session_request(program: Program) -> SessionRequest:
    return SessionRequest.objects.create(
        program=program, mentee=_membership(program), mentor=_membership(program, Role.MENTOR)
    )


def _mentor_offer(program: Program) -> MentorOffer:
    return MentorOffer.objects.create(
        program=program, mentee=_membership(program), mentor=_membership(program, Role.MENTOR)
    )


def _selection(program: Program) -> MentorSelection:
    return MentorSelection.objects.create(program=program, mentee=_membership(program))


def _mentor_request(program: Program) -> MentorRequest:
    selection = _selection(program)
    return MentorRequest.objects.create(
        program=program, selection=selection, mentee=selection.mentee, mentor=_membership(program, Role.MENTOR), rank=1
    )


def _request_event(program: Program) -> RequestEvent:
    return RequestEvent.objects.create(
        program=program, request=_mentor_request(program), from_state="pending", to_state="waiting", at=timezone.now()
    )


def _message(program: Program) -> Message:
    pairing = _pairing(program)
    return Message.objects.create(program=program, pairing=pairing, author=pairing.mentee, body="Hello")


def _notice(program: Program) -> ConversationNotice:
    pairing = _pairing(program)
    return ConversationNotice.objects.create(program=program, pairing=pairing, recipient=pairing.mentor)


def _pairing_settings(program: Program) -> PairingSettings:
    return PairingSettings.objects.create(program=program)


def _agreement(program: Program) -> Agreement:
    return Agreement.objects.create(
        program=program, pairing=_pairing(program), learning="Interviews", frequency="Weekly", meeting_format="Online"
    )


def _goal(program: Program) -> Goal:
    agreement = _agreement(program)
    return Goal.objects.create(program=program, agreement=agreement, title="A mock interview", target_date=date.today())


def _feedback_question(program: Program) -> FeedbackQuestion:
    return FeedbackQuestion.objects.create(program=program, text="What did you try?")


def _feedback_request(program: Program) -> FeedbackRequest:
    pairing = _pairing(program)
    session = make_session(pairing.mentor, mentee=pairing.mentee)
    return FeedbackRequest.objects.create(program=program, pairing=pairing, session=session, respondent=pairing.mentee)


def _check_in(program: Program) -> CheckIn:
    return CheckIn.objects.create(program=program, pairing=_pairing(program))


def _program_cycle(program: Program) -> ProgramCycle:
    previous = Program.objects.create(
        organization=program.organization, name=f"Before {program.name}", slug=f"before-{program.pk}"
    )
    return ProgramCycle.objects.create(program=program, previous=previous, first=previous)


def _cycle_survey(program: Program) -> CycleSurvey:
    return CycleSurvey.objects.create(program=program, respondent=_membership(program), cycle_ends_on=date.today())


def _activity(program: Program) -> Activity:
    return Activity.objects.create(program=program, name=f"Club of {program.name}")


def _activity_date(program: Program) -> ActivityDate:
    return ActivityDate.objects.create(
        activity=_activity(program), local_date=date(2026, 3, 3), start_time=time(17), end_time=time(18)
    )


def _attendance(program: Program) -> Attendance:
    return Attendance.objects.create(date=_activity_date(program), mentee=_membership(program), status="present")


def _observation(program: Program) -> Observation:
    return Observation.objects.create(
        program=program,
        author=_membership(program, Role.MENTOR),
        mentee=_membership(program),
        observed_on=date(2026, 3, 3),
        text="Fine",
    )


def _revision(program: Program) -> ObservationRevision:
    return ObservationRevision.objects.create(
        observation=_observation(program), observed_on=date(2026, 3, 3), text="Was", visibility="private"
    )


def _look(program: Program) -> FollowUpView:
    return FollowUpView.objects.create(program=program, mentee=_membership(program), viewer=_membership(program).user)


def _oversight_settings(program: Program) -> OversightSettings:
    return OversightSettings.objects.create(program=program)


PROGRAM_OWNED: dict[type[models.Model], Callable[[Program], models.Model]] = {
    Question: _question,
    Option: _option,
    Answer: _answer,
    Pairing: _pairing,
    MentorDecline: _decline,
    AutoPairRun: _run,
    AutoPairProposal: _proposal,
    Group: _group,
    AccessRequest: _access_request,
    Location: _location,
    MentorshipSession: _session,
    Booking: _booking,
    SessionSettings: _session_settings,
    SessionRequest: _session_request,
    MentorOffer: _mentor_offer,
    MentorSelection: _selection,
    MentorRequest: _mentor_request,
    RequestEvent: _request_event,
    Message: _message,
    ConversationNotice: _notice,
    PairingSettings: _pairing_settings,
    Agreement: _agreement,
    Goal: _goal,
    FeedbackQuestion: _feedback_question,
    FeedbackRequest: _feedback_request,
    CheckIn: _check_in,
    CycleSurvey: _cycle_survey,
    ProgramCycle: _program_cycle,
    Activity: _activity,
    ActivityDate: _activity_date,
    Attendance: _attendance,
    Observation: _observation,
    ObservationRevision: _revision,
    FollowUpView: _look,
    OversightSettings: _oversight_settings,
}


@pytest.fixture
def programs(db) -> tuple[Program, Program]:
    """Programs A and B of one organization."""
    a = ProgramFactory(name="Program A")
    return a, ProgramFactory(organization=a.organization, name="Program B")


def through_the_middleware(request, view) -> HttpResponse:
    """``request`` through the tenant middleware as Django's handler runs it: the URL resolved, the middleware's
    ``process_view``, then ``view`` (unless the middleware answered)."""
    match = resolve(request.path_info)
    request.resolver_match = match
    middleware = TenantMiddleware(
        lambda request: middleware.process_view(request, match.func, match.args, match.kwargs) or view(request)
    )
    return middleware(request)


def read_behind_the_middleware(url: str, user: User, read: Callable[[], object]) -> object:
    """What ``read()`` returns when a view runs it for ``user`` at ``url``, inside the middleware's scope."""
    seen = []

    def view(request) -> HttpResponse:
        seen.append(read())
        return HttpResponse()

    request = RequestFactory().get(url)
    request.user = user
    through_the_middleware(request, view)
    return seen[0]


def _pks(model: type[models.Model]) -> Callable[[], set[int]]:
    return lambda: set(model.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("model", PROGRAM_OWNED, ids=lambda model: model.__name__)
def test_a_query_that_forgets_the_program_sees_only_the_pages_program(programs, model):
    a, b = programs
    PROGRAM_OWNED[model](b)
    own = {PROGRAM_OWNED[model](a).pk}
    url = reverse("portal:program", args=[a.organization.slug, a.slug])
    assert read_behind_the_middleware(url, member(a, Role.ORGANIZATION_ADMIN), _pks(model)) == own


@pytest.mark.parametrize("model", PROGRAM_OWNED, ids=lambda model: model.__name__)
def test_a_program_owned_query_on_an_organization_page_is_an_error(programs, model):
    a, b = programs
    PROGRAM_OWNED[model](a)
    PROGRAM_OWNED[model](b)
    url = reverse("organizations:detail", args=[a.organization.slug])
    with pytest.raises(ScopeError, match="program"):
        read_behind_the_middleware(url, member(a, Role.ORGANIZATION_ADMIN), _pks(model))


def test_an_organization_page_sees_the_organizations_memberships_and_invitations(programs):
    a, b = programs
    outside = ProgramFactory()
    invitation_issue(organization=outside.organization, program=outside, email="x@example.org", role=Role.MENTEE)
    _membership(outside)
    invitations = {
        invitation_issue(organization=p.organization, program=p, email=f"{p.slug}@example.org", role=Role.MENTEE)[0].pk
        for p in (a, b)
    }
    members = {_membership(a).pk, _membership(b).pk}
    admin = member(a, Role.ORGANIZATION_ADMIN)
    members.add(admin.memberships.get().pk)
    url = reverse("organizations:detail", args=[a.organization.slug])
    assert read_behind_the_middleware(url, admin, _pks(Invitation)) == invitations
    assert read_behind_the_middleware(url, admin, _pks(Membership)) == members


def _has_required_program(model: type[models.Model]) -> bool:
    return any(
        isinstance(field, models.ForeignKey) and field.related_model is Program and not field.null
        for field in model._meta.get_fields()
    )


def test_every_model_with_a_required_program_is_scoped_by_program(programs):
    owned = [model for model in apps.get_models() if _has_required_program(model)]
    assert set(owned) <= set(PROGRAM_OWNED)
    with scope(organization=programs[0].organization):
        for model in owned:
            with pytest.raises(ScopeError, match="program"):
                list(model.objects.all())


def test_the_builder_of_program_a_never_shows_program_bs_questions(client, programs):
    a, b = programs
    Question.objects.create(program=b, kind="text", text="Program B's secret question")
    Question.objects.create(program=a, kind="text", text="Program A's own question")
    client.force_login(member(a, Role.ORGANIZATION_ADMIN))
    page = client.get(reverse("matching:builder", args=[a.organization.slug, a.slug])).content.decode()
    assert "Program A&#x27;s own question" in page
    assert "secret" not in page


def test_the_pairing_page_of_program_a_never_shows_program_bs_pairings(client, programs):
    a, b = programs
    Pairing.objects.create(
        program=b,
        mentor=MembershipFactory(program=b, role=Role.MENTOR, user__full_name="Bella Bmentor"),
        mentee=MembershipFactory(program=b, user__full_name="Bruno Bmentee"),
    )
    Pairing.objects.create(
        program=a,
        mentor=MembershipFactory(program=a, role=Role.MENTOR, user__full_name="Anna Amentor"),
        mentee=MembershipFactory(program=a, user__full_name="Aaron Amentee"),
    )
    client.force_login(member(a, Role.ORGANIZATION_ADMIN))
    page = client.get(reverse("matching:pairing", args=[a.organization.slug, a.slug])).content.decode()
    assert "Anna Amentor" in page and "Aaron Amentee" in page
    assert "Bmentor" not in page and "Bmentee" not in page


def _tenant_queries(url: str, user: User) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seen = []

    def view(request) -> HttpResponse:
        seen.append(
            (
                request.organization,
                request.program,
                request.user.has_perm("organizations.view_program", request.program) if request.program else None,
            )
        )
        return HttpResponse()

    request = RequestFactory().get(url)
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        through_the_middleware(request, view)
    return len(queries.captured_queries), seen[0]


def test_a_program_page_reads_its_organization_program_and_roles_in_one_query(programs):
    a, b = programs
    user = member(a, Role.MENTEE)
    count, (organization, program, _) = _tenant_queries(
        reverse("matching:questionnaire", args=[a.organization.slug, a.slug]), user
    )
    assert (count, organization, program) == (1, a.organization, a)


def test_an_organization_page_reads_its_organization_and_roles_in_one_query(programs):
    a, _b = programs
    user = member(a, Role.ORGANIZATION_ADMIN)
    count, (organization, program, _) = _tenant_queries(
        reverse("organizations:members", args=[a.organization.slug]), user
    )
    assert (count, organization, program) == (1, a.organization, None)

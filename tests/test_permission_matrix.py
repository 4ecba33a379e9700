"""Every tenant URL, visited by every kind of person.

The matrix must name every tenant URL (one whose arguments name an
``organization``, whatever the converter): a new tenant URL without an entry
fails ``test_every_tenant_url_is_in_the_matrix``, and one whose view declares
no access (``@tenant_view``) fails ``test_every_tenant_url_declares_who_may_use_it``.
Each entry says which role may use the page and which role may not; each is
run as anonymous (sent to log in), as a member of another organization (404),
as the wrong role (403) and as the right role (200).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import AutoPairRun, Pairing, Question
from mentorship.oversight.services import DateInput, activity_save, observation_add
from mentorship.pairings.models import Agreement, CycleSurvey, FeedbackRequest, Goal, Message
from organizations.decorators import declared_access
from organizations.models import EmailDomain, Role
from organizations.services.invitations import invitation_issue
from sessions_app.models import MentorOffer, SessionRequest
from tests.factories import ProgramFactory, member
from tests.helpers import routes, tenant_routes
from tests.sessions_app.factories import make_session


@dataclass(frozen=True)
class Entry:
    """Who may use a tenant URL. ``method`` POST expects a redirect (302) for the right role."""

    allowed: Role | str
    forbidden: Role | str | None
    method: str = "get"
    extra_kwargs: Callable[[dict], dict] = field(default=lambda objects: {})
    ok: int | None = None  # what the right role gets, when not the default
    staff: bool = True  # False: a page of one's own as mentor or mentee, which staff do not have
    refused: int = 403  # what the wrong role (and staff, without ``staff``) gets: 404 for a private page
    staff_refused: int | None = None  # what staff get, when not ``refused`` (a page of one's own: 404)

    @property
    def ok_status(self) -> int:
        return self.ok or (302 if self.method == "post" else 200)


def _invitation_pk(objects: dict) -> dict:
    return {"pk": objects["invitation"].pk}


def _question_pk(objects: dict) -> dict:
    return {"pk": objects["question"].pk}


def _pairing_pk(objects: dict) -> dict:
    return {"pk": objects["pairing"].pk}


def _run_pk(objects: dict) -> dict:
    return {"pk": objects["run"].pk}


def _mentor_pk(objects: dict) -> dict:
    return {"pk": objects["mentor"].pk}


def _session_pk(objects: dict) -> dict:
    return {"pk": objects["session"].pk}


def _open_session_pk(objects: dict) -> dict:
    return {"pk": objects["open_session"].pk}


def _booking_pk(objects: dict) -> dict:
    return {"pk": objects["booking"].pk}


def _activity_pk(objects: dict) -> dict:
    return {"pk": objects["activity"].pk}


def _activity_date(objects: dict) -> dict:
    return {"pk": objects["activity"].pk, "date": objects["activity_date"].pk}


def _mentee_pk(objects: dict) -> dict:
    return {"pk": objects["mentee"].pk}


def _session_request_pk(objects: dict) -> dict:
    return {"pk": objects["session_request"].pk}


def _offer_pk(objects: dict) -> dict:
    return {"pk": objects["offer"].pk}


def _observation_pk(objects: dict) -> dict:
    return {"pk": objects["observation"].pk}


def _request_pk(objects: dict) -> dict:
    return {"pk": objects["mentor_request"].pk}


def _message_pk(objects: dict) -> dict:
    return {"pk": objects["message"].pk}


def _goal_pk(objects: dict) -> dict:
    return {"pk": objects["goal"].pk}


def _feedback_pk(objects: dict) -> dict:
    return {"pk": objects["feedback"].pk}


def _survey_pk(objects: dict) -> dict:
    return {"pk": objects["survey"].pk}


def _email_domain_pk(objects: dict) -> dict:
    return {"pk": objects["email_domain"].pk}


MATRIX: dict[str, Entry] = {
    "organizations:detail": Entry(allowed=Role.MENTEE, forbidden=None),
    "organizations:members": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.MENTOR),
    "organizations:language": Entry(
        allowed=Role.ORGANIZATION_ADMIN,
        forbidden=Role.PROGRAM_ADMIN,
        method="post",
        ok=400,  # empty form
    ),
    "organizations:sso": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.PROGRAM_ADMIN),
    "organizations:sso_test": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.MENTOR, method="post"),
    "organizations:sso_switch": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.MENTEE, method="post"),
    "organizations:sso_domain_verify": Entry(
        allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.PROGRAM_ADMIN, method="post", extra_kwargs=_email_domain_pk
    ),
    "organizations:program_submit": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.PROGRAM_ADMIN),
    "organizations:onboarding": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.MENTEE),
    "organizations:mentor_add": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.PROGRAM_ADMIN),
    "organizations:invitations": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.PROGRAM_ADMIN),
    "organizations:invitations_upload": Entry(
        allowed=Role.ORGANIZATION_ADMIN,
        forbidden=Role.MENTOR,
        method="post",
        ok=200,  # empty form: errors shown
    ),
    "organizations:invitation_resend": Entry(
        allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.MENTOR, method="post", extra_kwargs=_invitation_pk
    ),
    "organizations:invitation_revoke": Entry(
        allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.MENTOR, method="post", extra_kwargs=_invitation_pk
    ),
    "portal:program": Entry(allowed=Role.MENTEE, forbidden="other_program_mentee"),
    "organizations:program_people": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE),
    "organizations:access_request": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.PROGRAM_ADMIN),
    "organizations:program_invitations": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "organizations:program_invitations_upload": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", ok=200
    ),
    "organizations:program_invitation_resend": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", extra_kwargs=_invitation_pk
    ),
    "organizations:program_invitation_revoke": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", extra_kwargs=_invitation_pk
    ),
    # Matching (F3)
    "matching:builder": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "matching:question_create": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE),
    "matching:question_edit": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR, extra_kwargs=_question_pk),
    "matching:question_delete": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR, method="post", extra_kwargs=_question_pk
    ),
    "matching:question_move": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", extra_kwargs=_question_pk
    ),
    "matching:profile": Entry(allowed=Role.MENTEE, forbidden=Role.PROGRAM_ADMIN, staff=False),
    "matching:questionnaire": Entry(
        allowed=Role.MENTOR,
        forbidden=Role.PROGRAM_ADMIN,
        ok=302,
        staff=False,  # to the profile step first
    ),
    "matching:recommendations": Entry(allowed=Role.MENTEE, forbidden=Role.MENTOR, staff=False),
    "matching:pairing_end": Entry(allowed=Role.MENTEE, forbidden="other_mentee", extra_kwargs=_pairing_pk),
    "matching:pairing": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "matching:pair": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", ok=404),  # no such pair
    "matching:autopair": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR, method="post"),
    "matching:autopair_run": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, extra_kwargs=_run_pk),
    "matching:autopair_decide": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", extra_kwargs=_run_pk
    ),
    "matching:capacity": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR, method="post", extra_kwargs=_mentor_pk
    ),
    # Ranked mentor requests (F4); another mentor's request is a 404 (tests/matching/test_requests.py)
    "matching:my_requests": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, staff=False),
    "matching:request_detail": Entry(allowed=Role.MENTOR, forbidden=None, extra_kwargs=_request_pk, staff=False),
    "matching:requests_admin": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "matching:request_skip": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", extra_kwargs=_request_pk
    ),
    "matching:request_extend": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR, method="post", extra_kwargs=_request_pk
    ),
    # Ranked selection, the mentee's side (the matrix's mentee is paired with an empty questionnaire: sent on)
    "matching:select_mentors": Entry(allowed=Role.MENTEE, forbidden=Role.MENTOR, ok=302, staff=False),
    "matching:select_review": Entry(allowed=Role.MENTEE, forbidden=Role.PROGRAM_ADMIN, ok=302, staff=False),
    "matching:my_selection": Entry(allowed=Role.MENTEE, forbidden=Role.MENTOR, ok=302, staff=False),
    "matching:selection_move": Entry(
        allowed=Role.MENTEE, forbidden=Role.MENTOR, method="post", ok=404, staff=False
    ),  # no open selection
    "matching:selection_open": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post"),
    "matching:selection_close": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR, method="post"),
    # Sessions (F5)
    "sessions:mentorship": Entry(allowed=Role.MENTEE, forbidden="other_program_mentee"),
    "sessions:create": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE),
    "sessions:edit": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_session_pk),
    "sessions:duplicate": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_session_pk),
    "sessions:bulk_duplicate": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, extra_kwargs=_session_pk),
    "sessions:cancel": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_session_pk),
    "sessions:book": Entry(
        allowed=Role.MENTEE, forbidden=Role.MENTOR, method="post", extra_kwargs=_open_session_pk, staff=False
    ),
    "sessions:booking_cancel": Entry(
        allowed=Role.MENTEE, forbidden="other_mentee", method="post", extra_kwargs=_booking_pk
    ),
    "sessions:settings": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "sessions:mentor": Entry(allowed=Role.MENTEE, forbidden="other_program_mentee", extra_kwargs=_mentor_pk),
    # Requests in both directions (F6)
    "sessions:clone": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_session_pk),
    "sessions:request_session": Entry(allowed=Role.MENTEE, forbidden=Role.MENTOR, extra_kwargs=_mentor_pk, staff=False),
    "sessions:requests": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, staff=False),
    "sessions:request_decline": Entry(
        allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_session_request_pk, staff=False
    ),
    "sessions:mentee_search": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, staff=False),
    "sessions:mentee": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_mentee_pk, staff=False),
    "sessions:offer_create": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_mentee_pk, staff=False),
    "sessions:my_requests": Entry(allowed=Role.MENTEE, forbidden=Role.MENTOR, staff=False),
    "sessions:offer": Entry(allowed=Role.MENTEE, forbidden="other_mentee", extra_kwargs=_offer_pk, staff=False),
    "sessions:offer_dismiss": Entry(
        allowed=Role.MENTEE, forbidden="other_mentee", method="post", extra_kwargs=_offer_pk, staff=False
    ),
    "sessions:requests_admin": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    # Oversight (F7): mentors oversee; only program admins change activities, attendees and schedules
    # (tests/oversight/test_permissions.py tries every method of those URLs as the activity's own mentor).
    "oversight:activities": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "oversight:activity_create": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "oversight:activity": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_activity_pk),
    "oversight:activity_edit": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR, extra_kwargs=_activity_pk),
    "oversight:attendance": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR, extra_kwargs=_activity_date),
    "oversight:settings": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "oversight:observations": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "oversight:my_mentees": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, staff=False),
    "oversight:mentee": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_mentee_pk),
    # The mentee's mentors and the program's admins write observations (tests/oversight/test_admin_observations.py).
    "oversight:observation_add": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", ok=200, staff=False, extra_kwargs=_mentee_pk
    ),
    "oversight:observation_edit": Entry(
        allowed=Role.MENTOR, forbidden=Role.PROGRAM_ADMIN, staff=False, extra_kwargs=_observation_pk
    ),
    "oversight:my_follow_up": Entry(allowed=Role.MENTEE, forbidden=Role.MENTOR, staff=False),
    # Dashboards (F8.1)
    "portal:dashboard": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "portal:program_settings": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE),
    "portal:dashboard_csv": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, extra_kwargs=lambda objects: {"table": "people"}
    ),
    "portal:organization_dashboard": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.PROGRAM_ADMIN),
    "portal:organization_dashboard_csv": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.MENTOR),
    "oversight:session_attendance": Entry(allowed=Role.MENTOR, forbidden=Role.MENTEE, extra_kwargs=_session_pk),
    # The life of a pairing (issue 16): a conversation is the pair's own, a 404 for everyone else.
    "pairings:conversation": Entry(
        allowed=Role.MENTEE, forbidden=Role.PROGRAM_ADMIN, extra_kwargs=_pairing_pk, staff=False, refused=404
    ),
    "pairings:report": Entry(
        allowed=Role.MENTOR,
        forbidden=Role.PROGRAM_ADMIN,
        method="post",
        extra_kwargs=_message_pk,
        staff=False,
        refused=404,
    ),
    "pairings:activity": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "pairings:agreement": Entry(
        allowed=Role.MENTOR, forbidden=Role.PROGRAM_ADMIN, extra_kwargs=_pairing_pk, staff=False, refused=404
    ),
    "pairings:agreement_decide": Entry(
        allowed=Role.MENTOR,
        forbidden=Role.MENTEE,
        method="post",
        extra_kwargs=_pairing_pk,
        staff=False,
        staff_refused=404,
    ),
    "pairings:feedback": Entry(
        allowed=Role.MENTEE, forbidden=Role.PROGRAM_ADMIN, extra_kwargs=_feedback_pk, staff=False, refused=404
    ),
    "pairings:rematch": Entry(
        allowed=Role.MENTEE,
        forbidden=Role.MENTOR,
        method="post",
        extra_kwargs=_pairing_pk,
        staff=False,
        staff_refused=404,
    ),
    "pairings:feedback_overview": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE),
    "pairings:cycle": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "pairings:cycle_new": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE),
    "pairings:cycle_invite": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTOR),
    "pairings:cycle_survey": Entry(
        allowed=Role.MENTEE, forbidden=Role.PROGRAM_ADMIN, extra_kwargs=_survey_pk, staff=False, refused=404
    ),
    "pairings:conclude": Entry(
        allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE, method="post", extra_kwargs=_pairing_pk
    ),
    "pairings:goal_done": Entry(
        allowed=Role.MENTEE,
        forbidden=Role.PROGRAM_ADMIN,
        method="post",
        extra_kwargs=_goal_pk,
        staff=False,
        refused=404,
    ),
}


def tenant_url_names() -> set[str]:
    return {route.name for route in tenant_routes()}


def test_every_tenant_url_is_in_the_matrix():
    assert tenant_url_names() == set(MATRIX)


def test_every_tenant_url_declares_who_may_use_it():
    assert [route.name for route in tenant_routes() if declared_access(route.view) is None] == []


def test_only_tenant_urls_declare_tenant_access():
    assert [route.route for route in routes() if declared_access(route.view) and not route.is_tenant] == []


@pytest.fixture
def world(db):
    program = ProgramFactory()
    other_program = ProgramFactory(organization=program.organization)
    outsider_program = ProgramFactory()
    people = {role: member(program, role) for role in Role}
    people["other_program_mentee"] = member(other_program, Role.MENTEE)
    people["outsider"] = member(outsider_program, Role.ORGANIZATION_ADMIN)
    invitation, _ = invitation_issue(
        organization=program.organization, program=program, email="invited@example.org", role=Role.MENTEE
    )
    people["other_mentee"] = member(program, Role.MENTEE)
    question = Question.objects.create(program=program, kind="single", text="Which language?", rule="require")
    mentor = people[Role.MENTOR].memberships.get()
    pairing = Pairing.objects.create(program=program, mentor=mentor, mentee=people[Role.MENTEE].memberships.get())
    run = AutoPairRun.objects.create(program=program)
    mentee = people[Role.MENTEE].memberships.get()
    session = make_session(mentor, mentee=mentee)
    open_session = make_session(mentor, day=session.local_date + timedelta(days=1), seats=3)
    activity = activity_save(
        program=program,
        by=people[Role.PROGRAM_ADMIN],
        name="Coding club",
        description="",
        time_zone="Europe/Paris",
        mentees=[mentee],
        mentors=[mentor],
        dates=[DateInput(session.local_date, time(17), time(19), "Room 4")],
    )
    observation = observation_add(
        author=mentor, mentee=mentee, observed_on=session.local_date, text="Good start.", visibility="shared"
    )
    objects = {
        # already verified: checking it again asks no DNS server
        "email_domain": EmailDomain.objects.create(
            organization=program.organization, domain="matrix.example", verified_at=timezone.now()
        ),
        "activity": activity,
        "activity_date": activity.dates.get(),
        "mentee": mentee,
        "observation": observation,
        "invitation": invitation,
        "question": question,
        "pairing": pairing,
        "run": run,
        "mentor": mentor,
        "session": session,
        "open_session": open_session,
        "booking": session.bookings.get(),
        "session_request": SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor),
        "offer": MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee),
        "mentor_request": _waiting_request(program, mentor, people["other_mentee"].memberships.get()),
        "message": Message.objects.create(program=program, pairing=pairing, author=mentee, body="Hello"),
        "goal": Goal.objects.create(
            program=program,
            agreement=Agreement.objects.create(program=program, pairing=pairing, learning="x", frequency="x"),
            title="Goal",
            target_date=session.local_date,
        ),
        "survey": CycleSurvey.objects.create(program=program, respondent=mentee, cycle_ends_on=session.local_date),
        "feedback": FeedbackRequest.objects.create(
            program=program, pairing=pairing, session=session, respondent=mentee
        ),
    }
    return program, people, objects


def _waiting_request(program, mentor, mentee):
    from matching.services.requests import select_mentors

    selection = select_mentors(
        program=program, mentee=mentee, mentor_ids=[mentor.pk], allowed={mentor.pk: (50.0, [])}, by=None
    )
    return selection.requests.get()


def _url(name: str, world) -> str:
    program, _, objects = world
    route = next(route for route in tenant_routes() if route.name == name)
    kwargs = {"organization": program.organization.slug, **MATRIX[name].extra_kwargs(objects)}
    if "program" in route.parameters:
        kwargs["program"] = program.slug
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_log_in(client, world, name):
    response = _visit(client, name, _url(name, world))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_member_of_another_organization_gets_404(client, world, name):
    client.force_login(world[1]["outsider"])
    assert _visit(client, name, _url(name, world)).status_code == 404


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_unknown_organization_gets_404_like_a_foreign_one(client, world, name):
    program, people, _ = world
    client.force_login(people[Role.MENTEE])
    url = _url(name, world).replace(f"/o/{program.organization.slug}/", "/o/no-such-org/")
    assert _visit(client, name, url).status_code == 404


@pytest.mark.parametrize("name", sorted(n for n, e in MATRIX.items() if e.forbidden))
def test_wrong_role_gets_403(client, world, name):
    client.force_login(world[1][MATRIX[name].forbidden])
    assert _visit(client, name, _url(name, world)).status_code == MATRIX[name].refused


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_right_role_gets_the_page(client, world, name):
    client.force_login(world[1][MATRIX[name].allowed])
    assert _visit(client, name, _url(name, world)).status_code == MATRIX[name].ok_status


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_platform_staff_gets_the_page(client, world, name, django_user_model):
    staff = django_user_model.objects.create_user(email="staff@example.org", full_name="Staff", is_staff=True)
    client.force_login(staff)
    entry = MATRIX[name]
    expected = entry.ok_status if entry.staff else (entry.staff_refused or entry.refused)
    assert _visit(client, name, _url(name, world)).status_code == expected


def _visit(client, name: str, url: str):
    if MATRIX[name].method == "post":
        return client.post(url, {})
    return client.get(url)

"""Every page fits a phone: nothing wider than a 390 px screen, and it reflows at 320 px (WCAG 1.4.10),
with no axe-core violation of WCAG 2.1 A/AA at either width."""

from datetime import timedelta
from urllib.parse import urlparse

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from organizations.models import AccessRequest, OnboardingSlot, ReviewStatus, Role
from tests.browser.helpers import assert_accessible, axe_violations, last_link_to, log_in, log_in_staff
from tests.factories import PASSWORD, OrganizationFactory, ProgramFactory, Survey, UserFactory, member

WIDTHS = (390, 320)
LONG_NAMES = ("Alexandra Montgomery-Vanderbilt", "Bartholomew Fitzwilliam-Okonkwo", "Chiara Delacroix-Łukasiewicz")


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _check(page: Page, name: str, path: str, failures: list[str]) -> None:
    """Visit ``path`` at each phone width; note every overflow and axe violation under the page's name."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(path)
        if (extra := _overflow(page)) > 0:
            failures.append(f"{name} ({path}) at {width} px: {extra} px wider than the screen")
        failures.extend(f"{name} ({path}) at {width} px: {violation}" for violation in axe_violations(page))


def _seed(survey: Survey) -> dict:
    """A live program with long names in every table: people, questions, invitations, pairings, reviews."""
    program = survey.program
    program.organization.name = "Helping Hands of the Greater Metropolitan Region"
    program.organization.save()
    people = {
        "org_admin": member(program, Role.ORGANIZATION_ADMIN, full_name="Ada Administrator", email="ada@example.org"),
        "mentee": survey.person(Role.MENTEE, full_name="Mia Mentee", email="mia@example.org", skills=["Networking"]),
        "staff": UserFactory(email="staff@example.org", full_name="Stella Staff", is_staff=True),
    }
    for index, name in enumerate(LONG_NAMES):
        survey.person(
            Role.MENTOR, full_name=name, email=f"mentor.{index}.with-a-long-address@example.org", skills=["Networking"]
        )
        survey.person(
            Role.MENTEE,
            full_name=f"{name} Junior",
            email=f"mentee.{index}.long-address@example.org",
            skills=["Networking"],
        )
    pending = OrganizationFactory(name="Neighbourhood Mentors Association", status=ReviewStatus.PENDING)
    waiting_program = ProgramFactory(
        name="Second Chances Apprenticeship Program", status=ReviewStatus.PENDING, is_live=False
    )
    access = AccessRequest.objects.create(
        program=ProgramFactory(organization=waiting_program.organization, name="Summer Bridge", is_live=False),
        organization=waiting_program.organization,
        admin_name="Pat Program",
        admin_email="pat.program.administrator@example.org",
        goals="Pair first-generation students with professionals.",
    )
    OnboardingSlot.objects.create(starts_at=timezone.now() + timedelta(days=3), meeting_url="https://meet.example.org/")
    return {**people, "pending": pending, "waiting_program": waiting_program, "access": access}


def _admin_acts(page: Page, survey: Survey) -> dict:
    """The admin fills the tables through the forms (checking each page it lands on): invitations, a pairing, a run."""
    program = survey.program
    org_url, program_url = program.organization.get_absolute_url(), program.get_absolute_url()
    page.goto(f"{org_url}invitations/")
    for email in ("alexandra.montgomery-vanderbilt@example.org", "revoked.person@example.org"):
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Invite as").select_option(label="Mentee")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
        assert_accessible(page)
    page.get_by_role("button", name="Revoke the invitation to revoked.person@example.org").click()
    assert_accessible(page)
    page.goto(f"{program_url}invitations/")
    page.get_by_label("Email address").fill("bartholomew.fitzwilliam-okonkwo@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to bartholomew.fitzwilliam-okonkwo@example.org.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{program_url}pairing/")
    page.locator("summary", has_text=f"{LONG_NAMES[0]} Junior").click()  # a mentee's suggestions unfold
    page.get_by_role("button", name=f"Pair {LONG_NAMES[0]} Junior with {LONG_NAMES[0]}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Auto-pair all").click()
    expect(page.get_by_text("Ready to review")).to_be_visible()
    assert_accessible(page)
    return {"run": urlparse(page.url).path}


def test_every_page_fits_a_phone_and_passes_axe(browser: Browser, live_server, transactional_db, survey: Survey):
    seeded = _seed(survey)
    program = survey.program
    org_url, program_url = program.organization.get_absolute_url(), program.get_absolute_url()
    question = survey.skills.pk
    new_page = lambda: browser.new_context(base_url=live_server.url).new_page()  # noqa: E731 (one per person)
    failures: list[str] = []

    admin = new_page()
    log_in(admin, "ada@example.org", PASSWORD)
    acted = _admin_acts(admin, survey)
    for name, path in {
        "home": "/home/",
        "profile edit": "/profile/edit/",
        "email addresses": "/accounts/email/",
        "change password": "/accounts/password/change/",
        "delete my account": "/profile/delete/",
        "organization page": org_url,
        "organization members": f"{org_url}members/",
        "single sign-on": f"{org_url}sso/",
        "organization invitations": f"{org_url}invitations/",
        "add a mentor": f"{org_url}mentors/add/",
        "submit a program": f"{org_url}programs/submit/",
        "onboarding sign-up": f"{org_url}onboarding/",
        "program overview": program_url,
        "people": f"{program_url}people/",
        "program invitations": f"{program_url}invitations/",
        "questionnaire builder": f"{program_url}questionnaire/builder/",
        "a question's page": f"{program_url}questionnaire/builder/{question}/",
        "new question": f"{program_url}questionnaire/builder/new/",
        "pairing": f"{program_url}pairing/",
        "auto-pair run": acted["run"],
        "mentorship (sessions)": f"{program_url}mentorship/",
        "new session": f"{program_url}mentorship/new/",
        "mentorship settings": f"{program_url}mentorship/settings/",
        "program settings": f"{program_url}settings/",
        "my sessions": "/sessions/",
        "not found (logged in)": "/o/no-such-organization/",
    }.items():
        _check(admin, name, path, failures)

    mentee = new_page()
    log_in(mentee, "mia@example.org", PASSWORD)
    mentee.goto(f"{program_url}recommendations/")
    expect(mentee.get_by_text("match score 100 out of 100").first).to_be_attached()  # the cards with scores
    for name, path in {
        "program overview (mentee)": program_url,
        "my sessions (mentee)": "/sessions/",
        "mentorship (mentee)": f"{program_url}mentorship/",
        "profile step": f"{program_url}profile/",
        "questionnaire": f"{program_url}questionnaire/",
        "recommendations": f"{program_url}recommendations/",
        "forbidden (mentee on pairing)": f"{program_url}pairing/",
    }.items():
        _check(mentee, name, path, failures)

    staff = new_page()
    log_in_staff(staff, "staff@example.org", PASSWORD)
    staff.goto(f"/staff/organizations/{seeded['pending'].pk}/")
    staff.get_by_role("button", name="Reject").click()
    expect(staff.get_by_role("link", name="Reason: Say why it is rejected")).to_be_visible()  # the summary
    assert_accessible(staff)
    for name, path in {
        "staff reviews": "/staff/",
        "staff organization review": f"/staff/organizations/{seeded['pending'].pk}/",
        "staff program review": f"/staff/programs/{seeded['waiting_program'].pk}/",
        "staff access review": f"/staff/access/{seeded['access'].pk}/",
        "staff onboarding sessions": "/staff/onboarding/",
    }.items():
        _check(staff, name, path, failures)

    visitor = new_page()
    for name, path in {
        "landing": "/",
        "login": "/accounts/login/",
        "continue with single sign-on": "/sso/",
        "signup": "/accounts/signup/",
        "password reset": "/accounts/password/reset/",
        "log in with a code": "/accounts/login/code/",
        "submit your organization": "/organizations/submit/",
        "terms": "/terms/",
        "privacy": "/privacy/",
        "invitation": last_link_to("alexandra.montgomery-vanderbilt@example.org", "/invitations/"),
        "withdrawn invitation": last_link_to("revoked.person@example.org", "/invitations/"),
        "not found": "/no-such-page/",
    }.items():
        _check(visitor, name, path, failures)

    assert not failures, "\n".join(failures)


def test_request_pages_fit_a_phone_and_pass_axe(browser: Browser, live_server, transactional_db, survey: Survey):
    """The pages of requests in both directions (F6), with long names and messages in them."""
    from sessions_app.models import MentorOffer, SessionRequest
    from tests.sessions_app.factories import make_session

    program = survey.program
    program_url = program.get_absolute_url()
    long_message = "I would like to talk about applications, interviews and networking in my field. " * 4
    mentor = survey.person(Role.MENTOR, full_name=LONG_NAMES[0], email="mentor@example.org", skills=["Networking"])
    mentee = survey.person(Role.MENTEE, full_name=LONG_NAMES[1], email="mentee@example.org", skills=["Networking"])
    member(program, Role.PROGRAM_ADMIN, full_name="Ada Administrator", email="ada@example.org")
    mentor_m, mentee_m = mentor.memberships.get(), mentee.memberships.get()
    request = SessionRequest.objects.create(program=program, mentee=mentee_m, mentor=mentor_m, message=long_message)
    offer = MentorOffer.objects.create(program=program, mentor=mentor_m, mentee=mentee_m, message=long_message)
    session = make_session(mentor_m, mentee=mentee_m)
    new_page = lambda: browser.new_context(base_url=live_server.url).new_page()  # noqa: E731
    failures: list[str] = []

    page = new_page()
    log_in(page, "mentor@example.org", PASSWORD)
    for name, path in {
        "session requests (mentor)": f"{program_url}session-requests/",
        "home (mentor, a request waiting)": "/home/",
        "schedule a request": f"{program_url}mentorship/new/?request={request.pk}",
        "decline a request": f"{program_url}session-requests/{request.pk}/decline/",
        "mentee search": f"{program_url}mentees/",
        "mentee profile": f"{program_url}mentees/{mentee_m.pk}/",
        "I want to mentor you!": f"{program_url}mentees/{mentee_m.pk}/offer/",
        "clone": f"{program_url}mentorship/{session.pk}/clone/",
    }.items():
        _check(page, name, path, failures)

    page = new_page()
    log_in(page, "mentee@example.org", PASSWORD)
    for name, path in {
        "request a session": f"{program_url}mentors/{mentor_m.pk}/request/",
        "my mentorship requests": f"{program_url}my-requests/",
        "a mentor's request": f"{program_url}my-requests/{offer.pk}/",
    }.items():
        _check(page, name, path, failures)

    page = new_page()
    log_in(page, "ada@example.org", PASSWORD)
    _check(page, "requests (admin)", f"{program_url}mentorship/requests/", failures)

    assert not failures, "\n".join(failures)


def test_oversight_and_dashboard_pages_fit_a_phone_and_pass_axe(browser: Browser, live_server, transactional_db):
    from datetime import date, time

    from matching.models import Pairing
    from mentorship.oversight.services import DateInput, activity_save, attendance_record, observation_add
    from sessions_app.models import MentorshipSession
    from tests.sessions_app.factories import in_days, make_session

    program = ProgramFactory(name="Second Chances Apprenticeship Program")
    org_admin = member(program, Role.ORGANIZATION_ADMIN, full_name="Ada Administrator")
    mentor = member(program, Role.MENTOR, full_name=LONG_NAMES[0]).memberships.get()
    mentees = [member(program, Role.MENTEE, full_name=f"{n} Junior").memberships.get() for n in LONG_NAMES]
    Pairing.objects.create(program=program, mentor=mentor, mentee=mentees[0])
    activity = activity_save(
        program=program,
        by=org_admin,
        name="Introduction to Professional Communication Workshop Series",
        description="Writing, speaking and presenting at work.",
        time_zone="America/Toronto",
        mentees=mentees,
        mentors=[mentor],
        dates=[
            DateInput(date(2026, 3, 3), time(17), time(19), "Community Centre, Main Hall, Second Floor"),
            DateInput(date(2026, 3, 10), time(17), time(19)),
        ],
    )
    day = activity.dates.first()
    attendance_record(date=day, by=org_admin, marks={m.pk: ("present", "On time, well prepared") for m in mentees})
    observation = observation_add(
        author=mentor, mentee=mentees[0], observed_on=date(2026, 3, 3), text="Confident speaker.", visibility="shared"
    )
    session = make_session(mentor, day=in_days(4), mentee=mentees[0])
    start = timezone.now() - timedelta(days=2)
    MentorshipSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    program_url, org_url = program.get_absolute_url(), program.organization.get_absolute_url()
    new_page = lambda: browser.new_context(base_url=live_server.url).new_page()  # noqa: E731
    failures: list[str] = []

    admin = new_page()
    log_in(admin, org_admin.email, PASSWORD)
    for name, path in {
        "activities": f"{program_url}activities/",
        "new activity": f"{program_url}activities/new/",
        "activity": f"{program_url}activities/{activity.pk}/",
        "edit activity": f"{program_url}activities/{activity.pk}/edit/",
        "attendance for a date": f"{program_url}activities/{activity.pk}/dates/{day.pk}/attendance/",
        "oversight settings": f"{program_url}oversight/settings/",
        "a mentee's follow-up (admin)": f"{program_url}my-mentees/{mentees[0].pk}/",
        "dashboard": f"{program_url}dashboard/",
        "organization dashboard": f"{org_url}dashboard/",
    }.items():
        _check(admin, name, path, failures)

    mentor_page = new_page()
    log_in(mentor_page, mentor.user.email, PASSWORD)
    for name, path in {
        "my mentees": f"{program_url}my-mentees/",
        "a mentee's follow-up": f"{program_url}my-mentees/{mentees[0].pk}/",
        "edit observation": f"{program_url}observations/{observation.pk}/edit/",
        "session attendance": f"{program_url}mentorship/{session.pk}/attendance/",
        "activity (mentor)": f"{program_url}activities/{activity.pk}/",
    }.items():
        _check(mentor_page, name, path, failures)

    mentee_page = new_page()
    log_in(mentee_page, mentees[0].user.email, PASSWORD)
    _check(mentee_page, "your follow-up", f"{program_url}follow-up/", failures)

    assert not failures, "\n".join(failures)


def test_ranked_selection_pages_fit_a_phone_and_pass_axe(browser: Browser, live_server, transactional_db, survey):
    """The mentee's ranked selection (seed 000) with long names: select, review, status; the admin's requests."""
    from matching.services import requests as request_service
    from matching.services.selection import selection_open

    program = survey.program
    program_url = program.get_absolute_url()
    mentors = [
        survey.person(Role.MENTOR, full_name=name, email=f"m{i}@example.org", skills=["Networking"]).memberships.get()
        for i, name in enumerate(LONG_NAMES)
    ]
    survey.person(Role.MENTEE, full_name=f"{LONG_NAMES[0]} Junior", email="mentee@example.org", skills=["Networking"])
    member(program, Role.PROGRAM_ADMIN, full_name="Ada Administrator", email="ada@example.org")
    selection_open(program=program, by=None)
    new_page = lambda: browser.new_context(base_url=live_server.url).new_page()  # noqa: E731
    failures: list[str] = []

    page = new_page()
    log_in(page, "mentee@example.org", PASSWORD)
    _check(page, "select your mentors", f"{program_url}select/", failures)
    review = f"{program_url}select/review/?" + "&".join(f"mentor={m.pk}" for m in mentors)
    _check(page, "review your choices", review, failures)
    page.goto(review)
    page.get_by_role("button", name="Confirm and send").click()
    expect(page.get_by_text("rank 1 of 3")).to_be_visible()
    first = program.mentor_requests.get(rank=1)
    request_service.request_decline(request_id=first.pk, by=None)
    _check(page, "your mentor requests", f"{program_url}select/status/", failures)

    page = new_page()
    log_in(page, "ada@example.org", PASSWORD)
    _check(page, "mentor requests (admin)", f"{program_url}requests/", failures)

    assert not failures, "\n".join(failures)

"""Every number of the program dashboard and the organization dashboard, against data whose answer is known;
the CSV exports' contents; the date range."""

import csv
import io
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Pairing, PairingStatus, Question
from matching.services.answers import answers_save
from mentorship.oversight.services import DateInput, activity_save, attendance_record
from organizations.models import Invitation, InvitationStatus, Membership, Role
from sessions_app.models import Booking, MentorshipSession
from sessions_app.services.sessions import session_cancel
from tests.factories import ProgramFactory, member
from tests.sessions_app.factories import in_days, make_session

NOW = timezone.now()


def _ago(days: int):
    return NOW - timedelta(days=days)


def _person(program, role, name, days_in=0, **fields):
    membership = member(program, role, full_name=name).memberships.get()
    if fields:
        Membership.objects.filter(pk=membership.pk).update(**fields)
    Membership.objects.filter(pk=membership.pk).update(created_at=_ago(days_in))
    membership.refresh_from_db()
    return membership


def _pair(program, mentor, mentee, made_days_ago, ended_days_ago=None):
    pairing = Pairing.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=PairingStatus.ENDED if ended_days_ago else PairingStatus.ACTIVE,
        ended_at=_ago(ended_days_ago) if ended_days_ago else None,
    )
    Pairing.objects.filter(pk=pairing.pk).update(created_at=_ago(made_days_ago))


def _invite(program, email, role, status, expires_in_days):
    Invitation.objects.create(
        organization=program.organization,
        program=program,
        email=email,
        role=role,
        status=status,
        token_hash=email,
        expires_at=NOW + timedelta(days=expires_in_days),
    )


def _past_session(mentor, mentee, days_ago, attendance=""):
    session = make_session(mentor, day=in_days(3 + days_ago), mentee=mentee)
    start = _ago(days_ago)
    MentorshipSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    Booking.objects.filter(session=session).update(attendance=attendance)
    session.refresh_from_db()
    return session


@pytest.fixture
def known(db):
    program = ProgramFactory(default_capacity=2, max_capacity=5)
    admin = member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")
    a = _person(program, Role.MENTEE, "Anna", days_in=100)
    b = _person(program, Role.MENTEE, "Bob", days_in=90)
    c = _person(program, Role.MENTEE, "=Cleo", days_in=80)  # a name a spreadsheet would run as a formula
    _person(program, Role.MENTEE, "Dédé", days_in=30)
    m1 = _person(program, Role.MENTOR, "Mona")
    m2 = _person(program, Role.MENTOR, "Max", capacity=1)
    _invite(program, "p@example.org", Role.MENTEE, InvitationStatus.PENDING, 5)
    _invite(program, "e@example.org", Role.MENTEE, InvitationStatus.PENDING, -1)  # pending, past its date
    _invite(program, "x@example.org", Role.MENTOR, InvitationStatus.ACCEPTED, -3)
    _invite(program, "r@example.org", Role.MENTEE, InvitationStatus.REVOKED, 5)
    both = Question.objects.create(program=program, kind="text", text="Goals?", audience="both", required=True)
    only = Question.objects.create(program=program, kind="text", text="School?", audience="mentee", required=True)
    loose = Question.objects.create(program=program, kind="text", text="Hobby?", audience="both", required=False)
    for membership, questions in ((a, [both, only]), (b, [both, loose]), (m1, [both]), (m2, [loose])):
        answers_save(membership=membership, answers=dict.fromkeys(questions, "yes"))
    _pair(program, m1, a, made_days_ago=10)
    _pair(program, m2, b, made_days_ago=200)
    _pair(program, m1, c, made_days_ago=20, ended_days_ago=5)
    _past_session(m1, a, days_ago=8, attendance="attended")
    _past_session(m2, b, days_ago=15, attendance="no_show")
    make_session(m1, day=in_days(20), mentee=a)  # booked, ahead (outside the default period)
    cancelled = _past_session(m1, a, days_ago=9)
    session_cancel(session=cancelled, by=m1.user)
    _past_session(m2, None, days_ago=9)  # published, nobody booked: not counted
    make_session(m2, day=in_days(2), publish=False)  # a draft: not counted
    activity = activity_save(
        program=program,
        by=admin,
        name="Club",
        description="",
        time_zone="UTC",
        mentees=[a, b],
        mentors=[m1],
        dates=[
            DateInput(_ago(14).date(), time(10), time(11)),
            DateInput(_ago(7).date(), time(10), time(11)),
        ],
    )
    first, second = activity.dates.all()
    attendance_record(date=first, by=admin, marks={a.pk: ("present", ""), b.pk: ("absent", "")})
    attendance_record(date=second, by=admin, marks={a.pk: ("excused", "")})
    return program, admin


def _csv(client, program, table, **period) -> list[list[str]]:
    url = reverse("portal:dashboard_csv", args=[program.organization.slug, program.slug, table])
    response = client.get(url, period)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def admin_client(client, known):
    client.force_login(known[1])
    return client


def test_people_by_role_and_invitation_state(admin_client, known):
    assert _csv(admin_client, known[0], "people") == [
        ["Role", "Members", "Invitations pending", "Expired", "Accepted", "Revoked"],
        ["Mentee", "4", "1", "1", "0", "1"],
        ["Mentor", "2", "0", "0", "1", "0"],
        ["Program admin", "1", "0", "0", "0", "0"],
    ]


def test_questionnaire_completion(admin_client, known):
    assert _csv(admin_client, known[0], "questionnaire") == [
        ["Role", "Members", "Complete", "Percent complete"],
        ["Mentee", "4", "1", "25"],
        ["Mentor", "2", "1", "50"],
    ]


def test_match_rate_now_and_in_the_period(admin_client, known):
    assert _csv(admin_client, known[0], "match-rate") == [
        ["Figure", "Number"],
        ["Mentees", "4"],
        ["Matched now", "2"],
        ["Match rate now (percent)", "50"],
        ["Paired in the period", "2"],
        ["Pairings ended in the period", "1"],
    ]
    # A period that holds only the first pairing (made 200 days ago).
    start, end = _ago(210).date(), _ago(190).date()
    rows = _csv(admin_client, known[0], "match-rate", start=start, end=end)
    assert rows[2] == ["Matched now", "2"] and rows[4] == ["Paired in the period", "1"] and rows[5][1] == "0"


def _weeks_with(rows, days_ago_list):
    weeks = {}
    for days in days_ago_list:
        day = _ago(days).date()
        monday = day - timedelta(days=day.weekday())
        weeks[monday.isoformat()] = weeks.get(monday.isoformat(), 0) + 1
    return weeks


def test_pairings_per_week(admin_client, known):
    rows = _csv(admin_client, known[0], "pairings")
    assert rows[0] == ["Week of", "Pairings made"]
    counted = {week: int(n) for week, n in rows[1:] if n != "0"}
    assert counted == _weeks_with(rows, [10, 20])
    assert len(rows) - 1 in (12, 13)  # every week of the 12-week period, also the empty ones


def test_sessions_per_week_held_booked_cancelled(admin_client, known):
    rows = _csv(admin_client, known[0], "sessions")
    assert rows[0] == ["Week of", "Held", "Booked", "Cancelled"]
    held = {w: int(h) for w, h, _b, _c in rows[1:] if h != "0"}
    cancelled = {w: int(c) for w, _h, _b, c in rows[1:] if c != "0"}
    assert held == _weeks_with(rows, [8, 15])
    assert cancelled == _weeks_with(rows, [9])
    assert sum(int(b) for _w, _h, b, _c in rows[1:]) == 0  # the booked session is after the period
    ahead = _csv(admin_client, known[0], "sessions", start=in_days(0), end=in_days(30))
    assert sum(int(b) for _w, _h, b, _c in ahead[1:]) == 1


def test_attendance_rate(admin_client, known):
    assert _csv(admin_client, known[0], "attendance") == [
        ["What", "Present or attended", "Absent or no-show", "Excused or unknown", "Rate (percent)"],
        ["Activity dates", "1", "1", "1", "50"],
        ["Mentorship sessions", "1", "1", "0", "50"],
    ]


def test_mentors_near_or_at_capacity(admin_client, known):
    assert _csv(admin_client, known[0], "capacity") == [
        ["Mentor", "Active pairings", "Capacity", "Free places"],
        ["Max", "1", "1", "0"],
        ["Mona", "1", "2", "1"],
    ]
    program = known[0]
    page = admin_client.get(reverse("portal:dashboard", args=[program.organization.slug, program.slug]))
    assert "minus their active pairings): 1 at capacity, 1 near it;" in page.content.decode().replace("&#x27;", "'")


def test_mentees_waiting_longest_with_a_formula_escaped(admin_client, known):
    rows = _csv(admin_client, known[0], "waiting")
    assert rows[0] == ["Mentee", "In the program since", "Days waiting"]
    assert [r[0] for r in rows[1:]] == ["'=Cleo", "Dédé"]
    assert [r[2] for r in rows[1:]] == ["80", "30"]


def test_the_page_shows_each_figure_with_a_chart_and_a_table(admin_client, known):
    program = known[0]
    page = admin_client.get(reverse("portal:dashboard", args=[program.organization.slug, program.slug]))
    html = page.content.decode()
    for title in (
        "People by role and invitation state",
        "Questionnaire completion",
        "Match rate",
        "Requests waiting and their nearest deadlines",
        "Pairings over time",
        "Sessions per week",
        "Attendance rate",
        "Mentors near or at capacity",
        "Mentees waiting longest without a mentor",
    ):
        assert title in html
    assert html.count('<svg class="chart"') == 5
    assert "style=" not in html.split("<main", 1)[-1]
    assert "Matched now" in html and "=Cleo" in html and "Requests waiting and their nearest deadlines" in html
    assert "Download “Sessions per week” as CSV" in html


def test_a_wrong_period_is_said_and_the_default_is_shown(admin_client, known):
    program = known[0]
    url = reverse("portal:dashboard", args=[program.organization.slug, program.slug])
    html = admin_client.get(url, {"start": "2026-05-01", "end": "2026-04-01"}).content.decode()
    assert "The first day must come before the last." in html and 'value="2026-05-01"' in html
    assert admin_client.get(url, {"start": "nonsense", "end": ""}).status_code == 200


def test_an_unknown_table_is_404(admin_client, known):
    program = known[0]
    url = reverse("portal:dashboard_csv", args=[program.organization.slug, program.slug, "salaries"])
    assert admin_client.get(url).status_code == 404


def test_organization_dashboard_puts_programs_side_by_side(client, known):
    program, _admin = known
    other = ProgramFactory(organization=program.organization, name="Zeta")
    member(other, Role.MENTEE)
    boss = member(program, Role.ORGANIZATION_ADMIN)
    client.force_login(boss)
    response = client.get(reverse("portal:organization_dashboard_csv", args=[program.organization.slug]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))
    assert rows[0][:4] == ["Program", "Mentees", "Mentors", "Matched now"]
    assert rows[1] == [program.name, "4", "2", "2", "50", "2", "2", "50"]
    assert rows[2] == ["Zeta", "1", "0", "0", "0", "0", "0", ""]
    page = client.get(reverse("portal:organization_dashboard", args=[program.organization.slug])).content.decode()
    assert "Programs side by side" in page and "Zeta" in page


def test_requests_waiting_with_their_nearest_deadlines(admin_client, known):
    from matching.models import MentorRequest, MentorSelection

    program = known[0]
    mentors = list(Membership.objects.filter(program=program, role=Role.MENTOR).select_related("user"))
    mentees = list(Membership.objects.filter(program=program, role=Role.MENTEE).select_related("user"))
    now = timezone.now()
    for mentee, state, hours in [(mentees[0], "waiting", 50), (mentees[1], "waiting", 5), (mentees[2], "declined", 1)]:
        selection = MentorSelection.objects.create(program=program, mentee=mentee)
        MentorRequest.objects.create(
            program=program,
            selection=selection,
            mentee=mentee,
            mentor=mentors[0],
            rank=1,
            state=state,
            sent_at=now,
            deadline=now + timedelta(hours=hours, minutes=30),
        )
    page = admin_client.get(reverse("portal:dashboard", args=[program.organization.slug, program.slug]))
    text = page.content.decode()
    assert "Mentor requests sent and not yet answered now: 2;" in text
    rows = _csv(admin_client, program, "requests")
    assert rows[0] == ["Mentee", "Mentor asked", "Choice", "Deadline", "Hours left"]
    assert [row[0] for row in rows[1:]] == [mentees[1].user.full_name, mentees[0].user.full_name]
    assert [row[4] for row in rows[1:]] == ["5", "50"]

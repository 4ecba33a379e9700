"""The dashboard's figures of the life of pairings (issue 16, point 6), against data whose answer is known:
pairs that have talked, agreements signed, goals done, average session rating, NPS and "Needs check-in",
each on the page and in its CSV."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Pairing, PairingStatus
from mentorship.pairings.models import Agreement, CheckIn, CycleSurvey, FeedbackRequest, Goal, Message, PairingSettings
from organizations.models import Membership, Role
from sessions_app.models import MentorshipSession
from tests.factories import ProgramFactory, member
from tests.sessions_app.factories import in_days, make_session

NOW = timezone.now()
CYCLE_ENDS = date(2027, 6, 30)


def _ago(days: int):
    return NOW - timedelta(days=days)


def _person(program, role, name):
    return member(program, role, full_name=name).memberships.get()


def _pair(program, mentor, mentee, made_days_ago, ended_days_ago=None):
    pairing = Pairing.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=PairingStatus.ENDED if ended_days_ago else PairingStatus.ACTIVE,
        ended_at=_ago(ended_days_ago) if ended_days_ago else None,
    )
    Pairing.objects.filter(pk=pairing.pk).update(created_at=_ago(made_days_ago))
    return pairing


def _message(pairing, days_ago):
    message = Message.objects.create(program=pairing.program, pairing=pairing, author=pairing.mentee, body="Private")
    Message.objects.filter(pk=message.pk).update(created_at=_ago(days_ago))


def _agreement(pairing, status, signed_days_ago=None, goals=()):
    agreement = Agreement.objects.create(
        program=pairing.program,
        pairing=pairing,
        learning="Private plans",
        frequency="weekly",
        status=status,
        signed_at=_ago(signed_days_ago) if signed_days_ago is not None else None,
    )
    for n, done_days_ago in enumerate(goals):
        Goal.objects.create(
            program=pairing.program,
            agreement=agreement,
            title=f"Goal {n}",
            target_date=date(2027, 1, 1),
            done_at=_ago(done_days_ago) if done_days_ago is not None else None,
        )


def _session(mentor, mentee, days_ago, day_offset):
    """A booked, published session of the pair that ended ``days_ago`` days ago."""
    session = make_session(mentor, day=in_days(3 + day_offset), mentee=mentee)
    start = _ago(days_ago) - timedelta(hours=1)
    MentorshipSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    return session


def _feedback(pairing, session, respondent, rating, answered_days_ago, fit=""):
    FeedbackRequest.objects.create(
        program=pairing.program,
        pairing=pairing,
        session=session,
        respondent=respondent,
        rating=rating,
        fit=fit,
        answered_at=_ago(answered_days_ago) if answered_days_ago is not None else None,
    )


@pytest.fixture
def known(db):
    program = ProgramFactory(cycle_ends_on=CYCLE_ENDS)
    admin = member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")
    m1, m2 = _person(program, Role.MENTOR, "Mona"), _person(program, Role.MENTOR, "=Max")
    a, b, c, d, e = (_person(program, Role.MENTEE, name) for name in ("Anna", "Bob", "Cleo", "Dédé", "Eve"))
    # P1: active, talked (in the period and long ago), agreement signed in the period, feedback in the period.
    p1 = _pair(program, m1, a, made_days_ago=100)
    _message(p1, 10)
    _message(p1, 95)
    _agreement(p1, "signed", signed_days_ago=20, goals=[5, 120, None])
    s1 = _session(m1, a, days_ago=6, day_offset=0)
    _feedback(p1, s1, a, 4, answered_days_ago=5)
    _feedback(p1, s1, m1, 3, answered_days_ago=6, fit="not_good")
    # P2: active, never talked, agreement waiting for sign-off, quiet since it was made, reminded.
    p2 = _pair(program, m1, b, made_days_ago=50)
    _agreement(p2, "sent")
    _feedback(p2, _session(m1, b, days_ago=-3, day_offset=1), b, None, answered_days_ago=None)  # not answered
    CheckIn.objects.create(program=program, pairing=p2, reminded_at=_ago(10))
    # P3: active, talked 35 days ago, agreement being drafted, last session 32 days ago: quiet.
    p3 = _pair(program, m2, c, made_days_ago=40)
    _message(p3, 35)
    _agreement(p3, "draft")
    _session(m2, c, days_ago=32, day_offset=2)
    # P4: active, new, no agreement: not quiet yet.
    _pair(program, m2, d, made_days_ago=5)
    # P5: ended; talked and signed in the period; feedback long before the period.
    p5 = _pair(program, m1, e, made_days_ago=150, ended_days_ago=10)
    _message(p5, 20)
    _agreement(p5, "signed", signed_days_ago=30, goals=[3])
    _feedback(p5, _session(m1, e, days_ago=101, day_offset=3), e, 1, answered_days_ago=100)
    # The end-of-program survey: this cycle's answers, one unanswered, one of an earlier cycle.
    for respondent, score in ((a, 10), (b, 9), (c, 10), (d, 8), (m1, 3)):
        CycleSurvey.objects.create(
            program=program, respondent=respondent, cycle_ends_on=CYCLE_ENDS, satisfaction=score, answered_at=NOW
        )
    CycleSurvey.objects.create(program=program, respondent=m2, cycle_ends_on=CYCLE_ENDS)
    CycleSurvey.objects.create(
        program=program, respondent=e, cycle_ends_on=date(2026, 1, 31), satisfaction=0, answered_at=_ago(300)
    )
    # Another program's quiet pair and messages are not counted.
    other = ProgramFactory(organization=program.organization)
    stranger = _pair(other, _person(other, Role.MENTOR, "Otto"), _person(other, Role.MENTEE, "Olga"), 90)
    _message(stranger, 2)
    return program, admin


@pytest.fixture
def admin_client(client, known):
    client.force_login(known[1])
    return client


def _csv(client, program, table) -> list[list[str]]:
    response = client.get(reverse("portal:dashboard_csv", args=[program.organization.slug, program.slug, table]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_pairs_that_have_talked(admin_client, known):
    assert _csv(admin_client, known[0], "talked") == [
        ["Figure", "Number"],
        ["Active pairs now", "4"],
        ["Active pairs that have talked", "2"],
        ["Percent of active pairs", "50"],
        ["Pairs that talked in the period", "3"],
    ]


def test_mentoring_agreements(admin_client, known):
    assert _csv(admin_client, known[0], "agreements") == [
        ["Figure", "Number"],
        ["Active pairs now", "4"],
        ["Agreement signed", "1"],
        ["Percent of active pairs", "25"],
        ["Waiting for the mentor's sign-off", "1"],
        ["Being drafted or changed", "1"],
        ["No agreement yet", "1"],
        ["Agreements signed in the period", "2"],
    ]


def test_goals_done(admin_client, known):
    assert _csv(admin_client, known[0], "goals") == [
        ["Figure", "Number"],
        ["Goals in signed agreements", "4"],
        ["Goals done", "3"],
        ["Percent done", "75"],
        ["Goals done in the period", "2"],
    ]


def test_average_session_rating_in_the_period(admin_client, known):
    assert _csv(admin_client, known[0], "feedback") == [
        ["Figure", "Number"],
        ["Feedback answers in the period", "2"],
        ["Average rating (out of 4)", "3.5"],
        ["Rated 4", "1"],
        ["Rated 3", "1"],
        ["Rated 2", "0"],
        ["Rated 1", "0"],
        ["Not a good fit", "1"],
    ]
    program = known[0]
    url = reverse("portal:dashboard_csv", args=[program.organization.slug, program.slug, "feedback"])
    longer = admin_client.get(url, {"start": (NOW - timedelta(days=200)).date(), "end": NOW.date()})
    rows = list(csv.reader(io.StringIO(longer.content.decode("utf-8")[1:])))
    assert rows[1:3] == [["Feedback answers in the period", "3"], ["Average rating (out of 4)", "2.67"]]


def test_net_promoter_score_of_the_current_cycle(admin_client, known):
    assert _csv(admin_client, known[0], "nps") == [
        ["Figure", "Number"],
        ["Survey answers", "5"],
        ["Promoters (9 or 10)", "3"],
        ["Passives (7 or 8)", "1"],
        ["Detractors (0 to 6)", "1"],
        ["NPS", "40"],
    ]


def test_needs_check_in_quietest_first(admin_client, known):
    rows = _csv(admin_client, known[0], "check-in")
    assert rows == [
        ["Mentor", "Mentee", "Last activity", "Days quiet", "Reminded on"],
        ["Mona", "Bob", timezone.localtime(_ago(50)).date().isoformat(), "50", _ago(10).date().isoformat()],
        ["'=Max", "Cleo", timezone.localtime(_ago(32)).date().isoformat(), "32", ""],
    ]


def test_needs_check_in_follows_the_programs_quiet_days(admin_client, known):
    program = known[0]
    PairingSettings.objects.create(program=program, quiet_days=45)
    assert [row[1] for row in _csv(admin_client, program, "check-in")[1:]] == ["Bob"]
    page = admin_client.get(reverse("portal:dashboard", args=[program.organization.slug, program.slug]))
    assert "past session for the program&#x27;s number of quiet days (45): 1;" in page.content.decode()


def test_the_page_shows_each_figure_and_no_private_text(admin_client, known):
    program = known[0]
    html = admin_client.get(reverse("portal:dashboard", args=[program.organization.slug, program.slug]))
    text = html.content.decode()
    for title in (
        "Pairs that have talked",
        "Mentoring agreements",
        "Goals done",
        "Average session rating",
        "Net Promoter Score (NPS)",
        "Needs check-in",
    ):
        assert title in text
        assert f"Download “{title}” as CSV" in text
    assert "of the cycle ending on June 30, 2027" in text
    assert "Private" not in text  # neither the messages nor the agreements' text


def test_a_program_without_cycle_dates_says_why_there_is_no_nps(client, db):
    program = ProgramFactory()
    client.force_login(member(program, Role.PROGRAM_ADMIN))
    text = client.get(reverse("portal:dashboard", args=[program.organization.slug, program.slug])).content.decode()
    assert "The program has no cycle end date, so no end-of-program survey has been sent." in text
    assert Membership.objects.filter(program=program).count() == 1

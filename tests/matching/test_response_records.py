"""Each mentor's response record (F4.9): accepted, declined, expired and the median time to answer, for the
program admins on the people page; "usually answers within N days" on the mentor's card for mentees, once the
mentor has answered three requests. Known data, exact figures, constant queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import MentorRequest, MentorSelection, RequestState, SelectionState
from matching.selectors import ResponseRecord, response_records
from organizations.models import Role
from tests.factories import ProgramFactory, member
from tests.helpers import assert_constant_queries


@pytest.fixture
def program(db):
    return ProgramFactory()


def answered(program, mentor, state: str, wait: timedelta | None = None) -> MentorRequest:
    """A request from a new mentee to ``mentor``, sent 10 days ago and answered ``wait`` later (or expired)."""
    mentee = member(program, Role.MENTEE).memberships.get()
    selection = MentorSelection.objects.create(program=program, mentee=mentee, state=SelectionState.PAIRED)
    sent_at = timezone.now() - timedelta(days=10)
    return MentorRequest.objects.create(
        program=program,
        selection=selection,
        mentee=mentee,
        mentor=mentor,
        rank=1,
        state=state,
        sent_at=sent_at,
        deadline=sent_at + timedelta(days=3),
        answered_at=sent_at + (wait or timedelta(days=3)),
    )


def a_record(program, mentor) -> None:
    """1 accepted after 1 day, 2 declined after 2 and 4 days, 1 expired: median 2 days."""
    answered(program, mentor, RequestState.ACCEPTED, timedelta(days=1))
    answered(program, mentor, RequestState.DECLINED, timedelta(days=2))
    answered(program, mentor, RequestState.DECLINED, timedelta(days=4))
    answered(program, mentor, RequestState.EXPIRED)


def mentor_of(program, name: str, **fields):
    return member(program, Role.MENTOR, full_name=name, **fields).memberships.get()


def test_the_record_counts_each_answer_and_takes_the_median(program):
    steady, twice, silent = (mentor_of(program, name) for name in ("Steady", "Twice", "Silent"))
    a_record(program, steady)
    answered(program, twice, RequestState.ACCEPTED, timedelta(hours=1))
    answered(program, twice, RequestState.DECLINED, timedelta(hours=3))
    answered(program, twice, RequestState.CANCELLED, timedelta(hours=50))  # auto-paired: no answer of theirs
    records = response_records([steady.pk, twice.pk, silent.pk])
    assert records[steady.pk] == ResponseRecord(accepted=1, declined=2, expired=1, median=timedelta(days=2))
    assert records[steady.pk].usual_days == 2
    assert records[twice.pk] == ResponseRecord(accepted=1, declined=1, expired=0, median=timedelta(hours=2))
    assert records[twice.pk].usual_days is None  # fewer than three answers
    assert silent.pk not in records


def test_usual_days_round_up_and_are_at_least_one():
    assert ResponseRecord(accepted=3, median=timedelta(hours=5)).usual_days == 1
    assert ResponseRecord(accepted=2, declined=1, median=timedelta(days=2, hours=1)).usual_days == 3


def test_program_admins_see_each_mentors_record_on_the_people_page(client, program):
    steady, silent = mentor_of(program, "Steady Mentor"), mentor_of(program, "Silent Mentor")
    a_record(program, steady)
    client.force_login(member(program, Role.PROGRAM_ADMIN))
    page = client.get(reverse("organizations:program_people", args=[program.organization.slug, program.slug]))
    text = page.content.decode()
    assert "Requests answered" in text
    assert "1 accepted · 2 declined · 1 expired · median time to answer 2\xa0days" in text
    assert text.count("No requests answered yet") == 1  # Silent Mentor; mentees have no record
    assert silent.user.full_name in text


def test_the_people_page_reads_every_record_in_one_query(client, program):
    client.force_login(member(program, Role.PROGRAM_ADMIN))
    url = reverse("organizations:program_people", args=[program.organization.slug, program.slug]) + "?role=mentor"

    def add_mentors(n: int) -> None:
        for i in range(n):
            a_record(program, mentor_of(program, f"Mentor {i}"))

    assert_constant_queries(client, url, add_mentors, few=1, many=8)


def test_mentees_see_usually_answers_within_after_three_answers(client, survey):
    mentee = survey.person(Role.MENTEE, skills=["Networking"])
    steady = survey.person(Role.MENTOR, full_name="Steady Mentor", skills=["Networking"]).memberships.get()
    twice = survey.person(Role.MENTOR, full_name="Twice Mentor", skills=["Networking"]).memberships.get()
    a_record(survey.program, steady)
    answered(survey.program, twice, RequestState.ACCEPTED, timedelta(hours=1))
    answered(survey.program, twice, RequestState.DECLINED, timedelta(hours=2))
    client.force_login(mentee)
    page = client.get(reverse("matching:recommendations", args=[survey.program.organization.slug, survey.program.slug]))
    cards = {s.mentor.user.full_name: s for s in page.context["suggestions"]}
    assert set(cards) >= {"Steady Mentor", "Twice Mentor"}
    text = page.content.decode()
    assert text.count("usually answers within") == 1
    assert "usually answers within 2 days" in text

"""A mentor's search of mentees looking for a mentor: unpaired only, filtered by answers, best fit first, 25 a page;
and the pages of requests run a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Pairing
from matching.services.answers import answers_save
from organizations.models import Membership, Role
from sessions_app.models import MentorOffer, SessionRequest
from tests.factories import Survey, member
from tests.helpers import assert_constant_queries, forget_kept
from tests.sessions_app.conftest import program_url


@pytest.fixture
def survey(program):
    return Survey(program)


@pytest.fixture
def searching_mentor(program, survey):
    user = survey.person(Role.MENTOR, full_name="Maria Mentor", skills=("Public speaking", "Networking"))
    return user.memberships.get()


def test_best_fit_first_with_reasons_and_no_paired_mentee(client, program, survey, searching_mentor):
    survey.person(Role.MENTEE, full_name="Low Fit", skills=("Job applications",), structure=1)
    survey.person(Role.MENTEE, full_name="High Fit", skills=("Public speaking", "Networking"), structure=3)
    paired = survey.person(Role.MENTEE, full_name="Already Paired", skills=("Public speaking",))
    survey.person(Role.MENTEE, full_name="Speaks French", languages=("French",))  # the language requirement
    other = member(program, Role.MENTOR).memberships.get()
    Pairing.objects.create(program=program, mentor=other, mentee=paired.memberships.get())
    client.force_login(searching_mentor.user)
    page = client.get(program_url(program, "sessions:mentee_search")).content.decode()
    assert page.index("High Fit") < page.index("Low Fit")
    assert "Already Paired" not in page
    assert "Speaks French" not in page
    assert "Skills" in page  # a reason in words


def test_filtered_by_an_answer(client, program, survey, searching_mentor):
    survey.person(Role.MENTEE, full_name="Wants Networking", skills=("Networking",))
    survey.person(Role.MENTEE, full_name="Wants Applications", skills=("Job applications",))
    client.force_login(searching_mentor.user)
    option = survey.option(survey.skills, "Networking")
    url = program_url(program, "sessions:mentee_search") + f"?q{survey.skills.pk}={option}"
    page = client.get(url).content.decode()
    assert "Wants Networking" in page and "Wants Applications" not in page


def test_25_a_page(client, program, survey, searching_mentor):
    for i in range(27):
        survey.person(Role.MENTEE, full_name=f"Mentee {i:02}", skills=("Networking",))
    client.force_login(searching_mentor.user)
    first = client.get(program_url(program, "sessions:mentee_search")).content.decode()
    second = client.get(program_url(program, "sessions:mentee_search") + "?page=2").content.decode()
    assert first.count("Match ") == 25 and second.count("Match ") == 2
    assert "Page 1 of 2" in first


def test_mentee_search_queries_are_constant(client, program, survey, searching_mentor):
    def add(n):
        for _ in range(n):
            survey.person(Role.MENTEE, skills=("Networking",))

    client.force_login(searching_mentor.user)
    assert_constant_queries(client, program_url(program, "sessions:mentee_search"), add)


def test_my_mentorship_requests_queries_are_constant(client, program, mentee):
    def add(n):
        for _ in range(n):
            mentor = member(program, Role.MENTOR).memberships.get()
            MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)

    client.force_login(mentee.user)
    assert_constant_queries(client, program_url(program, "sessions:my_requests"), add, many=30)


def test_session_requests_queries_are_constant(client, program, mentor):
    def add(n):
        for _ in range(n):
            mentee = member(program, Role.MENTEE).memberships.get()
            SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor, message="Hi")

    client.force_login(mentor.user)
    assert_constant_queries(client, program_url(program, "sessions:requests"), add, many=30)


def test_admin_list_queries_are_constant_and_filtered(client, program, program_admin, mentor):
    def add(n):
        for _ in range(n):
            mentee = member(program, Role.MENTEE).memberships.get()
            SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor, state="declined")
            MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)

    client.force_login(program_admin)
    url = program_url(program, "sessions:requests_admin")
    assert_constant_queries(client, url, add, many=30)
    page = client.get(url + "?state=pending").content.decode()
    assert page.count("<td>Pending</td>") == 25 and "<td>Declined</td>" not in page


def test_a_program_without_questions_lists_its_mentees(client, program, mentor, mentee):
    client.force_login(mentor.user)
    page = client.get(program_url(program, "sessions:mentee_search")).content.decode()
    assert "Paul Mentee" in page


def test_a_mentee_changing_answers_moves_in_the_search_at_once(
    client, program, survey, searching_mentor, django_capture_on_commit_callbacks
):
    """The encoded mentee side is cached (issue 9): a mentee's saved answers give it a new stamp."""
    survey.person(Role.MENTEE, full_name="Steady Fit", skills=("Public speaking",), structure=1)
    changing = survey.person(Role.MENTEE, full_name="Changing Fit", skills=("Job applications",), structure=1)
    client.force_login(searching_mentor.user)
    url = program_url(program, "sessions:mentee_search")
    before = client.get(url).content.decode()
    assert before.index("Steady Fit") < before.index("Changing Fit")
    with_all = [survey.option(survey.skills, "Public speaking"), survey.option(survey.skills, "Networking")]
    with django_capture_on_commit_callbacks(execute=True):
        answers_save(membership=changing.memberships.get(), answers={survey.skills: with_all, survey.structure: 3})
    after = client.get(url).content.decode()
    assert after.index("Changing Fit") < after.index("Steady Fit")
    # The reasons in words are kept per page too: they say what the new answers share.
    assert "Networking" not in _card(before, "Changing Fit") and "Networking" in _card(after, "Changing Fit")


def _card(page: str, name: str) -> str:
    """The search result card of the mentee called ``name``."""
    return next(card for card in page.split('<li class="card">') if name in card)


def test_a_mentee_paired_or_declined_leaves_the_search_at_the_next_view(
    client, program, survey, searching_mentor, django_capture_on_commit_callbacks
):
    """The ranking is kept under the program's stamp (issue 9): a pairing or a decline, once committed, is seen
    by the next view, and a mentee who joins is ranked."""
    from matching.models import MentorDecline

    survey.person(Role.MENTEE, full_name="Soon Paired", skills=("Public speaking",))
    survey.person(Role.MENTEE, full_name="Soon Declined", skills=("Networking",))
    client.force_login(searching_mentor.user)
    url = program_url(program, "sessions:mentee_search")
    before = client.get(url).content.decode()
    assert "Soon Paired" in before and "Soon Declined" in before
    other = member(program, Role.MENTOR).memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        paired = Membership.objects.get(program=program, user__full_name="Soon Paired")
        Pairing.objects.create(program=program, mentor=other, mentee=paired)
        declined = Membership.objects.get(program=program, user__full_name="Soon Declined")
        MentorDecline.objects.create(program=program, mentor=searching_mentor, mentee=declined)
        survey.person(Role.MENTEE, full_name="Just Joined", skills=("Networking",))
    after = client.get(url).content.decode()
    assert "Soon Paired" not in after and "Soon Declined" not in after and "Just Joined" in after


def test_a_renamed_mentee_or_mentor_shows_on_the_next_view(
    client, program, survey, searching_mentor, django_capture_on_commit_callbacks
):
    """The listing (filters, rows and reasons) is kept rendered under the program's stamp (issue 9): a person's
    new name, once committed, is on the next view, in the rows and in the reasons that name the mentor."""
    survey.person(Role.MENTEE, full_name="Old Name", skills=("Public speaking",))
    client.force_login(searching_mentor.user)
    url = program_url(program, "sessions:mentee_search")
    before = client.get(url).content.decode()
    assert "Old Name" in before and "Maria can help" in before
    with django_capture_on_commit_callbacks(execute=True):
        mentee = Membership.objects.get(program=program, user__full_name="Old Name").user
        mentee.full_name = "New Name"
        mentee.save()
        searching_mentor.user.full_name = "Marta Mentor"
        searching_mentor.user.save()
    after = client.get(url).content.decode()
    assert "New Name" in after and "Old Name" not in after
    assert "Marta can help" in after and "Maria can help" not in after


def test_each_mentor_and_each_filter_has_its_own_ranking(client, program, survey, searching_mentor):
    survey.person(Role.MENTEE, full_name="Wants Networking", skills=("Networking",))
    survey.person(Role.MENTEE, full_name="Wants Applications", skills=("Job applications",))
    other = survey.person(Role.MENTOR, full_name="Other Mentor", skills=("Job applications",))
    url = program_url(program, "sessions:mentee_search")
    client.force_login(searching_mentor.user)
    mine = client.get(url).content.decode()
    filtered = client.get(url, {f"q{survey.skills.pk}": survey.option(survey.skills, "Networking")}).content.decode()
    client.force_login(other)
    theirs = client.get(url).content.decode()
    assert mine.index("Wants Networking") < mine.index("Wants Applications")
    assert "Wants Networking" in filtered and "Wants Applications" not in filtered
    assert theirs.index("Wants Applications") < theirs.index("Wants Networking")


def test_mentee_search_computes_in_constant_queries(client, program, survey, searching_mentor):
    """Also when the ranking is not kept yet (the first view after a write)."""
    client.force_login(searching_mentor.user)
    url = program_url(program, "sessions:mentee_search")

    def computing(n: int) -> int:
        for _ in range(n):
            survey.person(Role.MENTEE, skills=("Networking",))
        forget_kept()  # as a new stamp would (the test's writes are never committed)
        client.get(url)  # the other caches (the encoded mentee side, the reasons) warm
        forget_kept()  # the kept ranking gone
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    assert computing(2) == computing(30)


def test_the_admin_list_names_both_people_with_the_state_and_age(client, program, program_admin, mentor, mentee):
    SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor, message="Hi")
    MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(program_admin)
    page = client.get(program_url(program, "sessions:requests_admin")).content.decode()
    request_row, offer_row = page.split("<h2")[1], page.split("<h2")[2]
    assert "<td>Paul Mentee</td><td>Maria Mentor</td><td>Open</td><td>0" in request_row
    assert "<td>Maria Mentor</td><td>Paul Mentee</td><td>Pending</td><td>0" in offer_row

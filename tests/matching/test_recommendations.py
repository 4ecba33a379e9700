from django.urls import reverse

from matching.models import Answer, MentorDecline, Option, Pairing, Question
from organizations.models import Role
from tests.factories import MembershipFactory, member
from tests.helpers import assert_constant_queries, forget_kept


def url(program, name="matching:recommendations"):
    return reverse(name, args=[program.organization.slug, program.slug])


def names(response):
    return [s.mentor.user.full_name for s in response.context["suggestions"]]


def test_recommendations_are_ranked_and_explained(client, survey):
    mentee = survey.person(Role.MENTEE, skills=["Public speaking", "Networking"], structure=4)
    survey.person(Role.MENTOR, full_name="Best Match", skills=["Public speaking", "Networking"], structure=4)
    survey.person(Role.MENTOR, full_name="Half Match", skills=["Public speaking"], structure=2)
    survey.person(Role.MENTOR, full_name="French Only", languages=["French"], skills=["Public speaking", "Networking"])
    client.force_login(mentee)
    response = client.get(url(survey.program))
    assert names(response) == ["Best Match", "Half Match"]
    best, half = response.context["suggestions"]
    assert best.score == 100 and 0 < half.score < 100
    page = response.content.decode()
    assert "Languages: both English" in page
    assert "Wants Public speaking, Networking; Best can help with it" in page
    assert "Structure: both 4" in page


def test_recommendations_leave_out_full_paired_and_declining_mentors(client, survey):
    mentee = survey.person(Role.MENTEE, skills=["Networking"])
    full = survey.person(Role.MENTOR, full_name="Full Mentor", skills=["Networking"])
    declined = survey.person(Role.MENTOR, full_name="Declined Mentor", skills=["Networking"])
    survey.person(Role.MENTOR, full_name="Free Mentor", skills=["Networking"])
    other_mentee = survey.person(Role.MENTEE)
    program = survey.program
    Pairing.objects.create(program=program, mentor=full.memberships.get(), mentee=other_mentee.memberships.get())
    MentorDecline.objects.create(program=program, mentor=declined.memberships.get(), mentee=mentee.memberships.get())
    client.force_login(mentee)
    assert names(client.get(url(program))) == ["Free Mentor"]


def test_a_mentor_who_fills_up_leaves_the_recommendations_on_the_next_view(
    client, survey, django_capture_on_commit_callbacks
):
    """The mentors' free places are kept under the program's stamp: a pairing made shows on the next view."""
    mentee = survey.person(Role.MENTEE, skills=["Networking"])
    busy = survey.person(Role.MENTOR, full_name="Busy Mentor", skills=["Networking"])
    survey.person(Role.MENTOR, full_name="Free Mentor", skills=["Networking"])
    program = survey.program
    program.default_capacity = program.max_capacity = 2
    with django_capture_on_commit_callbacks(execute=True):
        program.save()
    client.force_login(mentee)
    page = client.get(url(program))
    assert sorted(names(page)) == ["Busy Mentor", "Free Mentor"]
    assert "2 free places" in page.content.decode()

    def pair_busy() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            other = survey.person(Role.MENTEE).memberships.get()
            Pairing.objects.create(program=program, mentor=busy.memberships.get(), mentee=other)

    pair_busy()
    page = client.get(url(program))
    busy_card = page.content.decode().split("Busy Mentor")[1].split("</li>")[0]
    assert "1 free place" in busy_card
    pair_busy()
    assert names(client.get(url(program))) == ["Free Mentor"]


def test_recommendations_follow_a_change_of_answers(client, survey, django_capture_on_commit_callbacks):
    mentee = survey.person(Role.MENTEE, skills=["Networking"])
    survey.person(Role.MENTOR, full_name="Speaker", skills=["Public speaking"])
    survey.person(Role.MENTOR, full_name="Networker", skills=["Networking"])
    client.force_login(mentee)
    assert names(client.get(url(survey.program)))[0] == "Networker"
    form = {
        f"q{survey.language.pk}": [survey.option(survey.language, "English")],
        f"q{survey.skills.pk}": [survey.option(survey.skills, "Public speaking")],
        f"q{survey.structure.pk}": "3",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:questionnaire"), form)
    assert names(client.get(url(survey.program)))[0] == "Speaker"


def test_mentor_answers_change_reaches_recommendations(client, survey, django_capture_on_commit_callbacks):
    mentee = survey.person(Role.MENTEE, skills=["Networking"])
    mentor = survey.person(Role.MENTOR, full_name="Changes Mind", skills=["Public speaking"])
    survey.person(Role.MENTOR, full_name="Steady", skills=["Public speaking"], structure=1)
    client.force_login(mentee)
    first = client.get(url(survey.program)).context["suggestions"][0]
    assert first.mentor.user.full_name == "Changes Mind" and first.score < 100
    client.force_login(mentor)
    form = {
        f"q{survey.language.pk}": [survey.option(survey.language, "English")],
        f"q{survey.skills.pk}": [survey.option(survey.skills, "Networking")],
        f"q{survey.structure.pk}": "3",
        "capacity": "2",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:questionnaire"), form)
    client.force_login(mentee)
    assert client.get(url(survey.program)).context["suggestions"][0].score == 100


def test_incomplete_questionnaire_asks_to_complete_it(client, survey):
    mentee = survey.person(Role.MENTEE)
    survey.skills.required = True
    survey.skills.save()
    client.force_login(mentee)
    page = client.get(url(survey.program)).content.decode()
    assert "Complete your questionnaire first" in page


def test_demand_is_spread_for_a_mentor_with_one_place(client, survey, django_capture_on_commit_callbacks):
    star = survey.person(Role.MENTOR, full_name="Star", skills=["Networking"], structure=3)
    runner_up = survey.person(Role.MENTOR, full_name="Runner Up", skills=["Networking"], structure=2)
    runner_up.memberships.update(capacity=3)
    mentees = [survey.person(Role.MENTEE, skills=["Networking"], structure=3) for _ in range(6)]
    from matching.tasks import refresh_demand

    refresh_demand(survey.program.pk)
    client.force_login(mentees[0])
    suggestions = client.get(url(survey.program)).context["suggestions"]
    assert [s.mentor.user.full_name for s in suggestions] == ["Runner Up", "Star"]
    assert next(s for s in suggestions if s.mentor.user == star).score == 100  # the score shown stays true


def test_recommendations_page_runs_the_same_queries_with_few_and_many_mentors(client, survey):
    mentee = survey.person(Role.MENTEE, skills=["Networking"])
    client.force_login(mentee)

    def add_rows(count):
        for _ in range(count):
            survey.person(Role.MENTOR, skills=["Networking"])

    assert_constant_queries(client, url(survey.program), add_rows)


def test_only_mentees_see_recommendations(client, survey):
    client.force_login(survey.person(Role.MENTOR))
    assert client.get(url(survey.program)).status_code == 403
    client.force_login(MembershipFactory(program=survey.program, role=Role.PROGRAM_ADMIN).user)
    assert client.get(url(survey.program)).status_code == 403


def test_the_score_is_read_out_as_words_not_hidden_in_an_ignored_label(client, survey):
    mentee = survey.person(Role.MENTEE, skills=["Networking"])
    survey.person(Role.MENTOR, full_name="Best Match", skills=["Networking"])
    client.force_login(mentee)
    page = client.get(url(survey.program)).content.decode()
    # An aria-label on a plain <span> is dropped by screen readers: the words are visually hidden text instead.
    assert "aria-label=" not in page.split('<ol class="suggestions">')[1]
    assert '<span aria-hidden="true">100<small>/100</small></span>' in page
    assert '<span class="visually-hidden">match score 100 out of 100</span>' in page


def test_a_mentor_with_nothing_in_common_is_not_recommended(client, survey, django_capture_on_commit_callbacks):
    mentee = survey.person(Role.MENTEE, skills=["Networking"], structure=1)
    survey.person(Role.MENTOR, full_name="Bea Artmentor", structure=5)  # shares a language, nothing that scores
    client.force_login(mentee)
    response = client.get(url(survey.program))
    page = response.content.decode()
    assert "Bea Artmentor" not in page and "0/100" not in page
    assert "No mentor with a free place matches your answers right now." in page
    with django_capture_on_commit_callbacks(execute=True):  # the new mentor, committed
        survey.person(Role.MENTOR, full_name="Nate Networker", skills=["Networking"], structure=4)
    assert names(client.get(url(survey.program))) == ["Nate Networker"]


def test_reasons_read_as_a_person_writes_them_and_only_when_true(client, survey):
    subjects = Question.objects.create(
        program=survey.program, order=5, kind="multiple", rule="overlap", text="Which subjects interest you?"
    )
    maths = Option.objects.create(question=subjects, label="Mathematics")
    mentee = survey.person(Role.MENTEE, skills=["Networking"], structure=1)
    mentor = survey.person(Role.MENTOR, full_name="Nate Networker", skills=["Networking"], structure=4)
    for person in (mentee, mentor):
        Answer.objects.create(membership=person.memberships.get(), question=subjects, value=[maths.pk])
    client.force_login(mentee)
    page = client.get(url(survey.program)).content.decode()
    assert "Subjects: both Mathematics" in page
    assert "Which subjects interest you?: both" not in page
    assert "close (1 and 4)" not in page  # three steps apart on a five-step scale: a few points, not "close"
    assert "Structure: 1 and 4, some way apart" in page


def test_equally_good_mentors_come_in_the_same_order_on_both_pages_and_on_reload(client, survey):
    mentee = survey.person(Role.MENTEE, full_name="Tia Tied", skills=["Networking"])
    for n in range(5):
        survey.person(Role.MENTOR, full_name=f"Twin {n}", skills=["Networking"])  # all score 100
    client.force_login(mentee)
    first = names(client.get(url(survey.program)))
    assert sorted(first) == [f"Twin {n}" for n in range(5)]
    forget_kept()  # computed again on the reload (the page is kept under the program's stamp otherwise)
    assert names(client.get(url(survey.program))) == first  # a reload keeps the order
    client.force_login(member(survey.program, Role.PROGRAM_ADMIN))
    [row] = client.get(url(survey.program, "matching:pairing")).context["rows"]
    assert [s.mentor.user.full_name for s in row.suggestions] == first[:3]

import re

from django.urls import reverse

from matching.models import Answer, Question
from organizations.models import Role
from tests.factories import member
from tests.test_error_summary import summary_of


def url(program, name):
    return reverse(name, args=[program.organization.slug, program.slug])


def test_profile_comes_first_then_the_questionnaire(client, survey):
    user = member(survey.program, Role.MENTEE)
    client.force_login(user)
    response = client.get(url(survey.program, "matching:questionnaire"))
    assert response.url == url(survey.program, "matching:profile")
    response = client.post(url(survey.program, "matching:profile"), {"full_name": "Mia", "bio": "", "timezone": "UTC"})
    page = response.content.decode()
    assert "This field is required." in page and 'value="Mia"' in page
    data = {"full_name": "Mia", "bio": "Student", "languages": "French", "location": "Lyon", "timezone": "UTC"}
    assert client.post(url(survey.program, "matching:profile"), data).url == url(
        survey.program, "matching:questionnaire"
    )
    page = client.get(url(survey.program, "matching:questionnaire")).content.decode()
    assert "Complete your questionnaire" in page and "0 of 3 required questions answered" in page


def test_partial_answers_are_kept_and_the_rest_is_flagged(client, survey, django_capture_on_commit_callbacks):
    user = member(survey.program, Role.MENTEE, bio="x", languages="en", location="y")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(survey.program, "matching:questionnaire"),
            {f"q{survey.language.pk}": [survey.option(survey.language, "French")], f"q{survey.about.pk}": "Hi!"},
        )
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    beside_fields = page.replace(summary, "")
    assert beside_fields.count("This question needs an answer.") == 2
    assert summary.count("This question needs an answer.") == 2
    assert "1 of 3 required questions answered" in page
    values = dict(Answer.objects.filter(membership__user=user).values_list("question_id", "value"))
    assert values == {survey.language.pk: [survey.option(survey.language, "French")], survey.about.pk: "Hi!"}


def test_complete_answers_lead_a_mentee_to_recommendations(client, survey, django_capture_on_commit_callbacks):
    user = member(survey.program, Role.MENTEE, bio="x", languages="en", location="y")
    client.force_login(user)
    form = {
        f"q{survey.language.pk}": [survey.option(survey.language, "English")],
        f"q{survey.skills.pk}": [survey.option(survey.skills, "Networking")],
        f"q{survey.structure.pk}": "5",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(survey.program, "matching:questionnaire"), form)
    assert response.url == url(survey.program, "matching:recommendations")


def test_mentor_sets_their_capacity_within_the_programs_maximum(client, survey, django_capture_on_commit_callbacks):
    user = member(survey.program, Role.MENTOR, bio="x", languages="en", location="y")
    client.force_login(user)
    form = {f"q{survey.language.pk}": [survey.option(survey.language, "English")], f"q{survey.structure.pk}": "2"}
    response = client.post(url(survey.program, "matching:questionnaire"), {**form, "capacity": "9"})
    assert "Ensure this value is less than or equal to 3." in response.content.decode()
    assert user.memberships.get().capacity is None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:questionnaire"), {**form, "capacity": "3"})
    assert user.memberships.get().capacity == 3


def test_program_page_shows_the_next_step(client, survey, django_capture_on_commit_callbacks):
    user = member(survey.program, Role.MENTEE, bio="x", languages="en", location="y")
    client.force_login(user)
    page = client.get(survey.program.get_absolute_url()).content.decode()
    assert "Complete your questionnaire" in page
    with django_capture_on_commit_callbacks(execute=True):  # committed, as a request's answers are
        survey.answer(user, skills=["Networking"])
    page = client.get(survey.program.get_absolute_url()).content.decode()
    assert "See your recommended mentors" in page


def test_an_answer_to_a_removed_option_must_be_given_again(client, survey):
    user = member(survey.program, Role.MENTEE, bio="x", languages="en", location="y")
    survey.answer(user, languages=["French"], skills=["Networking"])
    survey.language.options.get(label="French").delete()
    client.force_login(user)
    page = client.get(url(survey.program, "matching:questionnaire")).content.decode()
    assert "2 of 3 required questions answered" in page


def test_an_answer_in_error_keeps_the_others_saved_and_the_count_true(
    client, survey, django_capture_on_commit_callbacks
):
    hours = Question.objects.create(
        program=survey.program, order=5, kind="number", text="How many hours a month?", min_value=1, max_value=20
    )
    user = survey.person(Role.MENTEE, skills=["Networking"], structure=3)
    Answer.objects.create(membership=user.memberships.get(), question=hours, value=10)
    client.force_login(user)
    page = client.get(url(survey.program, "matching:questionnaire")).content.decode()
    assert "4 of 4 required questions answered" in page
    posted = {  # skills cleared, structure changed, hours out of range
        f"q{survey.language.pk}": [survey.option(survey.language, "English")],
        f"q{survey.structure.pk}": "2",
        f"q{hours.pk}": "99",
    }
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url(survey.program, "matching:questionnaire"), posted).content.decode()
    assert "3 of 4 required questions answered" in page
    summary = summary_of(page)
    assert [anchor for anchor, _text in summary] == [f"id_q{survey.skills.pk}_0", f"id_q{hours.pk}"]
    assert f'id="id_q{survey.skills.pk}_0"' in page  # the link's target
    assert summary[0][1] == "What would you like to learn?: This question needs an answer."
    assert summary[1][1].startswith("How many hours a month?: Ensure this value is less than or equal to 20")
    assert f'name="q{hours.pk}" value="99"' in page  # what was typed stays, to be corrected
    values = dict(Answer.objects.filter(membership__user=user).values_list("question_id", "value"))
    assert values == {
        survey.language.pk: [survey.option(survey.language, "English")],
        survey.structure.pk: 2,
        hours.pk: 10,
    }


def test_the_questionnaire_shows_answers_saved_since_and_a_question_added_since(
    client, survey, django_capture_on_commit_callbacks
):
    """Its fields are kept under the program's stamp (matching.views.participant.questionnaire): each committed
    write, the person's answers or a new question, shows at the next view."""
    user = member(survey.program, Role.MENTEE, bio="x", languages="en", location="y")
    client.force_login(user)
    page = client.get(url(survey.program, "matching:questionnaire")).content.decode()
    assert "0 of 3 required questions answered" in page and "Hi there!" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:questionnaire"), {f"q{survey.about.pk}": "Hi there!"})
    page = client.get(url(survey.program, "matching:questionnaire")).content.decode()
    assert "Hi there!" in page
    with django_capture_on_commit_callbacks(execute=True):
        Question.objects.create(
            program=survey.program, kind=survey.about.kind, text="Your favourite book?", order=99, required=False
        )
    assert "Your favourite book?" in client.get(url(survey.program, "matching:questionnaire")).content.decode()

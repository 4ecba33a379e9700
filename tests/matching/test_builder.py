import html
import re

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from matching import engine
from matching.models import Answer, MatchRule, Option, Question, QuestionKind
from matching.services.answers import answers_save
from matching.services.questionnaire import question_create, question_problems, question_update
from organizations.models import Program, Role
from tests.factories import MembershipFactory, ProgramFactory, member
from tests.helpers import assert_constant_queries


@pytest.fixture
def program(db):
    return ProgramFactory(name="Career Starts")


@pytest.fixture
def admin_client(client, program):
    client.force_login(member(program, Role.PROGRAM_ADMIN))
    return client


def url(name: str, program: Program, *args) -> str:
    return reverse(f"matching:{name}", args=[program.organization.slug, program.slug, *args])


def form_data(**fields) -> dict:
    data = {
        "text": "What do you want to learn?",
        "mentor_text": "",
        "audience": "both",
        "kind": "single",
        "options": "Python\nDesign",
        "min_value": "",
        "max_value": "",
        "required": "on",
        "rule": "",
        "weight": "1",
        "reason_label": "",
    }
    data.update(fields)
    return data


def make_question(program: Program, kind: str = "multiple", options=("Python", "Design", "Data"), **data) -> Question:
    data = {"text": "Topics", "kind": kind, "audience": "both", "required": True, "rule": "", "weight": 1, **data}
    return question_create(program=program, data=data, options=list(options))


def answer(question: Question, value, role: str = Role.MENTEE) -> Answer:
    membership = MembershipFactory(program=question.program, role=role)
    return Answer.objects.create(membership=membership, question=question, value=value)


def option_ids(question: Question, *labels: str) -> list[int]:
    by_label = {o.label: o.pk for o in question.options.all()}
    return [by_label[label] for label in labels]


def field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', page)
    return match.group(1) if match else ""


def text_of(response) -> str:
    """The page as a person reads it: entities decoded."""
    return html.unescape(response.content.decode())


def version(program: Program) -> int:
    program.refresh_from_db()
    return program.matching_version


# Creating questions

VALID = [
    ("single", ""),
    ("single", "same"),
    ("single", "overlap"),
    ("single", "mapping"),
    ("single", "require"),
    ("multiple", ""),
    ("multiple", "same"),
    ("multiple", "overlap"),
    ("multiple", "mapping"),
    ("multiple", "require"),
    ("scale", ""),
    ("scale", "closeness"),
    ("number", ""),
    ("number", "closeness"),
    ("text", ""),
]
KIND_NAMES = {
    "single": "Single choice",
    "multiple": "Multiple choice",
    "scale": "Scale 1-5",
    "number": "Number",
    "text": "Free text",
}
RULE_NAMES = {
    "": "Not used for matching",
    "same": "Same answer",
    "overlap": "Overlap of chosen options",
    "mapping": "Mentee's wish met by mentor's offer",
    "closeness": "Closeness on the scale",
    "require": "Hard requirement: must share an option",
}


@pytest.mark.parametrize(("kind", "rule"), VALID)
def test_each_kind_with_each_valid_rule_is_created_and_listed(admin_client, program, kind, rule):
    fields = {"kind": kind, "rule": rule, "weight": "3", "mentor_text": "What can you teach?"}
    if kind == "number":
        fields.update(min_value="18", max_value="80")
    if kind not in ("single", "multiple"):
        fields["options"] = ""
    response = admin_client.post(url("question_create", program), form_data(**fields))
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.program, question.kind, question.rule, question.weight) == (program, kind, rule, 3)
    assert question.mentor_text == "What can you teach?"
    labels = [o.label for o in question.options.all()]
    assert labels == (["Python", "Design"] if kind in ("single", "multiple") else [])
    expected_range = {"scale": (1, 5), "number": (18, 80)}.get(kind, (None, None))
    assert (question.min_value, question.max_value) == expected_range
    page = text_of(admin_client.get(url("builder", program)))
    assert "What do you want to learn?" in page and "Mentors read: What can you teach?" in page
    assert KIND_NAMES[kind] in page
    if kind == "text":
        assert "Shown, not scored" in page
    else:
        assert RULE_NAMES[rule] in page
    if rule and rule != "require":
        assert "weight 3" in page
    if labels:
        assert "<li>Python</li>" in page and "<li>Design</li>" in page


def test_new_questions_go_to_the_end(admin_client, program):
    for text in ("First", "Second", "Third"):
        admin_client.post(url("question_create", program), form_data(text=text))
    assert list(Question.objects.values_list("text", "order")) == [("First", 0), ("Second", 1), ("Third", 2)]


def test_a_new_mapping_question_leads_to_its_mapping(admin_client, program):
    response = admin_client.post(url("question_create", program), form_data(rule="mapping"), follow=True)
    page = text_of(response)
    assert response.redirect_chain[-1][0].endswith("#mapping")
    assert "Which answers meet each other" in page
    assert "A mentee who answers “Python” is met by a mentor who answers" in page
    question = Question.objects.get()
    response = admin_client.post(url("question_edit", program, question.pk), form_data(rule="mapping", weight="2"))
    assert response.url.endswith(f"#question-{question.pk}")


INVALID = [
    ({"kind": "text", "rule": "same", "options": ""}, "rule", "Free-text answers are shown, not scored"),
    ({"kind": "scale", "rule": "same", "options": ""}, "rule", "make this a single or multiple choice question"),
    ({"kind": "number", "rule": "require", "min_value": "1", "max_value": "9"}, "rule", "single or multiple choice"),
    ({"kind": "single", "rule": "closeness"}, "rule", "Closeness compares numbers: make this a scale or number"),
    ({"kind": "multiple", "rule": "overlap", "audience": "mentee"}, "rule", "let both answer it"),
    ({"kind": "single", "options": "Python"}, "options", "A choice question needs at least two options"),
    ({"kind": "multiple", "options": "Python\n\n  python  \nDesign"}, "options", "“python” is listed twice"),
    ({"kind": "number", "max_value": "10"}, "min_value", "Give the lowest number a person may answer."),
    ({"kind": "number", "min_value": "10", "max_value": "10"}, "max_value", "must be more than the lowest (10)"),
    ({"kind": "scale", "min_value": "0", "max_value": "10"}, "max_value", "A scale always runs from 1 to 5"),
    ({"weight": "11"}, "weight", "less than or equal to 10"),
]


@pytest.mark.parametrize(("fields", "field", "message"), INVALID)
def test_invalid_combinations_say_why_beside_the_field_and_keep_what_was_typed(
    admin_client, program, fields, field, message
):
    data = form_data(text="Which languages do you speak?", reason_label="Languages", **fields)
    response = admin_client.post(url("question_create", program), data)
    page = text_of(response)
    assert response.status_code == 200
    assert message in field_error(page, field)
    assert 'value="Which languages do you speak?"' in page and 'value="Languages"' in page
    assert f'<option value="{data["kind"]}" selected>' in page
    if data["options"]:
        assert data["options"].replace("\n", "\r\n") in page or data["options"] in page
    assert "Constraint" not in page
    assert not Question.objects.exists()


def test_invalid_edit_keeps_what_was_typed_and_changes_nothing(admin_client, program):
    question = make_question(program, kind="single", rule="same")
    response = admin_client.post(
        url("question_edit", program, question.pk),
        form_data(text="Renamed", kind="text", rule="same", options="Python\nDesign\nData"),
    )
    page = text_of(response)
    assert "Free-text answers are shown, not scored" in field_error(page, "rule")
    assert 'value="Renamed"' in page
    question.refresh_from_db()
    assert (question.text, question.kind, question.rule) == ("Topics", "single", "same")


def test_the_builder_accepts_a_rule_on_a_kind_exactly_when_the_engine_does():
    accepted_by_builder, accepted_by_engine = set(), set()
    for kind in QuestionKind.values:
        for rule in MatchRule.values:
            if "rule" not in question_problems(data={"kind": kind, "rule": rule}, options=["Python", "Design"]):
                accepted_by_builder.add((kind, rule))
            mapping = np.eye(2, dtype=bool) if rule == "mapping" else None
            try:
                engine.QuestionSpec("q", kind, rule or None, n_options=2, value_range=4, mapping=mapping)
            except ValueError:
                continue
            accepted_by_engine.add((kind, rule))
    assert accepted_by_builder == accepted_by_engine == set(VALID)


def test_the_services_refuse_what_the_form_refuses(program):
    with pytest.raises(ValidationError) as error:
        make_question(program, kind="text", rule="overlap")
    assert set(error.value.message_dict) == {"rule"}
    with pytest.raises(ValidationError) as error:
        make_question(program, kind="single", weight=11, text="")
    assert set(error.value.message_dict) == {"weight", "text"}
    question = make_question(program, kind="single")
    with pytest.raises(ValidationError) as error:
        question_update(question=question, data={"kind": "number", "min_value": 5, "max_value": 1}, options=[])
    assert set(error.value.message_dict) == {"max_value"}
    assert list(Question.objects.values_list("kind", flat=True)) == ["single"]


def test_a_scale_accepts_its_own_bounds(admin_client, program):
    response = admin_client.post(url("question_create", program), form_data(kind="scale", options="", min_value="1"))
    assert response.status_code == 302
    assert Question.objects.values_list("min_value", "max_value").get() == (1, 5)


# Editing after people answered


def edit(client, program: Program, question: Question, **fields):
    """Post the edit form as the admin would, then confirm the warning if one is shown."""
    edit_url = url("question_edit", program, question.pk)
    data = form_data(**{"text": question.text, "kind": question.kind, "rule": question.rule, **fields})
    first = client.post(edit_url, data)
    if first.status_code != 200:
        return first, None
    confirmation = first.context["confirmation"]
    return client.post(edit_url, {**data, "confirm": confirmation}, follow=True), first


def test_editing_options_keeps_answers_to_unchanged_options_and_clears_removed_ones(admin_client, program):
    question = make_question(program, kind="multiple")
    python, design, data = option_ids(question, "Python", "Design", "Data")
    keeps = answer(question, [python, design])
    loses_one = answer(question, [python, data])
    loses_all = answer(question, [data])
    response, warning = edit(admin_client, program, question, options="Design\nPython\nStatistics")
    warning_page = text_of(warning)
    assert "1 person's answer no longer fits and will be cleared" in warning_page
    assert "1 person's answer loses a removed option" in warning_page
    page = text_of(response)
    assert "1 person will be asked to answer this question again." in page
    assert "1 person's answer lost a removed option and keeps their other choices." in page
    assert [(o.label, o.order) for o in question.options.all()] == [("Design", 0), ("Python", 1), ("Statistics", 2)]
    assert option_ids(question, "Python", "Design") == [python, design]
    assert dict(Answer.objects.values_list("pk", "value")) == {keeps.pk: [python, design], loses_one.pk: [python]}
    assert not Answer.objects.filter(pk=loses_all.pk).exists()


def test_adding_an_option_clears_nothing_and_asks_no_confirmation(admin_client, program):
    question = make_question(program, kind="single", rule="same")
    [python] = option_ids(question, "Python")
    given = answer(question, [python])
    response = admin_client.post(
        url("question_edit", program, question.pk),
        form_data(text="Topics", kind="single", rule="same", options="Python\nDesign\nData\nCloud"),
        follow=True,
    )
    page = text_of(response)
    assert "Question saved." in page and "asked to answer" not in page
    assert Answer.objects.get().value == [python] and given.pk == Answer.objects.get().pk
    assert question.options.count() == 4


def test_changing_the_kind_warns_then_clears_the_answers_and_says_how_many(admin_client, program):
    question = make_question(program, kind="single", rule="same")
    [python] = option_ids(question, "Python")
    for _ in range(3):
        answer(question, [python])
    first = admin_client.post(
        url("question_edit", program, question.pk),
        form_data(text="Topics", kind="number", min_value="0", max_value="10"),
    )
    assert "3 people's answers no longer fit and will be cleared" in text_of(first)
    assert Answer.objects.count() == 3
    question.refresh_from_db()
    assert question.kind == "single"
    response, _warning = edit(admin_client, program, question, kind="number", rule="", min_value="0", max_value="10")
    assert "3 people will be asked to answer this question again." in text_of(response)
    question.refresh_from_db()
    assert (question.kind, question.min_value, question.max_value) == ("number", 0, 10)
    assert not Answer.objects.exists() and not Option.objects.exists()


def test_a_confirmation_for_other_numbers_warns_again(admin_client, program):
    question = make_question(program, kind="single")
    [python] = option_ids(question, "Python")
    answer(question, [python])
    answer(question, [python])
    data = form_data(text="Topics", kind="text", options="", confirm="1-0")
    response = admin_client.post(url("question_edit", program, question.pk), data)
    assert response.status_code == 200
    assert "2 people's answers no longer fit" in text_of(response)
    assert Answer.objects.count() == 2


def test_single_and_multiple_choice_keep_the_answers_that_still_fit(admin_client, program):
    question = make_question(program, kind="multiple")
    python, design = option_ids(question, "Python", "Design")
    one = answer(question, [python])
    two = answer(question, [python, design])
    response, _warning = edit(admin_client, program, question, kind="single", options="Python\nDesign\nData")
    assert "1 person will be asked to answer this question again." in text_of(response)
    assert list(Answer.objects.values_list("pk", "value")) == [(one.pk, [python])]
    assert Answer.objects.filter(pk=two.pk).count() == 0


def test_narrowing_a_range_clears_the_numbers_now_out_of_it(admin_client, program):
    question = make_question(program, kind="number", options=(), min_value=0, max_value=100, rule="closeness")
    inside = answer(question, 30)
    above = answer(question, 90)
    response, _warning = edit(admin_client, program, question, options="", min_value="10", max_value="60")
    assert "1 person will be asked to answer this question again." in text_of(response)
    assert list(Answer.objects.values_list("pk", "value")) == [(inside.pk, 30)]
    assert not Answer.objects.filter(pk=above.pk).exists()


def test_a_number_becomes_a_scale_keeping_answers_from_1_to_5(admin_client, program):
    question = make_question(program, kind="number", options=(), min_value=0, max_value=10)
    kept = answer(question, 4)
    answer(question, 7)
    answer(question, 0)
    edit(admin_client, program, question, kind="scale", options="", rule="closeness")
    assert list(Answer.objects.values_list("pk", "value")) == [(kept.pk, 4)]
    question.refresh_from_db()
    assert (question.kind, question.min_value, question.max_value) == ("scale", 1, 5)


def test_the_mapping_says_which_mentor_answers_meet_each_wish(admin_client, program):
    question = make_question(program, kind="multiple", rule="mapping")
    python, design, data = option_ids(question, "Python", "Design", "Data")
    edit_url = url("question_edit", program, question.pk)
    page = text_of(admin_client.get(edit_url))
    assert f'name="option_{python}" value="{python}" id="id_option_{python}_0" checked' in page
    before = version(program)
    response = admin_client.post(
        edit_url,
        {
            "action": "mapping",
            f"option_{python}": [python, data],
            f"option_{design}": [design],
            f"option_{data}": [data],
        },
    )
    assert response.status_code == 302
    met_by = {o.label: sorted(t.label for t in o.satisfied_by.all()) for o in question.options.all()}
    assert met_by == {"Python": ["Data", "Python"], "Design": [], "Data": []}  # empty: met by itself
    assert version(program) > before
    response = admin_client.post(edit_url, {"action": "mapping", f"option_{python}": [python]})
    assert "Tick at least one answer that meets this one." in text_of(response)
    assert sorted(Option.objects.get(pk=python).satisfied_by.values_list("label", flat=True)) == ["Data", "Python"]


# Order, deletion, versions


def test_move_up_and_down_changes_the_order(admin_client, program):
    first, second, third = (make_question(program, text=text) for text in ("First", "Second", "Third"))
    admin_client.post(url("question_move", program, third.pk), {"direction": "up"})
    assert list(Question.objects.values_list("text", flat=True)) == ["First", "Third", "Second"]
    admin_client.post(url("question_move", program, first.pk), {"direction": "down"})
    assert list(Question.objects.values_list("text", flat=True)) == ["Third", "First", "Second"]
    response = admin_client.post(url("question_move", program, second.pk), {"direction": "down"})
    assert response.status_code == 302
    assert list(Question.objects.values_list("text", flat=True)) == ["Third", "First", "Second"]
    page = text_of(admin_client.get(url("builder", program)))
    rows = [int(pk) for pk in re.findall(r'<tr id="question-(\d+)">', page)]
    assert rows == [third.pk, first.pk, second.pk]


def test_moving_works_when_orders_are_equal(admin_client, program):
    first = Question.objects.create(program=program, kind="text", text="First")
    second = Question.objects.create(program=program, kind="text", text="Second")
    admin_client.post(url("question_move", program, second.pk), {"direction": "up"})
    assert list(Question.objects.values_list("pk", flat=True)) == [second.pk, first.pk]


def test_delete_removes_the_question_its_options_and_answers(admin_client, program):
    question = make_question(program, text="Languages")
    other = make_question(program, text="Topics")
    answer(question, option_ids(question, "Python"))
    answer(other, option_ids(other, "Python"))
    page = text_of(admin_client.get(url("question_edit", program, question.pk)))
    assert "1 person answered it: their answer is deleted with the question." in page
    response = admin_client.post(url("question_delete", program, question.pk), follow=True)
    assert "The question “Languages” was deleted, with 1 answer." in text_of(response)
    assert list(Question.objects.values_list("text", flat=True)) == ["Topics"]
    assert list(Answer.objects.values_list("question__text", flat=True)) == ["Topics"]
    assert Option.objects.filter(question_id=question.pk).count() == 0


def test_get_never_deletes_or_moves(admin_client, program):
    question = make_question(program)
    assert admin_client.get(url("question_delete", program, question.pk)).status_code == 405
    assert admin_client.get(url("question_move", program, question.pk)).status_code == 405
    assert Question.objects.count() == 1


def test_every_change_bumps_the_matching_version(admin_client, program):
    """The cached mentor index is keyed by the version: each change must move it on."""
    versions = [version(program)]
    admin_client.post(url("question_create", program), form_data(text="One"))
    versions.append(version(program))
    admin_client.post(url("question_create", program), form_data(text="Two"))
    versions.append(version(program))
    one, two = Question.objects.all()
    admin_client.post(url("question_edit", program, one.pk), form_data(text="One, reworded"))
    versions.append(version(program))
    admin_client.post(url("question_move", program, two.pk), {"direction": "up"})
    versions.append(version(program))
    admin_client.post(url("question_delete", program, one.pk))
    versions.append(version(program))
    assert versions == sorted(set(versions)), versions


# Who may


def test_a_question_of_another_organization_or_program_is_404(admin_client, program):
    elsewhere = [ProgramFactory(), ProgramFactory(organization=program.organization)]
    for other_program in elsewhere:
        question = make_question(other_program, text="Not yours")
        assert admin_client.get(url("question_edit", program, question.pk)).status_code == 404
        assert admin_client.post(url("question_edit", program, question.pk), form_data()).status_code == 404
        assert admin_client.post(url("question_delete", program, question.pk)).status_code == 404
        assert admin_client.post(url("question_move", program, question.pk), {"direction": "up"}).status_code == 404
    assert Question.objects.filter(text="Not yours").count() == 2
    assert "Not yours" not in text_of(admin_client.get(url("builder", program)))


@pytest.mark.parametrize("role", [Role.MENTOR, Role.MENTEE])
def test_mentors_and_mentees_get_403(client, program, role):
    question = make_question(program)
    client.force_login(member(program, role))
    assert client.get(url("builder", program)).status_code == 403
    assert client.get(url("question_create", program)).status_code == 403
    assert client.post(url("question_create", program), form_data()).status_code == 403
    assert client.get(url("question_edit", program, question.pk)).status_code == 403
    assert client.post(url("question_edit", program, question.pk), form_data(kind="text")).status_code == 403
    assert client.post(url("question_delete", program, question.pk)).status_code == 403
    assert client.post(url("question_move", program, question.pk), {"direction": "up"}).status_code == 403
    question.refresh_from_db()
    assert (Question.objects.count(), question.kind) == (1, "multiple")


def test_an_organization_admin_builds_every_programs_questionnaire(client, program):
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    response = client.post(url("question_create", program), form_data(text="From the organization"))
    assert response.status_code == 302
    assert Question.objects.get().program == program


# The list


def test_the_list_counts_the_people_asked_who_answered(admin_client, program):
    both = make_question(program, text="Both answer")
    mentees_only = make_question(program, text="Mentees answer", audience="mentee")
    answer(both, option_ids(both, "Python"))
    answer(both, option_ids(both, "Design"), role=Role.MENTOR)
    answer(mentees_only, option_ids(mentees_only, "Python"))
    answer(mentees_only, option_ids(mentees_only, "Python"), role=Role.MENTOR)  # from before it was mentee-only
    response = admin_client.get(url("builder", program))
    assert {q.text: q.answered for q in response.context["questions"]} == {"Both answer": 2, "Mentees answer": 1}
    assert "2 people" in text_of(response)


def test_the_list_counts_an_answer_saved_after_it_was_shown(admin_client, program, django_capture_on_commit_callbacks):
    """The counts are cached (issue 9) per matching version and stamp of mentee answers: a save renews them."""
    question = make_question(program, text="Both answer")
    answer(question, option_ids(question, "Python"))
    assert {q.text: q.answered for q in admin_client.get(url("builder", program)).context["questions"]} == {
        "Both answer": 1
    }
    newcomer = MembershipFactory(program=program, role=Role.MENTEE)
    with django_capture_on_commit_callbacks(execute=True):
        answers_save(membership=newcomer, answers={question: option_ids(question, "Design")})
    response = admin_client.get(url("builder", program))
    assert {q.text: q.answered for q in response.context["questions"]} == {"Both answer": 2}
    assert "2 people" in text_of(response)


def test_the_list_kept_under_the_stamp_shows_someone_leaving_and_a_question_moved(
    admin_client, program, django_capture_on_commit_callbacks
):
    """The table is kept (the page reads no row when seen again): someone who leaves the program is no longer
    counted on the next view, and a move shows the new order with its buttons."""
    first = make_question(program, text="First question")
    second = make_question(program, text="Second question")
    leaving = answer(first, option_ids(first, "Python"))
    answer(first, option_ids(first, "Design"))
    assert "2 people" in text_of(admin_client.get(url("builder", program)))
    assert "2 people" in text_of(admin_client.get(url("builder", program)))  # kept
    with django_capture_on_commit_callbacks(execute=True):
        leaving.membership.delete()
    page = text_of(admin_client.get(url("builder", program)))
    assert "2 people" not in page and "1 person" in page
    admin_client.post(url("question_move", program, second.pk), {"direction": "up"})
    page = admin_client.get(url("builder", program)).content.decode()
    assert page.index("Second question") < page.index("First question")
    move = url("question_move", program, first.pk)
    assert f'formaction="{move}" name="direction" value="up"' in page


def test_the_list_runs_the_same_queries_for_few_and_many_questions(admin_client, program):
    def add_rows(count: int) -> None:
        for n in range(count):
            question = make_question(program, text=f"Question {n}", rule="same")
            answer(question, option_ids(question, "Python"))

    assert_constant_queries(admin_client, url("builder", program), add_rows, few=2, many=12)


# One page, one form: the question and its answer map never throw away each other's input


def _mapping_page_data(question: Question, **fields) -> dict:
    python, design, data = option_ids(question, "Python", "Design", "Data")
    fields = {"text": question.text, "kind": "multiple", "rule": "mapping", "options": "Python\nDesign\nData", **fields}
    base = form_data(**fields)
    return {**base, f"option_{python}": [python, data], f"option_{design}": [design], f"option_{data}": [data]}


def test_saving_the_answer_map_keeps_the_typed_question_text_and_says_it_is_not_saved(admin_client, program):
    question = make_question(program, kind="multiple", rule="mapping", text="Topics")
    data = {**_mapping_page_data(question, text="Topics you want to learn"), "action": "mapping"}
    response = admin_client.post(url("question_edit", program, question.pk), data)
    assert response.status_code == 200
    page = text_of(response)
    assert "Which answers meet each other was saved." in page
    assert "Your changes to the question are not saved yet: check them and press Save question." in page
    assert 'value="Topics you want to learn"' in page
    question.refresh_from_db()
    assert question.text == "Topics"
    python = Option.objects.get(question=question, label="Python")
    assert sorted(python.satisfied_by.values_list("label", flat=True)) == ["Data", "Python"]


def test_save_question_also_saves_the_ticked_answer_map(admin_client, program):
    question = make_question(program, kind="multiple", rule="mapping", text="Topics")
    data = _mapping_page_data(question, text="Topics you want to learn")
    response = admin_client.post(url("question_edit", program, question.pk), data, follow=True)
    assert "Which answers meet each other was saved." in text_of(response)
    question.refresh_from_db()
    assert question.text == "Topics you want to learn"
    python = Option.objects.get(question=question, label="Python")
    assert sorted(python.satisfied_by.values_list("label", flat=True)) == ["Data", "Python"]


def test_save_question_with_new_options_asks_for_the_answer_map_again(admin_client, program):
    question = make_question(program, kind="multiple", rule="mapping", text="Topics")
    data = {**_mapping_page_data(question), "options": "Python\nDesign\nData\nCloud"}
    response = admin_client.post(url("question_edit", program, question.pk), data, follow=True)
    assert "which answers meet each other was not saved: tick them again" in text_of(response)
    assert response.redirect_chain[-1][0].endswith("#mapping")
    assert list(Option.objects.get(question=question, label="Python").satisfied_by.all()) == []


def test_a_question_that_counts_in_matching_gets_a_short_name_for_reasons(admin_client, program):
    data = form_data(text="Which subjects interest you?", kind="multiple", options="Maths\nArt", rule="overlap")
    response = admin_client.post(url("question_create", program), data, follow=True)
    question = Question.objects.get(program=program)
    assert question.reason_label == "Subjects"
    assert "Match reasons call this question “Subjects”" in response.content.decode()
    unscored = form_data(text="Anything else?", kind="text", options="")
    admin_client.post(url("question_create", program), unscored)
    assert Question.objects.get(text="Anything else?").reason_label == ""

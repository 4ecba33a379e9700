"""The demo questionnaire and seed_demo, the autopair command and the bench_matching command."""

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from matching import matchmaking, selectors
from matching.models import (
    Answer,
    Audience,
    AutoPairRun,
    MatchRule,
    Option,
    Pairing,
    PairingSource,
    PairingStatus,
    Question,
    QuestionKind,
    RunStatus,
)
from mentorship.devtools.demo import answer_demo_questionnaire, build_demo_questionnaire, demo_personas
from organizations.models import Membership, Organization, Program, Role
from tests.factories import MembershipFactory, ProgramFactory

LANGUAGE_QUESTION = "Which languages can you have your sessions in?"


def demo_program() -> Program:
    return Program.objects.select_related("organization").get(organization__slug="demo", slug="first-steps")


def participants(program: Program) -> list[Membership]:
    return list(
        Membership.objects.filter(program=program, role__in=[Role.MENTOR, Role.MENTEE])
        .select_related("user")
        .order_by("pk")
    )


def languages_of(membership: Membership) -> set[int]:
    return set(Answer.objects.get(membership=membership, question__text=LANGUAGE_QUESTION).value)


def test_seed_demo_twice_is_idempotent_and_answers_everyone(db, capsys):
    call_command("seed_demo")
    program = demo_program()
    counts = (Question.objects.count(), Option.objects.count(), Answer.objects.count(), User.objects.count())
    call_command("seed_demo")

    assert (Question.objects.count(), Option.objects.count(), Answer.objects.count(), User.objects.count()) == counts
    assert 14 <= Question.objects.filter(program=program).count() <= 16
    questionnaire = selectors.questionnaire_for(program)
    people = participants(program)
    assert [m.role for m in people].count(Role.MENTEE) == 6 and len(people) == 10
    for membership in people:
        progress = selectors.progress_of(questionnaire, membership, selectors.answers_of(membership))
        assert progress.complete, (membership.user.email, progress.missing)
        assert membership.user.bio and membership.user.languages and membership.user.location
    out = capsys.readouterr().out
    assert "mentor1@example.org" in out and "mentee1@example.org" in out and "15 questions" in out


def test_seed_demo_tops_up_a_bigger_demo(db):
    call_command("seed_demo", mentees=2, mentors=1)
    first_answers = Answer.objects.filter(membership__user__email="mentee1@example.org").count()
    call_command("seed_demo", mentees=5, mentors=3)
    program = demo_program()
    assert len(participants(program)) == 8
    assert Answer.objects.filter(membership__user__email="mentee1@example.org").count() == first_answers
    assert not Membership.objects.filter(program=program, role=Role.MENTEE, answers__isnull=True).exists()


def test_demo_questionnaire_has_every_kind_audience_and_rule(db):
    program = ProgramFactory()
    questions = build_demo_questionnaire(program)

    assert {q.kind for q in questions} == set(QuestionKind.values)
    assert {q.audience for q in questions} == set(Audience.values)
    assert {q.rule for q in questions} == set(MatchRule.values)
    scored = [q for q in questions if q.rule and q.rule != MatchRule.REQUIRE]
    assert all(q.reason_label and 1 <= q.weight <= 5 for q in scored)
    assert all(q.audience == Audience.BOTH for q in questions if q.rule)
    assert all(q.min_value is not None and q.max_value is not None for q in questions if q.kind == "number")
    [language] = [q for q in questions if q.rule == MatchRule.REQUIRE]
    assert language.text == LANGUAGE_QUESTION and language.kind == QuestionKind.MULTIPLE
    assert [o.label for o in language.options.all()] == ["English", "French", "Spanish"]
    [skills] = [q for q in questions if q.rule == MatchRule.MAPPING]
    assert (skills.text, skills.mentor_text) == ("What would you like to learn?", "What can you teach?")
    mapping = {o.label: sorted(t.label for t in o.satisfied_by.all()) for o in skills.options.all()}
    assert mapping["Job applications"] == ["Job applications", "Networking"]
    assert mapping["Public speaking"] == []  # met by itself only
    assert [q.pk for q in build_demo_questionnaire(program)] == [q.pk for q in questions]


def test_demo_answers_are_deterministic_and_written_once(db):
    program = ProgramFactory()
    build_demo_questionnaire(program)
    people = [MembershipFactory(program=program, role=role) for role in [Role.MENTOR] * 3 + [Role.MENTEE] * 5]
    version = Program.objects.get(pk=program.pk).matching_version

    written = answer_demo_questionnaire(program, people, seed=3)

    assert written == Answer.objects.filter(membership__program=program).count() > 8 * 10
    assert answer_demo_questionnaire(program, people, seed=3) == 0
    assert Program.objects.get(pk=program.pk).matching_version > version
    people = participants(program)
    assert demo_personas(people, seed=3) == demo_personas(people, seed=3)
    assert demo_personas(people, seed=3) != demo_personas(people, seed=4)
    mentor_languages = set().union(*(languages_of(m) for m in people if m.role == Role.MENTOR))
    assert len(mentor_languages) == 3  # even a small program has a mentor for each language


def test_demo_recommendations_have_reasons_and_a_shared_language(db):
    call_command("seed_demo")
    program = demo_program()
    mentees = [m for m in participants(program) if m.role == Role.MENTEE]
    for mentee in mentees:
        suggestions = matchmaking.recommendations_for(mentee, program)
        assert suggestions, mentee.user.email
        for suggestion in suggestions:
            assert suggestion.reasons and suggestion.reasons[0].startswith("Languages: both")
            assert languages_of(mentee) & languages_of(suggestion.mentor)


def test_autopair_dry_run_prints_a_summary_and_saves_no_pairing(db, capsys):
    call_command("seed_demo", mentees=8, mentors=3, pairs=False)
    capsys.readouterr()

    call_command("autopair", "demo", "first-steps", "--dry-run")

    out = capsys.readouterr().out
    for words in ("Mentees considered: 8", "Paired:", "Unassigned:", "Average score:", "greedy baseline", "Compute:"):
        assert words in out
    assert "Dry run" in out
    assert not Pairing.objects.exists()
    assert AutoPairRun.objects.get().status == RunStatus.DISCARDED


def test_autopair_saves_pairings_within_capacities_without_emails(db, capsys):
    call_command("seed_demo", mentees=12, mentors=4, pairs=False)
    program = demo_program()
    mail.outbox.clear()

    call_command("autopair", "demo", "first-steps")

    pairings = list(Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE).select_related("mentor"))
    run = AutoPairRun.objects.get()
    assert run.status == RunStatus.APPROVED and len(pairings) == run.summary["saved"] == run.summary["paired"] > 0
    for mentor in Membership.objects.filter(program=program, role=Role.MENTOR):
        capacity = min(mentor.capacity or program.default_capacity, program.max_capacity)
        assert sum(p.mentor_id == mentor.pk for p in pairings) <= capacity
    assert all(p.source == PairingSource.AUTO and languages_of(p.mentor) & languages_of(p.mentee) for p in pairings)
    assert f"Saved {len(pairings)} pairings." in capsys.readouterr().out
    assert mail.outbox == []


def test_autopair_failure_marks_the_run_failed(survey):
    survey.person(Role.MENTEE, skills=["Networking"])
    survey.person(Role.MENTOR, skills=["Networking"])
    # Possible through the admin: a closeness rule on a choice question, which the engine cannot score.
    colour = Question.objects.create(
        program=survey.program, order=9, kind=QuestionKind.SINGLE, rule=MatchRule.CLOSENESS, text="Colour?"
    )
    Option.objects.bulk_create([Option(question=colour, label="Blue"), Option(question=colour, label="Red")])
    program = survey.program

    with pytest.raises(CommandError, match="Auto-pairing failed: .*rule 'closeness' needs a scale or number"):
        call_command("autopair", program.organization.slug, program.slug)

    run = AutoPairRun.objects.get()
    assert run.status == RunStatus.FAILED and run.finished_at is not None and "closeness" in run.error
    assert not Pairing.objects.exists()


def test_autopair_unknown_slugs_are_clear_errors(db):
    with pytest.raises(CommandError, match="No organization has the slug 'nowhere'"):
        call_command("autopair", "nowhere", "first-steps")
    call_command("seed_demo", mentees=1, mentors=1)
    with pytest.raises(CommandError, match="has no program 'nothing'. Its programs: first-steps"):
        call_command("autopair", "demo", "nothing")


BENCH_KEYS = {
    "quality_ratio",
    "quality_by_family",
    "quality_exact",
    "optimal",
    "proof_rounds",
    "pairs_added",
    "unassigned",
    "unassigned_reasons",
    "autopair_compute_s",
    "autopair_total_s",
    "peak_rss_mb",
    "recommend_p95_ms",
    "recommend_samples",
    "recommend_pages_with_suggestions",
    "engine_total",
    "greedy_total",
    "greedy_vs_engine_total",
    "autopair_approve_s",
    "goals",
}


def test_bench_matching_prints_json_last_and_cleans_up(db, capsys):
    users = User.objects.count()

    call_command(
        "bench_matching",
        *("--mentees", "60", "--mentors", "15", "--questions", "8", "--capacity", "2", "--samples", "20"),
        *("--quality-mentees", "80", "--quality-mentors", "20", "--families", "ties,one_question,sparse_97"),
    )

    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert BENCH_KEYS <= result.keys()
    assert (result["mentees"], result["mentors"], result["questions"], result["capacity"]) == (60, 15, 8, 2)
    assert result["recommend_samples"] == 20 and result["recommend_pages_with_suggestions"] > 0
    assert result["quality_by_family"] == {"database": 1.0, "ties": 1.0, "one_question": 1.0, "sparse_97": 1.0}
    assert result["quality_ratio"] == 1.0 and result["quality_exact"] and result["optimal"] is True
    assert result["families"]["ties"]["size"] == [80, 20]
    assert result["paired"] + result["unassigned"] == 60 and result["approved_pairings"] == result["paired"]
    assert set(result["goals"]) == {
        "autopair_compute_s",
        "autopair_total_s",
        "peak_rss_mb",
        "recommend_p95_ms",
        "quality_ratio",
        "optimal",
    }
    assert result["goals"]["quality_ratio"] and result["goals"]["optimal"]
    assert not Organization.objects.filter(slug__startswith="bench-").exists()
    assert User.objects.count() == users


def test_bench_matching_keep_then_cleanup(db, capsys):
    call_command(
        "bench_matching", mentees=10, mentors=3, questions=4, capacity=2, samples=2, keep=True, families="none"
    )
    [slug] = Organization.objects.filter(slug__startswith="bench-").values_list("slug", flat=True)
    assert Answer.objects.filter(membership__organization__slug=slug).exists()

    call_command("bench_matching", cleanup=slug)

    assert not Organization.objects.filter(slug=slug).exists()
    assert not User.objects.filter(email__endswith=f"@{slug}.bench.invalid").exists()
    with pytest.raises(CommandError, match="Only bench organizations"):
        call_command("bench_matching", cleanup="demo")

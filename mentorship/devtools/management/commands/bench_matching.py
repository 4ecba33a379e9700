"""Benchmark of matching through the whole Django stack and the database of DATABASE_URL.

    python manage.py bench_matching --mentees 10000 --mentors 2000 --questions 20 --capacity 5

Builds a throwaway organization ("bench-<timestamp>") whose program has the
synthetic questionnaire of mentorship.devtools.bench_engine and its people's answers,
bulk-inserted (users, memberships, answers), then measures:

* auto-pairing: one AutoPairRun computed by services.pairing.autopair_compute, as the
  worker does: the engine's time (the run's ``compute_s``) and the whole call (reading
  the answers, computing, writing the preview rows);
* recommendations: GETs of the real recommendations page through django.test.Client,
  every middleware and the template included, signed in as random mentees, after one
  warm-up request; with DEBUG off, as in production (no query log);
* the proof: whether the run proved its pairing the best possible (``optimal``, from
  the run's summary, with its ``proof_rounds`` and ``pairs_added``);
* approval: autopair_approve of the preview (skip it with --no-approve);
* quality (last, after ``peak_rss_mb`` is taken): the run's total against OR-Tools'
  min-cost flow over every allowed pair of the same instance read back from the
  database (``database``), and the families of mentorship.devtools.bench_families at
  --quality-mentees x --quality-mentors (default 10,000 x 2,000), all in
  ``quality_by_family``; ``quality_ratio`` is the lowest. --families none skips the
  families.

The last line printed is one JSON object, with ``goals`` saying which targets were
met. The bench organization and its people are deleted at the end unless --keep
(``--cleanup <slug>`` deletes a kept one later).
"""

import gc
import json
import random
import resource
import time
import warnings
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from matching import engine, matchmaking, selectors
from matching.models import Answer, Audience, AutoPairProposal, AutoPairRun, Option, Question
from matching.services.answers import bump_matching_version
from matching.services.completion import completion_refresh
from matching.services.pairing import autopair_approve, autopair_compute
from matching.tasks import refresh_demand
from mentorship.devtools import bench_engine, bench_families
from organizations.models import Membership, Organization, Program, ReviewStatus, Role

GOALS = {
    "autopair_compute_s": ("<", 2),
    "autopair_total_s": ("<", 30),
    "peak_rss_mb": ("<", 500),
    "recommend_p95_ms": ("<", 100),
    "quality_ratio": (">=", 1.0),
    "optimal": ("==", True),
}
SLUG_PREFIX = "bench-"
PEOPLE_PER_BATCH = 500
ROWS_PER_INSERT = 5000


@dataclass
class Bench:
    """The throwaway tenant and what was put in it."""

    organization: Organization
    program: Program
    mentee_ids: list[int]  # membership pks, in creation order
    mentor_ids: list[int]


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


class Command(BaseCommand):
    help = "Benchmark auto-pairing and recommendations on a throwaway program in the database; prints JSON last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mentees", type=int, default=10000)
        parser.add_argument("--mentors", type=int, default=2000)
        parser.add_argument("--questions", type=int, default=20)
        parser.add_argument("--capacity", type=int, default=5, help="mentees per mentor")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--samples", type=int, default=200, help="recommendation pages to time")
        parser.add_argument("--quality-mentees", type=int, default=10000, help="size of the quality families")
        parser.add_argument("--quality-mentors", type=int, default=2000)
        parser.add_argument("--families", default="all", help="quality families: comma-separated, 'all' or 'none'")
        parser.add_argument("--no-approve", action="store_true", help="do not time the approval of the preview")
        parser.add_argument("--keep", action="store_true", help="keep the bench organization and its people")
        parser.add_argument("--cleanup", metavar="SLUG", help="only delete a kept bench organization")

    def handle(self, *args, **options) -> None:
        self.verbosity = options["verbosity"]
        with scopes_disabled():
            if options["cleanup"]:
                self._delete(options["cleanup"])
                self.stdout.write(f"Deleted {options['cleanup']}.")
                return
            if min(options["mentees"], options["mentors"], options["questions"], options["capacity"]) < 1:
                raise CommandError("--mentees, --mentors, --questions and --capacity must be at least 1.")
            hosts = [*settings.ALLOWED_HOSTS, "testserver"]
            with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
                result = self._benchmark(options)
        self.stdout.write(json.dumps(result))

    def _benchmark(self, options: dict) -> dict:
        started = time.perf_counter()
        result: dict = {
            "database": connection.vendor,
            "debug": settings.DEBUG,
            **{key: options[key] for key in ("mentees", "mentors", "questions", "capacity", "seed")},
        }
        families = bench_engine.parse_families(options["families"])
        bench = self._create(options, result)
        try:
            run = self._measure_autopair(bench, result)
            self._measure_recommendations(bench, result, options["samples"], options["seed"])
            quality = self._database_quality(bench, run)  # before approval pairs the mentees
            if not options["no_approve"]:
                self._measure_approval(run, result)
            result["peak_rss_mb"] = _peak_rss_mb()
            self._measure_quality(result, quality, options, families)
        finally:
            if options["keep"]:
                self._log(f"Kept {bench.organization.slug}; delete it with --cleanup {bench.organization.slug}")
            else:
                self._log("Deleting the bench data")
                cleanup_started = time.perf_counter()
                self._delete(bench.organization.slug)
                result["cleanup_s"] = round(time.perf_counter() - cleanup_started, 3)
        result["peak_rss_with_quality_mb"] = _peak_rss_mb()
        result["total_s"] = round(time.perf_counter() - started, 1)
        result["goals"] = {key: _met(result.get(key), op, limit) for key, (op, limit) in GOALS.items()}
        return result

    def _log(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stderr.write(message)

    # ------------------------------------------------------------------ the data

    def _create(self, options: dict, result: dict) -> Bench:
        started = time.perf_counter()
        rng = np.random.default_rng(options["seed"])
        specs = bench_engine.make_questions(options["questions"], options["seed"])
        self._log(f"Generating answers for {options['mentees']} mentees and {options['mentors']} mentors")
        mentee_rows = bench_engine.answer_rows(
            specs, bench_engine.make_answers(specs, options["mentees"], "mentee", rng)
        )
        mentor_rows = bench_engine.answer_rows(
            specs, bench_engine.make_answers(specs, options["mentors"], "mentor", rng)
        )
        organization, program = _create_tenant(options["capacity"], options["mentees"] + options["mentors"])
        bench = Bench(organization, program, [], [])
        self._log(f"Inserting {organization.slug} into {connection.vendor}")
        try:
            stored = _create_questions(program, specs, mentee_rows + mentor_rows)
            bench.mentor_ids[:] = self._create_people(bench, Role.MENTOR, mentor_rows, stored)
            bench.mentee_ids[:] = self._create_people(bench, Role.MENTEE, mentee_rows, stored)
            bump_matching_version(program)
        except BaseException:
            self._delete(organization.slug)
            raise
        program.refresh_from_db(fields=["matching_version"])
        _analyze([Answer, Membership, User, Question, Option])
        result["answers_stored"] = Answer.objects.filter(question__program=program).count()
        result["setup_s"] = round(time.perf_counter() - started, 3)
        return bench

    def _create_people(self, bench: Bench, role: Role, rows: list[dict], stored: dict) -> list[int]:
        """Users, memberships and answers of one side, in batches; the membership pks in order."""
        password = make_password(None)  # unusable, and computed once: nobody logs in with a password here
        slug = bench.organization.slug
        membership_ids: list[int] = []
        for start in range(0, len(rows), PEOPLE_PER_BATCH):
            batch = rows[start : start + PEOPLE_PER_BATCH]
            users = User.objects.bulk_create(
                [_user(slug, role, start + i, password) for i in range(len(batch))], batch_size=ROWS_PER_INSERT
            )
            memberships = Membership.objects.bulk_create(
                [
                    Membership(organization=bench.organization, program=bench.program, user=user, role=role)
                    for user in users
                ],
                batch_size=ROWS_PER_INSERT,
            )
            answers = [
                answer
                for membership, answers in zip(memberships, batch, strict=True)
                for answer in _answers(membership, answers, stored)
            ]
            Answer.objects.bulk_create(answers, batch_size=ROWS_PER_INSERT)
            completion_refresh(program_id=bench.program.pk, membership_ids=[m.pk for m in memberships])
            membership_ids += [m.pk for m in memberships]
        return membership_ids

    # ----------------------------------------------------------------- measures

    def _measure_autopair(self, bench: Bench, result: dict) -> AutoPairRun:
        self._log("Auto-pairing (autopair_compute)")
        run = AutoPairRun.objects.create(program=bench.program)
        run.program = bench.program
        gc.collect()
        started = time.perf_counter()
        run = autopair_compute(run=run)
        result["autopair_total_s"] = round(time.perf_counter() - started, 3)
        summary = run.summary
        result["autopair_compute_s"] = summary["compute_s"]
        reasons = (
            AutoPairProposal.objects.filter(run=run, mentor__isnull=True)
            .values_list("unassigned_reason")
            .annotate(n=Count("pk"))
        )
        result |= {
            "paired": summary["paired"],
            "unassigned": summary["unassigned"],
            "unassigned_reasons": dict(sorted(reasons)),
            "mean_score": summary["average"],
            "engine_total": summary["total"],
            "greedy_total": summary.get("greedy_total"),
            "greedy_vs_engine_total": _ratio(summary.get("greedy_total", 0), summary["total"]),
            "optimal": summary.get("optimal"),
            "proof_rounds": summary.get("proof_rounds"),
            "pairs_added": summary.get("pairs_added"),
            "tie_seed": summary.get("tie_seed"),
            "peak_rss_after_autopair_mb": _peak_rss_mb(),
        }
        return run

    def _measure_recommendations(self, bench: Bench, result: dict, samples: int, seed: int) -> None:
        self._log("Refreshing mentor demand, then timing the recommendations page")
        started = time.perf_counter()
        refresh_demand(bench.program.pk)  # what the worker does after answers change
        result["demand_refresh_s"] = round(time.perf_counter() - started, 3)
        url = reverse(
            "matching:recommendations",
            kwargs={"organization": bench.organization.slug, "program": bench.program.slug},
        )
        chosen = random.Random(seed).sample(bench.mentee_ids, min(samples, len(bench.mentee_ids)))
        people = dict(Membership.objects.filter(pk__in=chosen).values_list("pk", "user"))
        users = User.objects.in_bulk(people.values())
        with warnings.catch_warnings():  # whitenoise warns, with DEBUG off, that collectstatic has not run
            warnings.filterwarnings("ignore", "No directory at", UserWarning)
            client = Client()
            client.force_login(users[people[chosen[0]]])
            _get(client, url)  # warm-up: templates, the mentor side in this process
        times, with_suggestions = [], 0
        for membership_id in chosen:
            client.force_login(users[people[membership_id]])
            started = time.perf_counter()
            response = _get(client, url)
            times.append(time.perf_counter() - started)
            with_suggestions += b'class="suggestions"' in response.content
        client.logout()
        result |= {
            "recommend_samples": len(times),
            "recommend_p95_ms": round(float(np.percentile(times, 95)) * 1000, 1),
            "recommend_median_ms": round(float(np.median(times)) * 1000, 1),
            "recommend_max_ms": round(max(times) * 1000, 1),
            "recommend_pages_with_suggestions": with_suggestions,
        }

    def _database_quality(self, bench: Bench, run: AutoPairRun) -> dict:
        """The run's proposals against OR-Tools over all allowed pairs of the instance, read back as the run did."""
        self._log("Quality of the run against OR-Tools over all allowed pairs")
        program = bench.program
        questionnaire = selectors.questionnaire_for(program)
        specs = matchmaking.question_specs(program, questionnaire)
        places = matchmaking.mentor_places(program)
        mentee_ids = list(selectors.unpaired_mentees(program).values_list("pk", flat=True))
        pool = matchmaking._mentor_pool(program, questionnaire, specs, places.ids)
        answers = engine.encode_answers(specs, matchmaking.answer_dicts(questionnaire, mentee_ids))
        exclusions = matchmaking._pair_exclusions(program, mentee_ids, pool.mentor_ids)
        scorer = engine.Scorer(specs, answers, pool.index, mentor_mask=places.free > 0, exclusions=exclusions)
        started = time.perf_counter()
        best = bench_families.reference(scorer, places.free)
        scores = np.array(
            AutoPairProposal.objects.filter(run=run, mentor__isnull=False).values_list("score", flat=True), dtype=float
        )
        total = float(scores.sum())
        points = int(engine.score_points(scores).astype(np.int64).sum())
        return {
            "size": [scorer.n_mentees, scorer.n_mentors],
            "ratio": _ratio(total, best["total"]),
            "exact": len(scores) == best["assigned"] and points == best["points"],
            "optimal": run.summary.get("optimal"),
            "engine_total": round(total, 3),
            "reference_total": round(best["total"], 3),
            "reference_s": round(time.perf_counter() - started, 3),
        }

    def _measure_quality(self, result: dict, database: dict, options: dict, families: tuple[str, ...]) -> None:
        n, m = options["quality_mentees"], options["quality_mentors"]
        measured = {"database": database}
        if families:
            self._log(f"Quality families at {n} x {m}: {', '.join(families)}")
            measured |= bench_families.quality_by_family(n, m, options["capacity"], options["seed"], families)[
                "families"
            ]
        ratios = {name: d["ratio"] for name, d in measured.items()}
        result |= {
            "quality_instance": [n, m],
            "quality_by_family": ratios,
            "quality_ratio": min(ratios.values()),
            "quality_exact": all(d["exact"] for d in measured.values()),
            "families": measured,
        }

    def _measure_approval(self, run: AutoPairRun, result: dict) -> None:
        self._log("Approving the preview (autopair_approve)")
        started = time.perf_counter()
        summary = autopair_approve(run=run, by=None)
        result["autopair_approve_s"] = round(time.perf_counter() - started, 3)
        result["approved_pairings"] = summary["saved"]

    # ------------------------------------------------------------------ cleanup

    @transaction.atomic
    def _delete(self, slug: str) -> None:
        """Delete a bench organization, its people and everything in it."""
        if not slug.startswith(SLUG_PREFIX):
            raise CommandError(f"Only bench organizations ({SLUG_PREFIX}...) are deleted here.")
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization has the slug {slug!r}.")
        # Answers first, in one statement: deleting them through the ORM would run
        # matching.signals' post_delete receiver (two queries) for every answer.
        Answer.objects.filter(membership__organization=organization)._raw_delete(Answer.objects.db)
        organization.delete()
        User.objects.filter(email__endswith=f"@{slug}.bench.invalid").delete()


# ----------------------------------------------------------------------- helpers


def _analyze(models: list) -> None:
    """Fresh planner statistics after the bulk load, as a live database has (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _create_tenant(capacity: int, size: int) -> tuple[Organization, Program]:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    organization = Organization.objects.create(
        name=f"Benchmark {stamp}",
        slug=f"{SLUG_PREFIX}{stamp}",
        admin_email="bench@example.invalid",
        status=ReviewStatus.APPROVED,
        reviewed_at=timezone.now(),
    )
    program = Program.objects.create(
        organization=organization,
        name="Benchmark",
        slug="bench",
        status=ReviewStatus.APPROVED,
        is_live=True,
        default_capacity=capacity,
        max_capacity=capacity,
        expected_size=size,
    )
    program.organization = organization
    return organization, program


def _create_questions(program: Program, specs: list[engine.QuestionSpec], rows: list[dict]) -> dict:
    """The bench questions as Questions and Options; per spec key: (question, option pks in order)."""
    questions = Question.objects.bulk_create(_question(program, order, spec, rows) for order, spec in enumerate(specs))
    Option.objects.bulk_create(
        Option(question=question, order=i, label=f"{spec.key} {i + 1}")
        for question, spec in zip(questions, specs, strict=True)
        for i in range(spec.n_options)
    )
    options: dict[int, list[int]] = {q.pk: [] for q in questions}
    for question_id, option_id in Option.objects.filter(question__in=questions).values_list("question_id", "pk"):
        options[question_id].append(option_id)  # Option's ordering is (order, pk)
    stored = {spec.key: (question, options[question.pk]) for question, spec in zip(questions, specs, strict=True)}
    through = Option.satisfied_by.through
    through.objects.bulk_create(
        through(from_option_id=ids[a], to_option_id=ids[b])
        for spec in specs
        if spec.mapping is not None
        for ids in [stored[spec.key][1]]
        for a, b in zip(*np.nonzero(spec.mapping), strict=True)
        if spec.mapping[a].sum() > 1  # an option met only by itself has no rows
    )
    return stored


def _question(program: Program, order: int, spec: engine.QuestionSpec, rows: list[dict]) -> Question:
    # Questions hold whole weights from 1 to 10; doubling every weight leaves every score as it is.
    weight = 2 * spec.weight if spec.is_scored else 1
    if not float(weight).is_integer() or not 1 <= weight <= 10:
        raise CommandError(f"Question {spec.key}: weight {spec.weight} cannot be stored.")
    low = high = None
    if spec.kind == "scale":
        low, high = 1, 5
    elif spec.kind == "number":
        low = int(min((row[spec.key] for row in rows if spec.key in row), default=0))
        high = low + max(round(spec.value_range), 1)
    return Question(
        program=program,
        order=order,
        kind=spec.kind,
        audience=Audience.BOTH,
        text=f"Benchmark question {spec.key}",
        reason_label=spec.key.replace("_", " ").capitalize(),
        required=False,  # the synthetic answers leave some out: every mentee still sees recommendations
        rule=spec.rule or "",
        weight=int(weight),
        min_value=low,
        max_value=high,
    )


def _user(slug: str, role: str, number: int, password: str) -> User:
    return User(
        email=f"{role}-{number}@{slug}.bench.invalid",
        full_name=f"Bench {role.capitalize()} {number}",
        password=password,
        bio=f"Synthetic {role} number {number} of the matching benchmark, with a profile of ordinary length.",
        languages="English",
        location="Benchmark City",
    )


def _answers(membership: Membership, answers: dict, stored: dict) -> list[Answer]:
    """One person's engine answers as Answer rows: option ids, numbers; free text for most people."""
    rows = []
    for key, (question, option_ids) in stored.items():
        value = answers.get(key)
        if question.kind == "text":
            value = None if membership.pk % 4 == 0 else f"Free-text answer of {membership.user_id} to {key}."
        elif question.kind == "single" and value is not None:
            value = [option_ids[value]]
        elif question.kind == "multiple" and value is not None:
            value = [option_ids[i] for i in value]
        elif value is not None:
            value = int(value)
        if value is not None:
            rows.append(Answer(membership=membership, question=question, value=value))
    return rows


def _get(client: Client, url: str):
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise CommandError(f"GET {url} answered {response.status_code}.")
    return response


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 6) if denominator else 1.0


def _met(value: float | None, op: str, limit: float) -> bool:
    if value is None:
        return False
    if op == "==":
        return value == limit
    return value < limit if op == "<" else value >= limit

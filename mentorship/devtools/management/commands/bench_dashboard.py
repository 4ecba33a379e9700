"""Benchmark of the program dashboard through the whole Django stack and the database of DATABASE_URL.

    python manage.py bench_dashboard --mentees 10000

Builds a throwaway organization ("bench-dash-<timestamp>") whose program holds ``--mentees`` mentees, a
mentor for every five of them, a program admin, bulk-inserted: questionnaire answers (most people complete),
invitations in every state, pairings over the last 26 weeks (60 % of mentees matched now, some ended),
published, cancelled and booked mentorship sessions with attendance, and activities with a past schedule and
attendance, and the life of the pairings (messages, agreements with goals, session feedback, the
end-of-program survey, reminded quiet pairs). Then renders the real dashboard page (django.test.Client signed
in as the program admin, every middleware and the template, DEBUG off) once to warm up and ``--samples`` times
measured.

The page keeps its figures under the program's stamp (mentorship.portal.kept): each measured render follows a
new stamp (as after a write to the program), so it computes the figures, which is what this measures; then
as many renders of the kept figures are measured too (``kept``).

The last line printed is one JSON object: mentees, queries (of one render that computes), p50_ms, p95_ms,
max_ms, ``kept`` (queries, p50_ms and p95_ms of the renders that use the kept figures), the rows built, and
``goals`` (p95 under 200 ms). The organization is deleted at the end unless --keep.
"""

import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from matching.models import Answer, Pairing, PairingStatus, Question
from matching.services.completion import completion_refresh
from mentorship.oversight.models import Activity, ActivityDate, Attendance
from mentorship.pairings.models import Agreement, CheckIn, CycleSurvey, FeedbackRequest, Goal, Message
from mentorship.stamps import bump_programs
from organizations.models import Invitation, InvitationStatus, Membership, Organization, Program, ReviewStatus, Role
from sessions_app.models import Booking, MentorshipSession, SessionStatus

SLUG_PREFIX = "bench-dash-"
BATCH = 5000
GOAL_P95_MS = 200


class Command(BaseCommand):
    help = "Benchmark the program dashboard on a throwaway program of --mentees mentees; prints JSON last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mentees", type=int, default=10000)
        parser.add_argument("--samples", type=int, default=20)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--keep", action="store_true", help="keep the bench organization and its people")
        parser.add_argument("--cleanup", metavar="SLUG", help="only delete a kept bench organization")

    def handle(self, *args, **options) -> None:
        with scopes_disabled():
            if options["cleanup"]:
                _delete(options["cleanup"])
                self.stdout.write(f"Deleted {options['cleanup']}.")
                return
            if options["mentees"] < 5 or options["samples"] < 1:
                raise CommandError("--mentees must be at least 5 and --samples at least 1.")
            random.seed(options["seed"])
            started = time.perf_counter()
            organization, program, admin, built = _build(options["mentees"])
            build_s = round(time.perf_counter() - started, 1)
            self.stderr.write(f"Built {organization.slug} in {build_s} s: {built}")
            try:
                hosts = [*settings.ALLOWED_HOSTS, "testserver"]
                with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
                    result = _measure(program, admin, options["samples"])
            finally:
                if not options["keep"]:
                    _delete(organization.slug)
        result = {"mentees": options["mentees"], **result, "build_s": build_s, "rows": built}
        result["goals"] = {"p95_ms": {"target": f"< {GOAL_P95_MS}", "met": result["p95_ms"] < GOAL_P95_MS}}
        if options["keep"]:
            result["kept"] = organization.slug
        self.stdout.write(json.dumps(result))


def _measure(program: Program, admin: User, samples: int) -> dict:
    client = Client()
    client.force_login(admin)
    url = reverse("portal:dashboard", args=[program.organization.slug, program.slug])
    assert client.get(url).status_code == 200  # warm-up: templates, caches, connection

    def render(computed: bool) -> tuple[float, list[str]]:
        if computed:
            bump_programs([program.pk])  # as a write to the program does: the kept figures are not used again
        queries = []
        # Counted as they run (the test client's request_started signal empties connection.queries).
        with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
            started = time.perf_counter()
            response = client.get(url)
            spent = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        return spent, queries

    computed = [render(computed=True) for _ in range(samples)]
    kept = [render(computed=False) for _ in range(samples)]
    times, kept_times = sorted(t for t, _q in computed), sorted(t for t, _q in kept)
    return {
        "queries": len(computed[0][1]),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_p95(times), 1),
        "max_ms": round(times[-1], 1),
        "samples": samples,
        "kept": {
            "queries": len(kept[0][1]),
            "p50_ms": round(statistics.median(kept_times), 1),
            "p95_ms": round(_p95(kept_times), 1),
        },
        "database": connection.vendor,
    }


def _p95(times: list[float]) -> float:
    return times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]


def _build(mentees: int) -> tuple[Organization, Program, User, dict]:
    now = timezone.now()
    stamp = now.strftime("%Y%m%d-%H%M%S-%f")
    slug = f"{SLUG_PREFIX}{stamp}"
    organization = Organization.objects.create(
        name=f"Dashboard benchmark {stamp}",
        slug=slug,
        admin_email="bench@example.invalid",
        status=ReviewStatus.APPROVED,
        reviewed_at=now,
    )
    program = Program.objects.create(
        organization=organization,
        name="Dashboard benchmark",
        slug="bench",
        status=ReviewStatus.APPROVED,
        is_live=True,
        default_capacity=5,
        max_capacity=6,
        expected_size=mentees,
    )
    password = make_password(None)
    mentors = max(1, mentees // 5)
    people = [(Role.MENTEE, i) for i in range(mentees)] + [(Role.MENTOR, i) for i in range(mentors)]
    people.append((Role.PROGRAM_ADMIN, 0))
    users = User.objects.bulk_create(
        [
            User(email=f"{role}-{n}@{slug}.bench.invalid", full_name=f"Bench {role} {n}", password=password)
            for role, n in people
        ],
        batch_size=BATCH,
    )
    memberships = Membership.objects.bulk_create(
        [
            Membership(organization=organization, program=program, user=user, role=role)
            for user, (role, _n) in zip(users, people, strict=True)
        ],
        batch_size=BATCH,
    )
    # Spread who joined when over the last year.
    Membership.objects.filter(program=program).update(created_at=now - timedelta(days=180))
    mentee_rows = [m for m in memberships if m.role == Role.MENTEE]
    mentor_rows = [m for m in memberships if m.role == Role.MENTOR]
    admin = users[-1]

    questions = Question.objects.bulk_create(
        Question(program=program, order=i, kind="text", text=f"Question {i}", required=True, audience="both")
        for i in range(5)
    )
    answers = [
        Answer(membership=m, question=q, value="yes")
        for m in mentee_rows + mentor_rows
        if random.random() < 0.8
        for q in questions
    ]
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    completion_refresh(program_id=program.pk)  # bulk inserts bypass the answer service

    invitations = [
        Invitation(
            organization=organization,
            program=program,
            email=f"invited-{i}@{slug}.bench.invalid",
            role=Role.MENTEE if i % 4 else Role.MENTOR,
            token_hash=f"{slug}-{i}",
            status=random.choice(list(InvitationStatus.values)),
            expires_at=now + timedelta(days=random.randint(-30, 30)),
        )
        for i in range(mentees // 2)
    ]
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)

    pairings = []
    for i, mentee in enumerate(mentee_rows):
        if i % 10 < 6:
            pairings.append(Pairing(program=program, mentor=mentor_rows[i % mentors], mentee=mentee))
        elif i % 10 == 6:
            pairings.append(
                Pairing(
                    program=program,
                    mentor=mentor_rows[(i + 1) % mentors],
                    mentee=mentee,
                    status=PairingStatus.ENDED,
                    ended_at=now - timedelta(days=random.randint(0, 80)),
                )
            )
    Pairing.objects.bulk_create(pairings, batch_size=BATCH)
    for weeks in range(26):  # made over the last 26 weeks
        ids = [p.pk for p in pairings[weeks::26]]
        Pairing.objects.filter(pk__in=ids).update(created_at=now - timedelta(weeks=weeks, hours=3))

    sessions, session_mentees = [], []
    for i in range(mentees // 2):
        mentor = mentor_rows[i % mentors]
        start = (now - timedelta(weeks=12) + timedelta(hours=7 * i + (i % mentors))).replace(
            minute=0, second=0, microsecond=0
        )
        status = SessionStatus.CANCELLED if i % 9 == 0 else SessionStatus.PUBLISHED
        sessions.append(
            MentorshipSession(
                program=program,
                mentor=mentor,
                local_date=start.date(),
                local_time=start.time(),
                time_zone="UTC",
                duration_minutes=60,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                seats=1,
                seats_taken=1,
                status=status,
            )
        )
        session_mentees.append(mentee_rows[i % mentees])
    sessions = _sessions_without_overlap(sessions)
    MentorshipSession.objects.bulk_create(sessions, batch_size=BATCH)
    bookings = [
        Booking(
            session=s,
            mentee=session_mentees[i],
            mode="online",
            attendance=""
            if s.status == SessionStatus.CANCELLED or s.ends_at > now
            else random.choice(["attended", "attended", "attended", "no_show", "unknown"]),
        )
        for i, s in enumerate(sessions)
    ]
    Booking.objects.bulk_create(bookings, batch_size=BATCH)

    activities = Activity.objects.bulk_create(
        Activity(program=program, name=f"Workshop {i}", time_zone="UTC") for i in range(10)
    )
    through = Activity.mentees.through
    attendees = {a.pk: mentee_rows[i * 300 % mentees :][:300] for i, a in enumerate(activities)}
    through.objects.bulk_create(
        [through(activity_id=a, membership_id=m.pk) for a, ms in attendees.items() for m in ms], batch_size=BATCH
    )
    Activity.mentors.through.objects.bulk_create(
        Activity.mentors.through(activity_id=a.pk, membership_id=mentor_rows[i % mentors].pk)
        for i, a in enumerate(activities)
    )
    dates = []
    for a in activities:
        for week in range(8):
            start = (now - timedelta(weeks=week + 1)).replace(hour=17, minute=0, second=0, microsecond=0)
            dates.append(
                ActivityDate(
                    activity=a,
                    local_date=start.date(),
                    start_time=start.time(),
                    end_time=(start + timedelta(hours=2)).time(),
                    starts_at=start.astimezone(UTC),
                    ends_at=(start + timedelta(hours=2)).astimezone(UTC),
                )
            )
    ActivityDate.objects.bulk_create(dates, batch_size=BATCH)
    marks = [
        Attendance(date=d, mentee=m, status=random.choice(["present", "present", "present", "absent", "excused"]))
        for d in dates
        for m in attendees[d.activity_id]
    ]
    Attendance.objects.bulk_create(marks, batch_size=BATCH)
    life = _pair_life(program, pairings, sessions, mentee_rows, now)
    # Planner statistics and the visibility map after the bulk load, as autovacuum gives them (it vacuums a table
    # after many inserts or deletions, PostgreSQL 13 and later), so that one run does not read the dead rows that
    # the last run's clean-up left behind; the users too, since every membership query filters on them.
    _analyze(
        [
            User,
            Membership,
            Answer,
            Invitation,
            Pairing,
            MentorshipSession,
            Booking,
            ActivityDate,
            Attendance,
            *LIFE_MODELS,
        ]
    )
    built = {
        "mentors": mentors,
        "answers": len(answers),
        "invitations": len(invitations),
        "pairings": len(pairings),
        "sessions": len(sessions),
        "attendance": len(marks),
        **life,
    }
    return organization, program, admin, built


LIFE_MODELS = [Message, Agreement, Goal, FeedbackRequest, CycleSurvey, CheckIn]


def _pair_life(program: Program, pairings: list, sessions: list, mentees: list, now: datetime) -> dict:
    """The life of the pairings: messages for most pairs over the last 90 days, agreements (half signed, with
    three goals), session feedback, the end-of-program survey of the current cycle, reminded quiet pairs."""
    day = timedelta(days=1)
    Program.objects.filter(pk=program.pk).update(cycle_ends_on=(now + timedelta(days=30)).date())
    messages = [
        Message(program=program, pairing=p, author=p.mentee if n % 2 else p.mentor, body="Hello")
        for i, p in enumerate(pairings)
        if i % 10 < 7
        for n in range(3)
    ]
    Message.objects.bulk_create(messages, batch_size=BATCH)
    for days in range(90):  # sent over the last 90 days
        ids = [m.pk for m in messages[days::90]]
        Message.objects.filter(pk__in=ids).update(created_at=now - days * day)
    agreements = [
        Agreement(
            program=program,
            pairing=p,
            learning="Bench",
            frequency="weekly",
            meeting_format="online",
            status=("signed", "signed", "signed", "signed", "signed", "sent", "draft", "changes")[i % 8],
            signed_at=now - (i % 120) * day if i % 8 < 5 else None,
        )
        for i, p in enumerate(pairings)
        if i % 5 < 4
    ]
    Agreement.objects.bulk_create(agreements, batch_size=BATCH)
    goals = [
        Goal(
            program=program,
            agreement=a,
            order=n,
            title=f"Goal {n}",
            target_date=(now + 60 * day).date(),
            done_at=now - ((i + n) % 100) * day if (i + n) % 3 == 0 else None,
        )
        for i, a in enumerate(agreements)
        for n in range(3)
    ]
    Goal.objects.bulk_create(goals, batch_size=BATCH)
    feedback = [
        FeedbackRequest(
            program=program,
            pairing=p,
            session=s,
            respondent=who,
            rating=random.randint(1, 4),
            fit="not_good" if i % 17 == 0 else "good",
            answered_at=now - (i % 100) * day,
        )
        for i, (p, s) in enumerate(zip(pairings, sessions, strict=False))
        for who in (p.mentee, p.mentor)
    ]
    FeedbackRequest.objects.bulk_create(feedback, batch_size=BATCH)
    ends = (now + timedelta(days=30)).date()
    surveys = [
        CycleSurvey(
            program=program, respondent=m, cycle_ends_on=ends, satisfaction=random.randint(0, 10), answered_at=now
        )
        for i, m in enumerate(mentees)
        if i % 5 < 3
    ]
    CycleSurvey.objects.bulk_create(surveys, batch_size=BATCH)
    check_ins = [CheckIn(program=program, pairing=p, reminded_at=now - 5 * day) for p in pairings[9::10]]
    CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
    return {
        "messages": len(messages),
        "agreements": len(agreements),
        "goals": len(goals),
        "feedback": len(feedback),
        "surveys": len(surveys),
        "check_ins": len(check_ins),
    }


def _sessions_without_overlap(sessions: list[MentorshipSession]) -> list[MentorshipSession]:
    """Drop a published session overlapping an earlier one of the same mentor (the exclusion constraint)."""
    last_end: dict[int, datetime] = {}
    kept = []
    for s in sorted(sessions, key=lambda s: s.starts_at):
        key = id(s.mentor)
        if s.status == SessionStatus.PUBLISHED and last_end.get(key, s.starts_at) > s.starts_at:
            continue
        if s.status == SessionStatus.PUBLISHED:
            last_end[key] = s.ends_at
        kept.append(s)
    return kept


def _analyze(models: list) -> None:
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        # VACUUM cannot run in a transaction (a test that builds a small program in one): statistics only there.
        cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {tables}")


def _delete(slug: str) -> None:
    if not slug.startswith(SLUG_PREFIX):
        raise CommandError(f"Only bench organizations ({SLUG_PREFIX}...) are deleted here.")
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise CommandError(f"No organization has the slug {slug!r}.")
    # Answers first, in one statement (the ORM would run matching's post_delete receiver for each).
    Answer.objects.filter(membership__organization=organization)._raw_delete(Answer.objects.db)
    organization.delete()
    User.objects.filter(email__endswith=f"@{slug}.bench.invalid").delete()

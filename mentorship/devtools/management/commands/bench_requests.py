"""Benchmark of the ranked requests' sweep on the database of DATABASE_URL.

    python manage.py bench_requests --overdue 10000

Builds a throwaway organization ("bench-requests-<timestamp>") with several programs whose mentees each
have a selection of two choices: the first waiting (``--overdue`` of them past their deadline, a quarter
as many more not yet due), the second not sent yet. Then runs one sweep (``matching.services.requests.sweep``)
and an idle one, counting the queries. The sweep runs inside one outer transaction that is rolled back,
so its after-commit callbacks (the tasks that render and send the emails, which belong to sending, not to
the sweep) never run and the broker is not touched; each batch is then a savepoint instead of a commit.

The last line printed is one JSON object: overdue, moved_on, seconds, queries, queries_per_request,
idle_queries and ``goals``. The organization is deleted at the end.
"""

import json
import random
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from matching.models import MentorRequest, MentorSelection, RequestState
from matching.services.requests import sweep
from organizations.models import Membership, Organization, Program, ReviewStatus, Role

SLUG_PREFIX = "bench-requests-"
PROGRAMS = 4
MENTORS_PER_PROGRAM = 50
ROWS = 2000


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark the ranked requests' sweep: N overdue requests moved on in one run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--overdue", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, overdue: int, seed: int, **options) -> None:
        random.seed(seed)
        with scopes_disabled():
            organization = self._create(overdue)
            try:
                result = self._measure(overdue)
            finally:
                self._delete(organization)
        self.stdout.write(json.dumps(result))

    def _log(self, text: str) -> None:
        self.stderr.write(text)

    @transaction.atomic
    def _create(self, overdue: int) -> Organization:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        slug = f"{SLUG_PREFIX}{stamp}"
        organization = Organization.objects.create(
            name=f"Requests benchmark {stamp}",
            slug=slug,
            admin_email="bench@example.invalid",
            status=ReviewStatus.APPROVED,
            reviewed_at=timezone.now(),
        )
        now = timezone.now()
        password = make_password(None)
        total = overdue + overdue // 4
        self._log(f"Creating {total} waiting requests ({overdue} overdue) in {PROGRAMS} programs")
        n = 0
        for p in range(PROGRAMS):
            program = Program.objects.create(
                organization=organization,
                name=f"Bench {p}",
                slug=f"bench-{p}",
                status=ReviewStatus.APPROVED,
                is_live=True,
                default_capacity=5,
                max_capacity=5,
            )
            share = total // PROGRAMS + (1 if p < total % PROGRAMS else 0)
            users = User.objects.bulk_create(
                [
                    User(email=f"m{p}-{i}@{slug}.bench.invalid", full_name=f"Mentor {p}-{i}", password=password)
                    for i in range(MENTORS_PER_PROGRAM)
                ]
                + [
                    User(email=f"e{p}-{i}@{slug}.bench.invalid", full_name=f"Mentee {p}-{i}", password=password)
                    for i in range(share)
                ],
                batch_size=ROWS,
            )
            members = Membership.objects.bulk_create(
                [
                    Membership(
                        organization=organization,
                        program=program,
                        user=u,
                        role=Role.MENTOR if i < MENTORS_PER_PROGRAM else Role.MENTEE,
                    )
                    for i, u in enumerate(users)
                ],
                batch_size=ROWS,
            )
            mentors, mentees = members[:MENTORS_PER_PROGRAM], members[MENTORS_PER_PROGRAM:]
            selections = MentorSelection.objects.bulk_create(
                [MentorSelection(program=program, mentee=m) for m in mentees], batch_size=ROWS
            )
            rows = []
            for selection in selections:
                first, second = random.sample(mentors, 2)
                due = n < overdue
                n += 1
                sent = now - timezone.timedelta(days=3, hours=1) if due else now - timezone.timedelta(hours=1)
                rows.append(
                    MentorRequest(
                        program=program,
                        selection=selection,
                        mentee=selection.mentee,
                        mentor=first,
                        rank=1,
                        state=RequestState.WAITING,
                        sent_at=sent,
                        deadline=sent + timezone.timedelta(days=3),
                        mailed_at=sent,
                    )
                )
                rows.append(
                    MentorRequest(
                        program=program,
                        selection=selection,
                        mentee=selection.mentee,
                        mentor=second,
                        rank=2,
                    )
                )
            MentorRequest.objects.bulk_create(rows, batch_size=ROWS)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE matching_mentorrequest, matching_mentorselection, organizations_membership")
        return organization

    def _measure(self, overdue: int) -> dict:
        result: dict = {}
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    swept = sweep()
                    seconds = time.perf_counter() - started
                with CaptureQueriesContext(connection) as idle:
                    sweep()
                moved = swept.moved_on
                result = {
                    "overdue": overdue,
                    "moved_on": moved,
                    "seconds": round(seconds, 3),
                    "queries": len(queries),
                    "queries_per_request": round(len(queries) / max(moved, 1), 4),
                    "idle_queries": len(idle),
                    "forwarded": MentorRequest.objects.filter(
                        rank=2, state=RequestState.WAITING, program__organization__slug__startswith=SLUG_PREFIX
                    ).count(),
                }
                raise Rollback
        except Rollback:
            pass
        result["goals"] = {
            "all_moved_on": result["moved_on"] == overdue == result["forwarded"],
            "queries_per_request_at_most_0.1": result["queries_per_request"] <= 0.1,
            "idle_at_most_2_queries": result["idle_queries"] <= 2,
            "10000_under_15_s": overdue < 10000 or result["seconds"] < 15,
        }
        return result

    @transaction.atomic
    def _delete(self, organization: Organization) -> None:
        slug = organization.slug
        organization.delete()
        User.objects.filter(email__endswith=f"@{slug}.bench.invalid").delete()

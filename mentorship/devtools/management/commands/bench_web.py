"""The web benchmark of issue 9: the most used pages at a real program's size, beside the framework's ceiling.

``manage.py bench_web`` builds a program of 10,000 mentees and 2,000 mentors
(answers, groups, pairings, invitations) and a second organization, in bulk
and only once (the organization's slug carries the size). It serves the site
with gunicorn and the production settings (DEBUG false) on the configured
PostgreSQL and Redis, logs each page's person in through the session store, and
drives every page of ``PAGES`` with a bounded load generator (threads and
http.client) at twice as many connections as workers. Each round, pages are
interleaved with the two reference points: the ceiling (a logged-in view that
only returns the email address, behind the same middleware) and the bare view
(no middleware at all). The last line printed is one JSON object.

Adding a page is one line in ``PAGES``: its name, whose session requests it,
and how to build its URL from the benchmark's world.

``--smoke`` builds a small program and spends two seconds a page: CI runs it so
the benchmark cannot rot; it checks that every page answers 200, not how fast.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from accounts.tokens import hash_token
from matching.models import Pairing, PairingSource
from mentorship.devtools.demo import answer_demo_questionnaire, build_demo_questionnaire, fill_demo_profiles
from mentorship.devtools.management.commands.seed_demo import demo_name
from organizations.models import Group, Invitation, Membership, Organization, Program, ReviewStatus, Role
from organizations.models.invitations import InvitationStatus

BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class World:
    """What the pages' URLs and logins are built from."""

    organization: Organization
    program: Program
    people: dict[str, User]  # role name -> the person whose session requests that role's pages


def _program(view: str) -> Callable[[World], str]:
    return lambda w: reverse(view, args=[w.organization.slug, w.program.slug])


def _organization(view: str) -> Callable[[World], str]:
    return lambda w: reverse(view, args=[w.organization.slug])


def _plain(view: str) -> Callable[[World], str]:
    return lambda w: reverse(view)


# (page name, whose session, URL builder): one line a page.
PAGES: list[tuple[str, str, Callable[[World], str]]] = [
    ("home (mentee)", "mentee", _plain("home")),
    ("program overview (mentee)", "mentee", _program("portal:program")),
    ("profile edit", "mentee", _program("matching:profile")),
    ("questionnaire", "mentee", _program("matching:questionnaire")),
    ("recommendations", "mentee", _program("matching:recommendations")),
    ("my sessions (mentee)", "mentee", _plain("my_sessions")),
    ("home (mentor)", "mentor", _plain("home")),
    ("program overview (program admin)", "program_admin", _program("portal:program")),
    ("people", "program_admin", _program("organizations:program_people")),
    ("pairing", "program_admin", _program("matching:pairing")),
    ("program invitations", "program_admin", _program("organizations:program_invitations")),
    ("questionnaire builder", "program_admin", _program("matching:builder")),
    ("mentorship sessions (program admin)", "program_admin", _program("sessions:mentorship")),
    ("organization", "org_admin", _organization("organizations:detail")),
    ("organization members", "org_admin", _organization("organizations:members")),
    ("organization invitations", "org_admin", _organization("organizations:invitations")),
    ("staff", "staff", _plain("staff:index")),
]

CEILING = "/bench/ceiling/"
BARE = "/bench/bare/"


class Command(BaseCommand):
    help = "Benchmark the most used pages at a real program's size against the framework's ceiling (issue 9)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mentees", type=int, default=10000)
        parser.add_argument("--mentors", type=int, default=2000)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
        parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds a page, each round")
        parser.add_argument("--rounds", type=int, default=2)
        parser.add_argument("--port", type=int, default=8390)
        parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
        parser.add_argument("--smoke", action="store_true", help="small data, 2 s a page, one round (CI)")

    def handle(self, *args, **o) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_web measures production settings: set DATABASE_URL=postgres://...")
        if o["smoke"]:
            o.update(mentees=300, mentors=60, seconds=2.0, rounds=1)
        started = time.monotonic()
        world = self._world(o["mentees"], o["mentors"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics after the bulk load, as autovacuum would give them
        self.stderr.write(f"data ready in {time.monotonic() - started:.1f} s")
        pages = [p for p in PAGES if o["only"].lower() in p[0].lower()]
        sessions = {role: _session_key(user) for role, user in world.people.items()}
        queries, seq_scans = self._query_counts(world, pages)
        targets = [("ceiling", sessions["mentee"], CEILING), ("bare", None, BARE)] + [
            (name, sessions[role], build(world)) for name, role, build in pages
        ]
        with _server(o["port"], o["workers"]) as port:
            for name, cookie, url in targets:
                status = _get(port, url, cookie)[0]
                if status != 200:
                    raise CommandError(f"{name} ({url}) answered {status} through gunicorn")
            concurrency = 2 * o["workers"]
            runs: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
            for round_number in range(o["rounds"]):
                for name, cookie, url in targets:
                    _load(port, url, cookie, concurrency, 0.3)  # warm up
                    result = _load(port, url, cookie, concurrency, o["seconds"])
                    runs[name].append(result)
                    self.stderr.write(
                        f"round {round_number + 1} {name}: {result['rps']:.1f}/s p50 {result['p50_ms']:.1f} ms "
                        f"p95 {result['p95_ms']:.1f} ms"
                    )
        summary = {name: _median(results) for name, results in runs.items()}
        ceiling = summary.pop("ceiling")["rps"]
        bare = summary.pop("bare")["rps"]
        report = {
            "ceiling_rps": round(ceiling, 1),
            "bare_rps": round(bare, 1),
            "ceiling_share_of_bare": round(ceiling / bare, 3) if bare else None,
            "workers": o["workers"],
            "concurrency": 2 * o["workers"],
            "mentees": o["mentees"],
            "mentors": o["mentors"],
            "pages": {
                name: {
                    "rps": round(r["rps"], 1),
                    "p50_ms": round(r["p50_ms"], 1),
                    "p95_ms": round(r["p95_ms"], 1),
                    "queries": queries[name],
                    "share_of_ceiling": round(r["rps"] / ceiling, 3) if ceiling else None,
                    "seq_scans": seq_scans[name],
                }
                for name, r in summary.items()
            },
        }
        self.stdout.write(json.dumps(report))

    # ----------------------------------------------------------------- data

    def _world(self, mentees: int, mentors: int) -> World:
        slug = f"bench-{mentees}-{mentors}"
        with scopes_disabled():
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                self.stderr.write(f"building {mentees} mentees and {mentors} mentors (once) ...")
                organization = self._build(slug, mentees, mentors)
            program = Program.objects.get(organization=organization, slug="big")
            people = {
                "staff": User.objects.get(email=f"staff@{slug}.example.org"),
                "org_admin": User.objects.get(email=f"orgadmin@{slug}.example.org"),
                "program_admin": User.objects.get(email=f"programadmin@{slug}.example.org"),
                "mentor": User.objects.get(email=f"mentor1@{slug}.example.org"),
                # The last mentee has no pairing, so sees recommendations.
                "mentee": User.objects.get(email=f"mentee{mentees}@{slug}.example.org"),
            }
            _second_factor(people["staff"])
        return World(organization=organization, program=program, people=people)

    @transaction.atomic
    def _build(self, slug: str, mentees: int, mentors: int) -> Organization:
        password = make_password(secrets.token_urlsafe(16))
        now = timezone.now()
        organization = Organization.objects.create(
            slug=slug,
            name=f"Benchmark Network {mentees}",
            website="https://example.org",
            description="The web benchmark's organization.",
            admin_email=f"orgadmin@{slug}.example.org",
            status=ReviewStatus.APPROVED,
            reviewed_at=now,
        )
        program = Program.objects.create(
            organization=organization,
            slug="big",
            name="Big Program",
            description="A program at a real size.",
            audience="Students",
            languages="English, French",
            expected_size=mentees + mentors,
            admin_email=f"programadmin@{slug}.example.org",
            status=ReviewStatus.APPROVED,
            is_live=True,
        )

        def user(email: str, name: str, **extra) -> User:
            return User(email=email, full_name=name, password=password, terms_version="bench", **extra)

        staff = [user(f"staff@{slug}.example.org", "Sam Staff", is_staff=True, is_superuser=True)]
        admins = [
            user(f"orgadmin@{slug}.example.org", "Olivia Admin"),
            user(f"programadmin@{slug}.example.org", "Paul Program"),
        ]
        mentor_users = [user(f"mentor{n}@{slug}.example.org", demo_name(Role.MENTOR, n)) for n in range(1, mentors + 1)]
        mentee_users = [user(f"mentee{n}@{slug}.example.org", demo_name(Role.MENTEE, n)) for n in range(1, mentees + 1)]
        User.objects.bulk_create(staff + admins + mentor_users + mentee_users, batch_size=2000)
        Membership.objects.bulk_create(
            [
                Membership(organization=organization, user=admins[0], role=Role.ORGANIZATION_ADMIN),
                Membership(organization=organization, program=program, user=admins[1], role=Role.PROGRAM_ADMIN),
            ]
            + [Membership(organization=organization, program=program, user=u, role=Role.MENTOR) for u in mentor_users]
            + [Membership(organization=organization, program=program, user=u, role=Role.MENTEE) for u in mentee_users],
            batch_size=2000,
        )
        people = list(
            Membership.objects.filter(program=program, role__in=[Role.MENTOR, Role.MENTEE]).select_related("user")
        )
        build_demo_questionnaire(program)
        fill_demo_profiles(program, people)
        answer_demo_questionnaire(program, people)
        # Groups: twenty cohorts, everyone in one or two.
        groups = Group.objects.bulk_create(Group(program=program, name=f"Cohort {n}") for n in range(1, 21))
        through = Membership.groups.through
        links = [through(membership_id=m.pk, group_id=groups[m.pk % 20].pk) for m in people]
        links += [through(membership_id=m.pk, group_id=groups[(m.pk + 7) % 20].pk) for m in people if m.pk % 3 == 0]
        through.objects.bulk_create(links, batch_size=5000)
        # Pairings: four mentees in ten are paired, two a mentor at most; the last mentee is not.
        mentor_rows = [m for m in people if m.role == Role.MENTOR]
        mentee_rows = [m for m in people if m.role == Role.MENTEE][:-1]
        paired = mentee_rows[: min(len(mentee_rows) * 4 // 10, 2 * len(mentor_rows))]
        Pairing.objects.bulk_create(
            (
                Pairing(
                    program=program,
                    mentor=mentor_rows[i % len(mentor_rows)],
                    mentee=mentee,
                    source=PairingSource.MANUAL,
                )
                for i, mentee in enumerate(paired)
            ),
            batch_size=2000,
        )
        # Invitations: one for every four people, half still pending, the rest accepted.
        invited = people[: len(people) // 4]
        Invitation.objects.bulk_create(
            (
                Invitation(
                    organization=organization,
                    program=program,
                    email=f"invited{n}@{slug}.example.org",
                    role=m.role,
                    token_hash=hash_token(f"{slug}-{n}", Invitation.TOKEN_PURPOSE),
                    status=InvitationStatus.PENDING if n % 2 else InvitationStatus.ACCEPTED,
                    invited_by=admins[1],
                    sent_at=now,
                    send_count=1,
                    expires_at=now + timedelta(days=14),
                )
                for n, m in enumerate(invited)
            ),
            batch_size=2000,
        )
        # A second organization, so every page's scoping has someone else's rows to leave out.
        other = Organization.objects.create(
            slug=f"{slug}-other",
            name=f"Other Network {mentees}",
            website="https://example.org",
            description="Someone else's organization.",
            admin_email=f"other@{slug}.example.org",
            status=ReviewStatus.APPROVED,
            reviewed_at=now,
        )
        other_program = Program.objects.create(
            organization=other,
            slug="other",
            name="Other Program",
            description="Someone else's program.",
            audience="Anyone",
            languages="English",
            expected_size=100,
            admin_email=f"other@{slug}.example.org",
            status=ReviewStatus.APPROVED,
            is_live=True,
        )
        others = User.objects.bulk_create(user(f"other{n}@{slug}.example.org", f"Other {n}") for n in range(200))
        Membership.objects.bulk_create(
            Membership(
                organization=other, program=other_program, user=u, role=Role.MENTOR if n % 5 == 0 else Role.MENTEE
            )
            for n, u in enumerate(others)
        )
        return organization

    # ----------------------------------------------------------------- measuring

    def _query_counts(self, world: World, pages) -> tuple[dict[str, int], dict[str, list[str]]]:
        """Each page's query count, from one request in this process (the same code the server runs), and the
        large tables its three slowest queries read by a sequential scan (from EXPLAIN)."""
        counts, seq_scans = {}, {}
        with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False):
            clients = {}
            for role, user in world.people.items():
                clients[role] = Client()
                clients[role].force_login(user)
            for name, role, build in pages:
                url = build(world)
                clients[role].get(url)  # caches warm, as on the server
                with CaptureQueriesContext(connection) as captured:
                    response = clients[role].get(url)
                if response.status_code != 200:
                    raise CommandError(f"{name} ({url}) answered {response.status_code}")
                counts[name] = len(captured.captured_queries)
                slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
                seq_scans[name] = sorted({t for q in slowest for t in _large_seq_scans(q["sql"])})
        return counts, seq_scans


LARGE_TABLE_ROWS = 5000


def _large_seq_scans(sql: str) -> list[str]:
    """The tables of more than LARGE_TABLE_ROWS rows that PostgreSQL's plan for ``sql`` scans sequentially."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return []
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql.replace("%", "%%"))
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        scanned, todo = [], [plan[0]["Plan"]]
        while todo:
            node = todo.pop()
            todo.extend(node.get("Plans", []))
            if node.get("Node Type") == "Seq Scan":
                scanned.append(node["Relation Name"])
        if not scanned:
            return []
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND reltuples > %s", [scanned, LARGE_TABLE_ROWS]
        )
        return [row[0] for row in cursor.fetchall()]


def _session_key(user: User) -> str:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


class _server:
    """gunicorn with the production settings and the benchmark's views, on 127.0.0.1:port."""

    def __init__(self, port: int, workers: int) -> None:
        self.port, self.workers = port, workers

    def __enter__(self) -> int:
        var = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
        static_root = var / "bench-static"
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are signed with it
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "BENCH_VIEWS": "true",
            "STATIC_ROOT": str(static_root),
        }
        python = sys.executable
        if not (static_root / "staticfiles.json").exists():
            subprocess.run(
                [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
            )
        gunicorn = Path(python).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "mentorship.devtools.bench_wsgi:application", "--workers", str(self.workers)]
            + ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--backlog", "64"],
            cwd=BASE_DIR,
            env=env,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self.port
            except OSError:
                if self.process.poll() is not None:
                    raise CommandError("gunicorn did not start") from None
                time.sleep(0.2)
        raise CommandError("gunicorn did not listen in 20 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _get(port: int, url: str, session: str | None) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"} if session else {}
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, len(body)


def _load(port: int, url: str, session: str | None, concurrency: int, seconds: float) -> dict:
    """``concurrency`` threads requesting ``url`` for ``seconds``; throughput and latency percentiles."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        mine, bad = [], []
        while time.monotonic() < deadline:
            start = time.perf_counter()
            status, _ = _get(port, url, session)
            mine.append(time.perf_counter() - start)
            if status != 200:
                bad.append(status)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - begin
    if failures:
        raise CommandError(f"{url}: {len(failures)} answers were not 200 (e.g. {failures[0]})")
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
    }


def _median(results: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def _second_factor(staff: User) -> None:
    """Staff pages need an authenticator app (organizations.sso.middleware); the bench's staff gets one."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(staff, generate_totp_secret())

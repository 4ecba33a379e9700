"""Demo data for a newcomer: one approved organization and program, with people in every role.

The program has the demo questionnaire (mentorship.devtools.demo), answered by every demo
mentor and mentee, and those people have a profile, so recommendations and
auto-pairing can be tried at once.
"""

import argparse

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from mentorship import stamps
from mentorship.devtools.demo import answer_demo_questionnaire, build_demo_questionnaire, fill_demo_profiles
from mentorship.devtools.demo_oversight import seed_demo_oversight
from mentorship.devtools.demo_pairings import seed_demo_pairings
from mentorship.devtools.demo_ranked_requests import seed_demo_ranked_requests
from mentorship.devtools.demo_requests import seed_demo_requests
from mentorship.devtools.demo_sessions import seed_demo_sessions
from organizations.models import Membership, Organization, Program, ReviewStatus, Role
from organizations.services.memberships import membership_ensure

DEMO_PASSWORD = "demo-password-2026"

FIRST_NAMES = (
    "Amina", "Lucas", "Chloé", "Mateo", "Priya", "Noah", "Léa", "Omar", "Sofia", "Hugo",
    "Mei", "Daniel", "Inès", "Tomás", "Grace", "Yusuf", "Emma", "Kofi", "Camille", "Diego",
    "Hannah", "Karim", "Julia", "Arjun", "Zoé", "Samuel", "Lucía", "Théo", "Nadia", "Ethan",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Okafor", "García", "Dubois", "Nguyen", "Smith", "Moreau", "Haddad", "López", "Kowalski",
    "Bernard", "Mensah", "Silva", "Lambert", "Chen", "Fontaine", "Rossi", "Diallo", "Murphy", "Petit",
    "Sánchez", "Laurent", "Khan", "Roux", "Fischer", "Girard", "Ahmed", "Blanc", "Costa", "Taylor",
)  # fmt: skip


def demo_name(role: str, number: int) -> str:
    """A stable, varied name for the numbered demo mentor or mentee."""
    offset = 0 if role == Role.MENTEE else 17
    first = FIRST_NAMES[(number * 7 + offset) % len(FIRST_NAMES)]
    last = LAST_NAMES[(number * 11 + offset + number // len(LAST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


class Command(BaseCommand):
    help = (
        "Create (or top up) demo data: an organization, a program with a questionnaire, and its people "
        "with profiles and answers. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mentees", type=int, default=6)
        parser.add_argument("--mentors", type=int, default=4)
        parser.add_argument(
            "--pairs",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Demo pairs with messages, an agreement, feedback and a quiet pair (--no-pairs: everyone unpaired).",
        )

    @transaction.atomic
    def handle(self, *args, mentees: int, mentors: int, pairs: bool = True, **options) -> None:
        # Hashing is slow on purpose: hash the demo password once, for everyone.
        self.password_hash = make_password(DEMO_PASSWORD)
        with scopes_disabled():
            organization, program = self._tenant()
            logins = [self._person("staff@example.org", "Sam Staff", superuser=True)]
            admin = self._person("orgadmin@example.org", "Olivia Admin")
            membership_ensure(user=admin, organization=organization, role=Role.ORGANIZATION_ADMIN)
            padmin = self._person("programadmin@example.org", "Paul Program")
            membership_ensure(user=padmin, organization=organization, program=program, role=Role.PROGRAM_ADMIN)
            logins += [admin, padmin]
            people = self._participants(program, Role.MENTOR, mentors) + self._participants(
                program, Role.MENTEE, mentees
            )
            firsts = {u.email: u for u in User.objects.filter(email__in=["mentor1@example.org", "mentee1@example.org"])}
            logins += [firsts[email] for email in ("mentor1@example.org", "mentee1@example.org") if email in firsts]
            questions = build_demo_questionnaire(program)
            fill_demo_profiles(program, people)
            written = answer_demo_questionnaire(program, people)
            sessions = seed_demo_sessions(
                program, [p for p in people if p.role == Role.MENTOR], [p for p in people if p.role == Role.MENTEE]
            )
            seed_demo_requests(
                program, [p for p in people if p.role == Role.MENTOR], [p for p in people if p.role == Role.MENTEE]
            )
            activities = seed_demo_oversight(
                program,
                padmin,
                [p for p in people if p.role == Role.MENTOR],
                [p for p in people if p.role == Role.MENTEE],
            )
            seed_demo_ranked_requests(program, padmin)
            if pairs:
                pairs = seed_demo_pairings(
                    program, [p for p in people if p.role == Role.MENTOR], [p for p in people if p.role == Role.MENTEE]
                )
            # Run again on a database that has the program, its bulk writes (no signals) change what it shows.
            stamps.bump_programs([program.pk])
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {organization.name} / {program.name}"))
        self.stdout.write(f"Questionnaire: {len(questions)} questions; {written} new answers.")
        self.stdout.write(f"Mentorship sessions: {sessions} (a weekly series crosses a daylight-saving change).")
        self.stdout.write(f"Activities: {activities} (with a past schedule, attendance and observations).")
        if pairs:
            self.stdout.write(f"Active pairs: {pairs} (one talking with a signed agreement and feedback, one quiet).")
        self.stdout.write(f"Log in at /accounts/login/ with any of these (password: {DEMO_PASSWORD}):")
        for person in logins:
            self.stdout.write(f"  {person.email}")
        self.stdout.write(f"  ... and mentor1..{mentors}@example.org, mentee1..{mentees}@example.org")

    def _tenant(self) -> tuple[Organization, Program]:
        organization, _ = Organization.objects.get_or_create(
            slug="demo",
            defaults={
                "name": "Demo Mentoring Network",
                "website": "https://example.org",
                "description": "A demo organization.",
                "admin_email": "orgadmin@example.org",
                "status": ReviewStatus.APPROVED,
                "reviewed_at": timezone.now(),
            },
        )
        program, _ = Program.objects.get_or_create(
            organization=organization,
            slug="first-steps",
            defaults={
                "name": "First Steps",
                "description": "Young people starting their careers, mentored by volunteers.",
                "audience": "Students and young graduates",
                "languages": "English, French, Spanish",
                "expected_size": 60,
                "admin_email": "programadmin@example.org",
                "status": ReviewStatus.APPROVED,
                "is_live": True,
            },
        )
        return organization, program

    def _person(self, email: str, name: str, superuser: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(
                email=email,
                full_name=name,
                password=self.password_hash,
                is_staff=superuser,
                is_superuser=superuser,
                terms_version="demo",
            )
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _participants(self, program: Program, role: Role, count: int) -> list[Membership]:
        """The numbered demo mentors or mentees (``<role><n>@example.org``), created in bulk where missing."""
        names = {f"{role}{n}@example.org": demo_name(role, n) for n in range(1, count + 1)}
        existing = set(User.objects.filter(email__in=names).values_list("email", flat=True))
        User.objects.bulk_create(
            User(email=email, full_name=name, password=self.password_hash, terms_version="demo")
            for email, name in names.items()
            if email not in existing
        )
        users = {u.email: u for u in User.objects.filter(email__in=names)}
        verified = set(EmailAddress.objects.filter(email__in=names).values_list("email", flat=True))
        EmailAddress.objects.bulk_create(
            EmailAddress(user=users[email], email=email, verified=True, primary=True)
            for email in names
            if email not in verified
        )
        EmailAddress.objects.filter(email__in=names).update(verified=True, primary=True)
        return [
            membership_ensure(user=users[email], organization=program.organization, program=program, role=role)
            for email in names
        ]

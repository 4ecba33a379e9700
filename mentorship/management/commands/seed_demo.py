"""Demo data for a newcomer: one approved organization and program, with people in every role."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from organizations.models import Organization, Program, ReviewStatus, Role
from organizations.services.memberships import membership_ensure

DEMO_PASSWORD = "demo-password-2026"


class Command(BaseCommand):
    help = "Create (or top up) demo data: an organization, a program and its people. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mentees", type=int, default=6)
        parser.add_argument("--mentors", type=int, default=4)

    @transaction.atomic
    def handle(self, *args, mentees: int, mentors: int, **options) -> None:
        with scopes_disabled():
            organization, program = self._tenant()
            logins = [
                self._person("staff@example.org", "Sam Staff", superuser=True),
            ]
            admin = self._person("orgadmin@example.org", "Olivia Admin")
            membership_ensure(user=admin, organization=organization, role=Role.ORGANIZATION_ADMIN)
            padmin = self._person("programadmin@example.org", "Paul Program")
            membership_ensure(user=padmin, organization=organization, program=program, role=Role.PROGRAM_ADMIN)
            logins += [admin, padmin]
            for role, count, label in ((Role.MENTOR, mentors, "Mentor"), (Role.MENTEE, mentees, "Mentee")):
                for number in range(1, count + 1):
                    person = self._person(f"{role}{number}@example.org", f"{label} {number:03d}")
                    membership_ensure(user=person, organization=organization, program=program, role=role)
                    if number == 1:
                        logins.append(person)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {organization.name} / {program.name}"))
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
                "languages": "English, French",
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
            create = User.objects.create_superuser if superuser else User.objects.create_user
            user = create(email=email, password=DEMO_PASSWORD, full_name=name, terms_version="demo")
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

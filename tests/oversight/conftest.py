from datetime import date, time

import pytest

from mentorship.oversight.services import DateInput, activity_save
from organizations.models import Role
from tests.factories import ProgramFactory, member


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def admin(program):
    return member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")


@pytest.fixture
def mentor(program):
    return member(program, Role.MENTOR, full_name="Maria Mentor").memberships.get()


@pytest.fixture
def mentee(program):
    return member(program, Role.MENTEE, full_name="Paul Mentee").memberships.get()


@pytest.fixture
def activity(program, admin, mentor, mentee):
    return activity_save(
        program=program,
        by=admin,
        name="Coding club",
        description="Python on Tuesdays",
        time_zone="Europe/Paris",
        mentees=[mentee],
        mentors=[mentor],
        dates=[
            DateInput(date(2026, 3, 3), time(17), time(19), "Room 4"),
            DateInput(date(2026, 3, 10), time(17), time(19), "Room 4"),
        ],
    )


def url(program, name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=[program.organization.slug, program.slug, *args])

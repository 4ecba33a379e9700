import pytest

from organizations.models import Role
from tests.factories import ProgramFactory, member


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def mentor(program):
    """Mentors in Toronto."""
    user = member(program, Role.MENTOR, full_name="Maria Mentor", timezone="America/Toronto")
    return user.memberships.get()


@pytest.fixture
def mentee(program):
    """A mentee in Paris."""
    user = member(program, Role.MENTEE, full_name="Paul Mentee", timezone="Europe/Paris")
    return user.memberships.get()


@pytest.fixture
def program_admin(program):
    return member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")


def program_url(program, name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=[program.organization.slug, program.slug, *args])


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """``with sent(): ...`` runs what the block queued after commit (the emails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)

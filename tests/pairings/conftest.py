import pytest

from matching.models import Pairing
from organizations.models import Role
from tests.factories import ProgramFactory, member


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def mentor(program):
    return member(program, Role.MENTOR, full_name="Maria Mentor", language="fr").memberships.get()


@pytest.fixture
def mentee(program):
    return member(program, Role.MENTEE, full_name="Paul Mentee").memberships.get()


@pytest.fixture
def program_admin(program):
    return member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")


@pytest.fixture
def pairing(program, mentor, mentee):
    return Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """``with sent(): ...`` runs what the block queued after commit (tasks, emails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def program_url(program, name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=[program.organization.slug, program.slug, *args])

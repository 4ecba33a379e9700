"""Races, on PostgreSQL: many requests at once leave exactly one row."""

import threading

import pytest
from django.db import connection, connections

from organizations.models import Invitation, InvitationStatus, Membership, Role
from organizations.services.invitations import InvitationError, invitation_accept, invitation_issue
from tests.conftest import STRICT
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        reason = "row locking needs PostgreSQL (set DATABASE_URL=postgres://...)"
        if STRICT:
            pytest.fail(reason)
        pytest.skip(reason)


def run_at_once(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = []

    def worker(number: int) -> None:
        try:
            barrier.wait()
            results.append(work(number))
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread met
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_concurrent_invitations_leave_one_pending():
    organization = ProgramFactory().organization

    def invite(number: int):
        email = "Alice@example.org" if number % 2 else "alice@example.org"
        return invitation_issue(organization=organization, email=email, role=Role.MENTEE)

    results = run_at_once(20, invite)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Invitation.objects.filter(organization=organization, status=InvitationStatus.PENDING).count() == 1
    assert Invitation.objects.get().send_count == 20


def test_ten_concurrent_accepts_make_one_membership():
    program = ProgramFactory()
    user = UserFactory(email="alice@example.org")
    invitation, _ = invitation_issue(
        organization=program.organization, program=program, email=user.email, role=Role.MENTOR
    )

    results = run_at_once(10, lambda n: invitation_accept(invitation=invitation, user=user))
    assert [r for r in results if isinstance(r, Exception) and not isinstance(r, InvitationError)] == []
    assert Membership.objects.filter(user=user, program=program, role=Role.MENTOR).count() == 1
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED

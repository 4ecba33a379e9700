"""Ranked requests under concurrency, on PostgreSQL, with real threads and connections.

* 20 accepts at once on a mentor with one place (requests from 20 mentees): one pairing, 19 clear answers,
  the 19 requests moved on; the lock-off twin (``LOCK_MENTOR`` off) must break the capacity;
* the same accept 10 times at once: one state change, one email each;
* accept and the sweep at the deadline at the same moment, many rounds: accepted or forwarded, never both;
* 500 expired requests, two sweeps at once, then one after a sweep that died mid-batch (its connection
  closed with the batch uncommitted, as when its process is killed): each forwarded once, one email each.
"""

import os
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from matching.models import MentorRequest, MentorSelection, Pairing, RequestEvent
from matching.services import requests as service
from mentorship.models import OutboxEmail
from organizations.models import Role
from tests.conftest import STRICT
from tests.factories import ProgramFactory, member

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        reason = "row locking needs PostgreSQL (set DATABASE_URL=postgres://...)"
        if STRICT:
            pytest.fail(reason)
        pytest.skip(reason)


def person(program, role):
    return member(program, role).memberships.get()


def select(program, mentee, mentors):
    allowed = {m.pk: (70.0, []) for m in mentors}
    return service.select_mentors(
        program=program, mentee=mentee, mentor_ids=[m.pk for m in mentors], allowed=allowed, by=None
    )


def at_once(functions) -> list:
    """Run each function in its own thread and connection, released together; their results or errors."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(i, function):
        try:
            with scopes_disabled():
                barrier.wait()
                results[i] = function()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _twenty_accepts():
    program = ProgramFactory(default_capacity=1)
    mentor = person(program, Role.MENTOR)
    selections = []
    for _ in range(20):
        backup = person(program, Role.MENTOR)
        selections.append(select(program, person(program, Role.MENTEE), [mentor, backup]))
    first = [s.requests.get(rank=1).pk for s in selections]
    answers = at_once([lambda pk=pk: service.request_accept(request_id=pk, by=mentor.user) for pk in first])
    return mentor, selections, answers


def test_twenty_accepts_on_one_place_make_one_pairing_and_move_the_others_on():
    mentor, selections, answers = _twenty_accepts()
    assert [a for a in answers if isinstance(a, Exception)] == []
    assert Pairing.objects.filter(mentor=mentor).count() == 1
    assert sum(a.ok for a in answers) == 1
    refused = [a.message for a in answers if not a.ok]
    assert len(refused) == 19 and all("next choice" in m for m in refused)
    states = [list(s.requests.order_by("rank").values_list("state", flat=True)) for s in selections]
    assert states.count(["accepted", "closed"]) == 1
    assert states.count(["unavailable", "waiting"]) == 19


def test_the_lock_off_twin_breaks_the_capacity(monkeypatch):
    """Without the mentor's row lock the same race overbooks (or deadlocks): the test above can see a race."""
    monkeypatch.setattr(service, "LOCK_MENTOR", False)
    broken = False
    for _ in range(3):
        mentor, _selections, answers = _twenty_accepts()
        if Pairing.objects.filter(mentor=mentor).count() > 1 or any(isinstance(a, Exception) for a in answers):
            broken = True
            break
    assert broken


def test_the_same_accept_ten_times_changes_once_and_emails_once():
    program = ProgramFactory()
    mentor, mentee = person(program, Role.MENTOR), person(program, Role.MENTEE)
    request = select(program, mentee, [mentor]).requests.get()
    mail.outbox.clear()
    answers = at_once([lambda: service.request_accept(request_id=request.pk, by=mentor.user)] * 10)
    assert [a for a in answers if isinstance(a, Exception)] == []
    assert sum(a.ok for a in answers) == 1
    assert RequestEvent.objects.filter(request=request, to_state="accepted").count() == 1
    assert Pairing.objects.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, mentee.user.email])


def test_accept_and_the_sweep_at_the_deadline_never_both():
    rounds = int(os.environ.get("REQUEST_RACE_ROUNDS", "200"))
    program = ProgramFactory(default_capacity=rounds + 1, max_capacity=rounds + 1)
    mentor, backup = person(program, Role.MENTOR), person(program, Role.MENTOR)
    for _ in range(rounds):
        selection = select(program, person(program, Role.MENTEE), [mentor, backup])
        first = selection.requests.get(rank=1)
        deadline = timezone.now()
        MentorRequest.objects.filter(pk=first.pk).update(deadline=deadline)
        results = at_once(
            [
                lambda pk=first.pk: service.request_accept(request_id=pk, by=mentor.user),
                lambda at=deadline: service.sweep(now=at + timedelta(milliseconds=1)),
            ]
        )
        assert [r for r in results if isinstance(r, Exception)] == []
        states = list(selection.requests.order_by("rank").values_list("state", flat=True))
        assert states in (["accepted", "closed"], ["expired", "waiting"])
        assert Pairing.objects.filter(mentee=selection.mentee).exists() == (states[0] == "accepted")


def _expired(count: int):
    program = ProgramFactory(default_capacity=count, max_capacity=count)
    first, second = person(program, Role.MENTOR), person(program, Role.MENTOR)
    for _ in range(count):
        select(program, person(program, Role.MENTEE), [first, second])
    MentorRequest.objects.filter(state="waiting").update(deadline=timezone.now() - timedelta(minutes=1))
    return program, second


def _forwarded_once(second, count):
    assert RequestEvent.objects.filter(to_state="expired").count() == count
    assert MentorRequest.objects.filter(mentor=second, state="waiting").count() == count
    assert RequestEvent.objects.filter(request__mentor=second, to_state="waiting").count() == count
    keys = OutboxEmail.objects.filter(recipient=second.user.email).values_list("key", flat=True)
    assert len(keys) == len(set(keys)) == count
    assert [m.to[0] for m in mail.outbox].count(second.user.email) == count


def test_two_sweeps_at_once_forward_each_once_with_one_email():
    _program, second = _expired(500)
    results = at_once([lambda: service.sweep(batch_size=50), lambda: service.sweep(batch_size=50)])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(r.moved_on for r in results) == 500
    _forwarded_once(second, 500)


def test_a_sweep_killed_mid_batch_loses_nothing_and_the_next_forwards_each_once():
    program, second = _expired(500)

    def killed() -> None:
        """A batch done and never committed: the connection dies with its locks and changes."""
        try:
            with scopes_disabled(), transaction.atomic():
                service._expire_batch(program, None, 200)
                connection.connection.close()  # the server rolls the open transaction back, as for a killed process
        except Exception:  # noqa: BLE001, S110 - leaving the dead transaction fails, as it should
            pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=killed)
    thread.start()
    thread.join()
    assert MentorRequest.objects.filter(state="expired").count() == 0
    results = at_once([lambda: service.sweep(batch_size=100), lambda: service.sweep(batch_size=100)])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert service.sweep().moved_on == 0
    _forwarded_once(second, 500)
    assert MentorSelection.objects.filter(state="open").count() == 500

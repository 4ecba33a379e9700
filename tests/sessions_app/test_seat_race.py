"""The seat race, on PostgreSQL: 30 bookings and 10 cancellations at once on a 5-seat session, 50 times over.

Each round: 5 mentees hold the seats; 10 threads cancel those 5 bookings (each twice) while 30 threads book
for 15 other mentees (each twice). Afterwards no more than 5 are booked, nobody twice, and the seat counter
matches the bookings. The lock-off twin runs the same race through the same steps without the session's
row lock, and must overbook: it shows the race is real and the test can fail.
"""

import threading
import time as clock
from datetime import time

import pytest
from django.db import connection, connections, transaction
from django_scopes import scopes_disabled

from organizations.models import Role
from sessions_app.models import Booking, BookingStatus, MentorshipSession
from sessions_app.services.bookings import booking_cancel, booking_create, check_bookable
from sessions_app.services.errors import BookingError
from tests.conftest import STRICT
from tests.factories import ProgramFactory, member
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.postgres

SEATS, BOOKERS, CANCELLERS = 5, 30, 10


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        reason = "row locking needs PostgreSQL (set DATABASE_URL=postgres://...)"
        if STRICT:
            pytest.fail(reason)
        pytest.skip(reason)


def _people():
    program = ProgramFactory()
    quiet = {"notify_sessions": False}  # the race is about seats; no mail to render
    mentor = member(program, Role.MENTOR, **quiet).memberships.get()
    holders = [member(program, Role.MENTEE, **quiet).memberships.get() for _ in range(SEATS)]
    bookers = [member(program, Role.MENTEE, **quiet).memberships.get() for _ in range(BOOKERS // 2)]
    return mentor, holders, bookers


def _round(mentor, holders, bookers, number: int) -> MentorshipSession:
    session = make_session(mentor, seats=SEATS, at=time(number // 4, 15 * (number % 4)), minutes=10)
    for holder in holders:
        booking_create(session=session, mentee=holder)
    return session


def _race(book, cancel, rounds: int) -> list[tuple[int, int, int]]:
    """(booked, seats_taken, distinct mentees booked) after each round."""
    mentor, holders, bookers = _people()
    threads = BOOKERS + CANCELLERS
    barrier = threading.Barrier(threads + 1)
    state: dict = {}
    results = []
    unexpected: list[Exception] = []

    def work(n: int) -> None:
        try:
            with scopes_disabled():
                _rounds(n)
        finally:
            connections.close_all()

    def _rounds(n: int) -> None:
        for _ in range(rounds):
            barrier.wait()
            session, bookings = state["session"], state["bookings"]
            try:
                if n < BOOKERS:
                    book(session, bookers[n // 2])
                else:
                    cancel(bookings[(n - BOOKERS) // 2], mentor.user)
            except BookingError:
                pass
            except Exception as error:  # noqa: BLE001 - a thread must reach the barrier whatever it met
                unexpected.append(error)
            barrier.wait()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for number in range(rounds):
        state["session"] = _round(mentor, holders, bookers, number)
        state["bookings"] = list(Booking.objects.filter(session=state["session"]))
        barrier.wait()  # go
        barrier.wait()  # all done
        booked = Booking.objects.filter(session=state["session"], status=BookingStatus.BOOKED)
        state["session"].refresh_from_db()
        results.append((booked.count(), state["session"].seats_taken, booked.values("mentee").distinct().count()))
    for worker in workers:
        worker.join()
    return results, unexpected


def _book(session, mentee) -> None:
    booking_create(session=session, mentee=mentee)


def _cancel(booking, by) -> None:
    booking_cancel(booking=booking, by=by, enforce_notice=False)


def test_seats_are_never_overbooked_and_nobody_is_booked_twice():
    results, unexpected = _race(_book, _cancel, rounds=50)
    assert unexpected == []
    assert [r for r in results if not (r[0] <= SEATS and r[0] == r[1] == r[2])] == []


# The twin: the service's steps, with the session's row lock taken out.


def _book_without_lock(session, mentee) -> None:
    with transaction.atomic():
        session = MentorshipSession.objects.get(pk=session.pk)  # no select_for_update: the lock is off
        check_bookable(session, mentee, "online")
        clock.sleep(0.002)  # the time a real request spends between reading and writing
        Booking.objects.create(session=session, mentee=mentee, mode="online")
        MentorshipSession.objects.filter(pk=session.pk).update(seats_taken=session.seats_taken + 1)


def _cancel_without_lock(booking, by) -> None:
    with transaction.atomic():
        booking = Booking.objects.get(pk=booking.pk)
        if booking.status != BookingStatus.BOOKED:
            raise BookingError("already cancelled")
        session = booking.session
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
        MentorshipSession.objects.filter(pk=session.pk).update(seats_taken=max(session.seats_taken - 1, 0))


def test_lock_off_twin_overbooks():
    results, _ = _race(_book_without_lock, _cancel_without_lock, rounds=10)
    assert any(booked > SEATS or booked != taken for booked, taken, _ in results), results

"""The per-mentee daily limit of session requests under concurrency (F6.1), on PostgreSQL, with real threads,
each with its own connection and test client: 10 "Request" POSTs at once with a limit of 3 make exactly 3
requests; the twin without the mentee's row lock must break the limit, to prove the test can see a race."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django_scopes import scopes_disabled

from matching.models import Pairing, PairingStatus
from organizations.models import Role
from sessions_app.models import MentorOffer, OfferState, SessionRequest, SessionSettings
from sessions_app.services import requests as service
from tests.conftest import STRICT
from tests.factories import ProgramFactory, member
from tests.sessions_app.conftest import program_url

pytestmark = pytest.mark.postgres
LIMIT, POSTS = 3, 10


@pytest.fixture(autouse=True)
def _needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        reason = "row locking needs PostgreSQL (set DATABASE_URL=postgres://...)"
        if STRICT:
            pytest.fail(reason)
        pytest.skip(reason)


def posts_at_once(posts: list[tuple]) -> list:
    """Each (user, url, data) POSTed in its own thread, client and connection, released together."""
    barrier = threading.Barrier(len(posts))
    pages: list = [None] * len(posts)

    def post(i: int, user, url: str, data: dict) -> None:
        client = Client()
        client.force_login(user)
        try:
            with scopes_disabled():
                barrier.wait()
                response = client.post(url, data)
            pages[i] = (response.status_code, response.content.decode())
        except Exception as error:  # noqa: BLE001 - reported to the test
            pages[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i, *p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return pages


def _ten_requests_at_once() -> tuple[object, list]:
    """A mentee POSTs "Request" to 10 different mentors at the same moment; the responses' pages."""
    program = ProgramFactory()
    SessionSettings.objects.create(program=program, requests_per_day=LIMIT)
    mentee = member(program, Role.MENTEE)
    mentors = [member(program, Role.MENTOR).memberships.get() for _ in range(POSTS)]
    posts = [
        (mentee, program_url(program, "sessions:request_session", mentor.pk), {"message": f"Request {i}"})
        for i, mentor in enumerate(mentors)
    ]
    return mentee.memberships.get(), posts_at_once(posts)


def test_ten_requests_at_once_with_a_limit_of_three_make_exactly_three():
    mentee, pages = _ten_requests_at_once()
    assert SessionRequest.objects.filter(mentee=mentee).count() == LIMIT
    assert sorted(status for status, _page in pages) == [200] * (POSTS - LIMIT) + [302] * LIMIT
    refused = [page for status, page in pages if status == 200]
    assert all("the most this program allows" in page for page in refused)


def test_the_lock_off_twin_breaks_the_limit(monkeypatch):
    """Without the mentee's row lock the same POSTs pass the limit: the test above can see a race."""
    monkeypatch.setattr(service, "LOCK_MENTEE", False)
    counts = []
    for _ in range(3):
        mentee, _pages = _ten_requests_at_once()
        counts.append(SessionRequest.objects.filter(mentee=mentee).count())
        if counts[-1] > LIMIT:
            break
    assert max(counts) > LIMIT, counts


def test_a_session_between_them_pairs_within_the_mentors_capacity_when_many_answer_at_once():
    """ "A session between them pairs them": 6 mentees answer a mentor's offer at once ("Request a Session"), the
    mentor has one place: exactly one pairing (the mentor's row lock), every offer accepted, no error."""
    program = ProgramFactory(default_capacity=1)
    SessionSettings.objects.create(program=program, session_pairs=True)
    mentor = member(program, Role.MENTOR).memberships.get()
    mentees = [member(program, Role.MENTEE) for _ in range(6)]
    for user in mentees:
        MentorOffer.objects.create(program=program, mentor=mentor, mentee=user.memberships.get())
    url = program_url(program, "sessions:request_session", mentor.pk)
    pages = posts_at_once([(user, url, {"message": "Yes please"}) for user in mentees])
    assert [page[0] for page in pages] == [302] * 6, pages
    assert Pairing.objects.filter(mentor=mentor, status=PairingStatus.ACTIVE).count() == 1
    assert set(MentorOffer.objects.values_list("state", flat=True)) == {OfferState.ACCEPTED}

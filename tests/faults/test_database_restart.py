"""PostgreSQL going away under load: in-flight requests fail cleanly, the next ones succeed.

gunicorn keeps its database connections open between requests (CONN_MAX_AGE, as
in production). Every server-side connection of the test database is then cut,
which is what the application sees when PostgreSQL restarts, while requests keep
coming from several threads. (Restarting the server itself would also cut this
test's own connection and every other user of the machine's PostgreSQL.) The
answers in flight are the site's 500 page or a normal page, never a hang; after
the cut every answer is normal again, without restarting gunicorn.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from tests import processes
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.postgres


def _cut_every_connection() -> int:
    """End every other connection to the test database, and return once their server processes are gone, as
    after a restart (``pg_terminate_backend`` only signals them: a process may still be exiting when it returns)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(pid) FILTER (WHERE ended) FROM (SELECT pid, pg_terminate_backend(pid) AS ended "
            "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) AS others"
        )
        ended = cursor.fetchone()[0] or []
        deadline = time.monotonic() + 10
        while ended and time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [ended])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.01)
        return len(ended)


@pytest.fixture
def web(transactional_db):
    env = processes.production_env(CONN_MAX_AGE="600", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    server, base = processes.gunicorn({**env, "GUNICORN_CMD_ARGS": "--workers 2 --timeout 30"})
    try:
        yield base
    finally:
        processes.stop(server)


def test_requests_after_the_database_comes_back_succeed_without_a_restart(web):
    user = UserFactory(email="grace@example.org", full_name="Grace Hopper")
    browser = processes.log_in(web, user, PASSWORD)
    page = f"{web}/profile/edit/"  # reads the session, the user and their memberships
    cookies = browser.cookies.get_dict()
    for _ in range(4):  # both workers hold a connection
        assert browser.get(page, timeout=60).status_code == 200
    assert _cut_every_connection() >= 1  # gunicorn's persistent connections were open
    # Cut while idle: each worker checks its connection before using it again, so nobody sees an error.
    assert [browser.get(page, timeout=60).status_code for _ in range(6)] == [200] * 6

    stop = threading.Event()
    during: list[tuple[int, str]] = []

    def hammer() -> None:
        while not stop.is_set():
            answer = requests.get(page, cookies=cookies, timeout=30)
            during.append((answer.status_code, answer.text))

    with ThreadPoolExecutor(max_workers=3) as pool:
        for _ in range(3):
            pool.submit(hammer)
        for _ in range(3):
            time.sleep(0.3)
            _cut_every_connection()
        stop.set()

    assert during, "no request was made during the cuts"
    for status, text in during:
        assert status in (200, 500), status
        if status == 500:
            assert "Something went wrong on our side" in text  # the site's own page, not a stack trace
    after = [requests.get(page, cookies=cookies, timeout=30) for _ in range(10)]
    assert [answer.status_code for answer in after] == [200] * 10
    assert all("Grace Hopper" in answer.text for answer in after)

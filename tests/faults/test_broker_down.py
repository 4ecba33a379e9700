"""Redis (the broker and the cache) stopped while people keep working.

gunicorn and a Celery worker run the production settings against the test
database and a Redis of the test's own. With Redis stopped, pages still answer,
what a person saves is saved, and an email that is due waits in the outbox; once
Redis is back, the worker's retry sweep sends it, once, however often it runs.
"""

import pytest

from mentorship.models import OutboxEmail, OutboxState
from organizations.models import Role
from tests import processes
from tests.factories import PASSWORD, ProgramFactory, member

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker]


def _mails(folder) -> list[str]:
    return [path.read_text() for path in sorted(folder.glob("*.log"))] if folder.exists() else []


@pytest.fixture
def platform(transactional_db, tmp_path, redis):
    mail_folder = tmp_path / "mail"
    env = processes.redis_env(redis, mail_folder)
    web, base = processes.gunicorn(env)
    running = {"web": web}
    try:
        yield {"redis": redis, "env": env, "base": base, "mail": mail_folder, "running": running}
    finally:
        for process in running.values():
            processes.stop(process)


def test_with_redis_down_pages_answer_nothing_is_lost_and_each_email_goes_once(platform):
    base, redis = platform["base"], platform["redis"]
    program = ProgramFactory()
    user = member(program, Role.PROGRAM_ADMIN, email="rosa@example.org", full_name="Rosa Parks")
    browser = processes.log_in(base, user, PASSWORD)

    redis.stop()

    profile = browser.get(f"{base}/profile/edit/", timeout=30)
    assert profile.status_code == 200 and "Rosa Parks" in profile.text
    saved = browser.post(
        f"{base}/profile/edit/",
        data={
            "csrfmiddlewaretoken": processes.csrf(profile.text),
            "full_name": "Rosa Parks",
            "bio": "Typed while the broker was down.",
            "language": "en",
            "timezone": "UTC",
        },
        timeout=30,
    )
    assert "Your profile was saved." in saved.text
    user.refresh_from_db()
    assert user.bio == "Typed while the broker was down."

    invitations = f"{base}/o/{program.organization.slug}/p/{program.slug}/invitations/"
    page = browser.get(invitations, timeout=30)
    assert page.status_code == 200
    sent = browser.post(
        invitations,
        data={"email": "new.mentee@example.org", "role": "mentee", "csrfmiddlewaretoken": processes.csrf(page.text)},
        timeout=30,
    )
    assert "Invitation sent to new.mentee@example.org." in sent.text
    [waiting] = OutboxEmail.objects.filter(recipient="new.mentee@example.org")
    assert waiting.state == OutboxState.PENDING
    assert _mails(platform["mail"]) == []

    redis.start()  # back, empty: whatever the broker held is gone, the outbox is not
    platform["running"]["worker"] = processes.celery_worker(platform["env"])
    processes.retry_sweep(platform["env"])
    processes.wait_until(lambda: len(_mails(platform["mail"])) >= 1, seconds=60, what="the invitation email")
    processes.retry_sweep(platform["env"])
    processes.retry_sweep(platform["env"])
    processes.wait_until(
        lambda: OutboxEmail.objects.get(pk=waiting.pk).state == OutboxState.SENT, what="the row marked sent"
    )

    [message] = _mails(platform["mail"])
    assert "To: new.mentee@example.org" in message
    assert "/invitations/" in message

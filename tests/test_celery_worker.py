"""Background work for real: a Celery worker consuming from Redis sends the email."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.urls import reverse

from mentorship.celery import app as celery_app
from tests.conftest import STRICT

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def redis_worker():
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        reason = "Celery's broker is not Redis (set REDIS_URL=redis://127.0.0.1:6379/0)"
        if STRICT:
            pytest.fail(reason)
        pytest.skip(reason)
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()  # a message left by an interrupted run must not reach this worker
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
        yield
    celery_app.conf.task_always_eager = True


def _wait_for_mail(count: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_signup_email_is_sent_by_a_worker_after_commit(client, transactional_db, redis_worker):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "worker@example.org",
            "password1": "a-Strong-passw0rd",
            "password2": "a-Strong-passw0rd",
            "full_name": "Walter Worker",
            "language": "en",
            "timezone": "UTC",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302
    _wait_for_mail(1)
    assert [m.to for m in mail.outbox] == [["worker@example.org"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_auto_pairing_is_computed_by_a_worker(client, transactional_db, redis_worker):
    from matching.models import AutoPairRun, RunStatus
    from organizations.models import Role
    from tests.factories import ProgramFactory, Survey, member

    survey = Survey(ProgramFactory(default_capacity=1))
    for _ in range(3):
        survey.person(Role.MENTEE, skills=["Networking"])
        survey.person(Role.MENTOR, skills=["Networking"])
    client.force_login(member(survey.program, Role.PROGRAM_ADMIN))
    program = survey.program
    response = client.post(reverse("matching:autopair", args=[program.organization.slug, program.slug]))
    assert response.status_code == 302  # the request returns at once; the worker computes
    deadline = time.monotonic() + 60
    while AutoPairRun.objects.get().status != RunStatus.PREVIEW and time.monotonic() < deadline:
        time.sleep(0.1)
    run = AutoPairRun.objects.get()
    assert run.status == RunStatus.PREVIEW, (run.status, run.error)
    assert (run.summary["paired"], run.summary["unassigned"]) == (3, 0)
    page = client.get(response.url).content.decode()
    assert "Approve and save these pairs" in page


def test_outbox_rows_left_unsent_are_sent_by_the_workers_sweep(transactional_db, redis_worker):
    """The beat's retry-outbox task, run by a worker, sends rows whose enqueue was lost (broker down at commit)."""
    from mentorship.models import OutboxEmail, OutboxState
    from mentorship.tasks import retry_outbox

    payload = {"subject": "Hi", "body": "Hi", "html": None, "to": ["late@example.org"], "from_email": "a@example.org"}
    OutboxEmail.objects.create(kind="test_message", recipient="late@example.org", payload=payload)
    retry_outbox.delay()
    retry_outbox.delay()  # a second, overlapping run sends nothing twice
    _wait_for_mail(1)
    time.sleep(0.5)
    assert [m.to for m in mail.outbox] == [["late@example.org"]]
    assert OutboxEmail.objects.get().state == OutboxState.SENT

"""The request sweep's process killed with SIGKILL in the middle of its batches (issue 10, point 11).

``manage.py expire_requests`` runs as a real process on the test database, with small batches and its
broker on a closed port (so what it queues stays in the outbox). It is killed once some batches have
committed and others not. Then two sweeps run at once, a later one (past the grace period) queues the
emails of the batch killed between its commit and their queueing, and the outbox's retry sweep sends what is due:
every expired request is forwarded exactly once, and each next mentor gets exactly one email per request.
"""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from matching.models import MentorRequest, RequestEvent
from matching.services import requests as service
from mentorship import outbox
from mentorship.models import OutboxEmail, OutboxState
from tests import processes
from tests.matching.test_request_races import _expired, _forwarded_once, at_once

pytestmark = pytest.mark.postgres

COUNT = 600


def test_a_sweep_process_killed_mid_batch_forwards_each_request_once_with_one_email(transactional_db):
    with scopes_disabled():
        _program, second = _expired(COUNT)
    env = processes.production_env(CELERY_BROKER_URL=f"redis://127.0.0.1:{processes.free_port()}/0")
    sweeper = subprocess.Popen(
        [sys.executable, "manage.py", "expire_requests", "--batch-size", "10"],
        cwd=processes.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        processes.wait_until(
            lambda: RequestEvent.objects.filter(to_state="expired").exists(), seconds=120, what="a first batch"
        )
    finally:
        os.kill(sweeper.pid, signal.SIGKILL)
        sweeper.wait(timeout=30)
    moved_before = RequestEvent.objects.filter(to_state="expired").count()
    assert sweeper.returncode == -signal.SIGKILL
    assert 0 < moved_before < COUNT, "killed after it had finished: the test proves nothing"

    mail.outbox.clear()
    results = at_once([lambda: service.sweep(batch_size=50), lambda: service.sweep(batch_size=50)])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(r.moved_on for r in results) == COUNT - moved_before
    with scopes_disabled():
        assert service.sweep().moved_on == 0
        # The batch killed between its commit and the queueing of its emails: the sweep that runs once the
        # grace period is over queues them again (the request has no ``mailed_at``).
        later = timezone.now() + service.MAIL_GRACE + timedelta(minutes=1)
        assert service.sweep(now=later).moved_on == 0
        # What the killed process had queued waits in the outbox: the retry sweep (beat) sends it, once.
        outbox.sweep(max_batches=100, now=timezone.now() + timedelta(hours=1))
        outbox.sweep(max_batches=100, now=timezone.now() + timedelta(hours=1))
        assert MentorRequest.objects.filter(state="expired").count() == COUNT
        _forwarded_once(second, COUNT)
        assert not OutboxEmail.objects.filter(recipient=second.user.email).exclude(state=OutboxState.SENT).exists()

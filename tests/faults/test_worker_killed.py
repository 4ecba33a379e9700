"""A Celery worker killed with SIGKILL in the middle of a batch of emails.

200 emails wait in the outbox. A real worker runs the retry sweep, which claims a
batch and sends it message by message; it is killed (SIGKILL: no clean-up of any
kind) part-way. A new worker's sweep, once the dead one's lease is over, sends the
rest. Every email arrives; the only one that may arrive twice is the message the
provider had taken when the worker died, before its row could be marked sent (the
outbox is at least once, never lost: README, "The email outbox").
"""

import signal

import pytest
from django.utils import timezone

from mentorship.models import OutboxEmail, OutboxState
from tests import processes

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker]

EMAILS = 200


def test_every_email_arrives_after_a_worker_is_killed_mid_batch(transactional_db, tmp_path, redis):
    addresses = processes.fill_outbox(EMAILS, key="killed-worker")
    folder = tmp_path / "mail"
    env = processes.redis_env(
        redis, folder, EMAIL_BACKEND="tests.faults.slow_mail.SlowFileBackend", OUTBOX_LEASE_SECONDS="3"
    )
    worker = processes.celery_worker(env)
    try:
        processes.retry_sweep(env)
        processes.wait_until(lambda: sum(processes.arrived(folder).values()) >= 40, seconds=90, what="the first emails")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        sent_before = sum(processes.arrived(folder).values())
        assert sent_before < EMAILS, "the batch finished before the kill: nothing was tested"
        assert OutboxEmail.objects.filter(state=OutboxState.SENDING).exists()  # the dead worker's claim

        worker = processes.celery_worker(env)
        leased = OutboxEmail.objects.filter(state=OutboxState.SENDING)
        processes.wait_until(  # the dead worker's lease runs out
            lambda: not leased.filter(next_attempt_at__gt=timezone.now()).exists(), seconds=30, what="the lease's end"
        )
        for _ in range(2):  # beat would do this every minute; each run sends up to 20 batches of 100
            processes.retry_sweep(env)
        processes.wait_until(
            lambda: not OutboxEmail.objects.exclude(state=OutboxState.SENT).exists(), seconds=120, what="every row sent"
        )
    finally:
        processes.stop(worker)

    arrived = processes.arrived(folder)
    assert set(arrived) == set(addresses)
    twice = [address for address, count in arrived.items() if count > 1]
    assert len(twice) <= 1, twice  # at most the one in the provider's hands at the kill
    assert max(arrived.values()) <= 2

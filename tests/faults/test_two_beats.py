"""Two Celery beat processes started by mistake: nothing is done twice (issue 14).

Two real beats (each with its own schedule file, as two machines would have) and two real workers on one
Redis and one PostgreSQL. A beat sends every scheduled task once at its start, so each sweep is published
twice and run by two workers at once. 60 emails wait in the outbox (their enqueue was lost): each arrives
exactly once, because the sweeps claim their rows (outbox rows by a leased conditional update, reminders and
notices by conditional updates and unique keys; see CELERY_BEAT_SCHEDULE in the settings).
"""

import sys

import pytest

from mentorship.models import OutboxEmail, OutboxState
from tests import processes

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker]

EMAILS = 60


def _beat(env: dict, schedule) -> "processes.subprocess.Popen":
    args = [sys.executable, "-m", "celery", "-A", "mentorship", "beat", "--loglevel=INFO", "-s", str(schedule)]
    return processes.start(args, env)


def test_two_beats_send_every_email_once(transactional_db, tmp_path, redis):
    addresses = processes.fill_outbox(EMAILS, key="two-beats")
    folder = tmp_path / "mail"
    env = processes.redis_env(redis, folder, EMAIL_BACKEND="tests.faults.slow_mail.SlowFileBackend")
    workers = [processes.celery_worker(env), processes.celery_worker(env)]
    beats = [_beat(env, tmp_path / "beat-a"), _beat(env, tmp_path / "beat-b")]
    try:
        processes.wait_until(
            lambda: not OutboxEmail.objects.exclude(state=OutboxState.SENT).exists(),
            seconds=180,
            what="every outbox row sent",
        )
    finally:
        for process in beats + workers:
            processes.stop(process)
    logs = [processes.output(beat) for beat in beats]
    for log in logs:  # both beats really sent the sweep
        assert "Sending due task retry-outbox" in log, log[-2000:]
    arrived = processes.arrived(folder)
    assert set(arrived) == set(addresses)
    assert max(arrived.values()) == 1, [address for address, count in arrived.items() if count > 1]

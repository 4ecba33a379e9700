from celery import shared_task

from mentorship.mail import build_message


@shared_task(name="mentorship.tasks.send_outbox_email")
def send_outbox_email(outbox_id: int) -> bool:
    """Send one outbox row (see mentorship.outbox); a row already taken or sent is left alone."""
    from mentorship import outbox

    return outbox.send(outbox_id)


@shared_task(name="mentorship.tasks.retry_outbox")
def retry_outbox() -> dict:
    """The beat's sweep: send due outbox rows (lost enqueues, backoffs, abandoned sends), in batches."""
    from mentorship import outbox

    return outbox.sweep()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(payload: dict) -> None:
    """Send one rendered payload: messages queued before the outbox existed (kept for a deploy's overlap)."""
    build_message(payload).send()

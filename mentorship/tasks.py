from celery import shared_task

from mentorship.mail import build_message


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(payload: dict) -> None:
    """Send one rendered email (see mentorship.mail.queue_email)."""
    build_message(payload).send()

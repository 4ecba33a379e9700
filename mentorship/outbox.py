"""The email outbox: written in the caller's transaction, sent after commit, retried by the sweep.

``mentorship.mail.queue_email`` writes an ``OutboxEmail`` row (``INSERT ... ON CONFLICT (key) DO NOTHING``)
and, once the transaction commits, asks Celery to send it. Sending claims the row by a conditional update
(pending -> sending, checked by row count), so a row is sent by one worker at a time; success marks it
sent, an exception records the error and backs off exponentially, and after ``MAX_ATTEMPTS`` it is failed
(staff see it, and may "Send again", in the Django admin). The ``retry-outbox`` beat entry sends what is
due: rows whose enqueue was lost (broker down at commit), rows waiting out a backoff, and rows left in
"sending" by a worker killed mid-send (its lease ran out). A crash between the provider accepting a message
and the row being marked sent makes that one message go twice: at least once, never zero.

A row whose recipient's account, or whose organization, was deleted after it was queued is not sent: it is
marked "skipped" with the reason, which staff see in the admin (issue 14: deleted is deleted, for 30 days).
"""

import logging
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from mentorship.mail import build_message
from mentorship.models import OutboxEmail, OutboxState, SkipReason

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)  # 1, 2, 4, ... minutes between tries
BACKOFF_MAX = timedelta(hours=6)
LEASE = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)  # a row "sending" this long is presumed abandoned
BATCH = 100
MAX_BATCHES = 20  # per sweep run; the next run (a minute later) goes on


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def add(payload: dict, *, key: str | None, kind: str, organization_id: int | None = None) -> int | None:
    """Write the row in the current transaction; its id, or None when ``key`` was already queued.

    The row records the account of its (first) recipient's address, found in the same statement, and the
    organization it is about: ``deliver`` skips it if either is deleted by the time it is sent."""
    fields = {
        "key": key or OutboxEmail._meta.get_field("key").default(),
        "kind": kind[:100],
        "recipient": ", ".join(payload.get("to", []))[:500],
        "payload": payload,
        "state": OutboxState.PENDING,
        "attempts": 0,
        "last_error": "",
        "created_at": timezone.now(),
        "next_attempt_at": timezone.now(),
        "organization": organization_id,
        "skip_reason": "",
    }
    meta = OutboxEmail._meta
    columns = [meta.get_field(name).column for name in fields] + [meta.get_field("user").column]
    values = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in fields.items()]
    quote = connection.ops.quote_name
    users = get_user_model()._meta
    address = parseaddr(payload.get("to", [""])[0] if payload.get("to") else "")[1]
    # The account by its address, as the case-insensitive unique index on LOWER(email) finds it.
    find_user = (
        f"(SELECT {quote(users.pk.column)} FROM {quote(users.db_table)} "  # nosec B608
        f"WHERE LOWER({quote(users.get_field('email').column)}) = LOWER(%s))"
    )
    # Only quoted names from the models' meta and placeholders are interpolated; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(fields))}, {find_user}) "
        f"ON CONFLICT ({quote(meta.get_field('key').column)}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, address])
        row = cursor.fetchone()
    return row[0] if row else None


def enqueue(outbox_id: int) -> None:
    """Ask a worker to send the row now. A broker that is down loses nothing: the sweep sends it later."""
    from mentorship.tasks import send_outbox_email

    try:
        send_outbox_email.delay(outbox_id)
    except Exception:  # the broker client's errors vary by transport; the row is safe in the database
        log.warning("outbox email %s not handed to the broker; the retry sweep will send it", outbox_id, exc_info=True)


def claim(outbox_id: int, now: datetime | None = None) -> bool:
    """Take a pending, due row for sending (pending -> sending); False if someone else has it or it is done."""
    now = now or timezone.now()
    return bool(
        OutboxEmail.objects.filter(pk=outbox_id, state=OutboxState.PENDING, next_attempt_at__lte=now).update(
            state=OutboxState.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
    )


def deliver(outbox_id: int, now: datetime | None = None) -> str:
    """Send a claimed row and record the outcome: its new state (``now``: the sweep's clock, for backoff)."""
    email = OutboxEmail.objects.select_related("user", "organization").get(pk=outbox_id)
    if email.state != OutboxState.SENDING:
        return email.state
    if reason := skip_reason(email):
        OutboxEmail.objects.filter(pk=outbox_id, state=OutboxState.SENDING).update(
            state=OutboxState.SKIPPED, skip_reason=reason
        )
        log.info("outbox email %s not sent: %s", outbox_id, reason)
        return OutboxState.SKIPPED
    try:
        build_message(email.payload).send()
    except Exception as error:  # any failure of the backend: record it, try again later
        now = max(now or timezone.now(), timezone.now())
        failed = email.attempts >= MAX_ATTEMPTS
        OutboxEmail.objects.filter(pk=outbox_id, state=OutboxState.SENDING).update(
            state=OutboxState.FAILED if failed else OutboxState.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=now + backoff(email.attempts),
        )
        log.warning("outbox email %s failed (attempt %s): %s", outbox_id, email.attempts, error)
        return OutboxState.FAILED if failed else OutboxState.PENDING
    OutboxEmail.objects.filter(pk=outbox_id, state=OutboxState.SENDING).update(
        state=OutboxState.SENT, sent_at=timezone.now(), last_error=""
    )
    return OutboxState.SENT


def skip_reason(email: OutboxEmail) -> str:
    """Why ``email`` must not go now: its recipient's account or its organization was deleted since it was
    queued (restorable for 30 days: what is queued after a restore goes again); "" when it may go."""
    if email.user is not None and email.user.deleted_at is not None:
        return SkipReason.PERSON_DELETED
    if email.organization is not None and email.organization.deleted_at is not None:
        return SkipReason.ORGANIZATION_DELETED
    return ""


def send(outbox_id: int) -> bool:
    """The task's work: claim the row and send it; False when there was nothing for this call to do."""
    if not claim(outbox_id):
        return False
    return deliver(outbox_id) == OutboxState.SENT


def claim_due_batch(now: datetime | None = None, size: int = BATCH) -> list[int]:
    """Lock up to ``size`` due rows (skipping rows another sweep holds) and claim them in one update."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(state__in=[OutboxState.PENDING, OutboxState.SENDING], next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            OutboxEmail.objects.filter(pk__in=ids).update(
                state=OutboxState.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
            )
    return ids


def sweep(max_batches: int = MAX_BATCHES, size: int = BATCH, now: datetime | None = None) -> dict:
    """Send what is due at ``now``, batch by batch; safe to run concurrently (each row is claimed by one sweep)."""
    counts = {"claimed": 0, "sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    # A row whose every try died mid-send (a message that kills the worker) stops here instead of looping.
    counts["failed"] += OutboxEmail.objects.filter(
        state=OutboxState.SENDING, next_attempt_at__lte=now or timezone.now(), attempts__gte=MAX_ATTEMPTS
    ).update(state=OutboxState.FAILED, last_error="Abandoned mid-send on every attempt (the worker died).")
    for _ in range(max_batches):
        ids = claim_due_batch(now, size=size)
        if not ids:
            break
        counts["claimed"] += len(ids)
        for outbox_id in ids:
            state = deliver(outbox_id, now)
            counts[
                {"sent": "sent", "pending": "retry", "failed": "failed", "skipped": "skipped"}.get(state, "retry")
            ] += 1
        if len(ids) < size:
            break
    return counts


def send_again(queryset) -> int:
    """Failed rows back to pending with a fresh count of attempts, sent after commit (the admin's action)."""
    ids = list(queryset.filter(state=OutboxState.FAILED).values_list("pk", flat=True))
    OutboxEmail.objects.filter(pk__in=ids, state=OutboxState.FAILED).update(
        state=OutboxState.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    for outbox_id in ids:
        transaction.on_commit(lambda outbox_id=outbox_id: enqueue(outbox_id))
    return len(ids)

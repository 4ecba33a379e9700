"""Every write of the life of a pairing: messages, their batched emails, reports."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Pairing, PairingStatus
from mentorship.pairings import emails
from mentorship.pairings.models import ConversationNotice, Message
from organizations.models import Membership

# At most one email per conversation and recipient in this window.
EMAIL_WINDOW = timedelta(minutes=15)
NOTIFY_CONVERSATION = "pairings.tasks.notify_conversation"


class MessageError(Exception):
    """Why a message cannot be sent or reported, in words for the person who tried."""


def other_party(pairing: Pairing, person: Membership) -> Membership:
    return pairing.mentee if person.pk == pairing.mentor_id else pairing.mentor


def _within_rate(user_id: int) -> bool:
    """At most PAIRINGS_MESSAGES_PER_MINUTE messages a minute for one person, counted in the cache."""
    key = f"pairings:messages:{user_id}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    return cache.incr(key) <= settings.PAIRINGS_MESSAGES_PER_MINUTE


@transaction.atomic
def message_post(*, pairing: Pairing, author: Membership, body: str) -> Message:
    """Add ``body`` to the pairing's conversation; the other person is emailed after commit (batched)."""
    if author.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise MessageError(_("Only the mentor and the mentee write in their conversation."))
    if pairing.status != PairingStatus.ACTIVE:
        raise MessageError(_("This pairing has ended: its conversation is kept, and closed to new messages."))
    body = body.strip()
    if not body:
        raise MessageError(_("Write a message before sending it."))
    if len(body) > Message.MAX_LENGTH:
        raise MessageError(_("A message holds at most %(n)s characters.") % {"n": Message.MAX_LENGTH})
    if not _within_rate(author.user_id):
        raise MessageError(_("You are sending messages quickly: wait a minute, then send this one again."))
    message = Message.objects.create(program_id=pairing.program_id, pairing=pairing, author=author, body=body)
    recipient = other_party(pairing, author)
    ConversationNotice.objects.get_or_create(program_id=pairing.program_id, pairing=pairing, recipient=recipient)
    transaction.on_commit(lambda: _enqueue(pairing.pk, recipient.pk))
    return message


def _enqueue(pairing_id: int, recipient_id: int) -> None:
    from celery import current_app

    current_app.tasks[NOTIFY_CONVERSATION].delay(pairing_id, recipient_id)


def conversation_notify(*, pairing_id: int, recipient_id: int) -> bool:
    """Email ``recipient`` about the messages they were not told of, unless emailed in the last window.

    The window is claimed by a conditional update: a rerun, or a run beside this one, sends nothing twice.
    Messages written inside a window are sent by the sweep (``conversations_due``) once it closes.
    """
    now = timezone.now()
    with transaction.atomic():
        pending = Message.objects.filter(pairing_id=pairing_id, notified_at__isnull=True).exclude(
            author_id=recipient_id
        )
        if not pending.exists():
            return False
        claimed = (
            ConversationNotice.objects.filter(pairing_id=pairing_id, recipient_id=recipient_id)
            .filter(Q(notified_until__isnull=True) | Q(notified_until__lte=now))
            .update(notified_until=now + EMAIL_WINDOW)
        )
        if not claimed:
            return False
        count = pending.update(notified_at=now)
        pairing = Pairing.objects.select_related(
            "program__organization", "mentor__user", "mentee__user"
        ).get(pk=pairing_id)
        recipient = pairing.mentor if pairing.mentor_id == recipient_id else pairing.mentee
        emails.new_messages(pairing, recipient=recipient, author=other_party(pairing, recipient), count=count)
    return True


def conversations_due() -> list[tuple[int, int]]:
    """(pairing, recipient) pairs with messages not yet emailed whose window has closed."""
    now = timezone.now()
    notices = ConversationNotice.objects.filter(Q(notified_until__isnull=True) | Q(notified_until__lte=now))
    pending = Message.objects.filter(pairing_id=OuterRef("pairing_id"), notified_at__isnull=True).exclude(
        author_id=OuterRef("recipient_id")
    )
    return list(notices.filter(Exists(pending)).values_list("pairing_id", "recipient_id"))


def message_report(*, message: Message, by: User) -> Message:
    """The person a message was written to reports it to the program admins (once)."""
    if message.author.user_id == by.pk:
        raise MessageError(_("You cannot report your own message."))
    updated = Message.objects.filter(pk=message.pk, reported_at__isnull=True).update(
        reported_at=timezone.now(), reported_by=by
    )
    if updated:
        message.refresh_from_db()
    return message

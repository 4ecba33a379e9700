"""The life of a pairing (issue 16): its private conversation, and when each person was last emailed about it.

A message belongs to its pairing forever. Program admins see that a pair has talked and when, never the
text, except a message someone reported to them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from matching.models import Pairing
from organizations.models import Membership, Program

PROGRAM_SCOPES = {"organization": "program__organization", "program": "program"}


class Message(models.Model):
    """One message of a pairing's conversation, plain text."""

    MAX_LENGTH = 4000

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairing_messages")
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="messages_written")
    body = models.TextField(_("message"), max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the other person's email covered this message (batched, see ConversationNotice).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    reported_at = models.DateTimeField(null=True, blank=True, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["pairing", "created_at"]),
            models.Index(fields=["program", "reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.author} · {self.created_at:%Y-%m-%d %H:%M}"


class ConversationNotice(models.Model):
    """Until when ``recipient`` is not emailed again about the conversation of ``pairing``.

    Claimed by a conditional update, so that two runs at once send one email.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="conversation_notices")
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    notified_until = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "recipient"], name="conversation_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pairing_id} → {self.recipient_id}"

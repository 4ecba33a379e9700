"""The email outbox: every email of the platform is a row written in the transaction of the change it reports.

A task sends the row after commit; the ``retry-outbox`` beat entry sends what a broker outage, a failing
mail provider or a killed worker left behind (``mentorship.outbox``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_key() -> str:
    """The key of an email nobody will queue twice (no natural key given)."""
    return f"uuid:{uuid.uuid4().hex}"


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class SkipReason(models.TextChoices):
    PERSON_DELETED = "person_deleted", _("The recipient's account was deleted before it was sent.")
    ORGANIZATION_DELETED = "organization_deleted", _("Its organization was deleted before it was sent.")


class OutboxEmail(models.Model):
    """One email to send. ``key`` is unique: queueing the same key again is a no-op.

    ``next_attempt_at`` is when the sweep may take the row: for a pending row, its next try (now, or later
    after a failure); for a row being sent, the end of the sender's lease, after which a worker that died
    mid-send is presumed dead and the row is tried again.
    """

    key = models.CharField(_("key"), max_length=500, unique=True, default=new_key)
    kind = models.CharField(_("kind"), max_length=100, blank=True, db_index=True)
    recipient = models.CharField(_("recipient"), max_length=500)
    payload = models.JSONField(_("message"))
    state = models.CharField(_("state"), max_length=10, choices=OutboxState, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Who it is for and what it is about, to check at sending time: no email goes to a person deleted since it
    # was queued, nor about an organization deleted since (both restorable for 30 days); it is marked skipped.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # erasing an organization erases the emails about it
        related_name="+",
    )
    skip_reason = models.CharField(_("why not sent"), max_length=30, choices=SkipReason, blank=True)

    class Meta:
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox emails")
        indexes = [
            # The sweep's one lookup: rows still to send (or whose sender's lease ran out), oldest due first.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(state__in=[OutboxState.PENDING, OutboxState.SENDING]),
            ),
            models.Index(fields=["state", "-created_at"], name="outbox_state_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind or 'email'} to {self.recipient} ({self.state})"

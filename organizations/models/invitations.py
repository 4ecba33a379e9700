"""Invitations by email: one pending per organization and address (seed 003, F2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from organizations.models.tenancy import Organization, Program, Role


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(models.Model):
    """An emailed, single-use, expiring link that makes its holder a member with a role.

    Also used for the designated administrators of approved organizations and
    of programs granted access: their "complete your registration" links.
    Its program is optional, so invitations are scoped by organization only.
    """

    TOKEN_PURPOSE = "invitation"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=Q(status="pending"),
                name="invitation_one_pending_per_org_email",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            # The invitations lists, newest first 25 a page: read from an index, not sorted from every row
            # (the benchmark's 3,000 of a program took 5 ms to sort).
            models.Index(fields=["organization", "-created_at"], name="invitation_org_newest"),
            models.Index(fields=["program", "-created_at"], name="invitation_program_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.program or self.organization}"

    @property
    def is_expired(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        """What an admin sees: pending, accepted, expired or revoked."""
        return InvitationStatus.EXPIRED if self.is_expired else self.status

    def get_state_display(self) -> str:
        return InvitationStatus(self.state).label

    @property
    def sender_name(self) -> str:
        return self.program.name if self.program_id else self.organization.name

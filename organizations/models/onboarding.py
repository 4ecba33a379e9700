"""Onboarding sessions published by platform staff, and programs' access requests (seed 004)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from organizations.models.tenancy import Organization, Program


class OnboardingSlot(models.Model):
    """An onboarding session that organizations sign up for; not owned by a tenant."""

    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    capacity = models.PositiveSmallIntegerField(_("organizations per session"), default=10)
    meeting_url = models.URLField(_("meeting URL"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} UTC"


class OnboardingSignup(models.Model):
    """An organization's place in an onboarding session (one per organization)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="onboarding_signup")
    slot = models.ForeignKey(OnboardingSlot, on_delete=models.PROTECT, related_name="signups")
    signed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    def __str__(self) -> str:
        return f"{self.organization} · {self.slot}"


class AccessStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    GRANTED = "granted", _("Access granted")
    DENIED = "denied", _("Access denied")


class AccessRequest(models.Model):
    """A program's "Request Access to the E-Mentoring Platform" form, reviewed by staff."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="access_requests")
    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="access_request")
    admin_name = models.CharField(_("program administrator's name"), max_length=150)
    admin_email = models.EmailField(_("program administrator's email"))
    start_date = models.DateField(_("planned start date"), null=True, blank=True)
    mentors_expected = models.PositiveIntegerField(_("mentors expected"), default=0)
    mentees_expected = models.PositiveIntegerField(_("mentees expected"), default=0)
    goals = models.TextField(_("what you want to achieve with the platform"), blank=True)
    status = models.CharField(max_length=16, choices=AccessStatus.choices, default=AccessStatus.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(organization="organization", program="program")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Access for {self.program}"

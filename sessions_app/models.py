"""Mentorship sessions (F5): the places a program keeps, sessions mentors publish, and mentees' bookings.

A session keeps its local wall-clock start (date, time, IANA zone) as entered, and the UTC range derived
from it (``starts_at``/``ends_at``) for ordering, overlap and reminders. A recurring series is rows of
their own sharing a ``series`` id, never a rule expanded on read.
"""

import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from accounts.models import TIME_ZONE_CHOICES
from organizations.models import Group, Membership, Program

PROGRAM_SCOPES = {"organization": "program__organization", "program": "program"}


class Location(models.Model):
    """A place a program keeps for in-person sessions, with its time zone."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="session_locations")
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES)
    address = models.TextField(_("address"), blank=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="session_location_name_unique")]

    def __str__(self) -> str:
        return self.name


class SessionSettings(models.Model):
    """A program's settings for sessions; a program without a row has the defaults."""

    DEFAULT_CANCEL_NOTICE_HOURS = 24

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="session_settings")
    cancel_notice_hours = models.PositiveSmallIntegerField(
        _("notice for a mentee's cancellation (hours)"),
        default=DEFAULT_CANCEL_NOTICE_HOURS,
        validators=[MaxValueValidator(24 * 14)],
    )
    # Requests in both directions (F6).
    DEFAULT_REQUESTS_PER_DAY = 3
    requests_per_day = models.PositiveSmallIntegerField(
        _("session requests a mentee may send per day"),
        default=DEFAULT_REQUESTS_PER_DAY,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    session_pairs = models.BooleanField(
        _("a session between them pairs them"),
        default=False,
        help_text=_(
            "A scheduled session request or an accepted mentor offer pairs the mentor and the mentee, "
            "if the mentor has a free place and the mentee no mentor yet."
        ),
    )

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        verbose_name = _("session settings")
        verbose_name_plural = _("session settings")

    def __str__(self) -> str:
        return f"{self.program} · {self.cancel_notice_hours} h"


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In-Person")


class MentorshipSession(models.Model):
    """A mentor's session, open for booking once published."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentorship_sessions")
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentored_sessions")
    # RESTRICT: a location its sessions use cannot be deleted alone, but goes with its program (an erasure).
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.RESTRICT, related_name="sessions", verbose_name=_("Location")
    )
    # Local wall-clock start as entered, in ``time_zone`` (the location's, or the mentor's when online).
    local_date = models.DateField(_("Date"))
    local_time = models.TimeField(_("Time"))
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES)
    duration_minutes = models.PositiveSmallIntegerField(
        _("Duration (minutes)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    starts_at = models.DateTimeField(db_index=True, editable=False)
    ends_at = models.DateTimeField(editable=False)
    online = models.BooleanField(_("Online"), default=True)
    in_person = models.BooleanField(_("In-Person"), default=False)
    meeting_url = models.URLField(_("Meeting URL"), max_length=500, blank=True)
    address = models.TextField(_("address"), blank=True)
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    # Booked seats, kept by the booking service under the session's row lock; the constraint backs it.
    seats_taken = models.PositiveSmallIntegerField(default=0, editable=False)
    groups = models.ManyToManyField(Group, blank=True, related_name="+", verbose_name=_("Restrict session to groups"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.DRAFT)
    series = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    # iCalendar: one UID for the session's whole life, SEQUENCE raised on each change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("mentorship session")
        constraints = [
            models.CheckConstraint(condition=Q(seats_taken__lte=F("seats")), name="session_seats_not_overbooked"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(online=True) | Q(in_person=True), name="session_has_a_mode"),
        ]
        # The overlap exclusion constraint (PostgreSQL only) is in migration 0002.
        indexes = [models.Index(fields=["program", "status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.mentor.user} · {self.local_date} {self.local_time:%H:%M} {self.time_zone}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def seats_left(self) -> int:
        return self.seats - self.seats_taken

    @property
    def modes(self) -> list[str]:
        return [mode for mode, on in ((Mode.ONLINE, self.online), (Mode.IN_PERSON, self.in_person)) if on]

    @property
    def is_published(self) -> bool:
        return self.status == SessionStatus.PUBLISHED


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class SessionAttendance(models.TextChoices):
    """Whether a booked mentee came, as the session's mentor recorded it; empty for a cancelled session."""

    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    UNKNOWN = "unknown", _("Unknown")


class Booking(models.Model):
    """A mentee's seat in a session, online or in person."""

    session = models.ForeignKey(MentorshipSession, on_delete=models.CASCADE, related_name="bookings")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="session_bookings")
    mode = models.CharField(_("how you attend"), max_length=16, choices=Mode.choices)
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    added_by_mentor = models.BooleanField(default=False, help_text=_("Added directly, without a booking."))
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Recorded by the mentor once the session has started; empty until then, and for a cancelled session.
    attendance = models.CharField(
        _("attendance"), max_length=8, choices=SessionAttendance.choices, blank=True, default=""
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="session__program__organization", program="session__program")

    class Meta:
        ordering = ["booked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "mentee"], condition=Q(status="booked"), name="booking_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentee.user} · {self.session}"


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    SCHEDULED = "scheduled", _("Scheduled")
    DECLINED = "declined", _("Declined")


class SessionRequest(models.Model):
    """A mentee's "Request a Session" to a mentor (F6.1); the mentor schedules a session or declines."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="session_requests")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="sent_session_requests")
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="received_session_requests")
    message = models.TextField(_("Message"), blank=True, max_length=2000)
    state = models.CharField(_("State"), max_length=16, choices=RequestState.choices, default=RequestState.OPEN)
    decline_note = models.TextField(_("Note"), blank=True, max_length=2000)
    session = models.ForeignKey(
        MentorshipSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("session request")
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"], condition=Q(state="open"), name="session_request_one_open"
            )
        ]
        indexes = [models.Index(fields=["program", "state"]), models.Index(fields=["mentor", "state"])]

    def __str__(self) -> str:
        return f"{self.mentee.user} → {self.mentor.user} · {self.state}"


class OfferState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DISMISSED = "dismissed", _("Dismissed")
    ACCEPTED = "accepted", _("Accepted")


class MentorOffer(models.Model):
    """A mentor's "I want to mentor you!" to a mentee (F6.2); the mentee dismisses it or books the mentor."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentor_offers")
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="sent_mentor_offers")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="received_mentor_offers")
    message = models.TextField(_("Message"), blank=True, max_length=2000)
    state = models.CharField(_("State"), max_length=16, choices=OfferState.choices, default=OfferState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mentor offer")
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"], condition=Q(state="pending"), name="mentor_offer_one_pending"
            )
        ]
        indexes = [models.Index(fields=["program", "state"]), models.Index(fields=["mentee", "state"])]

    def __str__(self) -> str:
        return f"{self.mentor.user} → {self.mentee.user} · {self.state}"

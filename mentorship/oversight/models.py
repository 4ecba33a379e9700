"""Oversight and follow-up (F7, seed 003): activities with a dated schedule, their attendees and assigned
mentors, attendance per date, and the observations mentors write about their mentees' progress.

An activity date keeps its local wall-clock start and end (date, times, the activity's IANA zone) as entered,
and the UTC instants derived from them for ordering and the dashboard's weeks.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from accounts.models import TIME_ZONE_CHOICES
from organizations.models import Membership, Program
from sessions_app.clock import to_utc
from sessions_app.models import MentorshipSession

PROGRAM_SCOPES = {"organization": "program__organization", "program": "program"}

# How long the author of an observation may still change it.
EDIT_WINDOW = timedelta(hours=24)


class OversightSettings(models.Model):
    """A program's settings for oversight; a program without a row has the defaults."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="oversight_settings")
    mentees_see_observations = models.BooleanField(
        _("mentees see the observations shared with them"),
        default=True,
        help_text=_("When off, no mentee sees any observation, whatever its visibility."),
    )

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        verbose_name = _("oversight settings")
        verbose_name_plural = _("oversight settings")

    def __str__(self) -> str:
        return str(self.program)


class Activity(models.Model):
    """A course or workshop series a program runs: its schedule, the mentees attending, the mentors assigned."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    mentees = models.ManyToManyField(
        Membership, blank=True, related_name="attended_activities", verbose_name=_("mentees attending")
    )
    mentors = models.ManyToManyField(
        Membership, blank=True, related_name="mentored_activities", verbose_name=_("mentors assigned")
    )
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="activity_name_unique")]

    def __str__(self) -> str:
        return self.name


class ActivityDate(models.Model):
    """One dated session of an activity's schedule."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="dates")
    local_date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(db_index=True, editable=False)
    ends_at = models.DateTimeField(editable=False)

    objects = ScopedManager(organization="activity__program__organization", program="activity__program")

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("activity date")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_date_ends_after_start"),
            models.UniqueConstraint(fields=["activity", "local_date", "start_time"], name="activity_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.local_date} {self.start_time:%H:%M}"

    def save(self, *args, **kwargs) -> None:
        self.set_range()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.activity_id and self.local_date and self.start_time and self.end_time:
            try:
                self.set_range()
            except ValueError as error:
                raise ValidationError(_("This time does not exist or happens twice on that day.")) from error
            if self.ends_at <= self.starts_at:
                raise ValidationError({"end_time": _("The end must be after the start.")})

    def set_range(self) -> None:
        """The UTC instants of the local start and end, in the activity's zone (an end at or before the start
        is refused by the constraint)."""
        zone = self.activity.time_zone
        self.starts_at = to_utc(self.local_date, self.start_time, zone)
        self.ends_at = to_utc(self.local_date, self.end_time, zone)

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    """Whether a mentee came to one date of an activity, as the program admin recorded it."""

    date = models.ForeignKey(ActivityDate, on_delete=models.CASCADE, related_name="attendances")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="activity_attendances")
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="date__activity__program__organization", program="date__activity__program")

    class Meta:
        ordering = ["date__starts_at", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["date", "mentee"], name="attendance_once_per_date")]

    def __str__(self) -> str:
        return f"{self.mentee.user} · {self.date} · {self.get_status_display()}"


class Visibility(models.TextChoices):
    PRIVATE = "private", _("The author and program admins only")
    SHARED = "shared", _("Shared with the mentee")


class Observation(models.Model):
    """A mentor's dated note on a mentee's progress, optionally about one activity or mentorship session."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="observations")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="observations_written")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="observations_received")
    observed_on = models.DateField(_("date"))
    text = models.TextField(_("observation"))
    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
        verbose_name=_("about the activity"),
    )
    session = models.ForeignKey(
        MentorshipSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
        verbose_name=_("about the mentorship session"),
    )
    visibility = models.CharField(
        _("who sees it"), max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["-observed_on", "-created_at", "-pk"]
        verbose_name = _("observation")
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=True) | Q(session__isnull=True), name="observation_about_one_thing"
            )
        ]
        indexes = [models.Index(fields=["program", "mentee"])]

    def __str__(self) -> str:
        return f"{self.author.user} → {self.mentee.user} · {self.observed_on}"

    @property
    def editable_until(self):
        return self.created_at + EDIT_WINDOW

    def editable_by(self, user) -> bool:
        return user.is_authenticated and self.author.user_id == user.pk and timezone.now() < self.editable_until


class ObservationRevision(models.Model):
    """What an observation said before one edit: every edit keeps the version it replaced."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    observed_on = models.DateField(_("date"))
    text = models.TextField(_("observation"))
    visibility = models.CharField(_("who sees it"), max_length=8, choices=Visibility.choices)
    replaced_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="observation__program__organization", program="observation__program")

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        verbose_name = _("observation revision")

    def __str__(self) -> str:
        return f"{self.observation} · {self.replaced_at:%Y-%m-%d %H:%M}"


class FollowUpView(models.Model):
    """Someone looked at a mentee's attendance and observations: the mentee sees who and when."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="follow_up_views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = _("look at a mentee's follow-up")
        indexes = [models.Index(fields=["mentee", "-viewed_at"])]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.mentee.user} · {self.viewed_at:%Y-%m-%d %H:%M}"

"""Questionnaires, answers, pairings and auto-pairing runs (F3).

Every model here belongs to one program and is scoped by organization and program (django-scopes).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from matching.engine.specs import CHOICE_KINDS, NUMERIC_KINDS, Kind, Rule
from matching.labels import short_label
from organizations.models import Membership, Program


class QuestionKind(models.TextChoices):
    """The engine's kinds of answer (``engine.Kind``) with the names people see."""

    SINGLE = Kind.SINGLE.value, _("Single choice")
    MULTIPLE = Kind.MULTIPLE.value, _("Multiple choice")
    SCALE = Kind.SCALE.value, _("Scale 1-5")
    NUMBER = Kind.NUMBER.value, _("Number")
    TEXT = Kind.TEXT.value, _("Free text")


class Audience(models.TextChoices):
    BOTH = "both", _("Mentors and mentees")
    MENTEE = "mentee", _("Mentees only")
    MENTOR = "mentor", _("Mentors only")


class MatchRule(models.TextChoices):
    """The engine's matching rules (``engine.Rule``) and "none", with the names people see."""

    NONE = "", _("Not used for matching")
    SAME = Rule.SAME.value, _("Same answer")
    OVERLAP = Rule.OVERLAP.value, _("Overlap of chosen options")
    MAPPING = Rule.MAPPING.value, _("Mentee's wish met by mentor's offer")
    CLOSENESS = Rule.CLOSENESS.value, _("Closeness on the scale")
    REQUIRE = Rule.REQUIRE.value, _("Hard requirement: must share an option")


class Question(models.Model):
    """One question of a program's questionnaire, with how it counts in matching."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    audience = models.CharField(_("who answers"), max_length=8, choices=Audience.choices, default=Audience.BOTH)
    text = models.CharField(_("question for mentees"), max_length=300)
    mentor_text = models.CharField(
        _("question for mentors"), max_length=300, blank=True, help_text=_("Leave empty to ask mentors the same.")
    )
    reason_label = models.CharField(
        _("short name in match reasons"), max_length=80, blank=True, help_text=_("For example: Languages")
    )
    required = models.BooleanField(_("required"), default=True)
    rule = models.CharField(_("matching rule"), max_length=16, choices=MatchRule.choices, blank=True, default="")
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    min_value = models.IntegerField(_("lowest value"), null=True, blank=True)
    max_value = models.IntegerField(_("highest value"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="program__organization", program="program")

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(rule="") | ~Q(kind="text"), name="question_text_not_scored"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def key(self) -> str:
        return f"q{self.pk}"

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def value_range(self) -> float:
        if self.kind == QuestionKind.SCALE:
            return 4.0
        if self.min_value is not None and self.max_value is not None:
            return float(max(self.max_value - self.min_value, 1))
        return 10.0

    def asks(self, role: str) -> bool:
        return self.audience in (Audience.BOTH, role)

    def wording_for(self, role: str) -> str:
        return self.mentor_text if role == "mentor" and self.mentor_text else self.text

    def label(self) -> str:
        """The question's short name in match reasons: the builder's, else one derived from its wording."""
        return self.reason_label or short_label(self.text)


class Option(models.Model):
    """An option of a choice question; ``satisfied_by`` maps a mentee's wish to mentor options."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("option"), max_length=150)
    satisfied_by = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="satisfies",
        help_text=_("For the wish-and-offer rule: the mentor options that meet this wish (itself if empty)."),
    )

    objects = ScopedManager(organization="question__program__organization", program="question__program")

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class Answer(models.Model):
    """A person's answer to one question: option ids, a number or text in ``value``."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    # The question's program: a membership may belong to the organization only.
    objects = ScopedManager(organization="membership__organization", program="question__program")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.question_id}"


class PairingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class PairingSource(models.TextChoices):
    MANUAL = "manual", _("Paired by an admin")
    AUTO = "auto", _("Auto-paired")
    REQUEST = "request", _("Mentor accepted a request")
    SESSION = "session", _("A session between them")


class Pairing(models.Model):
    """An accepted mentor-mentee relationship in a program. A mentee has one active pairing."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairings")
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentor_pairings")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentee_pairings")
    status = models.CharField(max_length=8, choices=PairingStatus.choices, default=PairingStatus.ACTIVE)
    source = models.CharField(max_length=8, choices=PairingSource.choices, default=PairingSource.MANUAL)
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    objects = ScopedManager(organization="program__organization", program="program")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(status="active"), name="pairing_one_active_per_mentee"
            ),
        ]
        indexes = [
            # A page of the program's active pairings, newest first (the pairing page), read backwards from it; it
            # also serves what the former index on program and status did.
            models.Index(fields=["program", "status", "created_at", "id"], name="pairing_program_status_newest"),
            models.Index(fields=["mentor", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.user} → {self.mentee.user}"


class MentorDecline(models.Model):
    """A mentor said no to a mentee: they are not recommended to that mentee again."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentor_declines")
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="declines_given")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="declines_received")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="program__organization", program="program")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentor", "mentee"], name="decline_once")]

    def __str__(self) -> str:
        return f"{self.mentor_id} declined {self.mentee_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Computing")
    PREVIEW = "preview", _("Ready to review")
    APPROVED = "approved", _("Approved and saved")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class AutoPairRun(models.Model):
    """One "Auto-pair all": computed in the background, previewed, then approved or discarded."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="autopair_runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="program__organization", program="program")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Auto-pair {self.program} {self.created_at:%Y-%m-%d %H:%M}"


class AutoPairProposal(models.Model):
    """One mentee's line in an auto-pair preview: a mentor and score, or why none."""

    run = models.ForeignKey(AutoPairRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(null=True, blank=True)
    unassigned_reason = models.CharField(max_length=100, blank=True)

    objects = ScopedManager(organization="run__program__organization", program="run__program")

    class Meta:
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.mentee_id} → {self.mentor_id or '-'}"


# -------------------------------------------------------------------- ranked mentor requests (F4)


class SelectionState(models.TextChoices):
    OPEN = "open", _("Waiting for a mentor")
    PAIRED = "paired", _("Paired")
    EXHAUSTED = "exhausted", _("Choices used up")
    CANCELLED = "cancelled", _("Cancelled")


class MentorSelection(models.Model):
    """One round of a mentee's ranked choices: its requests are sent one at a time, in rank order."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentor_selections")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentor_selections")
    state = models.CharField(max_length=10, choices=SelectionState.choices, default=SelectionState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Choices used up: when the emails telling the mentee and the admins were written to the outbox.
    mailed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="program__organization", program="program")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["mentee"], condition=Q(state="open"), name="selection_one_open_per_mentee")
        ]
        indexes = [
            models.Index(
                fields=["closed_at"],
                condition=Q(state="exhausted", mailed_at__isnull=True),
                name="selection_used_up_unmailed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id} selection {self.pk}"


class RequestState(models.TextChoices):
    PENDING = "pending", _("Not sent yet")
    WAITING = "waiting", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("No answer in time")
    SKIPPED = "skipped", _("Skipped by an admin")
    UNAVAILABLE = "unavailable", _("Mentor no longer available")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class MentorRequest(models.Model):
    """A mentee's request to one mentor, at one rank of a selection.

    ``deadline`` and ``remind_at`` are absolute UTC instants set when the request is sent; the sweep
    finds what is due by them. ``token_hash`` is the hash of the emailed link's secret (see
    ``matching.services.requests.request_token``).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentor_requests")
    selection = models.ForeignKey(MentorSelection, on_delete=models.CASCADE, related_name="requests")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="requests_made")
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="requests_received")
    rank = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=12, choices=RequestState.choices, default=RequestState.PENDING)
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)  # its email is in the outbox
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    objects = ScopedManager(organization="program__organization", program="program")

    class Meta:
        ordering = ["selection_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection"], condition=Q(state="waiting"), name="request_one_waiting_per_selection"
            ),
            models.UniqueConstraint(fields=["selection", "rank"], name="request_rank_once"),
            models.UniqueConstraint(fields=["selection", "mentor"], name="request_mentor_once"),
        ]
        indexes = [
            models.Index(fields=["deadline"], condition=Q(state="waiting"), name="request_waiting_deadline"),
            models.Index(fields=["remind_at"], condition=Q(state="waiting"), name="request_waiting_remind"),
            models.Index(
                fields=["sent_at"],
                condition=Q(state="waiting", mailed_at__isnull=True),
                name="request_waiting_unmailed",
            ),
            models.Index(fields=["mentor", "state"]),
            models.Index(fields=["program", "state"]),
            # The admins' requests page, newest first, 50 a page (issue 9): read from the index, not sorted.
            models.Index(fields=["program", "-sent_at", "-id"], name="request_program_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id} → {self.mentor_id} (#{self.rank}, {self.state})"


class RequestEvent(models.Model):
    """One transition of a request: from which state to which, by whom (none: the sweep) and when."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(MentorRequest, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, choices=RequestState.choices)
    to_state = models.CharField(max_length=12, choices=RequestState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    objects = ScopedManager(organization="program__organization", program="program")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_state} → {self.to_state}"

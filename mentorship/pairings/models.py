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


class PairingSettings(models.Model):
    """A program's settings for the life of its pairings; a program without a row has the defaults."""

    DEFAULT_QUIET_DAYS = 30

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="pairing_settings")
    agreement_enabled = models.BooleanField(_("pairs draft a mentoring agreement"), default=True)
    quiet_days = models.PositiveSmallIntegerField(
        _("days without activity before a pair needs a check-in"), default=DEFAULT_QUIET_DAYS
    )
    feedback_shared_with_pair = models.BooleanField(
        _("the pair sees each other's feedback (the private note stays with the admins)"), default=False
    )

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        verbose_name = _("pairing settings")
        verbose_name_plural = _("pairing settings")

    def __str__(self) -> str:
        return str(self.program)


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Waiting for the mentor's sign-off")
    CHANGES = "changes", _("Changes asked")
    SIGNED = "signed", _("Signed")


class Agreement(models.Model):
    """The mentoring agreement of a pairing: drafted by the mentee, signed off by the mentor."""

    MIN_GOALS, MAX_GOALS = 2, 5

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    pairing = models.OneToOneField(Pairing, on_delete=models.CASCADE, related_name="agreement")
    learning = models.TextField(_("What you want to learn"), max_length=4000)
    frequency = models.CharField(_("How often you will meet"), max_length=200)
    meeting_format = models.CharField(_("How you will meet"), max_length=200)
    status = models.CharField(max_length=8, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    change_request = models.TextField(_("What should change"), blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    def __str__(self) -> str:
        return f"{self.pairing} · {self.status}"


class Goal(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("goal"), max_length=300)
    target_date = models.DateField(_("target date"))
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class FeedbackQuestion(models.Model):
    """A question a program admin adds to the feedback form after sessions."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="feedback_questions")
    text = models.CharField(_("question"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class Fit(models.TextChoices):
    GOOD = "good", _("Yes, a good fit")
    NOT_GOOD = "not_good", _("Not a good fit")


class FeedbackRequest(models.Model):
    """One person's feedback on one session of their pairing: asked once, answered once."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="feedback_requests")
    session = models.ForeignKey("sessions_app.MentorshipSession", on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="feedback_requests")
    asks_fit = models.BooleanField(default=False)  # the pair's first session
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("How was the session? (1 to 4)"), null=True, blank=True)
    went_well = models.TextField(_("What went well"), blank=True, max_length=4000)
    private_note = models.TextField(_("A private note for the program's administrators"), blank=True, max_length=4000)
    fit = models.CharField(_("Is this pairing a good fit?"), max_length=8, choices=Fit.choices, blank=True)
    answers = models.JSONField(default=dict, blank=True)  # {feedback question id: text}

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "respondent"], name="feedback_once_per_session")]
        indexes = [models.Index(fields=["program", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.respondent} · {self.session_id}"


class CheckIn(models.Model):
    """A pair that went quiet: when both were reminded, and when the program's admins were told.

    Each step is claimed by a conditional update, so the daily task run twice reminds once.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    pairing = models.OneToOneField(Pairing, on_delete=models.CASCADE, related_name="check_in")
    reminded_at = models.DateTimeField(null=True, blank=True)
    admins_told_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(**PROGRAM_SCOPES)

    def __str__(self) -> str:
        return str(self.pairing)


class CycleSurvey(models.Model):
    """The end-of-program survey of one person for one cycle: satisfaction out of 10 (the NPS), what to keep."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="cycle_surveys")
    cycle_ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("How likely are you to recommend this program to a friend? (0 to 10)"), null=True, blank=True
    )
    keep = models.TextField(_("What should the program keep?"), blank=True, max_length=4000)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["respondent", "cycle_ends_on"], name="cycle_survey_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.respondent} · {self.cycle_ends_on}"


class ProgramCycle(models.Model):
    """A program opened as the next cycle of ``previous``: its settings and questionnaire were copied from it.

    The old cycle stays a program of its own, readable with its figures; ``first`` is the series' first
    cycle, so that every past cycle of a program is one query away (its alumni).
    """

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="cycle")
    previous = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="next_cycles")
    first = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    # When the previous cycle's mentors and mentees were invited back, and how many.
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_count = models.PositiveIntegerField(default=0)

    objects = ScopedManager(**PROGRAM_SCOPES)

    class Meta:
        verbose_name = _("program cycle")
        verbose_name_plural = _("program cycles")

    def __str__(self) -> str:
        return f"{self.previous_id} → {self.program_id}"

"""The tenants (organizations), their programs, and who holds which role in them."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Organization(models.Model):
    """A customer organization: the tenant. Everything else belongs to one."""

    name = models.CharField(_("organization name"), max_length=200)
    slug = models.SlugField(unique=True, max_length=60)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    default_language = models.CharField(
        _("default language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("For people who chose no language and whose browser asks for none of ours."),
    )
    admin_email = models.EmailField(
        _("organization administrator's email"),
        help_text=_("This person receives the link to complete the registration."),
    )
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    status_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Deleted by platform staff: its pages answer 404; restorable until erase_after, then erased with its data.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    erase_after = models.DateTimeField(_("erased after"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:detail", kwargs={"organization": self.slug})


class MentoringFormat(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one")
    GROUP = "group", _("Group")
    BOTH = "both", _("One-to-one and group")


class Program(models.Model):
    """A mentorship program of an organization, with the settings of its flows."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="programs")
    name = models.CharField(_("program name"), max_length=200)
    slug = models.SlugField(max_length=60)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    mentoring_format = models.CharField(
        _("mentoring format"), max_length=16, choices=MentoringFormat.choices, default=MentoringFormat.ONE_TO_ONE
    )
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("For example: English, French")
    )
    expected_size = models.PositiveIntegerField(_("expected number of participants"), default=0)
    admin_email = models.EmailField(_("program administrator's email"), blank=True)
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    is_live = models.BooleanField(
        _("live on the platform"), default=False, help_text=_("Access to the e-mentoring platform was granted.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Which flows are switched on (F6.4), and their numbers (F3, F4).
    ranked_matching_enabled = models.BooleanField(_("ranked mentor requests"), default=True)
    mentee_requests_enabled = models.BooleanField(_("mentees can request a session"), default=True)
    mentor_offers_enabled = models.BooleanField(_("mentors can offer to mentor"), default=True)
    self_booking_enabled = models.BooleanField(_("mentees can book sessions"), default=True)
    max_choices = models.PositiveSmallIntegerField(
        _("mentors a mentee may rank"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    response_days = models.PositiveSmallIntegerField(
        _("days a mentor has to answer"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    autopairing_enabled = models.BooleanField(_("auto-pairing"), default=True)
    reminder_enabled = models.BooleanField(_("remind mentors before the deadline"), default=True)
    reminder_hours = models.PositiveSmallIntegerField(
        _("hours before the deadline for the reminder"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    # When a program admin last opened mentor selection ("Open mentor selection"); None while closed.
    mentor_selection_opened_at = models.DateTimeField(_("mentor selection opened at"), null=True, blank=True)
    recommendations_count = models.PositiveSmallIntegerField(
        _("mentors recommended"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    default_capacity = models.PositiveSmallIntegerField(
        _("mentees per mentor"), default=2, validators=[MinValueValidator(1)]
    )
    max_capacity = models.PositiveSmallIntegerField(
        _("most mentees a mentor may take"), default=5, validators=[MinValueValidator(1)]
    )
    # The program's current cycle (issue 16): optional; at its end, active pairings are completed.
    cycle_starts_on = models.DateField(_("cycle starts on"), null=True, blank=True)
    cycle_ends_on = models.DateField(_("cycle ends on"), null=True, blank=True)
    # Who last saved the program's settings page, and when.
    settings_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    settings_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # Bumped whenever questions or mentors' answers change: keys the cached mentor index.
    matching_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="program_slug_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:program", kwargs={"organization": self.organization.slug, "program": self.slug})

    def mentor_capacity(self, capacity: int | None) -> int:
        """How many mentees at once a mentor of this program takes, given their own setting (the one rule).

        Their own number, else the program's default, never more than the program's maximum (which may
        have been lowered since they chose).
        """
        return min(capacity or self.default_capacity, self.max_capacity)


class Role(models.TextChoices):
    ORGANIZATION_ADMIN = "org_admin", _("Organization admin")
    PROGRAM_ADMIN = "program_admin", _("Program admin")
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")
    # In the organization, with no program role yet (an account made at single sign-on, issue 17).
    MEMBER = "member", _("Member")


class PresentPeopleManager(models.Manager):
    """Memberships of people who have not deleted their account: a deleted person is in no list.

    Relations (``pairing.mentee``) still reach their rows, so what they took part in keeps its figures."""

    def get_queryset(self) -> models.QuerySet:
        # Left out by the ids of the few deleted people (a partial index), not by joining every person's row:
        # a program's figures over 10,000 memberships ran several times faster so.
        deleted = get_user_model()._base_manager.filter(deleted_at__isnull=False).values("pk")
        return super().get_queryset().exclude(user_id__in=deleted)


# The order of roles in the lists of people: organization admins, program admins, mentors, then the rest. One
# index (``membership_people_order``) holds this very expression, so that a page of a program's people is read
# in order from it: an ORDER BY that changes it must change the index too (tests/organizations/test_sort_name.py).
ROLE_ORDER = models.Case(
    models.When(role=Role.ORGANIZATION_ADMIN.value, then=models.Value(0)),
    models.When(role=Role.PROGRAM_ADMIN.value, then=models.Value(1)),
    models.When(role=Role.MENTOR.value, then=models.Value(2)),
    default=models.Value(3),
)


class SortNameField(models.CharField):
    """The member's full name, copied from their user so that lists of members sort by name without reading the
    users table: an index per program (and per organization) gives a page of them in order.

    Set on every save of a membership whose user is loaded (``bulk_create`` too, which calls ``pre_save``); a new
    membership with only ``user_id`` and no name given reads it. A change of the user's name is copied to their
    memberships when the user is saved (``copy_name_to_memberships``); an ``update()`` of users' names would
    bypass it, and nothing does one.
    """

    def pre_save(self, model_instance, add):
        user_field = model_instance._meta.get_field("user")
        if user_field.is_cached(model_instance):
            value = model_instance.user.full_name
        elif add and not getattr(model_instance, self.attname):
            users = user_field.related_model._base_manager.filter(pk=model_instance.user_id)
            value = users.values_list("full_name", flat=True).first() or ""
        else:
            value = getattr(model_instance, self.attname)
        setattr(model_instance, self.attname, value)
        return value


def copy_name_to_memberships(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    """post_save of a user: their memberships' ``sort_name`` follows their full name (one UPDATE, of the rows whose
    copy differs; none for a new user or a save that leaves the name out)."""
    if created or raw or (update_fields is not None and "full_name" not in update_fields):
        return
    Membership._base_manager.filter(user_id=instance.pk).exclude(sort_name=instance.full_name).update(
        sort_name=instance.full_name
    )


def refresh_organization_language(*, user_ids=None, organization_id=None) -> None:
    """Keep ``User.organization_language`` of these people (or of every member of the organization) in one
    UPDATE: after a membership is made or removed, an organization's default language changed, or a bulk load."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from accounts.models import User

    people = User.objects.all()
    if user_ids is not None:
        people = people.filter(pk__in=list(user_ids))
    if organization_id is not None:
        people = people.filter(
            pk__in=Membership._base_manager.filter(organization_id=organization_id).values("user_id")
        )
    first_organization = (
        Membership._base_manager.filter(user_id=OuterRef("pk")).order_by("pk").values("organization__default_language")
    )
    people.update(organization_language=Coalesce(Subquery(first_organization[:1]), Value("")))


def membership_changes_language(sender, instance, raw=False, created=True, **kwargs) -> None:
    """post_save (made) and post_delete of a membership: the person's first organization may have changed, and
    with it the language their pages fall back on (``User.organization_language``: one UPDATE)."""
    if not raw and created:
        refresh_organization_language(user_ids=[instance.user_id])


def remember_default_language(sender, instance, raw=False, **kwargs) -> None:
    """pre_save of an organization: whether its default language changes (one query, for an existing one)."""
    instance._default_language_changed = (
        not raw
        and instance.pk is not None
        and not Organization._base_manager.filter(pk=instance.pk, default_language=instance.default_language).exists()
    )


def default_language_changed(sender, instance, raw=False, **kwargs) -> None:
    """post_save of an organization: its members whose first organization it is follow its new default language."""
    if getattr(instance, "_default_language_changed", False):
        refresh_organization_language(organization_id=instance.pk)


class Membership(models.Model):
    """A person's role in an organization, or in one of its programs.

    An organization admin has no program. A mentor or mentee may be tied to the
    organization only, and later be placed in programs. So memberships are
    scoped by organization only; a program's pages filter ``program=`` by hand.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    capacity = models.PositiveSmallIntegerField(
        _("capacity override"), null=True, blank=True, help_text=_("Mentees at once; empty uses the program's default.")
    )
    groups = models.ManyToManyField("Group", blank=True, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)
    # The user's full name, for sorting (SortNameField): lists order by it, never by user__full_name.
    sort_name = SortNameField(max_length=150, blank=True, default="", editable=False)
    # Kept by matching.services.completion wherever answers, questions or roles change: the dashboard counts
    # it instead of grouping every answer of the program.
    questionnaire_complete = models.BooleanField(
        _("questionnaire complete"),
        default=False,
        db_default=False,  # code deployed before it inserts memberships too
        editable=False,
        help_text=_("A mentee or mentor who has answered every required question asked of their role."),
    )

    objects = ScopedManager(PresentPeopleManager, organization="organization")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "program", "role"], name="membership_program_role_unique"),
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=Q(program__isnull=True),
                name="membership_org_role_unique",
            ),
            models.CheckConstraint(
                condition=~Q(role="org_admin") | Q(program__isnull=True), name="membership_org_admin_no_program"
            ),
            models.CheckConstraint(
                condition=~Q(role="program_admin") | Q(program__isnull=False),
                name="membership_program_admin_has_program",
            ),
        ]
        # A page of people in order, read from an index: a program's people, admins first (people page); one role
        # of a program (its filter; the pairing page by name, My mentees, lists of mentors or mentees: this one
        # also serves what the former index on program and role did); a program's mentors and mentees together
        # (a cycle's alumni and returning people); an organization's members.
        indexes = [
            models.Index(F("program"), ROLE_ORDER, F("sort_name"), F("id"), name="membership_people_order"),
            models.Index(fields=["program", "role", "sort_name", "id"], name="membership_role_name"),
            models.Index(fields=["program", "sort_name", "id"], name="membership_program_name"),
            models.Index(fields=["organization", "sort_name", "user", "role", "id"], name="membership_org_name"),
            # A role's people in the order they joined: who has waited longest (the program dashboard), the pairing
            # page's unpaired mentees.
            models.Index(fields=["program", "role", "created_at", "id"], name="membership_joined"),
        ]

    def __str__(self) -> str:
        where = self.program or self.organization
        return f"{self.user} · {self.get_role_display()} · {where}"


class Group(models.Model):
    """A named set of a program's members, used to restrict sessions."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("group name"), max_length=100)

    objects = ScopedManager(organization="program__organization", program="program")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "program", name="group_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long a deleted person or organization can be restored before the daily sweep erases it.
ERASE_AFTER = timedelta(days=30)
# The name an erased person's rows show (a pairing, a session): stored, so no page needs a special case.
ERASED_NAME = "Erased account"

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


def calendar_token_hash(token: str) -> str:
    """What is stored of a calendar feed token: its SHA-256, so the database alone does not open any feed."""
    return hashlib.sha256(token.encode()).hexdigest()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        """Platform staff, as `createsuperuser` makes them: trusted, so their address counts as verified
        and they can log in at once (email verification is otherwise mandatory)."""
        # Imported here: allauth's models module pulls in its adapter and forms, which need the apps loaded.
        from allauth.account.models import EmailAddress

        extra.update(is_staff=True, is_superuser=True)
        user = self._create_user(email, password, **extra)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """One person, one account: the email address is the login."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_staff = models.BooleanField(
        _("platform staff"), default=False, help_text=_("Can use the Django admin and the review pages.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    # Blank: not chosen; pages are then in the browser's language, else the organization's default (issue 14).
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    # What the browser asked for at the last login: the language of emails when none is chosen.
    browser_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, blank=True, default="", editable=False
    )
    # The default language of the person's first organization (by membership), read on every page for those who
    # chose none and whose browser asks for none of ours: kept here by accounts.language, so no page queries it.
    # Null: not known yet (then it is read from the memberships); "": no organization.
    organization_language = models.CharField(max_length=8, null=True, blank=True, default=None, editable=False)  # noqa: DJ001
    timezone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    bio = models.TextField(_("about me"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="photos/%Y/%m/", blank=True)
    languages = models.CharField(
        _("languages you speak"), max_length=200, blank=True, help_text=_("For example: English, French")
    )
    location = models.CharField(_("city or region"), max_length=120, blank=True)

    terms_version = models.CharField(_("terms version accepted"), max_length=32, blank=True)
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)

    notify_requests = models.BooleanField(
        _("Email me about mentorship requests"), default=True, help_text=_("Requests, offers and their answers.")
    )
    notify_sessions = models.BooleanField(
        _("Email me about sessions"), default=True, help_text=_("Bookings, changes and cancellations.")
    )
    notify_reminders = models.BooleanField(
        _("Email me reminders"), default=True, help_text=_("Deadlines and upcoming sessions.")
    )
    # The private calendar feed: only the token's hash is kept; the address is shown once, when made.
    calendar_token_hash = models.CharField(max_length=64, blank=True, default="", editable=False, db_index=True)
    calendar_fetched_at = models.DateTimeField(_("calendar last synced"), null=True, blank=True, editable=False)
    # Deleted (by the person or by platform staff): no login, in no list; restorable until erase_after,
    # then erased (personal data removed, the row kept so the programs' figures stay whole).
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    erase_after = models.DateTimeField(_("erased after"), null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        indexes = [
            models.Index(fields=["erase_after"], condition=models.Q(erased_at__isnull=True), name="user_erase_due"),
            # The few deleted people, which every list of memberships leaves out (PresentPeopleManager).
            models.Index(fields=["id"], condition=models.Q(deleted_at__isnull=False), name="user_deleted"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def preferred_language(self) -> str:
        """The language of this person's emails: their profile's, else their browser's (at their last login),
        else their organization's default, else the site's (accounts.language)."""
        from accounts.language import language_for

        return language_for(self)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

"""Writes to people's accounts."""

from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import ERASE_AFTER, ERASED_NAME, User, calendar_token_hash, new_calendar_token
from accounts.signals import user_erasing


def user_record_signup(*, user: User, full_name: str, language: str, time_zone: str) -> User:
    """Store what signup asked for, with the terms version accepted and when."""
    user.full_name = full_name
    user.language = language
    user.timezone = time_zone
    user.terms_version = settings.TERMS_VERSION
    user.terms_accepted_at = timezone.now()
    user.save(update_fields=["full_name", "language", "timezone", "terms_version", "terms_accepted_at"])
    return user


def calendar_token_reset(*, user: User) -> str:
    """A new secret token for ``user``'s calendar feed; the old address stops working. Returns the token,
    which is not stored (only its hash is) and so can be shown only now."""
    token = new_calendar_token()
    user.calendar_token_hash = calendar_token_hash(token)
    user.calendar_fetched_at = None
    user.save(update_fields=["calendar_token_hash", "calendar_fetched_at"])
    return token


def user_by_calendar_token(token: str) -> User | None:
    """The active person whose calendar feed ``token`` opens, or None."""
    if not token:
        return None
    return User.objects.filter(calendar_token_hash=calendar_token_hash(token), is_active=True).first()


def calendar_fetched(*, user: User, at: datetime) -> None:
    """Record that ``user``'s feed was read at ``at`` (a calendar app subscribing to it)."""
    User.objects.filter(pk=user.pk).update(calendar_fetched_at=at)
    user.calendar_fetched_at = at


def user_delete(*, user: User, now: datetime | None = None) -> User:
    """Delete ``user``'s account, restorably: no login from now on, in no list, erased after ERASE_AFTER."""
    now = now or timezone.now()
    if user.deleted_at is None:
        user.deleted_at, user.erase_after = now, now + ERASE_AFTER
        user.is_active = False
        user.save(update_fields=["deleted_at", "erase_after", "is_active"])
    return user


def user_restore(*, user: User) -> bool:
    """Undo ``user_delete`` while the account is not erased yet; False when there is nothing to restore."""
    if user.deleted_at is None or user.erased_at is not None:
        return False
    user.deleted_at = user.erase_after = None
    user.is_active = True
    user.save(update_fields=["deleted_at", "erase_after", "is_active"])
    return True


@transaction.atomic
def user_erase(*, user_id: int, now: datetime | None = None) -> bool:
    """Erase a person (GDPR): their name, address, profile, photo and what they wrote are removed; the row
    stays, anonymous, so that the pairings, sessions and attendance they took part in still count.

    Each app removes its own rows' text through ``user_erasing``. Locks the row (skip_locked): two sweeps at
    once, or an erase already done, change nothing twice. True when this call erased the person.
    """
    # Imported here: allauth's models pull in its adapter and forms, and our forms import this module.
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    user = User.objects.select_for_update(skip_locked=True).filter(pk=user_id, erased_at__isnull=True).first()
    if user is None:
        return False
    now = now or timezone.now()
    user_erasing.send(sender=User, user=user)
    if user.photo:
        photo = user.photo.name
        transaction.on_commit(lambda: default_storage.delete(photo))
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = ERASED_NAME
    user.bio = user.languages = user.location = user.calendar_token_hash = ""
    user.photo = ""
    user.calendar_fetched_at = None
    user.notify_requests = user.notify_sessions = user.notify_reminders = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.deleted_at = user.deleted_at or now
    user.erase_after = user.erase_after or now
    user.erased_at = now
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return True


def users_due_for_erasure(now: datetime | None = None) -> list[int]:
    """The ids of deleted people whose 30 days are over and who are not erased yet."""
    now = now or timezone.now()
    return list(User.objects.filter(erased_at__isnull=True, erase_after__lte=now).values_list("pk", flat=True))

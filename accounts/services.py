"""Writes to people's accounts."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from accounts.models import User, calendar_token_hash, new_calendar_token


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

"""Writes to people's accounts."""

from django.conf import settings
from django.utils import timezone

from accounts.models import User


def user_record_signup(*, user: User, full_name: str, language: str, time_zone: str) -> User:
    """Store what signup asked for, with the terms version accepted and when."""
    user.full_name = full_name
    user.language = language
    user.timezone = time_zone
    user.terms_version = settings.TERMS_VERSION
    user.terms_accepted_at = timezone.now()
    user.save(update_fields=["full_name", "language", "timezone", "terms_version", "terms_accepted_at"])
    return user

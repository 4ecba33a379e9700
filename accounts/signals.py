"""Signals other apps answer without accounts importing them (imports point one way), and the
security events of signing in and out (mentorship.security)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from accounts.language import browser_language
from mentorship.security import client_ip, masked, security_event

# Sent inside the erasing transaction with ``user`` (their address still on it), before the row is
# anonymised: each receiver removes the personal text that person left in its app's tables.
user_erasing = Signal()


@receiver(user_logged_in)
def remember_browser_language(sender, request, user, **kwargs) -> None:
    """What the browser asked for, kept for the emails of someone who chose no language (accounts.language)."""
    if request is None:
        return
    language = browser_language(request) or ""
    if language != user.browser_language:
        user.browser_language = language
        type(user).objects.filter(pk=user.pk).update(browser_language=language)


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs) -> None:
    backend = getattr(user, "backend", "") or ""
    security_event(
        "login",
        user=user.pk,
        email=masked(user.email),
        ip=client_ip(request) if request is not None else "",
        backend=backend.rsplit(".", 1)[-1],
    )

"""Security events of signing in and out (mentorship.security)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from mentorship.security import client_ip, masked, security_event


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

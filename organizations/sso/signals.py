"""Platform staff keep a password way in (to repair a broken single sign-on), with a second factor."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from organizations.sso.routing import masked, security_event


@receiver(user_logged_in)
def staff_without_second_factor(sender, request, user, **kwargs) -> None:
    if not user.is_staff or request is None:
        return
    if Authenticator.objects.filter(user=user).exists():
        return
    security_event("staff_login_without_mfa", email=masked(user.email))
    if hasattr(request, "_messages"):
        messages.warning(
            request,
            _("Set up two-factor authentication for your staff account: %(url)s") % {"url": reverse("mfa_index")},
        )

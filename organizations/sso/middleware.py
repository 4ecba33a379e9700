"""Platform staff need a second factor before the Django admin and the staff pages (issue 17).

Staff can always log in with a password, to repair an organization's broken
single sign-on; the password alone must not be enough for staff powers. A
staff account with no authenticator is sent to set up an authenticator app
(allauth.mfa's TOTP) first; one with an authenticator is asked for its code by
allauth at every login (allauth.mfa's login stage), before it is logged in.
"""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from organizations.sso.routing import masked, security_event

SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def staff_prefixes() -> tuple[str, ...]:
    return (reverse("admin:index"), reverse("staff:index"))


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path_info.startswith(staff_prefixes())
            and not is_mfa_enabled(user, SECOND_FACTORS)
        ):
            security_event("staff_mfa_required", email=masked(user.email), path=request.path_info[:100])
            messages.warning(
                request,
                _(
                    "Platform staff need two-factor authentication: set up an authenticator app "
                    "before using the staff pages."
                ),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

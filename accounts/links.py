"""allauth's own emailed links and codes, with a ``link_reuse`` security event when one is bad (issue 14).

A password reset link or an email confirmation link that is used, expired or made up, and a login code
whose time ran out, each log one line (``mentorship.security``): what kind of link, why (``expired``,
``used``, ``unknown``...) and the address it came from; never the key, the code or the email address. The
person still sees allauth's own page about the bad link: these only add the log line.
"""

from allauth.account import app_settings as account_settings
from allauth.account.forms import UserTokenForm
from allauth.account.views import ConfirmEmailView, ConfirmLoginCodeView
from allauth.core import context
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404

from mentorship.security import client_ip, security_event


class LoggedUserTokenForm(UserTokenForm):
    """allauth's check of a password reset link (``ACCOUNT_FORMS["user_token"]``), logging a bad one."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            security_event(
                "link_reuse",
                kind="password_reset",
                reason=self._reason(),
                user=self.reset_user.pk if self.reset_user else "",
                ip=client_ip(context.request) if context.request else "",
            )
            raise

    def _reason(self) -> str:
        """``expired`` when the key was right but is too old; ``used_or_invalid`` when it does not match the
        account (a used link: its password or last login changed since; or a made-up key, which cannot be told
        apart); ``unknown`` when it names no account."""
        key = self.cleaned_data.get("key") or ""
        if self.reset_user is None or "-" not in key:
            return "unknown"
        try:
            timestamp = int(key.split("-", 1)[0], 36)
        except ValueError:
            return "unknown"
        generator = self.token_generator
        secrets = [generator.secret, *generator.secret_fallbacks]
        if any(generator._make_token_with_timestamp(self.reset_user, timestamp, secret) == key for secret in secrets):
            return "expired"
        return "used_or_invalid"


class LoggedConfirmEmailView(ConfirmEmailView):
    """allauth's email confirmation page; a bad key logs its event, then allauth's page says the link is bad."""

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            reason = _confirmation_reason(self.kwargs["key"])
            security_event("link_reuse", kind="email_confirmation", reason=reason, ip=client_ip(self.request))
            raise


def _confirmation_reason(key: str) -> str:
    """allauth signs its confirmation keys (HMAC): a good signature that is too old is ``expired``; a good
    one still in time names an address already confirmed (``used``); anything else is ``unknown``."""
    max_age = 60 * 60 * 24 * account_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS
    try:
        signing.loads(key, max_age=max_age, salt=account_settings.SALT)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "unknown"
    return "used"


class LoggedConfirmLoginCodeView(ConfirmLoginCodeView):
    """allauth's "enter the code" page; a code whose time ran out logs ``link_reuse`` (reason ``expired``)
    before allauth sends the person back to ask for a new one."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if getattr(self, "_process", True) is None:
            security_event("link_reuse", kind="login_code", reason="expired", ip=client_ip(request))
        return response

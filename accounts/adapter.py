from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mentorship.mail import queue_payload
from mentorship.security import client_ip, masked, security_event


class AccountAdapter(DefaultAccountAdapter):
    """allauth's mail goes through our queue: rendered now, sent after commit.

    Failed logins are counted by allauth's rate limits (on the Redis cache). When an account's limit is
    reached, its password login pauses, and the login page offers the ways in that an attacker who only
    knows the address cannot use: a code emailed to the owner, or a password reset (issue 14).
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed attempts to log in to this account: logging in with its password is paused for a "
            "few minutes. You can get in now with a code sent to your email address, or by resetting your "
            "password."
        ),
    }

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, context)
        alternatives = getattr(message, "alternatives", [])
        html = next((content for content, mimetype in alternatives if mimetype == "text/html"), None)
        queue_payload(
            {
                "subject": message.subject,
                "body": message.body,
                "html": html,
                "to": list(message.to),
                "from_email": message.from_email,
                "attachments": [],
            },
            kind=template_prefix.rsplit("/", 1)[-1],
        )

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            request.login_locked_out = True  # the login page then offers the code and the reset
            security_event("login_locked", email=masked(credentials.get("email", "")), ip=client_ip(request))
            raise

    def authentication_failed(self, request, **credentials) -> None:
        security_event("login_failed", email=masked(credentials.get("email", "")), ip=client_ip(request))

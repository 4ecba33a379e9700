from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from mentorship.mail import queue_payload


class AccountAdapter(DefaultAccountAdapter):
    """allauth's mail goes through our queue: rendered now, sent after commit."""

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

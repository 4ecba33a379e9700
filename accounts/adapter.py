from allauth.account.adapter import DefaultAccountAdapter

from mentorship.mail import queue_payload


class AccountAdapter(DefaultAccountAdapter):
    """allauth's mail goes through our queue: rendered now, sent after commit."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), None
        )
        payload = {
            "subject": message.subject,
            "body": message.body,
            "html": html,
            "to": list(message.to),
            "from_email": message.from_email,
            "attachments": [],
        }
        queue_payload(payload)

"""One way to send an email: render a template trio, queue the sending after commit.

An email named ``invitation`` is made of ``emails/invitation_subject.txt``,
``emails/invitation_body.txt`` and ``emails/invitation_body.html``. It is
rendered in the recipient's language, then written to the outbox
(``mentorship.models.OutboxEmail``) in the current transaction and sent by a
Celery task once it commits: a rolled-back change never sends mail, and a
broker that is down at commit loses none (the ``retry-outbox`` sweep sends it).
"""

from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    """The public address of ``path`` (from ``reverse``), for links in emails."""
    return settings.SITE_URL.rstrip("/") + path


@dataclass
class Attachment:
    filename: str
    content: str
    mimetype: str


@dataclass
class RenderedEmail:
    subject: str
    body: str
    html: str | None
    to: list[str]
    from_email: str
    attachments: list[Attachment] = field(default_factory=list)
    name: str = ""  # the template trio's name: the outbox row's kind
    organization_id: int | None = None  # what it is about: not sent once that organization is deleted

    def as_payload(self) -> dict:
        """A JSON-able form, for the Celery task."""
        return {
            "subject": self.subject,
            "body": self.body,
            "html": self.html,
            "to": self.to,
            "from_email": self.from_email,
            "attachments": [[a.filename, a.content, a.mimetype] for a in self.attachments],
        }


def sender(display_name: str | None = None) -> str:
    """DEFAULT_FROM_EMAIL, with another display name (a program's name) if given."""
    default_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((display_name or default_name, address))


def render_email(
    name: str,
    context: dict,
    *,
    to: str,
    language: str | None = None,
    from_name: str | None = None,
) -> RenderedEmail:
    """Render the template trio ``emails/<name>_*`` in ``language``."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        body = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    return RenderedEmail(
        subject=" ".join(subject.split()),
        body=body,
        html=html,
        to=[to],
        from_email=sender(from_name),
        name=name,
        organization_id=_organization_of(context),
    )


def _organization_of(context: dict) -> int | None:
    """The organization an email is about: its context's ``organization``, else its ``program``'s."""
    organization = context.get("organization")
    if organization is not None and organization._meta.label_lower == "organizations.organization":
        return organization.pk
    return getattr(context.get("program"), "organization_id", None)


def outbox_key(kind: str, obj, recipient: str) -> str:
    """The conventional outbox key of the email ``kind`` about model instance ``obj`` to ``recipient``."""
    return f"{kind}:{obj._meta.label_lower}:{obj.pk}:{recipient}"


def queue_email(email: RenderedEmail, *, key: str | None = None) -> bool:
    """Write ``email`` to the outbox in the current transaction; it is sent by a task once that commits.

    ``key`` makes the email idempotent: queueing the same key again (a retried state change, a sweep run
    twice) is a no-op and returns False. The convention is ``f"{kind}:{object label}:{pk}:{recipient}"``,
    e.g. ``"request-sent:matching.request:42:mentor@example.org"`` (``outbox_key(kind, obj, recipient)``
    builds it); when an object sends the same kind of email more than once (a session changed twice), add
    what tells the occurrences apart (``...:seq3``). Without a key the email is always queued.
    """
    return queue_payload(email.as_payload(), key=key, kind=email.name, organization_id=email.organization_id)


def queue_payload(payload: dict, *, key: str | None = None, kind: str = "", organization_id: int | None = None) -> bool:
    """Write a rendered payload to the outbox now and queue its sending after commit (see ``queue_email``)."""
    from mentorship import outbox

    outbox_id = outbox.add(payload, key=key, kind=kind, organization_id=organization_id)
    if outbox_id is None:
        return False
    transaction.on_commit(lambda: outbox.enqueue(outbox_id))
    return True


def build_message(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    for filename, content, mimetype in payload.get("attachments", []):
        message.attach(filename, content, mimetype)
    return message

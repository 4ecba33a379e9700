from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction

from mentorship.mail import queue_email, render_email, sender


@pytest.fixture(autouse=True)
def _test_templates(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}
    ]


def test_sender_takes_the_programs_name(settings):
    settings.DEFAULT_FROM_EMAIL = "Mentorship <noreply@example.org>"
    assert sender("Career Starts") == "Career Starts <noreply@example.org>"
    assert sender() == "Mentorship <noreply@example.org>"


def test_queued_email_is_sent_only_after_commit(db, django_capture_on_commit_callbacks):
    email = render_email("test_message", {"name": "Nora"}, to="nora@example.org", from_name="Career Starts")
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(email)
        assert mail.outbox == []
    [message] = mail.outbox
    assert message.subject == "Hello Nora"
    assert message.from_email.startswith("Career Starts <")
    assert "Hello Nora, this is a test." in message.body
    assert "<strong>Nora</strong>" in message.alternatives[0][0]


def test_rolled_back_email_is_never_sent(transactional_db):
    try:
        with transaction.atomic():
            queue_email(render_email("test_message", {"name": "Nora"}, to="nora@example.org"))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert mail.outbox == []


def test_email_is_rendered_in_the_recipients_language(db):
    email = render_email("test_message", {"name": "Nora"}, to="nora@example.org", language="fr")
    assert email.subject == "Bonjour Nora"

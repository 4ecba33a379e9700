"""The email provider failing: anymail's real Postmark backend against a provider that errs and hangs.

A small HTTP server stands in for Postmark's API. For one recipient it answers
500 every time; for another it hangs past the client's timeout twice (accepting
nothing), then works. The outbox retries with backoff, sends each message that
can be sent exactly once, and records the permanent failure, which platform
staff find in the Django admin.
"""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship import outbox
from mentorship.mail import RenderedEmail, queue_email
from mentorship.models import OutboxEmail, OutboxState
from tests.factories import UserFactory


class FakePostmark(BaseHTTPRequestHandler):
    accepted: list[str]
    hangs_left: dict[str, int]

    def do_POST(self):  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        to = body["To"]
        if to.startswith("down@"):
            return self._answer(500, {"ErrorCode": 500, "Message": "Internal server error"})
        if self.hangs_left.get(to, 0) > 0:
            self.hangs_left[to] -= 1
            time.sleep(1.5)  # longer than the client waits; nothing is accepted
            return None
        self.accepted.append(to)
        answer = {"To": to, "SubmittedAt": "2026-12-02T10:00:00Z", "MessageID": f"id-{len(self.accepted)}"}
        return self._answer(200, {**answer, "ErrorCode": 0, "Message": "OK"})

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(db, settings):
    FakePostmark.accepted = []
    FakePostmark.hangs_left = {"slow@example.org": 2}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePostmark)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "test-token",
        "POSTMARK_API_URL": f"http://127.0.0.1:{server.server_address[1]}/",
        "REQUESTS_TIMEOUT": 0.5,
    }
    yield FakePostmark
    server.shutdown()


def _queue(address: str) -> int:
    queue_email(
        RenderedEmail(subject="Hello", body="Hello there", html=None, to=[address], from_email="noreply@example.org"),
        key=f"fault-test:{address}",
    )
    return OutboxEmail.objects.get(recipient=address).pk


def test_errors_and_timeouts_are_retried_with_backoff_sent_once_and_failures_shown_to_staff(
    provider, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        ids = {address: _queue(address) for address in ("ok@example.org", "down@example.org", "slow@example.org")}

    def state(address):
        return OutboxEmail.objects.get(pk=ids[address])

    assert provider.accepted == ["ok@example.org"]
    assert state("down@example.org").state == OutboxState.PENDING
    assert "500" in state("down@example.org").last_error
    assert state("slow@example.org").state == OutboxState.PENDING
    assert "timed out" in state("slow@example.org").last_error.lower()

    # The sweep, a minute at a time: nothing goes before its backoff is over.
    now = timezone.now()
    first_wait = state("down@example.org").next_attempt_at - now
    assert timedelta(seconds=50) < first_wait <= timedelta(minutes=1, seconds=5)
    assert outbox.sweep(now=now + timedelta(seconds=10))["claimed"] == 0
    waits = []  # when down@'s tries happen, from the first one
    while state("down@example.org").state != OutboxState.FAILED:
        due = OutboxEmail.objects.filter(state=OutboxState.PENDING).order_by("next_attempt_at").first()
        outbox.sweep(now=due.next_attempt_at - timedelta(seconds=1))  # a moment early: nothing is due yet
        assert state(due.recipient).next_attempt_at == due.next_attempt_at
        outbox.sweep(now=due.next_attempt_at)
        if due.recipient == "down@example.org":
            waits.append(due.next_attempt_at - now)
        assert len(waits) < 20

    assert provider.accepted.count("ok@example.org") == 1
    assert provider.accepted.count("slow@example.org") == 1  # after two hangs, once
    assert state("slow@example.org").state == OutboxState.SENT
    failed = state("down@example.org")
    assert failed.state == OutboxState.FAILED and failed.attempts == outbox.MAX_ATTEMPTS
    assert "down@example.org" not in provider.accepted
    gaps = [b - a for a, b in zip(waits, waits[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[-1] >= 32 * gaps[0]  # 1, 2, 4, ... minutes: backoff

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(reverse("admin:mentorship_outboxemail_changelist"), {"state__exact": OutboxState.FAILED})
    text = page.content.decode()
    assert "down@example.org" in text and "ok@example.org" not in text

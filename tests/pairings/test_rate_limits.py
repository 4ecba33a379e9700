"""Messages in a pairing: besides the per-minute limit, an hourly one per person and per address (issue 14)."""

from mentorship.pairings.models import Message
from tests.pairings.conftest import program_url


def test_messages_are_limited_per_hour_keep_the_text_and_reset(client, program, pairing, mentee, settings, rate_limits):
    settings.PAIRINGS_MESSAGES_PER_MINUTE = 100
    rate_limits(message="2/h/user,10/h/ip")
    client.force_login(mentee.user)
    url = program_url(program, "pairings:conversation", pairing.pk)
    assert client.post(url, {"body": "one"}).status_code == 302
    assert client.post(url, {"body": "two"}).status_code == 302
    page = client.post(url, {"body": "three, kept"}).content.decode()
    assert "You have done this too many times in a short while" in page
    assert "three, kept" in page
    assert Message.objects.count() == 2
    rate_limits.clock.advance(3601)
    assert client.post(url, {"body": "three"}).status_code == 302
    assert Message.objects.count() == 3

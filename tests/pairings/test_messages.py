"""A pair's conversation: private to the two, links clickable and safe, emails batched, rate-limited, reports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Pairing, PairingStatus
from mentorship.pairings.models import ConversationNotice, Message
from mentorship.pairings.tasks import sweep_conversations
from organizations.models import Role
from tests.factories import ProgramFactory, member
from tests.pairings.conftest import program_url


def _same_minute() -> None:
    """The rate limit counts per clock minute: start a burst away from a minute's end, so it falls in one."""
    import time

    if timezone.now().second >= 50:
        time.sleep(61 - timezone.now().second)


def _post(client, program, pairing, body):
    return client.post(program_url(program, "pairings:conversation", pairing.pk), {"body": body}, follow=True)


def test_three_quick_messages_send_the_mentor_one_email_in_french(client, program, pairing, mentee, sent, mailoutbox):
    client.force_login(mentee.user)
    for body in ("Hello Maria", "Are you free on Tuesday?", "See https://example.org/plan"):
        with sent():
            response = _post(client, program, pairing, body)
        assert "Message sent." in response.content.decode()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [pairing.mentor.user.email]
    assert "Paul Mentee" in email.subject
    assert "personne" in email.body  # French: "Les réponses à cet e-mail ne parviennent à personne"
    assert f"/pairings/{pairing.pk}/conversation/" in email.body
    # The sweep, run twice, sends nothing while the window is open.
    with sent():
        sweep_conversations()
        sweep_conversations()
    assert len(mailoutbox) == 1


def test_messages_inside_the_window_are_sent_by_the_sweep_once_it_closes(program, pairing, mentee, sent, mailoutbox):
    from mentorship.pairings.services import message_post

    for body in ("First", "Second", "Third"):
        with sent():
            message_post(pairing=pairing, author=mentee, body=body)
    assert len(mailoutbox) == 1
    ConversationNotice.objects.filter(pairing=pairing).update(notified_until=timezone.now() - timedelta(seconds=1))
    with sent():
        assert sweep_conversations() == 1
    with sent():
        assert sweep_conversations() == 0
    assert len(mailoutbox) == 2
    assert "2" in mailoutbox[1].subject  # "2 nouveaux messages de Paul Mentee"
    assert Message.objects.filter(notified_at__isnull=True).count() == 0


def test_the_page_shows_the_conversation_with_safe_clickable_links(client, program, pairing, mentee, mentor):
    Message.objects.create(
        program=program, pairing=pairing, author=mentor, body="<script>alert(1)</script> see https://example.org/x"
    )
    client.force_login(mentee.user)
    page = client.get(program_url(program, "pairings:conversation", pairing.pk)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert '<a href="https://example.org/x" rel="nofollow">https://example.org/x</a>' in page
    assert "Maria Mentor" in page


def test_an_empty_message_is_refused_with_a_clear_message(client, program, pairing, mentee):
    client.force_login(mentee.user)
    response = _post(client, program, pairing, "   ")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Message.objects.exists()


def test_too_many_messages_a_minute_are_refused_and_the_text_kept(client, program, pairing, mentee, settings):
    settings.PAIRINGS_MESSAGES_PER_MINUTE = 2
    _same_minute()
    client.force_login(mentee.user)
    _post(client, program, pairing, "one")
    _post(client, program, pairing, "two")
    page = _post(client, program, pairing, "three, too fast").content.decode()
    assert "You are sending messages quickly" in page
    assert "three, too fast" in page
    assert list(Message.objects.values_list("body", flat=True)) == ["one", "two"]


def test_an_ended_pairing_keeps_its_conversation_closed_to_new_messages(client, program, pairing, mentee):
    Message.objects.create(program=program, pairing=pairing, author=mentee, body="Thanks for everything")
    Pairing.objects.filter(pk=pairing.pk).update(status=PairingStatus.ENDED)
    client.force_login(mentee.user)
    page = _post(client, program, pairing, "after the end").content.decode()
    assert "Thanks for everything" in page
    assert "closed to new messages" in page
    assert Message.objects.count() == 1


def test_a_program_admin_cannot_open_a_conversation(client, program, pairing, program_admin):
    client.force_login(program_admin)
    assert client.get(program_url(program, "pairings:conversation", pairing.pk)).status_code == 404


def test_another_programs_admin_gets_404(client, pairing, program):
    other = member(ProgramFactory(), Role.PROGRAM_ADMIN)
    client.force_login(other)
    assert client.get(program_url(program, "pairings:conversation", pairing.pk)).status_code == 404


def test_another_mentee_of_the_program_gets_404(client, program, pairing):
    other = member(program, Role.MENTEE)
    client.force_login(other)
    assert client.get(program_url(program, "pairings:conversation", pairing.pk)).status_code == 404


def test_admins_see_that_a_pair_talked_and_when_never_the_text(client, program, pairing, mentee, program_admin):
    Message.objects.create(program=program, pairing=pairing, author=mentee, body="A private worry")
    client.force_login(program_admin)
    page = client.get(program_url(program, "pairings:activity")).content.decode()
    assert "Paul Mentee" in page
    assert "Not yet talked" not in page
    assert "A private worry" not in page


def test_a_reported_message_and_only_it_is_shown_to_admins(client, program, pairing, mentee, mentor, program_admin):
    Message.objects.create(program=program, pairing=pairing, author=mentee, body="Hello, nice to meet you")
    bad = Message.objects.create(program=program, pairing=pairing, author=mentee, body="Something unkind")
    client.force_login(mentor.user)
    response = client.post(program_url(program, "pairings:report", bad.pk), follow=True)
    assert "Le message est signalé aux administrateurs du programme." in response.content.decode()  # French mentor
    client.force_login(program_admin)
    page = client.get(program_url(program, "pairings:activity")).content.decode()
    assert "Something unkind" in page
    assert "Hello, nice to meet you" not in page


def test_one_cannot_report_ones_own_message(client, program, pairing, mentee):
    mine = Message.objects.create(program=program, pairing=pairing, author=mentee, body="Mine")
    client.force_login(mentee.user)
    assert client.post(program_url(program, "pairings:report", mine.pk)).status_code == 403
    mine.refresh_from_db()
    assert mine.reported_at is None


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_the_overview_links_both_to_their_conversation(client, program, pairing, role):
    person = getattr(pairing, role)
    client.force_login(person.user)
    page = client.get(program_url(program, "portal:program")).content.decode()
    assert program_url(program, "pairings:conversation", pairing.pk) in page


def test_the_rate_limit_counts_per_person_across_their_conversations(
    client, program, pairing, mentee, mentor, settings
):
    settings.PAIRINGS_MESSAGES_PER_MINUTE = 2
    second_mentee = member(program, Role.MENTEE).memberships.get()
    second = Pairing.objects.create(program=program, mentor=mentor, mentee=second_mentee)
    client.force_login(mentor.user)
    _same_minute()
    _post(client, program, pairing, "one")
    _post(client, program, second, "two")
    page = _post(client, program, second, "three").content.decode()
    assert "three" in page and Message.objects.filter(body="three").count() == 0
    # The mentee's own limit is untouched by the mentor's.
    client.force_login(mentee.user)
    assert "Message sent." in _post(client, program, pairing, "my first").content.decode()

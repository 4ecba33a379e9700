"""Pairs that go quiet: marked "Needs check-in", reminded once however often the task runs, admins told after."""

from datetime import timedelta

from django.utils import timezone

from matching.models import Pairing, PairingStatus
from mentorship.pairings.models import Message, PairingSettings
from mentorship.pairings.services import quiet_pairs_sweep
from mentorship.pairings.tasks import check_quiet_pairs
from tests.pairings.conftest import program_url


def _age(pairing, days):
    Pairing.objects.filter(pk=pairing.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_a_quiet_pair_is_reminded_exactly_once_when_the_task_runs_twice(pairing, mentor, mentee, sent, mailoutbox):
    _age(pairing, 31)
    with sent():
        assert check_quiet_pairs() == {"reminded": 1, "admins_told": 0}
        assert check_quiet_pairs() == {"reminded": 0, "admins_told": 0}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.user.email, mentee.user.email])


def test_a_pair_that_talked_recently_is_left_alone(program, pairing, mentee, mailoutbox, sent):
    _age(pairing, 60)
    Message.objects.create(program=program, pairing=pairing, author=mentee, body="Hi")
    with sent():
        assert check_quiet_pairs() == {"reminded": 0, "admins_told": 0}
    assert mailoutbox == []


def test_the_program_sets_the_number_of_days(program, pairing):
    PairingSettings.objects.create(program=program, quiet_days=7)
    _age(pairing, 8)
    assert check_quiet_pairs()["reminded"] == 1


def test_still_quiet_after_a_second_period_the_admins_are_told_once(
    client, program, pairing, program_admin, sent, mailoutbox
):
    _age(pairing, 31)
    with sent():
        quiet_pairs_sweep()
        later = timezone.now() + timedelta(days=31)
        assert quiet_pairs_sweep(now=later) == {"reminded": 0, "admins_told": 1}
        assert quiet_pairs_sweep(now=later) == {"reminded": 0, "admins_told": 0}
    assert [m.to[0] for m in mailoutbox].count(program_admin.email) == 1
    client.force_login(program_admin)
    page = client.get(program_url(program, "pairings:activity")).content.decode()
    assert "Needs check-in" in page
    client.post(program_url(program, "pairings:conclude", pairing.pk))
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED
    assert pairing.end_reason == "concluded"


def test_a_pair_that_talks_after_its_reminder_is_reminded_again_only_after_a_new_quiet_period(program, pairing, mentee):
    _age(pairing, 31)
    assert quiet_pairs_sweep()["reminded"] == 1
    Message.objects.create(program=program, pairing=pairing, author=mentee, body="Back!")
    assert quiet_pairs_sweep() == {"reminded": 0, "admins_told": 0}
    assert quiet_pairs_sweep(now=timezone.now() + timedelta(days=31))["reminded"] == 1


def test_a_recent_session_or_answered_feedback_counts_as_activity(program, pairing, mentor, mentee):
    from mentorship.pairings.models import FeedbackRequest
    from tests.pairings.test_feedback import ended_session

    _age(pairing, 60)
    session = ended_session(mentor, mentee, days_ago=3)
    assert quiet_pairs_sweep() == {"reminded": 0, "admins_told": 0}  # they met three days ago
    later = timezone.now() + timedelta(days=40)
    FeedbackRequest.objects.create(
        program=program, pairing=pairing, session=session, respondent=mentee, rating=3, answered_at=later
    )
    assert quiet_pairs_sweep(now=later + timedelta(days=5)) == {"reminded": 0, "admins_told": 0}
    assert quiet_pairs_sweep(now=later + timedelta(days=31))["reminded"] == 1


def test_an_ended_pair_is_never_reminded(program, pairing, mailoutbox, sent):
    _age(pairing, 90)
    Pairing.objects.filter(pk=pairing.pk).update(status=PairingStatus.ENDED, end_reason="concluded")
    with sent():
        assert check_quiet_pairs() == {"reminded": 0, "admins_told": 0}
    assert mailoutbox == []

"""Program cycles: the end-of-program survey before the end (once), pairings completed at the end, NPS, alumni."""

from datetime import timedelta

from django.utils import timezone

from matching.models import PairingStatus
from mentorship.pairings import figures
from mentorship.pairings.models import CycleSurvey
from mentorship.pairings.services import nps
from mentorship.pairings.tasks import program_cycles
from tests.pairings.conftest import program_url


def test_nps():
    assert nps([]) is None
    assert nps([10, 9, 8, 3]) == 25
    assert nps([0, 6]) == -100


def test_survey_before_the_end_then_completed_at_the_end(
    client, program, pairing, mentor, mentee, program_admin, sent, mailoutbox
):
    today = timezone.localdate()
    program.cycle_ends_on = today + timedelta(days=10)
    program.save()
    with sent():
        assert program_cycles() == {"surveyed": 2, "completed": 0}
        assert program_cycles() == {"surveyed": 0, "completed": 0}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.user.email, mentee.user.email])
    survey = CycleSurvey.objects.get(respondent=mentee)
    client.force_login(mentee.user)
    url = program_url(program, "pairings:cycle_survey", survey.pk)
    page = client.post(url, {"keep": "The agreement"}).content.decode()
    assert "This field is required." in page and "The agreement" in page
    client.post(url, {"satisfaction": "10", "keep": "The agreement"})
    assert figures.program_figures(program).nps == 100

    program.cycle_ends_on = today
    program.save()
    assert program_cycles()["completed"] == 1
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (PairingStatus.ENDED, "completed")
    client.force_login(program_admin)
    page = client.get(program_url(program, "pairings:cycle")).content.decode()
    assert "NPS 100 from 1 answer." in page
    assert "Paul Mentee" in page  # alumni


def test_admin_sets_the_dates_and_a_bad_order_is_refused(client, program, program_admin):
    client.force_login(program_admin)
    url = program_url(program, "pairings:cycle")
    page = client.post(url, {"cycle_starts_on": "2027-06-01", "cycle_ends_on": "2027-01-01"}).content.decode()
    assert "The cycle ends after it starts." in page
    client.post(url, {"cycle_starts_on": "2027-01-01", "cycle_ends_on": "2027-06-01"})
    program.refresh_from_db()
    assert str(program.cycle_ends_on) == "2027-06-01"


def test_the_end_completes_only_active_pairings_and_leaves_other_programs_alone(program, pairing, mentor):
    from matching.models import Pairing
    from organizations.models import Role
    from tests.factories import ProgramFactory, member

    earlier = member(program, Role.MENTEE).memberships.get()
    ended = Pairing.objects.create(
        program=program, mentor=mentor, mentee=earlier, status=PairingStatus.ENDED, end_reason="not a good fit"
    )
    elsewhere = ProgramFactory(organization=program.organization)
    other = Pairing.objects.create(
        program=elsewhere,
        mentor=member(elsewhere, Role.MENTOR).memberships.get(),
        mentee=member(elsewhere, Role.MENTEE).memberships.get(),
    )
    program.cycle_ends_on = timezone.localdate() - timedelta(days=1)
    program.save()
    assert program_cycles()["completed"] == 1
    assert program_cycles()["completed"] == 0  # run twice: nothing more
    pairing.refresh_from_db()
    ended.refresh_from_db()
    other.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (PairingStatus.ENDED, "completed")
    assert pairing.ended_at is not None
    assert ended.end_reason == "not a good fit"  # the history keeps why each pairing ended
    assert other.status == PairingStatus.ACTIVE


def test_the_end_gives_the_program_a_new_stamp(program, pairing, django_capture_on_commit_callbacks):
    """Completing is an update (no signal): it bumps the program's stamp itself, so what pages keep under it (the
    mentors' free places of recommendations) is read again."""
    from mentorship.stamps import program_stamp

    program.cycle_ends_on = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        program.save()
    before = program_stamp(program)
    with django_capture_on_commit_callbacks(execute=True):
        assert program_cycles()["completed"] == 1
    assert program_stamp(program) not in (None, before)

"""The mentoring agreement: drafted by the mentee, sent back for a change, signed by the mentor, goals done."""

from datetime import date, timedelta

from mentorship.pairings.models import Agreement, AgreementStatus, PairingSettings
from tests.pairings.conftest import program_url

SOON = (date.today() + timedelta(days=30)).isoformat()
LATER = (date.today() + timedelta(days=60)).isoformat()


def _draft(**extra):
    data = {
        "learning": "Public speaking",
        "frequency": "Every two weeks",
        "meeting_format": "Online, one hour",
        "goal_1": "Give a talk at the team meeting",
        "goal_1_date": SOON,
        "goal_2": "Speak at a meetup",
        "goal_2_date": LATER,
        "send": "1",
    }
    return data | extra


def test_drafted_sent_back_for_a_change_and_signed(client, program, pairing, mentee, mentor, sent, mailoutbox):
    url = program_url(program, "pairings:agreement", pairing.pk)
    client.force_login(mentee.user)
    with sent():
        page = client.post(url, _draft(), follow=True).content.decode()
    assert "Sent to your mentor for sign-off." in page
    assert mailoutbox[-1].to == [mentor.user.email]

    client.force_login(mentor.user)
    decide = program_url(program, "pairings:agreement_decide", pairing.pk)
    page = client.post(decide, {"changes": "1", "change_request": ""}, follow=True).content.decode()
    assert "Dites ce qui doit changer." in page  # the mentor reads French
    with sent():
        client.post(decide, {"changes": "1", "change_request": "Add a goal about slides"})
    assert Agreement.objects.get().status == AgreementStatus.CHANGES
    assert "Add a goal about slides" in mailoutbox[-1].body

    client.force_login(mentee.user)
    page = client.get(url).content.decode()
    assert "Add a goal about slides" in page
    client.post(url, _draft(goal_3="Make clear slides", goal_3_date=SOON))
    client.force_login(mentor.user)
    client.post(decide, {"sign": "1"})
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.SIGNED
    assert [g.title for g in agreement.goals.all()] == [
        "Give a talk at the team meeting",
        "Speak at a meetup",
        "Make clear slides",
    ]
    goal = agreement.goals.first()
    client.post(program_url(program, "pairings:goal_done", goal.pk))
    goal.refresh_from_db()
    assert goal.done_at is not None


def test_one_goal_or_a_goal_without_date_is_refused_and_the_text_kept(client, program, pairing, mentee):
    client.force_login(mentee.user)
    url = program_url(program, "pairings:agreement", pairing.pk)
    page = client.post(url, _draft(goal_2="", goal_2_date="")).content.decode()
    assert "Set two to five goals." in page
    assert "Give a talk at the team meeting" in page
    page = client.post(url, _draft(goal_2_date="")).content.decode()
    assert "Give this goal a target date." in page
    assert not Agreement.objects.exists()


def test_the_mentee_cannot_sign_their_own_agreement(client, program, pairing, mentee):
    client.force_login(mentee.user)
    client.post(program_url(program, "pairings:agreement", pairing.pk), _draft())
    response = client.post(program_url(program, "pairings:agreement_decide", pairing.pk), {"sign": "1"})
    assert response.status_code == 403
    assert Agreement.objects.get().status == AgreementStatus.SENT


def test_a_program_can_switch_the_agreement_off(client, program, pairing, mentee):
    PairingSettings.objects.create(program=program, agreement_enabled=False)
    client.force_login(mentee.user)
    url = program_url(program, "pairings:agreement", pairing.pk)
    assert "This program does not use mentoring agreements." in client.get(url).content.decode()
    assert client.post(url, _draft()).status_code == 403
    assert not Agreement.objects.exists()


def test_admins_see_progress_not_the_text(client, program, pairing, mentee, mentor, program_admin):
    client.force_login(mentee.user)
    client.post(program_url(program, "pairings:agreement", pairing.pk), _draft())
    client.force_login(mentor.user)
    client.post(program_url(program, "pairings:agreement_decide", pairing.pk), {"sign": "1"})
    goal = Agreement.objects.get().goals.first()
    client.post(program_url(program, "pairings:goal_done", goal.pk))
    client.force_login(program_admin)
    page = client.get(program_url(program, "pairings:activity")).content.decode()
    assert "1 / 2" in page
    assert "Signed" in page
    assert "Public speaking" not in page
    assert "Give a talk" not in page
    assert client.get(program_url(program, "pairings:agreement", pairing.pk)).status_code == 404


def test_the_kept_agreement_shows_each_write_on_the_next_view(
    client, program, pairing, mentee, mentor, django_capture_on_commit_callbacks
):
    """The agreement's part of the page is kept rendered under the program's stamp, per person of the pair and
    language (issue 9): a draft sent, a signature and a goal done, once committed, are on the next view."""
    url = program_url(program, "pairings:agreement", pairing.pk)
    client.force_login(mentor.user)
    before = client.get(url).content.decode()
    assert "Give a talk at the team meeting" not in before and "agreement_decide" not in before
    client.force_login(mentee.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _draft())
    client.force_login(mentor.user)
    sent = client.get(url).content.decode()
    decide = program_url(program, "pairings:agreement_decide", pairing.pk)
    assert "Give a talk at the team meeting" in sent and f'action="{decide}"' in sent
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, {"sign": "1"})
    signed = client.get(url).content.decode()
    goal = Agreement.objects.get().goals.first()
    done = program_url(program, "pairings:goal_done", goal.pk)
    assert f'action="{decide}"' not in signed and f'formaction="{done}"' in signed
    assert '<form id="goal-done" method="post"' in signed and 'name="done" value="0"' not in signed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(done)
    assert f'form="goal-done" formaction="{done}" name="done" value="0"' in client.get(url).content.decode()

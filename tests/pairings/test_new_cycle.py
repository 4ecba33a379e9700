"""A program's next cycle: settings and questionnaire copied, the previous people invited back in one action after a
review, the old cycle's figures kept apart, and the people of past cycles listed as alumni."""

import time
from datetime import timedelta

from django.utils import timezone

from matching.models import Option, Pairing, PairingStatus, Question
from mentorship.oversight.models import OversightSettings
from mentorship.pairings import figures
from mentorship.pairings.models import FeedbackQuestion, Message, PairingSettings, ProgramCycle
from organizations.models import Invitation, Membership, Program, Role
from organizations.services.invitations import invitation_accept
from sessions_app.models import SessionSettings
from tests.factories import MembershipFactory, Survey, member
from tests.pairings.conftest import program_url


def _open(client, program, name="Spring 2027", **extra):
    data = {"name": name, "cycle_starts_on": "2027-03-01", "cycle_ends_on": "2027-06-30", **extra}
    return client.post(program_url(program, "pairings:cycle_new"), data, follow=True)


def test_a_new_cycle_copies_the_settings_and_the_questionnaire(client, program, program_admin):
    program.max_choices, program.response_days = 4, 7
    program.save()
    PairingSettings.objects.create(program=program, quiet_days=12, feedback_shared_with_pair=True)
    SessionSettings.objects.create(program=program, cancel_notice_hours=48)
    OversightSettings.objects.create(program=program, mentees_see_observations=False)
    survey = Survey(program)
    wish = survey.skills.options.get(label="Networking")
    offer = survey.skills.options.get(label="Public speaking")
    wish.satisfied_by.set([offer])
    FeedbackQuestion.objects.create(program=program, text="What will you try next?")
    client.force_login(program_admin)
    assert (
        "4 questions, with their matching rules"
        in client.get(program_url(program, "pairings:cycle_new")).content.decode()
    )

    page = _open(client, program).content.decode()

    new = Program.objects.get(name="Spring 2027")
    assert "Spring 2027 is open." in page and "Who is invited" in page
    assert (new.organization_id, new.max_choices, new.response_days, new.status, new.is_live) == (
        program.organization_id,
        4,
        7,
        program.status,
        True,
    )
    assert (str(new.cycle_starts_on), str(new.cycle_ends_on)) == ("2027-03-01", "2027-06-30")
    assert PairingSettings.objects.get(program=new).quiet_days == 12
    assert SessionSettings.objects.get(program=new).cancel_notice_hours == 48
    assert OversightSettings.objects.get(program=new).mentees_see_observations is False
    assert list(Question.objects.filter(program=new).values_list("text", "rule", "weight")) == list(
        Question.objects.filter(program=program).values_list("text", "rule", "weight")
    )
    new_wish = Option.objects.get(question__program=new, label="Networking")
    assert [o.label for o in new_wish.satisfied_by.all()] == ["Public speaking"]
    assert new_wish.satisfied_by.get().question.program_id == new.pk  # the map points to the copy, not the old one
    assert list(FeedbackQuestion.objects.filter(program=new).values_list("text", flat=True)) == [
        "What will you try next?"
    ]
    assert Membership.objects.filter(program=new, user=program_admin, role=Role.PROGRAM_ADMIN).exists()
    assert not Membership.objects.filter(program=new).exclude(role=Role.PROGRAM_ADMIN).exists()
    assert ProgramCycle.objects.get(program=new).previous_id == program.pk
    # The old cycle is untouched.
    assert Question.objects.filter(program=program).count() == 4


def test_the_name_must_be_new_and_the_form_keeps_what_was_typed(client, program, program_admin):
    client.force_login(program_admin)
    page = _open(client, program, name=program.name, cycle_ends_on="2027-01-01").content.decode()
    assert "A program of this organization already has this name." in page
    assert "The cycle ends after it starts." in page
    assert 'value="2027-03-01"' in page
    assert Program.objects.count() == 1


def test_previous_people_are_invited_back_once_after_a_review(
    client, program, program_admin, mentor, mentee, sent, mailoutbox
):
    gone = member(program, Role.MENTEE, full_name="Gone Away", is_active=False)
    client.force_login(program_admin)
    _open(client, program)
    new = Program.objects.get(name="Spring 2027")
    url = program_url(new, "pairings:cycle_invite")
    review = client.get(url).content.decode()
    assert "2 mentors and mentees of" in review
    assert "Maria Mentor" in review and "Paul Mentee" in review and "Gone Away" not in review
    assert "Invite 2 people back" in review
    assert not Invitation.objects.exists()  # the review sends nothing

    with sent():
        page = client.post(url, follow=True).content.decode()
    assert "2 people are invited back." in page
    invitations = Invitation.objects.filter(program=new)
    assert sorted(invitations.values_list("email", "role")) == sorted(
        [(mentor.user.email, Role.MENTOR), (mentee.user.email, Role.MENTEE)]
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.user.email, mentee.user.email])
    assert all("Spring 2027" in m.body for m in mailoutbox)
    assert gone.email not in [m.to[0] for m in mailoutbox]

    # Again: nobody is left to invite, nothing is sent twice.
    with sent():
        client.post(url)
    assert len(mailoutbox) == 2
    assert "Everyone is already invited or in this cycle." in client.get(url).content.decode()

    # The mentee accepts: a mentee of the new cycle, and an alumna of the old one, listed as back.
    invitation_accept(invitation=invitations.get(role=Role.MENTEE), user=mentee.user)
    assert Membership.objects.filter(program=new, user=mentee.user, role=Role.MENTEE).exists()
    page = client.get(program_url(new, "pairings:cycle")).content.decode()
    assert "Alumni" in page and "Paul Mentee" in page and "Maria Mentor" in page
    assert f">{program.name}<" in page  # the previous cycle, linked


def test_a_program_that_is_no_ones_next_cycle_has_nobody_to_invite(client, program, program_admin, mentee):
    client.force_login(program_admin)
    url = program_url(program, "pairings:cycle_invite")
    assert "there is nobody to invite back" in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()
    assert "there is nobody to invite back" in page
    assert not Invitation.objects.exists()


def test_the_old_cycles_figures_stay_apart(client, program, program_admin, pairing, mentee):
    Message.objects.create(program=program, pairing=pairing, author=mentee, body="Hello")
    client.force_login(program_admin)
    _open(client, program)
    new = Program.objects.get(name="Spring 2027")
    old_figures, new_figures = figures.program_figures(program), figures.program_figures(new)
    assert old_figures.pairs_talked == 1
    assert new_figures.pairs_talked == 0
    # The old cycle is still readable by its admin, with its pairings.
    assert client.get(program_url(program, "pairings:activity")).status_code == 200
    assert "Paul Mentee" in client.get(program_url(program, "pairings:activity")).content.decode()


def test_alumni_are_the_people_of_past_cycles_and_of_an_ended_one(client, program, program_admin, pairing, mentee):
    client.force_login(program_admin)
    url = program_url(program, "pairings:cycle")
    assert "No past cycle yet." in client.get(url).content.decode()
    program.cycle_ends_on = timezone.localdate() - timedelta(days=1)
    program.save()
    Pairing.objects.filter(pk=pairing.pk).update(status=PairingStatus.ENDED, end_reason="completed")
    page = client.get(url).content.decode()
    assert "Paul Mentee" in page and "Maria Mentor" in page

    _open(client, program)
    new = Program.objects.get(name="Spring 2027")
    page = client.get(program_url(new, "pairings:cycle")).content.decode()
    assert "Paul Mentee" in page and "Maria Mentor" in page
    # An organization's other program is not a past cycle of this one.
    other = Program.objects.create(organization=program.organization, name="Other", slug="other")
    member(other, Role.MENTEE, full_name="Olga Other")
    assert "Olga Other" not in client.get(program_url(new, "pairings:cycle")).content.decode()


def test_someone_with_an_invitation_waiting_elsewhere_is_left_out_not_moved(
    client, program, program_admin, mentor, mentee, sent, mailoutbox
):
    from organizations.services.invitations import invitation_issue

    elsewhere = Program.objects.create(organization=program.organization, name="Elsewhere", slug="elsewhere")
    with sent():
        invitation_issue(
            organization=program.organization, email=mentee.user.email, role=Role.MENTOR, program=elsewhere
        )
    client.force_login(program_admin)
    _open(client, program)
    new = Program.objects.get(name="Spring 2027")
    url = program_url(new, "pairings:cycle_invite")
    review = client.get(url).content.decode()
    assert "1 person is left out: an invitation to another program of the organization waits" in review
    assert "Invite 1 person back" in review
    with sent():
        client.post(url)
    assert Invitation.objects.get(email=mentee.user.email).program == elsewhere  # not taken away
    assert Invitation.objects.get(program=new).email == mentor.user.email


def test_the_review_is_kept_only_while_its_people_and_the_waiting_invitations_hold(
    client, program, program_admin, mentor, mentee, sent
):
    """The review step keeps its count and page (cycles.kept_returning): the next view shows each change, an
    invitation with no program (no program's stamp changes), one lapsing with time, an account closed."""
    from organizations.services.invitations import invitation_issue

    client.force_login(program_admin)
    with sent():
        _open(client, program)
    new = Program.objects.get(name="Spring 2027")
    url = program_url(new, "pairings:cycle_invite")
    assert "Invite 2 people back" in client.get(url).content.decode()
    assert "Invite 2 people back" in client.get(url).content.decode()  # kept
    with sent():
        waiting = invitation_issue(organization=program.organization, email=mentee.user.email, role=Role.MENTOR)[0]
    assert waiting.program is None
    review = client.get(url).content.decode()
    assert "Invite 1 person back" in review and "Paul Mentee" not in review
    # It lapses with time, which no write marks: the kept page is true until then, and computed again after.
    soon = timezone.now() + timedelta(seconds=2)
    with sent():
        waiting.expires_at = soon
        waiting.save(update_fields=["expires_at"])
    assert "Invite 1 person back" in client.get(url).content.decode()
    assert "Invite 1 person back" in client.get(url).content.decode()  # kept
    time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.05)
    review = client.get(url).content.decode()
    assert "Invite 2 people back" in review and "Paul Mentee" in review
    mentor.user.is_active = False
    with sent():
        mentor.user.save()
    review = client.get(url).content.decode()
    assert "Invite 1 person back" in review and "Maria Mentor" not in review


def test_the_cycle_page_is_kept_only_while_the_series_holds(client, program, program_admin, mentor, mentee, sent):
    """The cycle page keeps what it read under the stamps of the series' cycles: an alumna who comes back to the
    next cycle shows as back at once, and a cycle opened after it shows as the next one."""
    program.cycle_ends_on = timezone.localdate() - timedelta(days=1)
    with sent():
        program.save()
    client.force_login(program_admin)
    url = program_url(program, "pairings:cycle")
    page = client.get(url).content.decode()
    assert "Paul Mentee" in page and "<td>Yes</td>" not in page and "Next cycle:" not in page
    assert "Paul Mentee" in client.get(url).content.decode()  # kept
    with sent():
        _open(client, program)
    new = Program.objects.get(name="Spring 2027")
    assert "Next cycle:" in client.get(url).content.decode()
    with sent():
        MembershipFactory(user=mentee.user, program=new, role=Role.MENTEE)
    assert "<td>Yes</td>" in client.get(url).content.decode()

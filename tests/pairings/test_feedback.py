"""Feedback after each session of a pair: asked once (the task run twice), answered, "not a good fit" re-matches."""

from datetime import timedelta

from django.utils import timezone

from matching.models import MentorDecline, PairingStatus
from mentorship.pairings.models import FeedbackQuestion, FeedbackRequest
from mentorship.pairings.tasks import request_feedback
from organizations.models import Role
from sessions_app.models import MentorshipSession
from tests.factories import member
from tests.pairings.conftest import program_url
from tests.sessions_app.factories import make_session


def ended_session(mentor, mentee, *, days_ago=1):
    session = make_session(mentor, mentee=mentee)
    start = timezone.now() - timedelta(days=days_ago, hours=2)
    MentorshipSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    return session


def test_both_are_asked_once_after_a_session_and_the_first_asks_about_fit(pairing, mentor, mentee, sent, mailoutbox):
    ended_session(mentor, mentee)
    with sent():
        assert request_feedback() == 2
        assert request_feedback() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.user.email, mentee.user.email])
    assert all(r.asks_fit for r in FeedbackRequest.objects.all())
    ended_session(mentor, mentee, days_ago=0)
    with sent():
        assert request_feedback() == 2
    assert FeedbackRequest.objects.filter(asks_fit=False).count() == 2


def test_a_session_with_someone_else_asks_nothing(pairing, program, mentor):
    other = member(program, Role.MENTEE).memberships.get()
    ended_session(mentor, other)
    assert request_feedback() == 0


def test_not_a_good_fit_leads_to_a_rematch(client, program, pairing, mentor, mentee, sent):
    session = ended_session(mentor, mentee)
    request_feedback()
    asked = FeedbackRequest.objects.get(respondent=mentee)
    client.force_login(mentee.user)
    url = program_url(program, "pairings:feedback", asked.pk)
    page = client.get(url).content.decode()
    assert "Is this pairing a good fit?" in page
    page = client.post(
        url, {"rating": "2", "went_well": "Punctual", "private_note": "We do not click", "fit": "not_good"}, follow=True
    ).content.decode()
    assert "Find another mentor" in page
    response = client.post(program_url(program, "pairings:rematch", pairing.pk), follow=True)
    assert response.redirect_chain[-1][0] == program_url(program, "matching:recommendations")
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED
    assert pairing.end_reason == "not a good fit"
    assert MentorDecline.objects.filter(mentor=mentor, mentee=mentee).exists()
    assert session.pk == asked.session_id


def test_a_missing_rating_is_a_clear_error(client, program, pairing, mentor, mentee):
    ended_session(mentor, mentee)
    request_feedback()
    asked = FeedbackRequest.objects.get(respondent=mentee)
    client.force_login(mentee.user)
    page = client.post(program_url(program, "pairings:feedback", asked.pk), {"went_well": "Kept"}).content.decode()
    assert "This field is required." in page
    assert "Kept" in page
    asked.refresh_from_db()
    assert asked.answered_at is None


def test_admins_read_answers_and_add_questions(client, program, pairing, mentor, mentee, program_admin):
    client.force_login(program_admin)
    client.post(program_url(program, "pairings:feedback_overview"), {"text": "What will you try next?"})
    question = FeedbackQuestion.objects.get()
    ended_session(mentor, mentee)
    request_feedback()
    asked = FeedbackRequest.objects.get(respondent=mentor)
    client.force_login(mentor.user)
    url = program_url(program, "pairings:feedback", asked.pk)
    assert "What will you try next?" in client.get(url).content.decode()
    client.post(
        url,
        {
            "rating": "4",
            "went_well": "Clear goals",
            "private_note": "Mentee is shy",
            "fit": "good",
            f"q{question.pk}": "Role play",
        },
    )
    client.force_login(program_admin)
    page = client.get(program_url(program, "pairings:feedback_overview")).content.decode()
    assert "Clear goals" in page and "Mentee is shy" in page and "Role play" in page
    # The other person does not read it.
    client.force_login(mentee.user)
    assert client.get(program_url(program, "pairings:feedback", asked.pk)).status_code == 404


def _answer(client, program, asked, **data):
    fields = {"rating": "4", "went_well": "", "private_note": "", "fit": "good", **data}
    return client.post(program_url(program, "pairings:feedback", asked.pk), fields, follow=True).content.decode()


def test_a_program_sharing_feedback_shows_the_pair_each_others_answers_but_not_the_private_note(
    client, program, pairing, mentor, mentee
):
    from mentorship.pairings.models import PairingSettings

    PairingSettings.objects.create(program=program, feedback_shared_with_pair=True)
    question = FeedbackQuestion.objects.create(program=program, text="What will you try next?")
    ended_session(mentor, mentee)
    request_feedback()
    client.force_login(mentor.user)
    mentors = FeedbackRequest.objects.get(respondent=mentor)
    assert (
        "sont lues par Paul Mentee et par les administrateurs du programme"  # Maria reads French
        in client.get(program_url(program, "pairings:feedback", mentors.pk)).content.decode()
    )
    _answer(
        client,
        program,
        mentors,
        went_well="Clear goals",
        private_note="Mentee is shy",
        **{f"q{question.pk}": "Role play"},
    )

    client.force_login(mentee.user)
    mentees = FeedbackRequest.objects.get(respondent=mentee)
    url = program_url(program, "pairings:feedback", mentees.pk)
    assert "Clear goals" not in client.get(url).content.decode()  # shown once the mentee has answered too
    page = _answer(client, program, mentees, rating="3", went_well="Good questions", private_note="Too fast")
    assert "Maria Mentor's feedback" in page
    assert "Rating: 4 / 4" in page and "Clear goals" in page and "What will you try next?" in page
    assert "Role play" in page
    assert "Mentee is shy" not in page  # the private note stays with the admins
    assert "Yes, a good fit" not in page  # and so does the answer about the fit

    client.force_login(mentor.user)
    page = client.get(program_url(program, "pairings:feedback", mentors.pk)).content.decode()
    assert "Good questions" in page and "Note : 3 / 4" in page and "Too fast" not in page


def test_by_default_feedback_is_private_to_the_admins(client, program, pairing, mentor, mentee):
    ended_session(mentor, mentee)
    request_feedback()
    client.force_login(mentor.user)
    _answer(client, program, FeedbackRequest.objects.get(respondent=mentor), went_well="Clear goals")
    client.force_login(mentee.user)
    mentees = FeedbackRequest.objects.get(respondent=mentee)
    url = program_url(program, "pairings:feedback", mentees.pk)
    assert "Your answers are private to the program's administrators." in client.get(url).content.decode()
    page = _answer(client, program, mentees, went_well="Good questions")
    assert "You have answered; thank you." in page
    assert "Clear goals" not in page and "feedback</h2>" not in page

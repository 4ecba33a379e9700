import pytest
from django.core import mail
from django.urls import reverse

from matching.models import Answer, AutoPairProposal, AutoPairRun, Option, Pairing, PairingStatus, Question, RunStatus
from matching.services.pairing import PairingError, autopair_compute, pairing_create
from organizations.models import Role
from tests.factories import ProgramFactory, member
from tests.helpers import assert_constant_queries


def url(program, name, *args):
    return reverse(name, args=[program.organization.slug, program.slug, *args])


@pytest.fixture
def admin(survey):
    return member(survey.program, Role.PROGRAM_ADMIN)


def test_pairing_page_suggests_mentors_with_reasons_and_room(client, survey, admin):
    survey.person(Role.MENTEE, full_name="Mia Mentee", skills=["Networking"])
    survey.person(Role.MENTOR, full_name="Nate Networker", skills=["Networking"])
    survey.person(Role.MENTOR, full_name="French Fiona", languages=["French"], skills=["Networking"])
    client.force_login(admin)
    response = client.get(url(survey.program, "matching:pairing"))
    [row] = response.context["rows"]
    assert [s.mentor.user.full_name for s in row.suggestions] == ["Nate Networker"]
    assert row.suggestions[0].free_places == 1
    assert "Wants Networking; Nate can help with it" in response.content.decode()


def test_pair_by_hand_emails_both(client, survey, admin, django_capture_on_commit_callbacks):
    mentee = survey.person(Role.MENTEE, email="mia@example.org")
    mentor = survey.person(Role.MENTOR, email="nate@example.org")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(survey.program, "matching:pair"),
            {"mentee": mentee.memberships.get().pk, "mentor": mentor.memberships.get().pk},
        )
    assert Pairing.objects.filter(mentee__user=mentee, mentor__user=mentor, status=PairingStatus.ACTIVE).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["mia@example.org", "nate@example.org"]
    assert all("schedule your first session" in m.body for m in mail.outbox)


def test_a_mentor_at_capacity_cannot_be_paired_again(client, survey, admin):
    mentor = survey.person(Role.MENTOR).memberships.get()
    first, second = (survey.person(Role.MENTEE).memberships.get() for _ in range(2))
    pairing_create(program=survey.program, mentor=mentor, mentee=first, by=admin)
    client.force_login(admin)
    response = client.post(
        url(survey.program, "matching:pair"), {"mentee": second.pk, "mentor": mentor.pk}, follow=True
    )
    assert "has no free place" in response.content.decode()
    with pytest.raises(PairingError):
        pairing_create(program=survey.program, mentor=mentor, mentee=second, by=admin)
    assert Pairing.objects.count() == 1


def test_a_mentee_has_one_mentor_at_a_time(survey, admin):
    mentee = survey.person(Role.MENTEE).memberships.get()
    mentors = [survey.person(Role.MENTOR).memberships.get() for _ in range(2)]
    pairing_create(program=survey.program, mentor=mentors[0], mentee=mentee, by=admin)
    with pytest.raises(PairingError, match="already has a mentor"):
        pairing_create(program=survey.program, mentor=mentors[1], mentee=mentee, by=admin)


def test_autopair_previews_then_saves_without_emails(client, survey, admin, django_capture_on_commit_callbacks):
    survey.program.default_capacity = 2
    survey.program.save()
    mentees = [survey.person(Role.MENTEE, skills=["Networking"]) for _ in range(3)]
    french = survey.person(Role.MENTEE, full_name="Only French", languages=["French"])
    survey.person(Role.MENTOR, full_name="Mentor A", skills=["Networking"])
    survey.person(Role.MENTOR, full_name="Mentor B", skills=["Public speaking"])
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(survey.program, "matching:autopair"))
    run = AutoPairRun.objects.get()
    assert response.url == url(survey.program, "matching:autopair_run", run.pk)
    assert run.status == RunStatus.PREVIEW and Pairing.objects.count() == 0
    page = client.get(response.url).content.decode()
    assert "Approve and save these pairs" in page
    assert "No mentor meets their hard requirements" in page and "Only French" in page
    assert run.summary["paired"] == 3 and run.summary["unassigned"] == 1
    proposals = AutoPairProposal.objects.filter(run=run, mentor__isnull=False)
    assert {p.mentee.user for p in proposals} == set(mentees)
    assert proposals.filter(mentor__user__full_name="Mentor A").count() == 2  # best total within capacity
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair_decide", run.pk), {"approve": "1"})
    assert Pairing.objects.filter(status=PairingStatus.ACTIVE, source="auto").count() == 3
    assert french.memberships.get().mentee_pairings.count() == 0
    assert mail.outbox == []


def test_discarding_a_preview_changes_nothing(client, survey, admin, django_capture_on_commit_callbacks):
    survey.person(Role.MENTEE)
    survey.person(Role.MENTOR)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair"))
    run = AutoPairRun.objects.get()
    client.post(url(survey.program, "matching:autopair_decide", run.pk), {"discard": "1"})
    run.refresh_from_db()
    assert run.status == RunStatus.DISCARDED and not Pairing.objects.exists()
    response = client.post(url(survey.program, "matching:autopair_decide", run.pk), {"approve": "1"}, follow=True)
    assert "Only a preview can be approved." in response.content.decode()


def test_either_party_or_an_admin_ends_a_pairing_with_a_reason(
    client, survey, admin, django_capture_on_commit_callbacks
):
    mentee = survey.person(Role.MENTEE, email="mia@example.org")
    mentor = survey.person(Role.MENTOR, email="nate@example.org")
    pairing = pairing_create(
        program=survey.program, mentor=mentor.memberships.get(), mentee=mentee.memberships.get(), by=admin, notify=False
    )
    stranger = survey.person(Role.MENTEE)
    end_url = url(survey.program, "matching:pairing_end", pairing.pk)
    client.force_login(stranger)
    assert client.post(end_url, {"reason": "no"}).status_code == 403
    client.force_login(mentee)
    response = client.post(end_url, {"reason": ""})
    assert "This field is required." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(end_url, {"reason": "We moved cities."})
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason, pairing.ended_by) == (PairingStatus.ENDED, "We moved cities.", mentee)
    [message] = mail.outbox
    assert message.to == ["nate@example.org"] and "We moved cities." in message.body


def test_admin_overrides_a_mentors_capacity(client, survey, admin):
    mentor = survey.person(Role.MENTOR).memberships.get()
    client.force_login(admin)
    client.post(url(survey.program, "matching:capacity", mentor.pk), {"capacity": "3"})
    mentor.refresh_from_db()
    assert mentor.capacity == 3
    response = client.post(url(survey.program, "matching:capacity", mentor.pk), {"capacity": "4"}, follow=True)
    assert "Capacity must be between 1 and 3." in response.content.decode()


def test_pairing_page_runs_the_same_queries_with_few_and_many_people(client, survey, admin):
    client.force_login(admin)

    def add_rows(count):
        for _ in range(count):
            survey.person(Role.MENTEE, skills=["Networking"])
            survey.person(Role.MENTOR, skills=["Networking"])

    assert_constant_queries(client, url(survey.program, "matching:pairing"), add_rows)


def test_people_page_offers_each_mentors_capacity(client, survey, admin):
    survey.person(Role.MENTOR, full_name="Nate Networker")
    client.force_login(admin)
    page = client.get(
        reverse("organizations:program_people", args=[survey.program.organization.slug, survey.program.slug])
    ).content.decode()
    assert "Capacity of Nate Networker" in page


def test_approving_skips_what_no_longer_holds(client, survey, admin, django_capture_on_commit_callbacks):
    mentees = [survey.person(Role.MENTEE, skills=["Networking"]) for _ in range(2)]
    mentors = [survey.person(Role.MENTOR, skills=["Networking"]).memberships.get() for _ in range(2)]
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair"))
    run = AutoPairRun.objects.get()
    assert run.summary["paired"] == 2
    # Meanwhile, the first mentee is paired by hand with the mentor the preview gave them.
    proposal = AutoPairProposal.objects.get(run=run, mentee__user=mentees[0])
    pairing_create(program=survey.program, mentor=proposal.mentor, mentee=proposal.mentee, by=admin, notify=False)
    response = client.post(url(survey.program, "matching:autopair_decide", run.pk), {"approve": "1"}, follow=True)
    assert "1 pairings saved; 1 no longer possible." in response.content.decode()
    assert Pairing.objects.filter(status=PairingStatus.ACTIVE).count() == 2
    assert {p.mentor for p in Pairing.objects.all()} <= set(mentors)


def test_autopair_preview_runs_the_same_queries_with_few_and_many_proposals(client, survey, admin):
    run = AutoPairRun.objects.create(program=survey.program, status=RunStatus.PREVIEW, summary={"paired": 0})
    client.force_login(admin)

    def add_rows(count):
        for _ in range(count):
            mentee = survey.person(Role.MENTEE).memberships.get()
            mentor = survey.person(Role.MENTOR).memberships.get()
            AutoPairProposal.objects.create(run=run, mentee=mentee, mentor=mentor, score=80)
            AutoPairProposal.objects.create(
                run=run, mentee=survey.person(Role.MENTEE).memberships.get(), unassigned_reason="no compatible mentor"
            )

    assert_constant_queries(client, url(survey.program, "matching:autopair_run", run.pk), add_rows)


def _one_question_program(mentor_tracks, mentee_tracks, capacity):
    """A program whose only scored question is one single choice: every score is 0 or 100."""
    program = ProgramFactory(default_capacity=capacity, max_capacity=capacity)
    question = Question.objects.create(program=program, kind="single", rule="same", text="Which track?", weight=1)
    options = {label: Option.objects.create(question=question, order=i, label=label).pk for i, label in enumerate("AB")}
    people = {}
    for role, tracks in ((Role.MENTOR, mentor_tracks), (Role.MENTEE, mentee_tracks)):
        for n, track in enumerate(tracks):
            user = member(program, role, full_name=f"{role.label} {track}{n}")
            Answer.objects.create(membership=user.memberships.get(), question=question, value=[options[track]])
            people[user.full_name] = track
    return program, people


def test_autopair_with_one_single_choice_question_is_proven_the_best_possible(client, db):
    # Track A has 6 places for 5 mentees, track B 2 places for 3: the best pairs everyone,
    # 7 with their own track (700 points) and one B mentee with the free A place.
    program, tracks = _one_question_program(["A", "A", "A", "B"], ["A"] * 5 + ["B"] * 3, capacity=2)
    run = autopair_compute(run=AutoPairRun.objects.create(program=program))
    assert run.summary["paired"] == 8 and run.summary["total"] == 700.0
    assert run.summary["optimal"] is True and run.summary["tie_seed"] == run.pk
    assert run.summary["proof_rounds"] >= 1 and "pairs_added" in run.summary
    proposals = AutoPairProposal.objects.filter(run=run).select_related("mentor__user", "mentee__user")
    same = [tracks[p.mentor.user.full_name] == tracks[p.mentee.user.full_name] for p in proposals]
    assert sorted(same) == [False] + [True] * 7
    client.force_login(member(program, Role.PROGRAM_ADMIN))
    page = client.get(url(program, "matching:autopair_run", run.pk)).content.decode()
    assert "This is the best possible pairing" in page
    assert f"picked at random (seed {run.pk})" in page


def test_autopair_preview_says_plainly_when_the_best_is_not_proven(client, survey, admin):
    run = AutoPairRun.objects.create(
        program=survey.program, status=RunStatus.PREVIEW, summary={"paired": 0, "optimal": False}
    )
    client.force_login(admin)
    page = client.get(url(survey.program, "matching:autopair_run", run.pk)).content.decode()
    assert "This is the best possible pairing" not in page
    assert "not proven to be the best possible" in page

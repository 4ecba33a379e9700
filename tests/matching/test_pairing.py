import pytest
from django.core import mail
from django.urls import reverse

from matching.models import Answer, AutoPairProposal, AutoPairRun, Option, Pairing, PairingStatus, Question, RunStatus
from matching.services.answers import answers_save
from matching.services.pairing import PairingError, autopair_compute, autopair_confirm, pairing_create, pairing_end
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


def test_free_places_are_the_capacity_within_the_maximum_minus_active_pairings(
    client, survey, admin, django_capture_on_commit_callbacks
):
    program = survey.program  # one mentee per mentor unless they say more, at most three
    mentor = survey.person(Role.MENTOR, full_name="Nate Networker", skills=["Networking"])
    membership = mentor.memberships.get()
    membership.capacity = 3
    membership.save()
    taken = [survey.person(Role.MENTEE).memberships.get() for _ in range(3)]
    pairings = [pairing_create(program=program, mentor=membership, mentee=m, by=admin, notify=False) for m in taken]
    pairing_end(pairing=pairings[0], by=admin, reason="Moved away.")  # an ended pairing frees its place
    waiting = survey.person(Role.MENTEE, full_name="Mia Mentee", skills=["Networking"]).memberships.get()
    client.force_login(admin)
    response = client.get(url(program, "matching:pairing"))
    rows = {row.mentee: row.suggestions for row in response.context["rows"]}
    assert [(s.mentor.user.full_name, s.free_places) for s in rows[waiting]] == [("Nate Networker", 1)]
    assert rows[taken[0]] == []  # never proposed again to a mentee he mentored before
    assert "1 free place" in response.content.decode()

    program.max_capacity = 2  # lowered below what Nate chose: two active mentees fill him
    with django_capture_on_commit_callbacks(execute=True):  # committed, as in a request: the program's new stamp
        program.save()
    assert all(row.suggestions == [] for row in client.get(url(program, "matching:pairing")).context["rows"])
    response = client.post(url(program, "matching:pair"), {"mentee": waiting.pk, "mentor": membership.pk}, follow=True)
    assert "Nate Networker has no free place." in response.content.decode()
    client.force_login(mentor)
    page = client.get(url(program, "matching:questionnaire")).content.decode()
    assert 'name="capacity" value="2"' in page  # the capacity he has now, not the 3 above the maximum


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
    assert "No mentor meets the requirement “Languages”." in page and "Only French" in page
    assert run.summary["paired"] == 3 and run.summary["unassigned"] == 1
    proposals = AutoPairProposal.objects.filter(run=run, mentor__isnull=False)
    assert {p.mentee.user for p in proposals} == set(mentees)
    assert proposals.filter(mentor__user__full_name="Mentor A").count() == 2  # best total within capacity
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair_decide", run.pk), {"approve": "1"})
    assert Pairing.objects.filter(status=PairingStatus.ACTIVE, source="auto").count() == 3
    assert french.memberships.get().mentee_pairings.count() == 0
    assert mail.outbox == []


def test_a_failing_auto_pairing_is_marked_failed(client, survey, admin, django_capture_on_commit_callbacks):
    survey.person(Role.MENTEE, skills=["Networking"])
    survey.person(Role.MENTOR, skills=["Networking"])
    # The admin checks a question's fields, not that its rule fits its kind: closeness on a choice cannot score.
    colour = Question.objects.create(
        program=survey.program, order=9, kind="single", rule="closeness", text="Favourite colour?"
    )
    Option.objects.bulk_create([Option(question=colour, label="Blue"), Option(question=colour, label="Red")])
    client.force_login(admin)
    with pytest.raises(ValueError, match="closeness"), django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair"))  # the worker's task, run in place
    run = AutoPairRun.objects.get()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert "rule 'closeness' needs a scale or number question" in run.error
    page = client.get(url(survey.program, "matching:autopair_run", run.pk)).content.decode()
    assert "The computation failed." in page


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


@pytest.mark.parametrize("query", ["", "?q=a&order=name", "?show=no-answers", "?show=suggestions&page=2"])
def test_pairing_page_runs_the_same_queries_with_few_and_many_people(client, survey, admin, query):
    client.force_login(admin)

    def add_rows(count):
        for _ in range(count):
            survey.person(Role.MENTEE, full_name="Ana Mentee", skills=["Networking"])
            member(survey.program, Role.MENTEE, full_name="Al Unanswered")
            survey.person(Role.MENTOR, skills=["Networking"])

    assert_constant_queries(client, url(survey.program, "matching:pairing") + query, add_rows, few=30, many=60)


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


def test_unassigned_reasons_are_the_true_ones_and_the_same_on_both_pages(
    client, survey, admin, django_capture_on_commit_callbacks
):
    ann = survey.person(Role.MENTOR, full_name="Ann Anglo").memberships.get()
    survey.person(Role.MENTOR, full_name="Bob Anglo", skills=["Networking"])  # one free place
    pairing_create(program=survey.program, mentor=ann, mentee=survey.person(Role.MENTEE).memberships.get(), by=admin)
    member(survey.program, Role.MENTEE, full_name="Nora Noanswers")
    survey.person(Role.MENTEE, full_name="Fern French", languages=["French"])
    survey.person(Role.MENTEE, full_name="Eve Early", skills=["Networking"])
    # Ed differs from Bob on structure, so Eve is strictly the better match for Bob's place
    # (with equal scores either answer would be optimal, and the tie order is the program's).
    survey.person(Role.MENTEE, full_name="Ed Late", structure=1)
    client.force_login(admin)
    pairing_page = client.get(url(survey.program, "matching:pairing"))
    text = pairing_page.content.decode()
    assert "No compatible mentor with room" not in text  # Bob has room
    assert "Has not answered the questionnaire yet." in text and "No mentor meets the requirement “Languages”." in text
    why = {row.mentee.user.full_name: row.why for row in pairing_page.context["rows"] if not row.suggestions}
    assert why == {
        "Nora Noanswers": "Has not answered the questionnaire yet.",
        "Fern French": "No mentor meets the requirement “Languages”.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair"))
    run = AutoPairRun.objects.get()
    preview = client.get(url(survey.program, "matching:autopair_run", run.pk))
    page = preview.content.decode()
    assert "Has not answered the questionnaire yet." in page and "hard requirements" not in page
    left = {p.mentee.user.full_name: p.why for p in preview.context["unassigned"]}
    assert left == {**why, "Ed Late": "Every compatible mentor is full."}  # Bob's one place went to Eve


def test_the_pairing_page_suggests_no_mentor_with_nothing_in_common(client, survey, admin):
    survey.person(Role.MENTEE, full_name="Mia Mentee", skills=["Networking"], structure=1)
    survey.person(Role.MENTOR, full_name="Bea Artmentor", structure=5)
    client.force_login(admin)
    response = client.get(url(survey.program, "matching:pairing"))
    page = response.content.decode()
    assert "Bea Artmentor" not in page and "0/100" not in page
    assert "No mentor with room has anything in common with their answers." in page


def test_after_pairing_each_sees_the_other_and_how_to_reach_them(client, survey, admin):
    mentee = survey.person(Role.MENTEE, full_name="Mia Mentee", email="mia@example.org")
    mentor = survey.person(Role.MENTOR, full_name="Nate Networker", email="nate@example.org")
    mentor.bio, mentor.languages, mentor.timezone = "I coach public speaking.", "English, Spanish", "America/Toronto"
    mentor.save()
    pairing_create(
        program=survey.program, mentor=mentor.memberships.get(), mentee=mentee.memberships.get(), by=admin, notify=False
    )
    program_page = reverse("portal:program", args=[survey.program.organization.slug, survey.program.slug])
    client.force_login(mentee)
    for page in (client.get(program_page), client.get(url(survey.program, "matching:recommendations"))):
        text = page.content.decode()
        assert "Your mentor: Nate Networker" in text
        assert "I coach public speaking." in text and "English, Spanish" in text and "America/Toronto" in text
        assert (
            '<a class="button" href="mailto:nate@example.org">Write to Nate to schedule your first session</a>' in text
        )
    client.force_login(mentor)
    text = client.get(program_page).content.decode()
    assert "Your mentee: Mia Mentee" in text and 'href="mailto:mia@example.org"' in text


def test_approving_can_tell_each_pair_by_email_as_a_confirmation(
    client, survey, admin, django_capture_on_commit_callbacks
):
    survey.person(Role.MENTEE, full_name="Mia Mentee", email="mia@example.org", skills=["Networking"])
    survey.person(Role.MENTOR, full_name="Nate Networker", email="nate@example.org", skills=["Networking"])
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair"))
    run = AutoPairRun.objects.get()
    preview = client.get(url(survey.program, "matching:autopair_run", run.pk)).content.decode()
    assert 'name="notify" value="1" id="autopair-notify" checked' in preview and "Tell each pair by email" in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(survey.program, "matching:autopair_decide", run.pk), {"approve": "1", "notify": "1"}, follow=True
        )
    assert "Both people of each pair are being told by email." in response.content.decode()
    assert Pairing.objects.filter(status=PairingStatus.ACTIVE, source="auto").count() == 1
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["mia@example.org", "nate@example.org"]
    assert "Nate Networker is now your mentor" in by_address["mia@example.org"].body
    assert "Write to Nate at nate@example.org." in by_address["mia@example.org"].body
    assert "Write to Mia at mia@example.org." in by_address["nate@example.org"].body
    assert not any("accept" in m.body.lower() or "decline" in m.body.lower() for m in mail.outbox)
    run.refresh_from_db()
    assert autopair_confirm(run=run) == 0 and len(mail.outbox) == 2  # a redelivered task tells nobody twice


def test_the_pairing_page_finds_filters_and_pages_unpaired_mentees(client, survey, admin):
    survey.person(Role.MENTOR, full_name="Nate Networker", skills=["Networking"])
    survey.person(Role.MENTEE, full_name="Mia Match", skills=["Networking"], structure=3)
    member(survey.program, Role.MENTEE, full_name="Noah Noanswers")
    for n in range(25):
        survey.person(Role.MENTEE, full_name=f"Zed {n:02}", languages=["French"])
    client.force_login(admin)
    pairing = url(survey.program, "matching:pairing")

    def listed(query=""):
        response = client.get(pairing + query)
        return [row.mentee.user.full_name for row in response.context["rows"]], response.content.decode()

    names, page = listed()
    assert len(names) == 25 and names[:2] == ["Mia Match", "Noah Noanswers"]  # waiting longest first
    assert "27 unpaired mentees" in page and "Page 1 of 2" in page
    assert page.count("<details>") == 1 and "<summary><strong>Mia Match</strong>" in page  # suggestions unfold
    assert listed("?page=2")[0] == ["Zed 23", "Zed 24"]
    assert listed("?q=mia")[0] == ["Mia Match"]
    assert listed("?show=no-answers")[0] == ["Noah Noanswers"]
    assert listed("?show=suggestions")[0] == ["Mia Match"]
    names, page = listed("?q=zed&order=newest")
    assert names[:2] == ["Zed 24", "Zed 23"] and "25 mentees match." in page
    names, page = listed("?q=zed&order=name&page=1")
    assert names[0] == "Zed 00" and "Page 1" not in page  # 25 fit on one page
    assert '<a href="?order=name&amp;page=2#unpaired">Next</a>' in listed("?order=name")[1]  # paging keeps the order


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


def test_autopair_says_it_cancels_waiting_requests_and_does_so_without_email(
    client, survey, admin, django_capture_on_commit_callbacks
):
    from matching.models import MentorRequest, MentorSelection
    from matching.services.requests import select_mentors

    survey.program.default_capacity = 2
    survey.program.save()
    ranked = survey.person(Role.MENTEE, full_name="Rita Ranked", skills=["Networking"]).memberships.get()
    survey.person(Role.MENTEE, skills=["Networking"])
    mentor_a = survey.person(Role.MENTOR, full_name="Mentor A", skills=["Networking"]).memberships.get()
    mentor_b = survey.person(Role.MENTOR, full_name="Mentor B", skills=["Networking"]).memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        select_mentors(
            program=survey.program,
            mentee=ranked,
            mentor_ids=[mentor_b.pk, mentor_a.pk],
            allowed={mentor_b.pk: (90.0, []), mentor_a.pk: (80.0, [])},
            by=None,
        )
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair"))
    run = AutoPairRun.objects.get()
    preview = client.get(url(survey.program, "matching:autopair_run", run.pk)).content.decode()
    assert "1 of these mentees is waiting for the mentors they ranked." in preview
    assert "cancels their mentor requests; nobody is emailed about the cancelled requests" in preview
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:autopair_decide", run.pk), {"approve": "1"})
    assert mail.outbox == []
    assert set(MentorRequest.objects.filter(mentee=ranked).values_list("state", flat=True)) == {"cancelled"}
    assert MentorSelection.objects.get(mentee=ranked).state == "cancelled"
    assert ranked.mentee_pairings.get().source == "auto"
    after = client.get(url(survey.program, "matching:autopair_run", run.pk)).content.decode()
    assert "Mentor requests cancelled, without email" in after and "waiting for the mentors they ranked" not in after


def test_the_pairing_page_keeps_its_suggestions_only_while_what_they_come_from_holds(
    client, survey, admin, django_capture_on_commit_callbacks
):
    """Suggestions are kept between views (matchmaking.suggestions_for_mentees): each change that makes
    them different shows at once, in the reader's language and with the mentors' names as they are now."""
    mia = survey.person(Role.MENTEE, full_name="Mia Mentee", skills=["Networking"]).memberships.get()
    nate = survey.person(Role.MENTOR, full_name="Nate Networker", skills=["Networking"]).memberships.get()
    client.force_login(admin)
    pairing = url(survey.program, "matching:pairing")

    def suggested():
        response = client.get(pairing)
        rows = {row.mentee: row for row in response.context["rows"]}
        return [s.mentor.user.full_name for s in rows[mia].suggestions], response.content.decode()

    names, page = suggested()
    assert names == ["Nate Networker"] and "Wants Networking; Nate can help with it" in page
    assert suggested()[0] == ["Nate Networker"]  # seen again: the same, from what was kept
    # A pairing fills Nate's one place: he is no longer suggested; ending it frees the place again.
    # Each write is committed, as in a request: the program gets a new stamp (mentorship.stamps).
    with django_capture_on_commit_callbacks(execute=True):
        other = survey.person(Role.MENTEE, full_name="Olga Other").memberships.get()
        taken = pairing_create(program=survey.program, mentor=nate, mentee=other, by=admin, notify=False)
    names, page = suggested()
    assert names == [] and "Every compatible mentor is full." in page
    with django_capture_on_commit_callbacks(execute=True):
        pairing_end(pairing=taken, by=admin, reason="Moved away.")
    assert suggested()[0] == ["Nate Networker"]
    # A new name shows in the reasons and on the button.
    nate.user.full_name = "Nathan Networker"
    with django_capture_on_commit_callbacks(execute=True):
        nate.user.save()
    names, page = suggested()
    assert names == ["Nathan Networker"] and "Wants Networking; Nathan can help with it" in page
    assert f'name="mentor" value="{nate.pk}"' in page and "Pair Mia Mentee with Nathan Networker" in page
    # In French, the same suggestion in French words.
    admin.language = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        admin.save()
    assert "Nathan peut y répondre" in suggested()[1]
    # Mia now speaks only French, which Nate does not: no suggestion, and the true reason why.
    with django_capture_on_commit_callbacks(execute=True):
        answers_save(membership=mia, answers={survey.language: [survey.option(survey.language, "French")]})
    names, page = suggested()
    assert names == [] and "Aucun mentor ne remplit l" in page


def test_pairing_by_hand_shows_at_once_in_the_unpaired_count_free_places_and_active_pairings(
    client, survey, admin, django_capture_on_commit_callbacks
):
    """The pairing page keeps what it read under the program's stamp: the next view after a pairing is made
    by hand (committed, as the request commits it) shows one unpaired mentee fewer, the mentor's place taken,
    and the new pairing in the active ones."""
    mia = survey.person(Role.MENTEE, full_name="Mia Mentee", skills=["Networking"]).memberships.get()
    survey.person(Role.MENTEE, full_name="Max Mentee", skills=["Networking"])
    nate = survey.person(Role.MENTOR, full_name="Nate Networker", skills=["Networking"]).memberships.get()
    nate.capacity = 2
    nate.save()
    client.force_login(admin)
    page = client.get(url(survey.program, "matching:pairing")).content.decode()
    assert "2 unpaired mentees" in page and "2 free places" in page and "No pairings yet." in page
    assert "2 unpaired mentees" in client.get(url(survey.program, "matching:pairing")).content.decode()  # kept
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(survey.program, "matching:pair"), {"mentee": mia.pk, "mentor": nate.pk})
    page = client.get(url(survey.program, "matching:pairing")).content.decode()
    assert "1 unpaired mentee" in page and "1 free place" in page and "2 free places" not in page
    assert "No pairings yet." not in page and "<td>Nate Networker</td><td>Mia Mentee</td>" in page

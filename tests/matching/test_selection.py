"""The mentee's side of ranked requests (F4, seed 000): opening selection, selecting and ranking, the status
page, reordering, used-up choices, re-match, and the 404s while the flow is switched off."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from matching.models import MentorRequest, MentorSelection, Pairing, PairingStatus, RequestEvent
from matching.services import requests as request_service
from matching.services import selection as service
from matching.services.pairing import pairing_create
from mentorship.models import OutboxEmail
from organizations.models import Program, Role
from tests.factories import PASSWORD, member
from tests.helpers import assert_constant_queries


def url(program, name, *args):
    return reverse(f"matching:{name}", args=[program.organization.slug, program.slug, *args])


def select_emails(to=None):
    rows = OutboxEmail.objects.filter(kind="select_your_mentors")
    return sorted(rows.filter(recipient=to) if to else rows.values_list("recipient", flat=True))


@pytest.fixture
def cast(survey):
    """Three mentors who speak English and teach networking, a mentee who wants to learn it, and an admin."""
    mentors = [
        survey.person(Role.MENTOR, full_name=name, skills=["Networking"])
        for name in ("Ana Alpha", "Ben Beta", "Cy Gamma")
    ]
    mentee = survey.person(Role.MENTEE, full_name="Mia Mentee", skills=["Networking"])
    admin = member(survey.program, Role.PROGRAM_ADMIN)
    return survey.program, mentee, [m.memberships.get() for m in mentors], admin


def ranks(*pairs):
    return {f"rank_{mentor.pk}": str(rank) for mentor, rank in pairs}


def confirm(client, program, mentors):
    return client.post(url(program, "select_review"), {"mentor": [m.pk for m in mentors]})


# ------------------------------------------------------------------ opening mentor selection


def test_opening_emails_each_mentee_with_answers_once_even_when_clicked_twice(
    client, cast, survey, django_capture_on_commit_callbacks
):
    program, mentee, mentors, admin = cast
    survey.person(Role.MENTEE, complete_profile=True, email="paired@example.org")  # paired below: not emailed
    paired = program.memberships.get(user__email="paired@example.org")
    pairing_create(program=program, mentor=mentors[2], mentee=paired, by=None, notify=False)
    member(program, Role.MENTEE, email="noanswers@example.org")  # questionnaire not complete: not emailed
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(program, "selection_open"), follow=True)
    assert "Mentor selection is open" in response.content.decode()
    assert select_emails() == [mentee.email]
    assert Program.objects.get(pk=program.pk).mentor_selection_opened_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(program, "selection_open"), follow=True)
    assert "Mentor selection was already open" in response.content.decode()
    assert select_emails() == [mentee.email]
    body = OutboxEmail.objects.get(kind="select_your_mentors").payload["body"]
    assert "select up to 3 mentors, ranked in order" in body
    assert url(program, "select_mentors") in body


def test_closing_and_opening_again_is_a_new_opening_with_a_new_email(client, cast, django_capture_on_commit_callbacks):
    program, mentee, _mentors, admin = cast
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(program, "selection_open"))
    client.post(url(program, "selection_close"))
    assert Program.objects.get(pk=program.pk).mentor_selection_opened_at is None
    page = client.get(url(program, "requests_admin")).content.decode()
    assert "Open mentor selection" in page
    Program.objects.filter(pk=program.pk).update(mentor_selection_opened_at=timezone.now() + timedelta(seconds=5))
    from matching.tasks import send_select_mentors_emails

    send_select_mentors_emails(program.pk)
    assert select_emails() == [mentee.email, mentee.email]


def test_a_mentee_who_completes_the_questionnaire_while_open_is_emailed_then(
    client, survey, django_capture_on_commit_callbacks
):
    program = survey.program
    service.selection_open(program=program, by=None)
    user = member(program, Role.MENTEE, bio="Hi", languages="English", location="Paris", full_name="Lea Late")
    client.force_login(user)
    data = {
        f"q{survey.language.pk}": [survey.option(survey.language, "English")],
        f"q{survey.skills.pk}": [survey.option(survey.skills, "Networking")],
        f"q{survey.structure.pk}": "3",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(program, "questionnaire"), data)
    assert response.status_code == 302
    assert select_emails() == [user.email]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(program, "questionnaire"), data)  # saved again: no second email for this opening
    assert select_emails() == [user.email]


def test_home_shows_select_your_mentors_while_open(client, cast, django_capture_on_commit_callbacks):
    program, mentee, _mentors, _admin = cast
    client.force_login(mentee)
    assert "Select your mentors" not in client.get(reverse("home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # committed, as home sees it (kept under the stamp)
        service.selection_open(program=program, by=None)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{url(program, "select_mentors")}">Select your mentors</a>' in home
    assert "Select your mentors</a>" in client.get(program.get_absolute_url()).content.decode()


# ------------------------------------------------------------------ selecting


def test_select_rank_review_confirm_sends_the_first_choice(client, cast):
    program, mentee, mentors, _admin = cast
    service.selection_open(program=program, by=None)
    client.force_login(mentee)
    page = client.get(url(program, "select_mentors")).content.decode()
    assert "Rank for Ana Alpha" in page and "Select up to 3 mentors" in page
    response = client.post(url(program, "select_mentors"), ranks((mentors[2], 1), (mentors[0], 2), (mentors[1], 3)))
    review = response["Location"]
    assert review.startswith(url(program, "select_review"))
    page = client.get(review).content.decode()
    assert re.findall(r"<strong>([^<]+)</strong>", page) == ["Cy Gamma", "Ana Alpha", "Ben Beta"]
    assert not MentorRequest.objects.exists()  # nothing is sent before "Confirm and send"
    response = confirm(client, program, [mentors[2], mentors[0], mentors[1]])
    assert response["Location"] == url(program, "my_selection")
    selection = MentorSelection.objects.get(mentee__user=mentee)
    rows = list(selection.requests.order_by("rank").values_list("mentor_id", "state"))
    assert rows == [(mentors[2].pk, "waiting"), (mentors[0].pk, "pending"), (mentors[1].pk, "pending")]


def test_a_mentor_not_recommended_is_refused_and_the_choices_are_kept(client, cast, survey):
    program, mentee, mentors, _admin = cast
    stranger = survey.person(Role.MENTOR, languages=("French",), skills=["Networking"]).memberships.get()
    MentorRequest.objects.none()
    service.selection_open(program=program, by=None)
    client.force_login(mentee)
    data = ranks((mentors[0], 1), (mentors[1], 2)) | {f"rank_{stranger.pk}": "3"}
    page = client.post(url(program, "select_mentors"), data).content.decode()
    assert "There is a problem" in page
    assert "You can only choose among the mentors recommended to you" in page
    assert (
        '<option value="1" selected>1</option>' in page.split(f'id="id_rank_{mentors[0].pk}"')[1].split("</select>")[0]
    )
    assert not MentorRequest.objects.exists()
    response = confirm(client, program, [mentors[0], stranger])  # posted straight to the confirmation
    assert not MentorRequest.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "You can only choose among the mentors recommended to you" in page
    assert '<option value="1" selected>1</option>' in page


def test_more_than_n_or_the_same_rank_twice_is_refused(client, cast):
    program, mentee, mentors, _admin = cast
    program.max_choices = 2
    program.save()
    service.selection_open(program=program, by=None)
    client.force_login(mentee)
    page = client.post(url(program, "select_mentors"), ranks((mentors[0], 1), (mentors[1], 1))).content.decode()
    assert "Give each chosen mentor a different rank." in page
    page = client.post(url(program, "select_mentors"), ranks((mentors[0], 1), (mentors[1], 2), (mentors[2], 3)))
    assert "Select a valid choice" in page.content.decode()
    confirm(client, program, mentors)
    assert not MentorRequest.objects.exists()


def test_selection_closed_lets_nobody_start_but_used_up_choices_may_choose_again(client, cast):
    program, mentee, mentors, _admin = cast
    client.force_login(mentee)
    page = client.get(url(program, "select_mentors")).content.decode()
    assert "Mentor selection is not open yet." in page
    confirm(client, program, [mentors[0]])
    assert not MentorRequest.objects.exists()


@pytest.fixture
def confirm_sent(client, django_capture_on_commit_callbacks):
    """ "Confirm and send", with what it queued after commit run (the request email to the first mentor)."""

    def post(program, mentors, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url(program, "select_review"), {"mentor": [m.pk for m in mentors]}, **extra)

    return post


def requests_sent_to():
    return sorted(OutboxEmail.objects.filter(kind="request_sent").values_list("recipient", flat=True))


def test_confirm_and_send_is_limited_per_mentee_with_the_429_page_and_resets(client, cast, rate_limits, confirm_sent):
    """Each "Confirm and send" emails a mentor (issue 14): past the mentee's limit nothing is sent."""
    rate_limits(selection_confirm="1/h/user,10/h/ip")
    program, mentee, mentors, _admin = cast
    service.selection_open(program=program, by=None)
    client.force_login(mentee)
    assert confirm_sent(program, [mentors[0]])["Location"] == url(program, "my_selection")
    request_service.request_decline(request_id=MentorRequest.objects.get().pk, by=mentors[0].user)
    response = confirm_sent(program, [mentors[1]])  # the choices are used up: choosing again is over the limit
    page = response.content.decode()
    assert response.status_code == 429
    assert "<h1>Too many attempts</h1>" in page and "Try again in at most 60 minutes." in page
    assert "Nothing was sent this time." in page
    assert MentorSelection.objects.count() == 1 and requests_sent_to() == [mentors[0].user.email]
    rate_limits.clock.advance(3601)
    assert confirm_sent(program, [mentors[1]])["Location"] == url(program, "my_selection")
    assert requests_sent_to() == sorted([mentors[0].user.email, mentors[1].user.email])


def test_confirm_and_send_is_limited_per_address_across_mentees(client, cast, survey, rate_limits, confirm_sent):
    rate_limits(selection_confirm="10/h/user,1/h/ip")
    program, mentee, mentors, _admin = cast
    other = survey.person(Role.MENTEE, full_name="Noa Other", skills=["Networking"])
    service.selection_open(program=program, by=None)
    client.force_login(mentee)
    assert confirm_sent(program, [mentors[0]]).status_code == 302
    client.force_login(other)  # another mentee, the same address
    assert confirm_sent(program, [mentors[1]]).status_code == 429
    assert not MentorSelection.objects.filter(mentee__user=other).exists()
    # From another address the same mentee may go on (their own limit is 10).
    assert confirm_sent(program, [mentors[1]], REMOTE_ADDR="10.0.0.9")["Location"] == url(program, "my_selection")
    assert requests_sent_to() == sorted([mentors[0].user.email, mentors[1].user.email])


def test_answering_requests_is_limited_per_mentor_with_the_429_page_and_resets(client, cast, survey, rate_limits):
    """Each answer emails the mentee, or asks the next mentor (request_answer)."""
    rate_limits(request_answer="1/h/user,10/h/ip")
    program, mentee, mentors, _admin = cast
    other = survey.person(Role.MENTEE, full_name="Noa Other", skills=["Networking"])
    service.selection_open(program=program, by=None)
    for person in (mentee, other):
        client.force_login(person)
        confirm(client, program, [mentors[0]])
    first, second = MentorRequest.objects.order_by("pk")
    client.force_login(mentors[0].user)
    decline = lambda r: client.post(url(program, "request_detail", r.pk), {"action": "decline"})  # noqa: E731
    assert decline(first).status_code == 302
    response = decline(second)
    assert response.status_code == 429 and "Nothing was sent this time." in response.content.decode()
    assert MentorRequest.objects.get(pk=second.pk).state == "waiting"
    rate_limits.clock.advance(3601)
    assert decline(second).status_code == 302
    assert MentorRequest.objects.get(pk=second.pk).state == "declined"


def test_answering_by_the_emailed_link_is_limited_per_address(client, cast, survey, rate_limits):
    rate_limits(request_answer_by_link="1/h/ip")
    program, mentee, mentors, _admin = cast
    other = survey.person(Role.MENTEE, full_name="Noa Other", skills=["Networking"])
    service.selection_open(program=program, by=None)
    for person in (mentee, other):
        client.force_login(person)
        confirm(client, program, [mentors[0]])
    client.logout()  # the mentor answers from the email, not signed in
    links = [
        reverse("request_token", args=[request_service.request_token(r.pk, r.sent_at)])
        for r in MentorRequest.objects.order_by("pk")
    ]
    assert client.post(links[0], {"action": "decline"}).status_code == 200
    response = client.post(links[1], {"action": "decline"})
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert list(MentorRequest.objects.order_by("pk").values_list("state", flat=True)) == ["declined", "waiting"]
    assert client.post(links[1], {"action": "decline"}, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_pairing_by_hand_and_opening_selection_are_limited_per_admin(client, cast, survey, rate_limits):
    rate_limits(pairing_change="1/h/user,10/h/ip", selection_open="1/h/user,10/h/ip")
    program, mentee, mentors, admin = cast
    other = survey.person(Role.MENTEE, full_name="Noa Other", skills=["Networking"]).memberships.get()
    client.force_login(admin)
    pair = lambda m, n: client.post(url(program, "pair"), {"mentee": m.pk, "mentor": n.pk})  # noqa: E731
    assert pair(mentee.memberships.get(), mentors[1]).status_code == 302
    assert pair(other, mentors[2]).status_code == 429
    assert Pairing.objects.count() == 1
    assert client.post(url(program, "selection_open")).status_code == 302
    client.post(url(program, "selection_close"))
    response = client.post(url(program, "selection_open"))
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert Program.objects.get(pk=program.pk).mentor_selection_opened_at is None


# ------------------------------------------------------------------ where things stand


def _selected(client, program, mentee, mentors):
    service.selection_open(program=program, by=None)
    client.force_login(mentee)
    confirm(client, program, mentors)
    return MentorSelection.objects.get(mentee__user=mentee)


def test_status_page_says_who_is_asked_until_when_what_next_and_the_longest_wait(client, cast):
    program, mentee, mentors, _admin = cast
    mentee.timezone = "America/Toronto"
    mentee.save()
    selection = _selected(client, program, mentee, mentors)
    first = selection.requests.get(rank=1)
    request_service.request_decline(request_id=first.pk, by=mentors[0].user)
    page = client.get(url(program, "my_selection")).content.decode()
    assert "Asking now: Ben Beta (rank 2 of 3)" in page
    second = selection.requests.get(rank=2)
    local = timezone.localtime(second.deadline, timezone=ZoneInfo("America/Toronto"))
    # As the page writes it (12-hour in English: a fixed "%H:%M" failed after noon in Toronto).
    assert f"until {date_format(local, 'DATETIME_FORMAT')} (America/Toronto)" in page
    assert "Ana Alpha</strong>: declined" in page
    assert "if they decline or do not answer in time, Cy Gamma is asked" in page
    assert "The longest you may still wait" in page


def test_choices_not_sent_move_up_and_down_until_the_first_mentor_answers(
    client, cast, django_capture_on_commit_callbacks
):
    program, mentee, mentors, _admin = cast
    selection = _selected(client, program, mentee, mentors)
    page = client.get(url(program, "my_selection")).content.decode()
    assert "Down<span" in page
    third = selection.requests.get(mentor=mentors[2])
    client.post(url(program, "selection_move"), {"choice": third.pk, "direction": "up"})
    order = list(selection.requests.order_by("rank").values_list("mentor_id", flat=True))
    assert order == [mentors[0].pk, mentors[2].pk, mentors[1].pk]
    assert RequestEvent.objects.filter(request=third, note="Moved to rank 2 by the mentee").exists()
    with django_capture_on_commit_callbacks(execute=True):  # committed, as the pages see it: a new program stamp
        request_service.request_decline(request_id=selection.requests.get(rank=1).pk, by=mentors[0].user)
    response = client.post(url(program, "selection_move"), {"choice": selection.requests.get(rank=3).pk}, follow=True)
    assert "the order of your choices can no longer change" in response.content.decode()
    assert list(selection.requests.order_by("rank").values_list("mentor_id", flat=True)) == order
    assert "Down<span" not in client.get(url(program, "my_selection")).content.decode()


def test_used_up_choices_tell_the_mentee_and_offer_fresh_recommendations(
    client, cast, survey, django_capture_on_commit_callbacks
):
    program, mentee, mentors, _admin = cast
    selection = _selected(client, program, mentee, mentors[:1])
    with django_capture_on_commit_callbacks(execute=True):  # committed, as the pages see it: a new program stamp
        service.selection_close(program=program, by=None)
        request_service.request_decline(request_id=selection.requests.get().pk, by=mentors[0].user)
    assert MentorSelection.objects.get(pk=selection.pk).state == "exhausted"
    home = client.get(reverse("home")).content.decode()
    assert "Your choices are used up: select your mentors again" in home
    assert "Every choice is used up" in client.get(url(program, "my_selection")).content.decode()
    page = client.get(url(program, "select_mentors")).content.decode()
    assert "fresh recommendations: choose again" in page
    assert "Rank for Ben Beta" in page and "Rank for Ana Alpha" not in page  # who declined is not offered


def test_reopen_selection_after_a_rematch_lets_the_mentee_select_and_emails_them(client, cast):
    from mentorship.pairings.services import rematch

    program, mentee, mentors, _admin = cast
    pairing = pairing_create(program=program, mentor=mentors[0], mentee=mentee.memberships.get(), by=None, notify=False)
    rematch(pairing=pairing, by=mentee)
    assert Pairing.objects.get(pk=pairing.pk).status == PairingStatus.ENDED
    assert select_emails() == [mentee.email]
    client.force_login(mentee)
    page = client.get(url(program, "select_mentors")).content.decode()
    assert "Rank for Ben Beta" in page and "Rank for Ana Alpha" not in page
    confirm(client, program, [mentors[1]])
    assert MentorSelection.objects.get(mentee__user=mentee).state == "open"


# ------------------------------------------------------------------ flow switched off, GET changes nothing


MENTEE_URLS = ["select_mentors", "select_review", "my_selection", "selection_move"]


def test_every_selection_url_is_404_while_ranked_requests_are_off(client, cast):
    program, mentee, mentors, admin = cast
    _selected(client, program, mentee, mentors)
    program.ranked_matching_enabled = False
    program.save()
    for name in MENTEE_URLS:
        assert client.get(url(program, name)).status_code in (404, 405), name
        assert client.post(url(program, name), {"mentor": [mentors[0].pk]}).status_code == 404, name
    assert "Select your mentors" not in client.get(reverse("home")).content.decode()
    assert "Select your mentors" not in client.get(url(program, "recommendations")).content.decode()
    client.force_login(admin)
    for name in ("selection_open", "selection_close"):
        assert client.post(url(program, name)).status_code == 404
    assert "Open mentor selection" not in client.get(url(program, "requests_admin")).content.decode()


def _rows():
    tables = (MentorRequest, MentorSelection, RequestEvent, Pairing, OutboxEmail, Program)
    return [list(model.objects.order_by("pk").values()) for model in tables]


def test_get_and_head_of_every_emailed_link_change_no_row(client, cast, django_capture_on_commit_callbacks):
    program, mentee, mentors, _admin = cast
    with django_capture_on_commit_callbacks(execute=True):
        service.selection_open(program=program, by=None)
    select_url = re.search(r"http://testserver(\S+)", OutboxEmail.objects.get().payload["body"]).group(1)
    selection = _selected(client, program, mentee, mentors)
    before = _rows()
    for path in (select_url, url(program, "my_selection"), url(program, "select_review") + f"?mentor={mentors[0].pk}"):
        assert client.get(path).status_code in (200, 302)
        assert client.head(path).status_code in (200, 302)
    token = request_service.request_token(selection.requests.get(rank=1).pk, selection.requests.get(rank=1).sent_at)
    client.logout()
    for method in (client.get, client.head):
        assert method(reverse("request_token", args=[token])).status_code == 200
    assert _rows() == before


def test_the_token_page_offers_to_log_in_and_land_back_on_the_request(client, cast):
    program, mentee, mentors, _admin = cast
    selection = _selected(client, program, mentee, mentors)
    first = selection.requests.get(rank=1)
    client.logout()
    page = client.get(reverse("request_token", args=[request_service.request_token(first.pk, first.sent_at)]))
    detail = url(program, "request_detail", first.pk)
    login = re.search(r'href="(/accounts/login/\?next=[^"]+)"', page.content.decode()).group(1)
    response = client.post(login, {"login": mentors[0].user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == detail


# ------------------------------------------------------------------ queries


def test_selection_page_runs_the_same_queries_with_few_and_many_mentors(client, cast, survey):
    program, mentee, _mentors, _admin = cast
    program.recommendations_count = 20
    program.save()
    service.selection_open(program=program, by=None)
    client.force_login(mentee)

    def add(n):
        for _ in range(n):
            survey.person(Role.MENTOR, skills=["Networking"])

    assert_constant_queries(client, url(program, "select_mentors"), add, few=2, many=15)


def test_review_step_runs_the_same_queries_with_few_and_many_choices(client, cast, survey):
    """The review lists the mentors ranked (from the URL): two of them, or ten, among many recommended."""
    program, mentee, mentors, _admin = cast
    program.recommendations_count = 20
    program.max_choices = 10
    program.save()
    service.selection_open(program=program, by=None)
    client.force_login(mentee)
    chosen = list(mentors)
    for _ in range(12):
        chosen.append(survey.person(Role.MENTOR, skills=["Networking"]).memberships.get())

    def review(n):
        page = client.get(url(program, "select_review"), {"mentor": [m.pk for m in chosen[:n]]})
        assert page.status_code == 200
        assert chosen[n - 1].user.full_name in page.content.decode()
        return page

    review(2)
    with CaptureQueriesContext(connection) as two:
        review(2)
    with CaptureQueriesContext(connection) as ten:
        review(10)
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_status_page_runs_the_same_queries_with_few_and_many_choices(client, cast, survey):
    program, mentee, _mentors, _admin = cast
    program.max_choices = 10
    program.save()
    client.force_login(mentee)
    membership = mentee.memberships.get()
    state = {"mentors": []}

    def add(n):
        state["mentors"] += [survey.person(Role.MENTOR).memberships.get() for _ in range(n)]
        MentorSelection.objects.filter(mentee=membership).delete()
        allowed = {m.pk: (50.0, ["Languages: both speak English"]) for m in state["mentors"]}
        request_service.select_mentors(
            program=program, mentee=membership, mentor_ids=list(allowed), allowed=allowed, by=None
        )
        request_service.request_decline(request_id=MentorRequest.objects.get(mentee=membership, rank=1).pk, by=None)

    assert_constant_queries(client, url(program, "my_selection"), add, few=2, many=10)


# ------------------------------------------------------------------ used up: nobody is left in silence


def test_used_up_emails_lost_with_the_broker_are_sent_by_the_sweep_once(cast, django_capture_on_commit_callbacks):
    program, mentee, mentors, admin = cast
    membership = mentee.memberships.get()
    allowed = {mentors[0].pk: (60.0, [])}
    selection = request_service.select_mentors(
        program=program, mentee=membership, mentor_ids=[mentors[0].pk], allowed=allowed, by=None
    )
    request_service.request_decline(request_id=selection.requests.get().pk, by=None)  # its task never runs
    selection.refresh_from_db()
    assert (selection.state, selection.mailed_at) == ("exhausted", None)
    assert not OutboxEmail.objects.filter(kind="choices_used_up").exists()
    later = timezone.now() + timedelta(minutes=6)
    assert request_service.programs_due(later) == [program.pk]
    with django_capture_on_commit_callbacks(execute=True):
        request_service.sweep(now=later)
    rows = OutboxEmail.objects.filter(kind="choices_used_up")
    assert sorted(rows.values_list("recipient", flat=True)) == sorted([mentee.email, admin.email])
    assert MentorSelection.objects.get(pk=selection.pk).mailed_at is not None
    assert request_service.programs_due(later) == []
    with django_capture_on_commit_callbacks(execute=True):
        request_service.sweep(now=later)
    assert rows.count() == 2


def test_admins_see_the_mentee_waiting_with_no_candidates(client, cast):
    program, mentee, mentors, admin = cast
    membership = mentee.memberships.get()
    selection = request_service.select_mentors(
        program=program, mentee=membership, mentor_ids=[mentors[0].pk], allowed={mentors[0].pk: (60.0, [])}, by=None
    )
    request_service.request_decline(request_id=selection.requests.get().pk, by=None)
    client.force_login(admin)
    page = client.get(url(program, "requests_admin")).content.decode()
    section = page.split("Waiting, no candidates")[1]
    assert "Mia Mentee" in section and mentee.email in section


@pytest.fixture
def english_afterwards():
    """The middleware activates the person's language in this thread; later tests expect the default again."""
    yield
    translation.deactivate()


def test_the_selection_pages_and_email_speak_french(
    client, cast, django_capture_on_commit_callbacks, english_afterwards
):
    program, mentee, mentors, _admin = cast
    mentee.language = "fr"
    mentee.save()
    with django_capture_on_commit_callbacks(execute=True):
        service.selection_open(program=program, by=None)
    email = OutboxEmail.objects.get(kind="select_your_mentors").payload
    assert email["subject"] == f"Sélectionnez vos mentors dans {program.name}"
    assert "premier arrivé, premier servi" in email["body"]
    client.force_login(mentee)
    page = client.get(url(program, "select_mentors")).content.decode()
    assert "Sélectionnez vos mentors" in page and "Rang de Ana Alpha" in page
    confirm(client, program, mentors)
    page = client.get(url(program, "my_selection")).content.decode()
    assert "Demande en cours : Ana Alpha (rang 1 sur 3)" in page

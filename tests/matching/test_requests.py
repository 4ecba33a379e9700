"""Ranked mentor requests (F4): selecting, sending, accepting, declining, moving on, the sweep."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from matching.models import (
    MentorDecline,
    MentorRequest,
    MentorSelection,
    Pairing,
    PairingSource,
    PairingStatus,
    RequestEvent,
    RequestState,
    SelectionState,
)
from matching.services import requests as service
from matching.services.pairing import pairing_create
from organizations.models import Membership, Role
from tests.factories import ProgramFactory, member


def people(program, role, n, **fields):
    return [member(program, role, **fields).memberships.get() for _ in range(n)]


@pytest.fixture
def program(db):
    return ProgramFactory(default_capacity=1, max_capacity=5)


def select(program, mentee, mentors, by=None):
    allowed = {m.pk: (80.0, ["Languages: both speak French"]) for m in mentors}
    return service.select_mentors(
        program=program, mentee=mentee, mentor_ids=[m.pk for m in mentors], allowed=allowed, by=by
    )


def states(selection):
    return list(selection.requests.order_by("rank").values_list("state", flat=True))


def token_of(message):
    return re.search(r"/r/([^/]+)/", message.body).group(1)


@pytest.fixture
def cast(program):
    mentee = people(program, Role.MENTEE, 1)[0]
    mentors = people(program, Role.MENTOR, 3)
    return mentee, mentors


def test_selecting_sends_the_first_choice_with_a_deadline_and_a_link(program, cast, django_capture_on_commit_callbacks):
    mentee, mentors = cast
    with django_capture_on_commit_callbacks(execute=True):
        selection = select(program, mentee, mentors)
    assert states(selection) == ["waiting", "pending", "pending"]
    first = selection.requests.get(rank=1)
    assert first.deadline - first.sent_at == timedelta(days=3)
    assert first.remind_at == first.deadline - timedelta(hours=24)
    [message] = mail.outbox
    assert message.to == [mentors[0].user.email]
    assert mentee.user.full_name in message.subject
    assert "Languages: both speak French" in message.body
    assert service.request_for_token(token_of(message)).pk == first.pk
    assert first.token_hash and token_of(message) not in first.token_hash


def test_only_recommended_mentors_and_at_most_n(program, cast):
    mentee, mentors = cast
    program.max_choices = 2
    with pytest.raises(service.RequestError, match="at most 2"):
        select(program, mentee, mentors)
    with pytest.raises(service.RequestError, match="recommended"):
        service.select_mentors(program=program, mentee=mentee, mentor_ids=[mentors[0].pk], allowed={}, by=None)
    assert not MentorRequest.objects.exists()


def test_decline_records_it_and_asks_the_next_with_a_fresh_deadline(program, cast, django_capture_on_commit_callbacks):
    mentee, mentors = cast
    selection = select(program, mentee, mentors)
    first = selection.requests.get(rank=1)
    with django_capture_on_commit_callbacks(execute=True):
        answer = service.request_decline(request_id=first.pk, by=mentors[0].user, reason="Too busy")
    assert answer.ok
    assert states(selection) == ["declined", "waiting", "pending"]
    assert MentorDecline.objects.filter(mentor=mentors[0], mentee=mentee).exists()
    assert [m.to for m in mail.outbox] == [[mentors[1].user.email]]
    assert service.request_decline(request_id=first.pk, by=None).ok is False


def test_accept_pairs_closes_other_choices_and_emails_both(program, cast, django_capture_on_commit_callbacks):
    mentee, mentors = cast
    selection = select(program, mentee, mentors)
    with django_capture_on_commit_callbacks(execute=True):
        answer = service.request_accept(request_id=selection.requests.get(rank=1).pk, by=mentors[0].user)
    assert answer.ok
    assert states(selection) == ["accepted", "closed", "closed"]
    pairing = Pairing.objects.get(mentee=mentee)
    assert (pairing.mentor, pairing.source, pairing.status) == (mentors[0], PairingSource.REQUEST, PairingStatus.ACTIVE)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentee.user.email, mentors[0].user.email])
    assert all("schedule your first session" in m.body for m in mail.outbox)
    assert MentorSelection.objects.get().state == SelectionState.PAIRED
    again = service.request_accept(request_id=selection.requests.get(rank=1).pk, by=mentors[0].user)
    assert (again.ok, Pairing.objects.count()) == (False, 1)


def test_unavailable_choices_are_skipped_and_recorded(program, cast):
    mentee, mentors = cast
    other = people(program, Role.MENTEE, 1)[0]
    pairing_create(program=program, mentor=mentors[1], mentee=other, by=None, notify=False)  # full at capacity 1
    selection = select(program, mentee, mentors)
    service.request_decline(request_id=selection.requests.get(rank=1).pk, by=None)
    assert states(selection) == ["declined", "unavailable", "waiting"]
    assert RequestEvent.objects.filter(request__rank=2, to_state="unavailable").exists()


def test_a_mentor_reaching_capacity_moves_their_other_waiting_requests_on_at_once(
    program, django_capture_on_commit_callbacks
):
    mentor, backup = people(program, Role.MENTOR, 2)
    first, second = people(program, Role.MENTEE, 2)
    one = select(program, first, [mentor])
    two = select(program, second, [mentor, backup])
    with django_capture_on_commit_callbacks(execute=True):
        service.request_accept(request_id=one.requests.get().pk, by=None)
    assert states(two) == ["unavailable", "waiting"]
    assert backup.user.email in [m.to[0] for m in mail.outbox]


def test_used_up_choices_tell_the_mentee_and_the_admins(program, cast, django_capture_on_commit_callbacks):
    mentee, mentors = cast
    admin = member(program, Role.PROGRAM_ADMIN)
    selection = select(program, mentee, mentors[:1])
    with django_capture_on_commit_callbacks(execute=True):
        service.request_decline(request_id=selection.requests.get().pk, by=None)
    selection.refresh_from_db()
    assert selection.state == SelectionState.EXHAUSTED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentee.user.email, admin.email])
    # They may choose again: a new selection (the one who declined is no longer allowed by recommendations).
    assert select(program, mentee, mentors[1:2]).state == SelectionState.OPEN


def test_the_sweep_moves_expired_requests_on_once_and_reminds_once(program, django_capture_on_commit_callbacks):
    mentors = people(program, Role.MENTOR, 2)
    mentees = people(program, Role.MENTEE, 3)
    with django_capture_on_commit_callbacks(execute=True):
        selections = [select(program, mentee, mentors) for mentee in mentees]
    now = timezone.now()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = service.sweep(now=now + timedelta(days=2, hours=1))
    assert (result.moved_on, result.reminded) == (0, 3)
    assert len(mail.outbox) == 3 and all("Reminder" in m.subject for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert service.sweep(now=now + timedelta(days=2, hours=2)).reminded == 0
    mail.outbox.clear()
    later = now + timedelta(days=3, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = service.sweep(now=later)
    assert result.moved_on == 3
    assert [states(s) for s in selections] == [["expired", "waiting"]] * 3
    assert [m.to[0] for m in mail.outbox] == [mentors[1].user.email] * 3
    with django_capture_on_commit_callbacks(execute=True):
        assert service.sweep(now=later).moved_on == 0
    assert len(mail.outbox) == 3


def test_an_idle_sweep_is_one_query(program, cast, django_assert_num_queries):
    mentee, mentors = cast
    select(program, mentee, mentors)
    with django_assert_num_queries(1):
        assert service.sweep().moved_on == 0


def test_admin_skip_and_extend_are_recorded(program, cast):
    mentee, mentors = cast
    admin = member(program, Role.PROGRAM_ADMIN)
    selection = select(program, mentee, mentors)
    service.request_skip(request_id=selection.requests.get(rank=1).pk, by=admin)
    assert states(selection) == ["skipped", "waiting", "pending"]
    second = selection.requests.get(rank=2)
    new = timezone.now() + timedelta(days=10)
    assert service.request_extend(request_id=second.pk, by=admin, deadline=new).ok
    second.refresh_from_db()
    assert second.deadline == new
    assert set(RequestEvent.objects.filter(by=admin).values_list("request__rank", "to_state")) == {
        (1, "skipped"),
        (2, "waiting"),
    }
    assert RequestEvent.objects.filter(by=admin, note__startswith="New deadline").count() == 1


def test_one_waiting_request_per_selection_is_a_constraint(program, cast):
    from django.db import IntegrityError

    mentee, mentors = cast
    selection = select(program, mentee, mentors)
    with pytest.raises(IntegrityError):
        MentorRequest.objects.filter(selection=selection, rank=2).update(state=RequestState.WAITING)


def test_cancel_for_auto_paired_mentees_sends_nothing(program, cast, django_capture_on_commit_callbacks):
    mentee, mentors = cast
    selection = select(program, mentee, mentors)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert service.requests_cancel_for_mentees(program=program, mentee_ids=[mentee.pk], by=None) == 3
    assert states(selection) == ["cancelled"] * 3
    assert mail.outbox == []


def test_the_token_link_shows_that_request_and_answers_with_a_post(
    client, program, cast, django_capture_on_commit_callbacks
):
    mentee, mentors = cast
    with django_capture_on_commit_callbacks(execute=True):
        selection = select(program, mentee, mentors)
    token = token_of(mail.outbox[0])
    link = reverse("request_token", args=[token])
    before = list(MentorRequest.objects.values_list("pk", "state", "token_hash").order_by("pk"))
    for method in (client.get, client.head):
        assert method(link).status_code == 200
    assert list(MentorRequest.objects.values_list("pk", "state", "token_hash").order_by("pk")) == before
    page = client.get(link).content.decode()
    assert mentee.user.full_name in page and "Accept" in page
    assert client.get(reverse("request_token", args=["x" + token[1:]])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"action": "decline"})
    assert "next choice" in response.content.decode()
    assert states(selection) == ["declined", "waiting", "pending"]
    assert client.get(link).status_code == 404  # answered: the link is used up


def test_a_mentor_cannot_open_another_mentors_request(client, program, cast):
    mentee, mentors = cast
    selection = select(program, mentee, mentors)
    first = selection.requests.get(rank=1)
    url = reverse("matching:request_detail", args=[program.organization.slug, program.slug, first.pk])
    client.force_login(mentors[1].user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "accept"}).status_code == 404
    client.force_login(mentors[0].user)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "accept"})
    assert Pairing.objects.filter(mentor=mentors[0], mentee=mentee).exists()
    assert Membership.objects.filter(pk=mentee.pk).exists()


def test_the_beat_runs_the_sweep_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-requests"]
    assert (entry["task"], entry["schedule"]) == ("matching.tasks.expire_requests", 300)


def test_expire_requests_command_moves_on_and_an_email_lost_is_queued_again(
    program, cast, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from mentorship.models import OutboxEmail

    mentee, mentors = cast
    selection = select(program, mentee, mentors)  # its on-commit task never ran: as if the broker was down
    assert not OutboxEmail.objects.exists()
    MentorRequest.objects.update(sent_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_requests")
    assert OutboxEmail.objects.filter(recipient=mentors[0].user.email).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_requests")
    assert OutboxEmail.objects.filter(recipient=mentors[0].user.email).count() == 1
    MentorRequest.objects.filter(state="waiting").update(deadline=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_requests")
    assert states(selection) == ["expired", "waiting", "pending"]
    assert [m.to[0] for m in mail.outbox].count(mentors[1].user.email) == 1


def test_auto_pairing_approval_cancels_waiting_requests_without_email(
    program, cast, django_capture_on_commit_callbacks
):
    from matching.models import AutoPairProposal, AutoPairRun, RunStatus
    from matching.services.pairing import autopair_approve

    mentee, mentors = cast
    with django_capture_on_commit_callbacks(execute=True):
        selection = select(program, mentee, mentors)
    mail.outbox.clear()
    run = AutoPairRun.objects.create(program=program, status=RunStatus.PREVIEW)
    AutoPairProposal.objects.create(run=run, mentee=mentee, mentor=mentors[2], score=50)
    with django_capture_on_commit_callbacks(execute=True):
        autopair_approve(run=run, by=None, notify=False)
    assert states(selection) == ["cancelled"] * 3
    assert Pairing.objects.get(mentee=mentee).mentor == mentors[2]
    assert mail.outbox == []


ZONES = ["Europe/Paris", "America/New_York", "Australia/Sydney", "America/Santiago", "UTC"]


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    sent=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)),
    mentor_zone=st.sampled_from(ZONES),
    mentee_zone=st.sampled_from(ZONES),
)
def test_deadlines_land_exactly_72_hours_after_sending_across_daylight_saving(sent, mentor_zone, mentee_zone):
    program = ProgramFactory.build(response_days=3, reminder_hours=24)
    deadline = service.deadline_for(program, sent)
    for zone in (zoneinfo.ZoneInfo(mentor_zone), zoneinfo.ZoneInfo(mentee_zone)):
        local_sent, local_deadline = sent.astimezone(zone), deadline.astimezone(zone)
        elapsed = local_deadline.astimezone(UTC) - local_sent.astimezone(UTC)
        assert elapsed == timedelta(hours=72)
    assert service.remind_at_for(program, deadline, sent) == sent + timedelta(hours=48)


def test_the_mentors_and_the_admins_requests_pages_run_constant_queries(client, program):
    from tests.helpers import assert_constant_queries

    program.default_capacity = 5
    program.save()
    mentor = people(program, Role.MENTOR, 1)[0]
    admin = member(program, Role.PROGRAM_ADMIN)

    def add(n):
        for mentee in people(program, Role.MENTEE, n):
            selection = select(program, mentee, [mentor])
            if n % 2:
                service.request_decline(request_id=selection.requests.get().pk, by=admin, reason="no")

    client.force_login(mentor.user)
    mine = reverse("matching:my_requests", args=[program.organization.slug, program.slug])
    assert_constant_queries(client, mine, add, few=2, many=12)
    client.force_login(admin)
    page = reverse("matching:requests_admin", args=[program.organization.slug, program.slug])
    assert_constant_queries(client, page, add, few=2, many=12)
    assert mentor.user.full_name in client.get(page).content.decode()


def test_the_mentors_requests_page_shows_an_answer_on_the_next_view_and_the_time_left_as_it_runs(
    client, program, cast, django_capture_on_commit_callbacks
):
    """The page's rows are kept under the program's stamp: a committed answer is on the next view, and the time a
    waiting request has left is worked out on each view."""
    program.ranked_matching_enabled = True
    program.save()
    mentee, mentors = cast
    selection = select(program, mentee, mentors[:1])
    client.force_login(mentors[0].user)
    mine = reverse("matching:my_requests", args=[program.organization.slug, program.slug])
    deadline = selection.requests.get().deadline
    page = client.get(mine).content.decode()
    assert "Waiting for an answer" in page and f"({timeuntil(deadline)})" in page
    day_later = timezone.now() + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: day_later)
        assert f"({timeuntil(deadline, day_later)})" in client.get(mine).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        service.request_decline(request_id=selection.requests.get().pk, by=mentors[0].user)
    page = client.get(mine).content.decode()
    assert "Waiting for an answer" not in page and "Declined" in page


def test_the_admins_requests_page_shows_a_committed_change_on_the_next_view(
    client, program, cast, django_capture_on_commit_callbacks
):
    """The page keeps its rows under the program's stamp: a skip, once committed, shows at once."""
    mentee, mentors = cast
    admin = member(program, Role.PROGRAM_ADMIN)
    selection = select(program, mentee, mentors)
    first = selection.requests.get(rank=1)
    client.force_login(admin)
    page = reverse("matching:requests_admin", args=[program.organization.slug, program.slug])
    before = client.get(page).content.decode()
    skip = reverse("matching:request_skip", args=[program.organization.slug, program.slug, first.pk])
    assert f'action="{skip}"' in before and "<td>Skipped by an admin</td>" not in before
    assert before.count('name="csrfmiddlewaretoken"') >= 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(skip)
    after = client.get(page).content.decode()
    assert "<td>Skipped by an admin</td>" in after and f'action="{skip}"' not in after
    next_one = selection.requests.get(rank=2).pk
    second = reverse("matching:request_skip", args=[program.organization.slug, program.slug, next_one])
    assert f'action="{second}"' in after


def test_the_mentors_and_the_admins_requests_lists_page_with_links_to_the_next_page(client, program, cast):
    """26 requests to one mentor (25 a page on their list); 52 in the program (50 a page on the admins')."""
    program.max_capacity = program.default_capacity = 30
    program.save()
    _mentee, mentors = cast
    for mentee in people(program, Role.MENTEE, 26):
        select(program, mentee, mentors[:2])
    args = [program.organization.slug, program.slug]
    client.force_login(mentors[0].user)
    mine = reverse("matching:my_requests", args=args)
    first = client.get(mine).content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert first.count("Waiting for an answer") == 25
    second = client.get(mine + "?page=2").content.decode()
    assert "Page 2 of 2" in second and second.count("Waiting for an answer") == 1
    client.force_login(member(program, Role.PROGRAM_ADMIN))
    listed = reverse("matching:requests_admin", args=args)
    first = client.get(listed).content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first and first.count("<tr>") == 51  # head and 50 rows
    second = client.get(listed + "?page=2&state=").content.decode()
    assert "Page 2 of 2" in second and second.count("<tr>") == 3


def test_the_admins_requests_page_shows_the_time_left_as_it_runs_and_each_admin_posts_with_their_own_token(
    program, cast
):
    """The rows are kept as HTML under the program's stamp: the time a waiting request has left is worked out
    on each view, and each admin's forms carry that admin's CSRF token (the checks are on, as in production)."""
    from django.test import Client

    mentee, mentors = cast
    selection = select(program, mentee, mentors)
    first = selection.requests.get(rank=1)
    listed = reverse("matching:requests_admin", args=[program.organization.slug, program.slug])
    admins = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = []
    for admin in admins:
        admin.force_login(member(program, Role.PROGRAM_ADMIN))
        pages.append(admin.get(listed).content.decode())
    assert f"({timeuntil(first.deadline)})" in pages[0]
    day_later = timezone.now() + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: day_later)
        assert f"({timeuntil(first.deadline, day_later)})" in admins[0].get(listed).content.decode()
    skip = reverse("matching:request_skip", args=[program.organization.slug, program.slug, first.pk])
    # The token of the Skip form in the kept rows (not the layout's log-out form, rendered on each view).
    in_skip = rf'action="{re.escape(skip)}"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
    tokens = [re.search(in_skip, page).group(1) for page in pages]
    assert admins[0].post(skip, {"csrfmiddlewaretoken": tokens[1]}).status_code == 403  # another admin's token
    assert admins[1].post(skip, {"csrfmiddlewaretoken": tokens[1]}).status_code == 302
    assert states(selection) == ["skipped", "waiting", "pending"]

"""The program stamp (mentorship.stamps): a new stamp after every committed write to a program's rows, none
before the commit and none for a write rolled back, whatever path the write takes (a model's save or delete,
a many-to-many link, a bulk write of a service, the Django admin); None when Redis is down."""

import io
from datetime import timedelta
from functools import partial

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.deletion import Collector
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from mentorship import stamps
from mentorship.stamps import NO_DELETE_SIGNAL, PROGRAM_OF, program_stamp
from organizations.models import Membership, Organization, Program, Role

LABELS = sorted(PROGRAM_OF)


class Boom(Exception):
    pass


@pytest.fixture
def world(db):
    """The demo program (seed_demo: people, questionnaire, answers, sessions, requests, oversight, pairings), with
    a row of each model seed_demo leaves out."""
    call_command("seed_demo", mentees=4, mentors=3, stdout=io.StringIO())
    with scopes_disabled():
        program = Program.objects.get()
        _the_rest(program)
        missing = [label for label in LABELS if not apps.get_model(label)._base_manager.exists()]
        assert missing == [], "the test world lacks rows"
        yield program


def _the_rest(program: Program) -> None:
    from matching.models import AutoPairProposal, AutoPairRun, MentorDecline
    from mentorship.oversight.models import FollowUpView, Observation, ObservationRevision, OversightSettings
    from mentorship.pairings.models import (
        CheckIn,
        ConversationNotice,
        CycleSurvey,
        FeedbackQuestion,
        PairingSettings,
        ProgramCycle,
    )
    from organizations.models import AccessRequest, Invitation
    from organizations.services.invitations import invitation_issue
    from sessions_app.models import SessionSettings

    mentors = list(Membership.objects.filter(program=program, role=Role.MENTOR))
    mentees = list(Membership.objects.filter(program=program, role=Role.MENTEE))
    admin_user = Membership.objects.filter(program=program, role=Role.PROGRAM_ADMIN).first().user
    if not AutoPairRun.objects.exists():
        run = AutoPairRun.objects.create(program=program)
        AutoPairProposal.objects.create(run=run, mentee=mentees[0], mentor=mentors[0], score=50)
    if not MentorDecline.objects.exists():
        MentorDecline.objects.create(program=program, mentor=mentors[-1], mentee=mentees[-1])
    if not FollowUpView.objects.exists():
        FollowUpView.objects.create(program=program, mentee=mentees[0], viewer=admin_user, viewed_at=timezone.now())
    from matching.models import Pairing

    pairing = Pairing.objects.filter(program=program).first()
    if not ConversationNotice.objects.exists():
        ConversationNotice.objects.create(program=program, pairing=pairing, recipient=pairing.mentee)
    if not AccessRequest.objects.exists():
        AccessRequest.objects.create(
            organization=program.organization, program=program, admin_name="A", admin_email="a@example.org"
        )
    if not Invitation.objects.filter(program=program).exists():
        invitation_issue(organization=program.organization, email="new@example.org", role=Role.MENTEE, program=program)
    if not CheckIn.objects.exists():
        CheckIn.objects.create(program=program, pairing=pairing)
    if not CycleSurvey.objects.exists():
        CycleSurvey.objects.create(program=program, respondent=mentees[0], cycle_ends_on=timezone.localdate())
    if not FeedbackQuestion.objects.exists():
        FeedbackQuestion.objects.create(program=program, text="How did it go?", order=0)
    for model in (OversightSettings, SessionSettings, PairingSettings):
        model.objects.get_or_create(program=program)
    if not ObservationRevision.objects.exists():
        observation = Observation.objects.filter(program=program).first()
        ObservationRevision.objects.create(observation=observation, observed_on=observation.observed_on, text="Was")
    if not ProgramCycle.objects.exists():
        earlier = Program.objects.create(organization=program.organization, name="Earlier", slug="earlier")
        ProgramCycle.objects.create(program=program, previous=earlier, first=earlier)


def _row(label: str):
    """A row of the model, read afresh: nothing related loaded, as a view or a cascade has it."""
    rows = apps.get_model(label)._base_manager.order_by("pk")
    if label == "organizations.Membership":
        rows = rows.exclude(program=None)  # an organization admin's is in no program
    row = rows.first()
    assert row is not None, f"no {label} row in the test world"
    return row


def _programs_of(row) -> set[int]:
    paths = PROGRAM_OF[row._meta.label]
    found = set()
    for path in (paths,) if isinstance(paths, str) else paths:
        value = row
        for part in path.split("."):
            value = getattr(value, part)
        found.add(value)
    return found


def _setup_committed() -> None:
    """What the test wrote so far counts as committed (a test runs in one transaction that never commits): the
    stamps it asked for are given now, so that a test's write is judged alone."""
    for _sids, callback, _robust in connection.run_on_commit:
        if isinstance(callback, partial) and callback.func is stamps._flush:
            callback()  # bumps every batch still pending; the other callbacks find theirs done
            return


def _stamps(program_ids) -> dict:
    _setup_committed()
    return {pk: program_stamp(pk) for pk in program_ids}


def _bumped(before: dict) -> list[int]:
    """The programs of ``before`` whose stamp is new."""
    return [pk for pk, stamp in before.items() if program_stamp(pk) == stamp]


def test_a_save_of_every_program_owned_model_gives_the_program_a_new_stamp_after_the_commit_not_before(
    world, django_capture_on_commit_callbacks
):
    failures = []
    for label in LABELS:
        row = _row(label)
        before = _stamps(_programs_of(row))
        with django_capture_on_commit_callbacks(execute=True):
            row.save()
            if _bumped(before) != list(before):
                failures.append(f"{label}: a new stamp before the commit")
        if _bumped(before):
            failures.append(f"{label}: a saved row left the stamp of program(s) {_bumped(before)}")
    assert failures == []


def test_a_delete_of_every_program_owned_model_gives_the_program_a_new_stamp_after_the_commit_not_before(
    world, django_capture_on_commit_callbacks
):
    failures = []
    for label in sorted(set(LABELS) - NO_DELETE_SIGNAL - {"organizations.Program"}) + ["organizations.Program"]:
        row = _row(label)
        if label == "sessions_app.Location":  # its sessions protect it: a spare one
            row = type(row).objects.create(program_id=row.program_id, name="Spare room", address="1 Spare Street")
        before = _stamps(_programs_of(row))
        kept = transaction.savepoint()  # the world stays whole for the next model
        if label == "organizations.Program":
            # A location its sessions use is PROTECTed, even in the program's own cascade (see the report).
            apps.get_model("sessions_app.MentorshipSession")._base_manager.update(location=None)
        with django_capture_on_commit_callbacks(execute=True):
            row.delete()
            if _bumped(before) != list(before):
                failures.append(f"{label}: a new stamp before the commit")
        transaction.savepoint_rollback(kept)
        if _bumped(before):
            failures.append(f"{label}: a deleted row left the stamp of program(s) {_bumped(before)}")
    assert failures == []


def test_the_models_with_no_delete_receiver_keep_the_fast_cascade_and_their_admin_bumps(
    world, django_capture_on_commit_callbacks
):
    """Deleting a program, an organization or a member deletes these rows in one statement each (no row loaded);
    the parent's own delete bumps. Their admin's deletes (one row, or the selected ones) bump."""
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    failures = []
    for label in sorted(NO_DELETE_SIGNAL):
        model = apps.get_model(label)
        assert Collector(using="default", origin=None).can_fast_delete(model._base_manager.all()), label
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, stamps.BumpOnDeleteAdmin), label
        for one_row in (False, True):
            row = _row(label)
            before = _stamps(_programs_of(row))
            kept = transaction.savepoint()
            with django_capture_on_commit_callbacks(execute=True):
                if one_row:
                    model_admin.delete_model(request, row)
                else:
                    model_admin.delete_queryset(request, model._base_manager.filter(pk=row.pk))
            transaction.savepoint_rollback(kept)
            if _bumped(before):
                failures.append(f"{label}: the admin's delete left the stamp")
    assert failures == []


def _changes(program_id: int, write, capture) -> bool:
    """Whether ``write`` gives the program a new stamp once it commits (and none before)."""
    _setup_committed()
    before = program_stamp(program_id)
    with capture(execute=True):
        write()
        assert program_stamp(program_id) == before, "a new stamp before the commit"
    return program_stamp(program_id) != before


def test_the_bulk_writes_of_the_services_bump(world, django_capture_on_commit_callbacks):
    """Paths that write with ``update()``, ``bulk_create``/``bulk_update``, raw SQL or deletes that send no signal."""
    from matching.models import AutoPairRun, MentorRequest, Question, RequestState
    from matching.services.pairing import autopair_approve, autopair_compute
    from matching.services.questionnaire import question_move
    from matching.services.requests import request_extend
    from matching.services.selection import selection_close, selection_open
    from mentorship.oversight.models import Activity, ActivityDate
    from mentorship.oversight.services import attendance_record, looks_record, session_attendance_record
    from mentorship.pairings.services import agreement_save
    from sessions_app.models import Booking, BookingStatus

    program = world
    capture = django_capture_on_commit_callbacks
    soon = timezone.localdate() + timedelta(days=30)
    admin_user = Membership.objects.filter(program=program, role=Role.PROGRAM_ADMIN).first().user
    mentees = list(Membership.objects.filter(program=program, role=Role.MENTEE))
    question = Question.objects.filter(program=program).order_by("order").last()
    date = ActivityDate.objects.filter(activity__program=program).first()
    attendee = date.activity.mentees.first()
    booking = Booking.objects.filter(session__program=program, status=BookingStatus.BOOKED).first()
    session = booking.session
    session.starts_at = timezone.now() - timedelta(hours=1)
    session.save()
    waiting = MentorRequest.objects.filter(program=program, state=RequestState.WAITING).first()
    signed = apps.get_model("pairings.Agreement").objects.filter(status="signed").values("pairing_id")
    pairing = (
        apps.get_model("matching.Pairing")
        .objects.filter(program=program, status="active")
        .exclude(pk__in=signed)
        .first()
    )
    writes = {
        "question_move (bulk_update)": lambda: question_move(question=question, direction="up"),
        "attendance_record (bulk upsert)": lambda: attendance_record(
            date=ActivityDate.objects.get(pk=date.pk), by=admin_user, marks={attendee.pk: ("present", "")}
        ),
        "attendance_record (a mark cleared)": lambda: attendance_record(
            date=ActivityDate.objects.get(pk=date.pk), by=admin_user, marks={attendee.pk: ("", "")}
        ),
        "session_attendance_record (bulk_update)": lambda: session_attendance_record(
            session=session, marks={booking.pk: "attended"}
        ),
        "request_extend (update, raw SQL events)": lambda: request_extend(
            request_id=waiting.pk, by=admin_user, deadline=timezone.now() + timedelta(days=9)
        ),
        "selection_open (update of the program)": lambda: selection_open(program=program, by=admin_user),
        "selection_close (update of the program)": lambda: selection_close(program=program, by=admin_user),
        "agreement_save (goals deleted and bulk-inserted)": lambda: agreement_save(
            pairing=pairing,
            by=pairing.mentee,
            learning="Interviews",
            frequency="Weekly",
            meeting_format="Online",
            goals=[("A first goal", soon), ("A second goal", soon)],
            send=False,
        ),
        "activity archived (the admin's update)": lambda: admin.site._registry[Activity].archive(
            _admin_request(), Activity.objects.filter(program=program)
        ),
    }
    assert waiting is not None and pairing is not None
    unchanged = [name for name, write in writes.items() if not _changes(program.pk, write, capture)]
    assert unchanged == []

    # a look at mentees' follow-up leaves the stamp: no page keeps what shows looks (mentorship.stamps)
    looked = [(m.program_id, m.pk, m.user_id) for m in mentees]
    assert not _changes(program.pk, lambda: looks_record(viewer=admin_user, mentees=looked), capture)

    run = AutoPairRun.objects.create(program=program)
    assert _changes(program.pk, lambda: autopair_compute(run=run), capture), "autopair_compute (proposals)"
    assert _changes(program.pk, lambda: autopair_approve(run=run, by=admin_user), capture), "autopair_approve"


def _admin_request():
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    request._messages = _NoMessages()
    return request


class _NoMessages:
    def add(self, *args, **kwargs) -> None:
        pass


def test_answers_update_bumps_with_one_query_at_commit_whatever_their_number(world, django_capture_on_commit_callbacks):
    """Saving answers whose membership is not loaded (update_or_create reads them) costs no query per answer:
    their programs are read at commit, in one query for all."""
    from matching.models import Answer
    from matching.services.answers import answers_save

    membership = Membership.objects.filter(program=world, role=Role.MENTEE, answers__isnull=False).first()
    answers = {a.question: a.value for a in Answer.objects.filter(membership=membership).select_related("question")}
    assert len(answers) >= 3
    _setup_committed()
    before = program_stamp(world)
    with django_capture_on_commit_callbacks() as callbacks:
        answers_save(membership=Membership.objects.get(pk=membership.pk), answers=answers)
    ours = [c for c in callbacks if isinstance(c, partial) and c.func is stamps._flush]
    assert len(ours) >= len(answers)  # one per write...
    with CaptureQueriesContext(connection) as queries:
        for callback in ours:
            callback()
    assert len(queries) <= 1  # ...and at most one query for them all
    assert program_stamp(world) != before

    answer = Answer.objects.filter(membership=membership).first()  # nothing related loaded
    with CaptureQueriesContext(connection) as queries:
        answer.save()
    assert len(queries) == 1  # the UPDATE: the stamp's part waits for the commit


def test_erasing_a_person_bumps_the_programs_of_the_invitations_that_named_them(db, django_capture_on_commit_callbacks):
    from accounts.services import user_erase
    from organizations.services.invitations import invitation_issue
    from tests.factories import MembershipFactory, ProgramFactory

    mine, elsewhere, unrelated = ProgramFactory(), ProgramFactory(), ProgramFactory()
    person = MembershipFactory(program=mine).user
    with scopes_disabled():
        invitation_issue(organization=elsewhere.organization, email=person.email, role=Role.MENTOR, program=elsewhere)
    before = _stamps([mine.pk, elsewhere.pk, unrelated.pk])
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        assert user_erase(user_id=person.pk)
    assert _bumped(before) == [unrelated.pk]


def test_a_change_of_name_bumps_the_programs_the_person_is_in_and_a_login_does_not(
    db, client, django_capture_on_commit_callbacks
):
    from tests.factories import PASSWORD, MembershipFactory, ProgramFactory

    first, second, other = ProgramFactory(), ProgramFactory(), ProgramFactory()
    person = MembershipFactory(program=first).user
    MembershipFactory(program=second, user=person, organization=second.organization)
    before = _stamps([first.pk, second.pk, other.pk])
    with django_capture_on_commit_callbacks(execute=True):
        person.full_name = "Someone Else"
        person.save()
    assert _bumped(before) == [other.pk]

    before = _stamps([first.pk, second.pk, other.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).last_login is not None
    assert _bumped(before) == list(before)


def test_an_organization_save_bumps_its_programs_and_no_other(db, django_capture_on_commit_callbacks):
    from tests.factories import ProgramFactory

    one = ProgramFactory()
    two = ProgramFactory(organization=one.organization)
    other = ProgramFactory()
    before = _stamps([one.pk, two.pk, other.pk])
    organization = Organization.objects.get(pk=one.organization_id)
    with django_capture_on_commit_callbacks(execute=True):
        organization.name = "A new name"
        organization.save()
    assert _bumped(before) == [other.pk]


def test_many_to_many_links_bump(db, django_capture_on_commit_callbacks):
    """A member's groups, a session's groups, an activity's people: links with no model of ours."""
    from tests.factories import GroupFactory, MembershipFactory, ProgramFactory

    program, other = ProgramFactory(), ProgramFactory()
    membership, group = MembershipFactory(program=program), GroupFactory(program=program)
    for write in (
        lambda: membership.groups.add(group),
        lambda: group.members.remove(membership),
        lambda: membership.groups.set([group]),
        lambda: group.members.clear(),
    ):
        before = _stamps([program.pk, other.pk])
        assert _changes(program.pk, write, django_capture_on_commit_callbacks)
        assert program_stamp(other) == before[other.pk]


def test_a_rolled_back_write_leaves_the_stamp(transactional_db):
    from tests.factories import GroupFactory, ProgramFactory

    program, other = ProgramFactory(), ProgramFactory()
    group = GroupFactory(program=program)
    before = _stamps([program.pk, other.pk])
    with pytest.raises(Boom), transaction.atomic():
        group.name = "Renamed"
        group.save()
        raise Boom
    assert _bumped(before) == [program.pk, other.pk]

    # a savepoint rolled back in a transaction that commits: only what was kept bumps
    with transaction.atomic():
        GroupFactory(program=other)
        with pytest.raises(Boom), transaction.atomic():
            group.save()
            raise Boom
    assert _bumped(before) == [program.pk]

    # and nothing of the rolled-back writes is bumped later by another commit
    before = _stamps([program.pk, other.pk])
    with transaction.atomic():
        GroupFactory(program=other)
    assert _bumped(before) == [program.pk]


def test_with_redis_down_there_is_no_stamp_and_writes_still_work(db, django_capture_on_commit_callbacks):
    from tests.factories import GroupFactory, ProgramFactory

    program = ProgramFactory()
    down = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with override_settings(CACHES=down, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=False):
        assert program_stamp(program) is None
        assert stamps.program_stamps([program.pk]) == {program.pk: None}
        with django_capture_on_commit_callbacks(execute=True):
            GroupFactory(program=program)  # the bump after commit fails quietly
        assert program_stamp(program) is None
    caches["default"].clear()
    assert program_stamp(program) is not None


def _organization_stamps(organizations) -> dict:
    _setup_committed()
    return {o.pk: stamps.organization_stamp(o) for o in organizations}


def _organizations_bumped(before: dict) -> list[int]:
    """The organizations of ``before`` whose stamp is the same (as ``_bumped``: the ones left alone)."""
    return [pk for pk, stamp in before.items() if stamps.organization_stamp(pk) == stamp]


def _rename(user: User, name: str) -> None:
    user = User.objects.get(pk=user.pk)
    user.full_name = name
    user.save()


def test_an_organization_stamp_follows_its_programs_rows_and_its_own_after_the_commit_not_before(
    db, django_capture_on_commit_callbacks
):
    from organizations.models import Invitation
    from organizations.services.invitations import invitation_issue
    from tests.factories import GroupFactory, ProgramFactory, member

    program = ProgramFactory()
    organization, other = program.organization, ProgramFactory().organization
    admin = member(program, Role.ORGANIZATION_ADMIN, full_name="Olga Admin")  # in no program
    writes = {
        "a row of one of its programs": lambda: GroupFactory(program=program),
        "an organization admin in no program": lambda: member(program, Role.ORGANIZATION_ADMIN),
        "an invitation to no program": lambda: invitation_issue(
            organization=organization, email="olga@example.org", role=Role.ORGANIZATION_ADMIN, program=None
        ),
        "a new program": lambda: ProgramFactory(organization=organization),
        "the name of its admin in no program": lambda: _rename(admin, "Olga Renamed"),
        "an organization admin removed": lambda: Membership.objects.filter(user=admin).first().delete(),
    }
    for what, write in writes.items():
        before = _organization_stamps([organization, other])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            write()
        assert _organizations_bumped(before) == [organization.pk, other.pk], f"{what}: bumped before the commit"
        for callback in callbacks:
            callback()
        assert _organizations_bumped(before) == [other.pk], what

    # The Django admin's delete of invitations to no program (they send no signal) bumps the organization.
    before = _organization_stamps([organization, other])
    with django_capture_on_commit_callbacks(execute=True):
        stamps.bump_programs_of_rows(Invitation.objects.filter(organization=organization, program=None))
        Invitation.objects.filter(organization=organization, program=None).delete()
    assert _organizations_bumped(before) == [other.pk]


def test_an_organization_of_many_programs_has_one_short_stamp_and_none_without_redis(db):
    from tests.factories import ProgramFactory

    program = ProgramFactory()
    for _ in range(30):
        ProgramFactory(organization=program.organization)
    stamp = stamps.organization_stamp(program.organization)
    assert stamp is not None and len(stamp) == 24
    down = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with override_settings(CACHES=down, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=False):
        assert stamps.organization_stamp(program.organization) is None
    caches["default"].clear()

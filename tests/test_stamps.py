"""The program stamp (mentorship.stamps): a new stamp after every committed write to a program's rows, none
before the commit and none for a write rolled back, whatever path the write takes (a model's save or delete,
a many-to-many link, a bulk write of a service, the Django admin); None when Redis is down."""

import io
from datetime import timedelta

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
    from mentorship.pairings.models import CheckIn, CycleSurvey, FeedbackQuestion, PairingSettings
    from sessions_app.models import SessionSettings
    from mentorship.pairings.models import ConversationNotice, ProgramCycle
    from organizations.models import AccessRequest, Invitation
    from organizations.services.invitations import invitation_issue

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


def _stamps(program_ids) -> dict:
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
        for delete in (
            lambda row: model_admin.delete_queryset(request, model._base_manager.filter(pk=row.pk)),
            lambda row: model_admin.delete_model(request, row),
        ):
            row = _row(label)
            before = _stamps(_programs_of(row))
            kept = transaction.savepoint()
            with django_capture_on_commit_callbacks(execute=True):
                delete(row)
            transaction.savepoint_rollback(kept)
            if _bumped(before):
                failures.append(f"{label}: the admin's delete left the stamp")
    assert failures == []

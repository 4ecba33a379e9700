"""Program cycles (issue 16): open a program's next cycle, invite its people back, list its alumni.

A new cycle is a new program of the same organization, linked to the one before by a ProgramCycle row:
its settings, the questionnaire (with the wish-and-offer maps of its options) and the feedback questions
are copied, its admins stay its admins, and its figures start from nothing, since every figure is counted
per program. The old cycle is left as it is, readable with its figures.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import User
from mentorship import stamps
from mentorship.kept import kept_until
from mentorship.pairings.models import FeedbackQuestion, PairingSettings, ProgramCycle
from mentorship.prepared import Prepared
from mentorship.stamps import organization_stamp
from organizations.models import Invitation, InvitationStatus, Membership, Program, Role

# What a new cycle does not take from the old one: who it is, when it was made, and its dates.
NOT_COPIED = {"id", "name", "slug", "created_at", "cycle_starts_on", "cycle_ends_on", "matching_version"}
PARTICIPANTS = (Role.MENTOR, Role.MENTEE)


class CycleError(Exception):
    """Why a cycle cannot be opened or its people invited, in words for the admin who tried."""


def name_taken(program: Program, name: str) -> bool:
    with scopes_disabled():
        return Program.objects.filter(organization_id=program.organization_id, name__iexact=name.strip()).exists()


def _free_slug(program: Program, name: str) -> str:
    base = (slugify(name) or "cycle")[:54]
    with scopes_disabled():
        taken = set(
            Program.objects.filter(organization_id=program.organization_id, slug__startswith=base).values_list(
                "slug", flat=True
            )
        )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _copy_row(row, **changes):
    """Save a copy of ``row`` as a new row with ``changes``."""
    row.pk = None
    row.id = None
    row._state.adding = True
    for field, value in changes.items():
        setattr(row, field, value)
    row.save()
    return row


def _copy_settings(old: Program, new: Program) -> None:
    from mentorship.oversight.models import OversightSettings
    from sessions_app.models import SessionSettings

    for model in (PairingSettings, SessionSettings, OversightSettings):
        row = model.objects.filter(program=old).first()
        if row is not None:
            _copy_row(row, program=new)


def _copy_questionnaire(old: Program, new: Program) -> int:
    """Copy the questions, their options and which mentor options meet each wish; returns the questions copied."""
    from matching.models import Option, Question

    questions = list(Question.objects.filter(program=old).prefetch_related("options__satisfied_by"))
    option_of = {}  # old option id -> its copy
    maps = []  # (old option, [old ids it is satisfied by])
    for question in questions:
        options = list(question.options.all())
        copy = _copy_row(question, program=new)
        copies = Option.objects.bulk_create(
            Option(question=copy, order=option.order, label=option.label) for option in options
        )
        for option, option_copy in zip(options, copies, strict=True):
            option_of[option.pk] = option_copy
            maps.append((option, [target.pk for target in option.satisfied_by.all()]))
    through = Option.satisfied_by.through
    through.objects.bulk_create(
        through(from_option_id=option_of[option.pk].pk, to_option_id=option_of[target].pk)
        for option, targets in maps
        for target in targets
        if target in option_of
    )
    FeedbackQuestion.objects.bulk_create(
        FeedbackQuestion(program=new, text=q.text, order=q.order) for q in FeedbackQuestion.objects.filter(program=old)
    )
    return len(questions)


@transaction.atomic
def cycle_open(*, program: Program, by: User, name: str, starts_on=None, ends_on=None) -> Program:
    """Open the next cycle of ``program``: a new program of the same organization with its settings, questionnaire
    and feedback questions, the same program admins, the given dates, and nobody else yet (see ``invite_back``).

    An approved, live program's next cycle is approved and live too: it needs no new review.
    """
    name = name.strip()
    with scopes_disabled():
        old = Program.objects.select_for_update().get(pk=program.pk)  # two clicks at once open one cycle
        if name_taken(program, name):
            raise CycleError(_("A program of this organization already has this name."))
        values = {
            field.attname: getattr(old, field.attname)
            for field in Program._meta.concrete_fields
            if field.attname not in NOT_COPIED
        }
        new = Program.objects.create(
            **values,
            name=name,
            slug=_free_slug(old, name),
            cycle_starts_on=starts_on,
            cycle_ends_on=ends_on,
        )
        _copy_settings(old, new)
        _copy_questionnaire(old, new)
        admins = Membership.objects.filter(program=old, role=Role.PROGRAM_ADMIN)
        Membership.objects.bulk_create(
            Membership(
                organization_id=old.organization_id,
                program=new,
                user_id=m.user_id,
                role=Role.PROGRAM_ADMIN,
                sort_name=m.sort_name,
            )
            for m in admins
        )
        before = ProgramCycle.objects.filter(program=old).first()
        ProgramCycle.objects.create(
            program=new, previous=old, first_id=before.first_id if before else old.pk, opened_by=by
        )
        stamps.bump_programs([new.pk])  # its questionnaire, feedback questions and admins: bulk inserts
    return new


def _link(program_id: int) -> QuerySet[ProgramCycle]:
    with scopes_disabled():
        return ProgramCycle.objects.filter(program_id=program_id).select_related("previous").order_by("pk")[:1]


# Compiled once a process: read on every view of the cycle pages.
_LINK = Prepared(_link, program_id=int)


def previous_cycle(program: Program) -> Program | None:
    link = next(iter(_LINK.fetch(program_id=program.pk)), None)
    return link.previous if link else None


def next_cycles(program: Program) -> list[Program]:
    with scopes_disabled():
        return [link.program for link in ProgramCycle.objects.filter(previous=program).select_related("program")]


def _series(program_id: int) -> QuerySet[Program]:
    with scopes_disabled():
        first = ProgramCycle.objects.filter(program_id=program_id).values("first_id")
        series = Q(pk__in=first) | Q(cycle__first__in=first) | Q(pk=program_id) | Q(cycle__first_id=program_id)
        return Program.objects.filter(series).only("pk").order_by("pk")


# Compiled once a process: the cycle page reads the series on every view (its stamps key what the page keeps),
# and building this query of two subqueries cost the ORM more than PostgreSQL takes to run it.
_SERIES = Prepared(_series, program_id=int)


def series_ids(program: Program) -> list[int]:
    """The pks of every cycle of ``program``'s series (the first and each one opened from it), in one query."""
    return [cycle.pk for cycle in _SERIES.fetch(program_id=program.pk)]


def past_cycles(program: Program) -> QuerySet[Program]:
    """The cycles of ``program``'s series opened before it (none for a program that is no one's next cycle)."""
    with scopes_disabled():
        first = ProgramCycle.objects.filter(program=program).values("first_id")
        series = Q(pk__in=first) | Q(cycle__first__in=first)
        return Program.objects.filter(series, created_at__lt=program.created_at).exclude(pk=program.pk)


def _pending_invitations(program: Program) -> QuerySet[Invitation]:
    """Invitations of the organization still waiting for an answer: to this cycle, or to another program (an
    address has one pending invitation in an organization, so inviting it here would take that one away)."""
    return Invitation.objects.filter(
        organization_id=program.organization_id, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    )


def returning_candidates(program: Program) -> QuerySet[Membership]:
    """The previous cycle's mentors and mentees (with an active account) not yet in this cycle, one row per person
    (someone who was both is invited back as a mentor), leaving out whoever has an invitation waiting."""
    with scopes_disabled():
        # The previous cycle's id, not a subquery: a page of its people is then read in order from an index.
        previous = list(ProgramCycle.objects.filter(program=program).values_list("previous_id", flat=True))
        # The same person's other rows: whoever is deleted is already left out, so these need not join the users.
        rows = Membership._base_manager
        already_in = rows.filter(program=program, user_id=OuterRef("user_id"))
        # Lower() on both sides, as the unique index of pending invitations has it (iexact's UPPER() has none).
        invited = _pending_invitations(program).filter(Exact(Lower("email"), Lower(OuterRef("user__email"))))
        # A mentee row whose person is a mentor there too; the outer role inside the subquery makes the whole an
        # anti-join (a row's look-up in an index), where NOT (role = mentee AND EXISTS ...) hashed every mentor.
        also_mentor = rows.filter(
            Exact(OuterRef("role"), Value(Role.MENTEE.value)),
            program_id=OuterRef("program_id"),
            user_id=OuterRef("user_id"),
            role=Role.MENTOR,
        )
        return (
            Membership.objects.filter(program_id__in=previous, role__in=PARTICIPANTS, user__is_active=True)
            .filter(~Exists(already_in), ~Exists(invited), ~Exists(also_mentor))
            .select_related("user")
            .order_by("sort_name", "pk")
        )


@dataclass
class InviteOutcome:
    invited: int = 0
    renewed: int = 0


def _next_lapse(program: Program):
    """When the first of the organization's waiting invitations lapses (None when none waits): until then, the set
    of waiting invitations changes only by a write, which gives the organization a new stamp."""
    with scopes_disabled():
        return _pending_invitations(program).aggregate(next_expiry=Min("expires_at"))["next_expiry"]


@dataclass(frozen=True)
class ReturningPage:
    """The review step's numbers and one page of its people (kept, ``kept_returning``)."""

    count: int
    waiting: int
    number: int
    people: list


def kept_returning(program: Program, previous: Program, page: str | None, size: int) -> ReturningPage:
    """``returning_candidates`` counted and one page of them, with ``waiting_elsewhere``: kept under the stamps
    of both cycles (their people and those people's accounts) and the organization's (its invitations, to any of
    its programs or to none), until the first waiting invitation lapses."""
    # Both cycles are programs of one organization (a cycle opens in its previous cycle's): the organization's
    # stamp covers their rows and its invitations. Read before the rows.
    stamp = organization_stamp(program.organization_id)
    key = f"returning:{program.pk}:{previous.pk}:{page!r}"

    def compute() -> tuple[ReturningPage, datetime | None]:
        lapses_at = _next_lapse(program)  # before the rows: an invitation lapsing meanwhile is seen next view
        people = returning_candidates(program)
        count = people.count()
        number = Paginator(range(count), size).get_page(page).number
        rows = list(people[(number - 1) * size : number * size])
        return ReturningPage(count, waiting_elsewhere(program), number, rows), lapses_at

    # People's names and emails: in this process only. True until the first waiting invitation lapses.
    return kept_until(stamp, key, compute, shared=False)


def waiting_elsewhere(program: Program) -> int:
    """How many of the previous cycle's people are left out because an invitation to another program waits."""
    with scopes_disabled():
        previous = ProgramCycle.objects.filter(program=program).values("previous_id")
        waiting = _pending_invitations(program).exclude(program=program).values("email")
        return (
            Membership.objects.filter(program__in=previous, role__in=PARTICIPANTS, user__email__in=waiting)
            .values("user_id")
            .distinct()
            .count()
        )


@transaction.atomic
def invite_back(*, program: Program, by: User) -> InviteOutcome:
    """Invite every returning candidate to ``program`` with their role of the previous cycle, in one action.

    The existing invitation machinery sends each email (through the outbox, after commit). Run again, it invites
    nobody twice: whoever is invited or already in is no longer a candidate.
    """
    from organizations.services.invitations import InvitationError, invitation_issue

    with scopes_disabled():
        link = ProgramCycle.objects.select_for_update().filter(program=program).first()
    if link is None:
        raise CycleError(_("This program is not the new cycle of another: there is nobody to invite back."))
    outcome = InviteOutcome()
    people = list(returning_candidates(program))
    for person in people:
        try:
            _invitation, created = invitation_issue(
                organization=program.organization,
                email=person.user.email,
                role=person.role,
                program=program,
                invited_by=by,
            )
        except InvitationError:
            continue  # already holds that role there: nothing to send
        if created:
            outcome.invited += 1
        else:
            outcome.renewed += 1
    with scopes_disabled():
        ProgramCycle.objects.filter(pk=link.pk).update(
            invited_at=timezone.now(), invited_count=link.invited_count + outcome.invited + outcome.renewed
        )
    stamps.bump_programs([link.program_id, link.previous_id, link.first_id])
    return outcome


def alumni(program: Program) -> QuerySet[Membership]:
    """The mentors and mentees of this program's past cycles, and of this one once its cycle has ended, the
    latest cycle first (a cycle is opened after the one before it, so its id is greater), each by name
    (``with_is_back`` for a page of them)."""
    with scopes_disabled():
        # The cycles' ids, not a subquery: with one past cycle, a page of it is read in order from an index.
        cycles = list(past_cycles(program).values_list("pk", flat=True))
        if program.cycle_ends_on and program.cycle_ends_on <= timezone.localdate():
            cycles.append(program.pk)
        return (
            Membership.objects.filter(program_id__in=cycles, role__in=PARTICIPANTS)
            .select_related("user", "program")
            .order_by("-program_id", "sort_name", "pk")
        )


def with_is_back(alumni: list[Membership]) -> list[Membership]:
    """Give each of a page of alumni ``is_back``: a mentor or mentee of a cycle after theirs too. One query for
    the page (as an annotation of the whole list, PostgreSQL hashed every later cycle's people)."""
    with scopes_disabled():
        back = set(
            Membership._base_manager.filter(
                user_id__in={m.user_id for m in alumni},
                program__cycle__previous_id__in={m.program_id for m in alumni},
                role__in=PARTICIPANTS,
            ).values_list("user_id", "program__cycle__previous_id")
        )
    for person in alumni:
        person.is_back = (person.user_id, person.program_id) in back
    return alumni

"""A stamp per program that changes after every committed write to the program's rows (issue 9).

A page that keeps what it computed from a program's rows (counts, a dashboard's figures, a rendered list)
keys it by ``program_stamp(program)``: a write anywhere in the program, once committed, gives the program a
new stamp, so the next view computes afresh and nothing stale is ever shown. The stamp lives in the shared
cache (Redis), so every process sees a new one at once; what is kept under it may live anywhere.

Every model that belongs to a program (directly, or through a membership, a session, a question, ...)
bumps the stamp of its program when a row is saved or deleted (``connect``, from the app's ``ready``), and so
do the many-to-many links between them (a member's groups, an activity's people, ...); a user's save bumps the
programs the person is in (names are shown everywhere), except a login; an organization's save bumps its
programs (their pages show its name and language, and whether it is deleted); a user deleted for good bumps
every program. Writes that send no signal (``QuerySet.update``, ``bulk_create``/``bulk_update``, raw SQL, and
deletes of the models in NO_DELETE_SIGNAL) call ``bump_programs`` themselves, in the same transaction as the
write (outside one, after it). Pages that show another program's rows (the alumni of a cycle's earlier
cycles) key by the stamps of those programs too.

The cost: no query per row (a row whose parent is not loaded names the parent, whose program is read at commit
in one query per kind), and one write to Redis per commit, however many rows the transaction wrote.

Order matters against races: read the stamp *before* reading the rows, and bump with a new random value
(never a delete), so a view that read old rows keeps them under the old stamp, which nobody asks for again.
Without the shared cache (Redis down), ``program_stamp`` is None and callers compute without keeping.

An organization's pages (its members, its invitations) list the rows of all its programs and the rows in none
(an organization admin's membership, an invitation to no program): ``organization_stamp`` combines the stamps of
its programs with a stamp of its own, which a write to a row of ORGANIZATION_ROWS in no program bumps, and so do
a program's save or delete (the list of its programs), a user's save (their name, in any of their
organizations) and ``bump_programs_of_rows`` (deletes of rows that send no signal).
"""

import hashlib
import secrets
import weakref
from collections.abc import Iterable
from functools import partial

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

# Long enough to outlive what is kept under a stamp; a stamp that expires is simply a new stamp.
STAMP_SECONDS = 7 * 24 * 3600
# Ids per query when the programs of deferred rows are read at commit (well under PostgreSQL's 65,535 parameters).
CHUNK = 5000


def _key(program_id: int) -> str:
    return f"program-stamp:{program_id}"


def _own_stamp(key: str) -> str | None:
    """The stamp under ``key``, made now if there is none (the first of two processes to make it wins)."""
    stamp = cache.get(key)
    if stamp is None:
        cache.add(key, secrets.token_hex(8), timeout=STAMP_SECONDS)
        stamp = cache.get(key)
    return stamp


def program_stamp(program) -> str | None:
    """The program's current stamp (``program`` or its pk); None when the shared cache is unreachable."""
    return _own_stamp(_key(getattr(program, "pk", program)))


def program_stamps(program_ids: Iterable[int]) -> dict[int, str | None]:
    """``program_stamp`` of several programs in one round trip (those never stamped get a stamp)."""
    ids = list(program_ids)
    found = cache.get_many([_key(pk) for pk in ids])
    return {pk: found.get(_key(pk)) or program_stamp(pk) for pk in ids}


def _organization_key(organization_id: int) -> str:
    return f"organization-stamp:{organization_id}"


# organization id -> (its own stamp, its programs' ids then): a program made or deleted bumps its own stamp
_PROGRAMS_OF: dict[int, tuple[str, list[int]]] = {}


def organization_stamp(organization) -> str | None:
    """A stamp of every row of the organization (``organization`` or its pk): its programs' and those in none.
    None when the shared cache is unreachable. Read it before the rows, as ``program_stamp``."""
    from organizations.models import Program

    organization_id = getattr(organization, "pk", organization)
    own = _own_stamp(_organization_key(organization_id))
    if own is None:
        return None
    known = _PROGRAMS_OF.get(organization_id)
    if known is None or known[0] != own:
        ids = sorted(Program._base_manager.filter(organization_id=organization_id).values_list("pk", flat=True))
        known = _PROGRAMS_OF[organization_id] = (own, ids)
    parts = [own, *program_stamps(known[1]).values()]
    if None in parts:
        return None
    # One short stamp for an organization of many programs (it goes into cache keys).
    return hashlib.blake2b("+".join(parts).encode(), digest_size=12).hexdigest()


class _Batch:
    """What one write asks to bump: program ids, ``(model, field, lookup) -> values`` whose programs are read at
    commit (``model.filter(field__in=values).values_list(lookup)``), or every program; and the same for the
    organizations' own stamps.

    Each write registers its own ``on_commit`` callback holding its batch (so that a rolled-back savepoint or
    transaction drops the callback and with it the batch, and ``captureOnCommitCallbacks`` sees it); the
    connection knows its batches only weakly. The first callback to run after the commit bumps every batch still
    alive, that is every write of the transaction that committed: one round trip to Redis and one query per kind
    of deferred row, however many rows it wrote (a cascade of thousands); the callbacks after it find theirs done.
    """

    __slots__ = ("ids", "lookups", "every_program", "organization_ids", "organization_lookups", "__weakref__")

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.lookups: dict[tuple, set] = {}
        self.every_program = False
        self.organization_ids: set[int] = set()
        self.organization_lookups: dict[tuple, set] = {}


def _batches(using: str) -> weakref.WeakSet:
    connection = connections[using]
    batches = getattr(connection, "_program_stamp_batches", None)
    if batches is None:
        batches = connection._program_stamp_batches = weakref.WeakSet()
    return batches


def _schedule(using: str | None, batch: _Batch) -> None:
    using = using or DEFAULT_DB_ALIAS
    _batches(using).add(batch)
    transaction.on_commit(partial(_flush, using, batch), using=using)


def _flush(using: str, batch: _Batch) -> None:
    if not (batch.ids or batch.lookups or batch.every_program or batch.organization_ids or batch.organization_lookups):
        return  # bumped with an earlier one of the same commit
    ids: set = set()
    lookups: dict[tuple, set] = {}
    organization_ids: set = set()
    organization_lookups: dict[tuple, set] = {}
    every_program = False
    for each in list(_batches(using)):
        ids |= each.ids
        organization_ids |= each.organization_ids
        for key, values in each.lookups.items():
            lookups.setdefault(key, set()).update(values)
        for key, values in each.organization_lookups.items():
            organization_lookups.setdefault(key, set()).update(values)
        every_program = every_program or each.every_program
        each.ids, each.lookups, each.every_program = set(), {}, False
        each.organization_ids, each.organization_lookups = set(), {}
    if every_program:
        from organizations.models import Organization, Program

        ids.update(Program._base_manager.using(using).values_list("pk", flat=True))
        organization_ids.update(Organization._base_manager.using(using).values_list("pk", flat=True))
    _read(using, lookups, ids)
    _read(using, organization_lookups, organization_ids)
    ids.discard(None)
    organization_ids.discard(None)
    new = {_key(pk): secrets.token_hex(8) for pk in ids}
    new.update({_organization_key(pk): secrets.token_hex(8) for pk in organization_ids})
    if new:
        cache.set_many(new, timeout=STAMP_SECONDS)


def _read(using: str, lookups: dict[tuple, set], into: set) -> None:
    """Add to ``into`` the ids ``lookup`` names on the rows of each ``model`` whose ``field`` is in the values."""
    for (model, field, lookup), values in lookups.items():
        values = list(values)
        for start in range(0, len(values), CHUNK):
            rows = model._base_manager.using(using).filter(**{f"{field}__in": values[start : start + CHUNK]})
            into.update(rows.values_list(lookup, flat=True).distinct().order_by())


def bump_programs(program_ids: Iterable[int | None], *, using: str | None = None) -> None:
    """Give these programs new stamps once the current transaction commits (at once outside one: call it after
    the write, never before)."""
    batch = _Batch()
    batch.ids = {pk for pk in program_ids if pk is not None}
    if batch.ids:
        _schedule(using, batch)


def bump_programs_of_rows(queryset) -> None:
    """Bump the programs of these rows, read now in one query: before deleting rows of a model in
    NO_DELETE_SIGNAL (an admin's delete, a service's), in the same transaction as the delete; and the
    organizations of those of ORGANIZATION_ROWS."""
    for _fields, _lookups, _last, own in _PATHS[queryset.model._meta.concrete_model]:
        bump_programs(queryset.order_by().values_list(own, flat=True).distinct(), using=queryset.db)
    if queryset.model._meta.label in ORGANIZATION_ROWS:
        organizations = queryset.order_by().values_list("organization_id", flat=True).distinct()
        bump_organizations(organizations, using=queryset.db)


def bump_organizations(organization_ids: Iterable[int | None], *, using: str | None = None) -> None:
    """Give these organizations new stamps of their own once the current transaction commits (``bump_programs``
    for their rows in no program)."""
    batch = _Batch()
    batch.organization_ids = {pk for pk in organization_ids if pk is not None}
    if batch.organization_ids:
        _schedule(using, batch)


def bump_organizations_of(model, field: str, values: Iterable, lookup: str, *, using: str | None = None) -> None:
    """``bump_programs_of`` for the organizations' own stamps: ``lookup`` names the rows' organization."""
    values = {v for v in values if v is not None}
    if values:
        batch = _Batch()
        batch.organization_lookups[(model, field, lookup)] = values
        _schedule(using, batch)


def bump_programs_of(model, field: str, values: Iterable, lookup: str, *, using: str | None = None) -> None:
    """Bump, at commit, the programs of ``model``'s rows whose ``field`` is in ``values`` (``lookup`` names their
    program), read in one query then: for writes whose program ids are not at hand (no query now, none per row)."""
    values = {v for v in values if v is not None}
    if values:
        batch = _Batch()
        batch.lookups[(model, field, lookup)] = values
        _schedule(using, batch)


def _bump_every_program(using: str | None) -> None:
    batch = _Batch()
    batch.every_program = True
    _schedule(using, batch)


# How each model's rows name their program: an attribute path from the row to the program's pk (or several).
PROGRAM_OF = {
    "organizations.Program": "pk",
    "organizations.Membership": "program_id",
    "organizations.Group": "program_id",
    "organizations.Invitation": "program_id",
    "organizations.AccessRequest": "program_id",
    "matching.Question": "program_id",
    "matching.Option": "question.program_id",
    "matching.Answer": "membership.program_id",
    "matching.Pairing": "program_id",
    "matching.MentorDecline": "program_id",
    "matching.AutoPairRun": "program_id",
    "matching.AutoPairProposal": "run.program_id",
    "matching.MentorSelection": "program_id",
    "matching.MentorRequest": "program_id",
    "matching.RequestEvent": "program_id",
    "sessions_app.Location": "program_id",
    "sessions_app.SessionSettings": "program_id",
    "sessions_app.MentorshipSession": "program_id",
    "sessions_app.Booking": "session.program_id",
    "sessions_app.SessionRequest": "program_id",
    "sessions_app.MentorOffer": "program_id",
    "oversight.OversightSettings": "program_id",
    "oversight.Activity": "program_id",
    "oversight.ActivityDate": "activity.program_id",
    "oversight.Attendance": "date.activity.program_id",
    "oversight.Observation": "program_id",
    "oversight.ObservationRevision": "observation.program_id",
    "pairings.Message": "program_id",
    "pairings.ConversationNotice": "program_id",
    "pairings.PairingSettings": "program_id",
    "pairings.Agreement": "program_id",
    "pairings.Goal": "program_id",
    "pairings.FeedbackQuestion": "program_id",
    "pairings.FeedbackRequest": "program_id",
    "pairings.CheckIn": "program_id",
    "pairings.CycleSurvey": "program_id",
    # a cycle's link shows on the pages of the cycles before it too (their next cycles, the series' first)
    "pairings.ProgramCycle": ("program_id", "previous_id", "first_id"),
}

# Rows that may be in no program, only an organization (their ``organization_id``): an organization admin's
# membership, an invitation to no program. Those bump their organization's own stamp (organization_stamp); a
# program's save and delete bump it too (the organization's list of programs).
ORGANIZATION_ROWS = frozenset({"organizations.Membership", "organizations.Invitation"})

# Not here: oversight.FollowUpView, the looks at a mentee's follow-up, written by the views of "My mentees" and of
# a follow-up page (one row a look). No page keeps anything that shows them (the mentee's follow-up page reads
# them on each view), and a stamp that changed on every look would make every program's kept pages compute again
# whenever a mentor looks at their mentees.

# Models whose deletes send no signal of ours, so that deleting a program, an organization or a member keeps
# Django's fast cascade for them (one DELETE ... WHERE parent IN, no row loaded): a receiver on a model makes
# the cascade load and signal each of its rows (an organization of 3,000 mentees took 10 s to erase instead of
# 2 with these receivers). They are the big tables with nothing pointing at them. Their rows go by cascade from a
# parent that bumps (a membership, a question, a session, a pairing, a program), through a service that calls
# ``bump_programs``, or through their admin (``BumpOnDeleteAdmin``; tests/test_stamps.py checks all three).
NO_DELETE_SIGNAL = frozenset(
    {
        "matching.Answer",
        "matching.AutoPairProposal",
        "matching.RequestEvent",
        "organizations.Invitation",
        "sessions_app.Booking",
        "oversight.Attendance",
        "pairings.Message",
        "pairings.ConversationNotice",
        "pairings.Goal",
        "pairings.FeedbackRequest",
        "pairings.CheckIn",
        "pairings.CycleSurvey",
    }
)


# model -> (the foreign keys to follow, the lookup of the program from each of them on, the last attribute)
_PATHS: dict = {}


def _compile(model, path: str) -> tuple:
    parts = path.split(".")
    fields, current = [], model
    for part in parts[:-1]:
        field = current._meta.get_field(part)
        fields.append(field)
        current = field.related_model
    lookups = ["__".join([*parts[i + 1 : -1], parts[-1].removesuffix("_id")]) for i in range(len(fields))]
    own = "__".join([*parts[:-1], parts[-1].removesuffix("_id")])  # the program from the row itself, in a query
    return tuple(fields), tuple(lookups), parts[-1], own


def _bump_row(instance, using: str | None) -> None:
    """Bump the program of ``instance`` (by its PROGRAM_OF path) with no query: through the parents already
    loaded, and otherwise by the first parent's id, whose program is read at commit (``bump_programs_of``). A
    parent gone by then (deleted in the same transaction, a cascade) bumped its program itself: it is in
    PROGRAM_OF too, with a delete receiver."""
    for fields, lookups, last, _own in _PATHS[type(instance)._meta.concrete_model]:
        value = instance
        for field, lookup in zip(fields, lookups, strict=True):
            if not field.is_cached(value):
                bump_programs_of(field.related_model, "pk", [getattr(value, field.attname)], lookup, using=using)
                break
            value = getattr(value, field.name)
            if value is None:
                break
        else:
            bump_programs([getattr(value, last)], using=using)


def _row_changed(sender, instance, using=None, **kwargs) -> None:
    _bump_row(instance, using)
    label = instance._meta.label
    if label == "organizations.Program" or (label in ORGANIZATION_ROWS and instance.program_id is None):
        bump_organizations([instance.organization_id], using=using)


def _links_changed(sender, instance, action: str, using=None, **kwargs) -> None:
    """A many-to-many link added or removed (a member's groups, a session's groups, an activity's people, an
    option's mapping): the program of the row on either side (both are of the same program)."""
    if action in ("post_add", "post_remove", "post_clear"):
        _bump_row(instance, using)


def _organization_changed(sender, instance, created: bool = False, using=None, **kwargs) -> None:
    """Program pages show their organization (its name, default language, whether it is deleted): every program
    of it, read at commit in one query. A new organization has none yet."""
    bump_organizations([instance.pk], using=using)
    if not created:
        from organizations.models import Program

        bump_programs_of(Program, "organization_id", [instance.pk], "pk", using=using)


def _user_deleted(sender, instance, using=None, **kwargs) -> None:
    """A user deleted for good (the Django admin, a benchmark's clean-up; erasing keeps the row): the rows that
    named them, in any program, are set to NULL by an UPDATE that sends no signal, so every program is bumped."""
    _bump_every_program(using)


class BumpOnDeleteAdmin:
    """For the Django admin of a model in NO_DELETE_SIGNAL: its deletes (one row, or the selected rows) bump."""

    def delete_model(self, request, obj) -> None:
        with transaction.atomic(using=obj._state.db):
            bump_programs_of_rows(type(obj)._base_manager.using(obj._state.db).filter(pk=obj.pk))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic(using=queryset.db):
            bump_programs_of_rows(queryset)
            super().delete_queryset(request, queryset)


# Saves of a user that change nothing any page shows (a login; the calendar feed's secret and when it was read).
UNSHOWN_USER_FIELDS = frozenset({"last_login", "calendar_token_hash", "calendar_fetched_at"})


def _user_changed(sender, instance, created: bool = False, update_fields=None, using=None, **kwargs) -> None:
    if created or (update_fields is not None and set(update_fields) <= UNSHOWN_USER_FIELDS):
        return  # a new user is in no program yet; a login changes nothing any page keeps
    from organizations.models import Membership

    # the base manager (at commit): every membership, deleted people's too, outside any tenant's scope
    bump_programs_of(Membership, "user_id", [instance.pk], "program", using=using)
    bump_organizations_of(Membership, "user_id", [instance.pk], "organization", using=using)


def connect() -> None:
    """Bump on every save and delete of the models above, on changes of their many-to-many links, and on saves of
    users and organizations (once, from the app's ``ready``)."""
    from django.apps import apps

    for label in PROGRAM_OF:
        model = apps.get_model(label)
        paths = PROGRAM_OF[label]
        _PATHS[model] = [_compile(model, path) for path in ((paths,) if isinstance(paths, str) else paths)]
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"stamps:{label}:save")
        if label not in NO_DELETE_SIGNAL:
            post_delete.connect(_row_changed, sender=model, dispatch_uid=f"stamps:{label}:delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"stamps:{through._meta.label}")
    user = apps.get_model("accounts.User")
    post_save.connect(_user_changed, sender=user, dispatch_uid="stamps:user:save")
    pre_delete.connect(_user_deleted, sender=user, dispatch_uid="stamps:user:delete")
    organization = apps.get_model("organizations.Organization")
    post_save.connect(_organization_changed, sender=organization, dispatch_uid="stamps:organization:save")

"""Reads of organizations, programs and memberships."""

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django_scopes import scopes_disabled

from accounts.models import User
from accounts.tokens import hash_token
from mentorship.prepared import Prepared
from mentorship.stamps import program_stamps
from organizations.models import (
    AccessRequest,
    AccessStatus,
    Invitation,
    Membership,
    OnboardingSignup,
    OnboardingSlot,
    Organization,
    Program,
    ReviewStatus,
    Role,
)
from organizations.models.tenancy import ROLE_ORDER


def _tenant_memberships(
    user: User, organization_id: int
) -> tuple[frozenset[tuple[int | None, str, int]], frozenset[tuple[int | None, str]]]:
    """The (program id or None, role, membership pk) rows of ``user`` in the organization, and its (program id or
    None, role) pairs: read once a request."""
    if isinstance(user, LazyObject):  # request.user: keep the cache on the user itself
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    cache = user.__dict__.setdefault("_tenant_roles", {})
    if organization_id not in cache:
        with scopes_disabled():
            rows = Membership.objects.filter(user=user, organization_id=organization_id).values_list(
                "program_id", "role", "pk"
            )
            _keep_tenant_memberships(user, organization_id, rows)
    return cache[organization_id]


def _keep_tenant_memberships(user: User, organization_id: int, rows) -> None:
    rows = frozenset(tuple(row) for row in rows)
    user.__dict__.setdefault("_tenant_roles", {})[organization_id] = (
        rows,
        frozenset((program_id, role) for program_id, role, _pk in rows),
    )


def _memberships_column(user_id: int, organization_ref: str) -> ArraySubquery:
    """The visitor's (program id, role, pk) rows in the row's organization, as one column of the tenant's query."""
    return ArraySubquery(
        Membership.objects.filter(user_id=user_id, organization_id=OuterRef(organization_ref)).values(
            row=JSONObject(program="program_id", role="role", pk="pk")
        )
    )


def _organization_tenant(slug: str, user_id: int) -> QuerySet[Organization]:
    with scopes_disabled():
        return Organization.objects.filter(slug=slug, status=ReviewStatus.APPROVED, deleted_at__isnull=True).annotate(
            _visitor_memberships=_memberships_column(user_id, "pk")
        )[:1]


def _program_tenant(slug: str, program_slug: str, user_id: int) -> QuerySet[Program]:
    with scopes_disabled():
        return (
            Program.objects.select_related("organization")
            .filter(
                slug=program_slug,
                organization__slug=slug,
                organization__status=ReviewStatus.APPROVED,
                organization__deleted_at__isnull=True,
            )
            .annotate(_visitor_memberships=_memberships_column(user_id, "organization_id"))[:1]
        )


# Compiled once a process: building these querysets cost the ORM 2.9 ms a page, running them 0.8 ms.
_ORGANIZATION_TENANT = Prepared(_organization_tenant, slug=str, user_id=int)
_PROGRAM_TENANT = Prepared(_program_tenant, slug=str, program_slug=str, user_id=int)


def tenant_of_request(user: User, slug: str, program_slug: str | None) -> tuple[Organization | None, Program | None]:
    """The approved organization of ``slug`` (and its program of ``program_slug``) with the visitor's roles in it,
    in one query (the tenant middleware's, on every tenant page): the roles are kept on the user, so that
    ``tenant_roles`` and ``program_membership_ids`` need no query of their own. (None, None) when nothing
    matches: the middleware then tells an unknown organization from an unknown program the long way."""
    if connection.vendor != "postgresql":  # the embedded SQLite of `make run`: no arrays of rows
        return None, None
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    if program_slug is None:
        organization = next(iter(_ORGANIZATION_TENANT.fetch(slug=slug, user_id=user.pk)), None)
        program = None
    else:
        program = next(iter(_PROGRAM_TENANT.fetch(slug=slug, program_slug=program_slug, user_id=user.pk)), None)
        organization = program.organization if program is not None else None
    if organization is None:
        return None, None
    found = (program or organization).__dict__.pop("_visitor_memberships")
    _keep_tenant_memberships(user, organization.pk, ((m["program"], m["role"], m["pk"]) for m in found))
    return organization, program


def tenant_roles(user: User, organization: Organization) -> frozenset[tuple[int | None, str]]:
    """The (program id or None, role) pairs ``user`` holds in ``organization``.

    Read once per request and kept on the user object, so permission checks
    after the tenant middleware run no further queries.
    """
    return _tenant_memberships(user, organization.pk)[1]


def program_membership_ids(user: User, program: Program) -> list[int]:
    """The pks of ``user``'s memberships in ``program`` (from the rows the tenant middleware read: no query).

    Filtering a program's rows by these ids (``mentor_id__in``) uses the foreign keys' indexes, where a
    filter through the membership's user (``mentor__user=user``) joins every membership of the program.
    """
    return sorted(
        pk
        for program_id, _role, pk in _tenant_memberships(user, program.organization_id)[0]
        if program_id == program.pk
    )


def program_roles(user: User, program: Program) -> list[tuple[str, int]]:
    """The (role, membership pk) of ``user``'s memberships in ``program``, oldest first (from the rows the tenant
    middleware read: no query)."""
    return sorted(
        (
            (role, pk)
            for program_id, role, pk in _tenant_memberships(user, program.organization_id)[0]
            if program_id == program.pk
        ),
        key=lambda row: row[1],
    )


def _memberships_of(user_id: int) -> QuerySet[Membership]:
    with scopes_disabled():
        return (
            Membership.objects.filter(
                user_id=user_id, organization__status=ReviewStatus.APPROVED, organization__deleted_at__isnull=True
            )
            .select_related("organization", "program")
            .order_by("organization__name", "program__name", "role")
        )


# Compiled once a process (the home page's first query): building it cost the ORM more than running it.
_MEMBERSHIPS_OF = Prepared(_memberships_of, user_id=int)


def role_membership_id(user: User, program: Program, role: str) -> int | None:
    """The pk of ``user``'s membership of ``role`` in ``program`` (from the tenant middleware's rows: no query)."""
    return next((pk for held, pk in program_roles(user, program) if held == role), None)


def _membership_by_pk(pk: int) -> QuerySet[Membership]:
    with scopes_disabled():
        return Membership.objects.filter(pk=pk)


# One membership by its pk, compiled once a process: the participant pages read the visitor's own on every view.
MEMBERSHIP_BY_PK = Prepared(_membership_by_pk, pk=int)


def memberships_of(user: User) -> list[Membership]:
    """Every role ``user`` holds, across organizations, for their home page.

    Filtered by the person, not by a tenant: this is the one place that reads
    across organizations, and it only ever reads the person's own rows.
    """
    return _MEMBERSHIPS_OF.fetch(user_id=user.pk)


def _programs_of(organization_id: int) -> QuerySet[Program]:
    with scopes_disabled():
        return Program.objects.filter(organization_id=organization_id)


def _onboarding_signup_of(organization_id: int) -> QuerySet[OnboardingSignup]:
    with scopes_disabled():
        signups = OnboardingSignup.objects.filter(organization_id=organization_id)
        return signups.select_related("slot").order_by("pk")[:1]


# Compiled once a process: the organization page reads both on every view.
_PROGRAMS_OF = Prepared(_programs_of, organization_id=int)
_ONBOARDING_SIGNUP_OF = Prepared(_onboarding_signup_of, organization_id=int)


def onboarding_signup_of(organization: Organization) -> OnboardingSignup | None:
    """The organization's place in an onboarding session, with the session (None before it signs up)."""
    return next(iter(_ONBOARDING_SIGNUP_OF.fetch(organization_id=organization.pk)), None)


def programs_for(organization: Organization) -> list[Program]:
    """The organization's programs, with how many mentors and mentees each has (``mentor_count``,
    ``mentee_count``: ``program_role_counts``)."""
    programs = _PROGRAMS_OF.fetch(organization_id=organization.pk)
    counts = program_role_counts([program.pk for program in programs])
    for program in programs:
        program.mentor_count, program.mentee_count = counts[program.pk]
    return programs


ROLE_COUNTS_SECONDS = 24 * 3600


def program_role_counts(program_ids: list[int]) -> dict[int, tuple[int, int]]:
    """How many mentor and mentee memberships each program has (every membership, as a join would count).

    Counting a program's 10,000 memberships on each view took most of the organization page: the counts are
    kept under each program's stamp (``mentorship.stamps``: a membership added or removed gives the program a
    new one), read before the rows. A program without a stamp (the shared cache is down) is counted afresh.
    """
    if not program_ids:
        return {}
    stamps = program_stamps(program_ids)
    keys = {pk: f"organizations:role-counts:{pk}:{stamp}" for pk, stamp in stamps.items() if stamp}
    found = cache.get_many(list(keys.values())) if keys else {}
    counts = {pk: tuple(found[key]) for pk, key in keys.items() if key in found}
    missing = [pk for pk in program_ids if pk not in counts]
    if missing:
        rows = (
            Membership._base_manager.filter(program_id__in=missing)
            .values("program_id")
            .annotate(mentors=Count("pk", filter=Q(role=Role.MENTOR)), mentees=Count("pk", filter=Q(role=Role.MENTEE)))
            .order_by()
        )
        fresh = {pk: (0, 0) for pk in missing} | {r["program_id"]: (r["mentors"], r["mentees"]) for r in rows}
        cache.set_many({keys[pk]: fresh[pk] for pk in missing if pk in keys}, timeout=ROLE_COUNTS_SECONDS)
        counts |= fresh
    return counts


def _people(members: QuerySet[Membership], *, search: str = "", role: str = "") -> QuerySet[Membership]:
    if search:
        members = members.filter(Q(user__full_name__icontains=search) | Q(user__email__icontains=search))
    if role:
        members = members.filter(role=role)
    return members


def program_members(program: Program, *, search: str = "", role: str = "") -> QuerySet[Membership]:
    """The program's members with their user, admins then mentors then mentees, by name; groups apart
    (``with_groups`` for a page of them). Both orders are an index's (``membership_people_order``, and
    ``membership_role_name`` for one role)."""
    members = _people(Membership.objects.filter(program=program).select_related("user"), search=search, role=role)
    if role:
        return members.order_by("sort_name", "pk")
    return members.order_by(ROLE_ORDER, "sort_name", "pk")


def with_groups(members: list[Membership]) -> list[Membership]:
    """Give each of a page of memberships ``group_names``, from one query whatever the page's size."""
    names: dict[int, list[str]] = {m.pk: [] for m in members}
    links = Membership.groups.through.objects.filter(membership_id__in=names).order_by("group__name")
    for membership_id, name in links.values_list("membership_id", "group__name"):
        names[membership_id].append(name)
    for membership in members:
        membership.group_names = names[membership.pk]
    return members


def organization_members(organization: Organization, *, search: str = "", role: str = "") -> QuerySet[Membership]:
    """Everyone in the organization, with their program, ordered by name, a person's roles together (the order of
    the index ``membership_org_name``)."""
    return _people(
        Membership.objects.filter(organization=organization).select_related("user", "program"),
        search=search,
        role=role,
    ).order_by("sort_name", "user_id", "role", "pk")


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token opens, whatever its organization.

    The token is the capability: it is compared by its hash, and only the
    holder of the emailed link can present it.
    """
    with scopes_disabled():
        return (
            Invitation.objects.select_related("organization", "program", "invited_by")
            .filter(token_hash=hash_token(token, Invitation.TOKEN_PURPOSE))
            .first()
        )


STATUS_TOKEN_PURPOSE = "organization-status"


def organization_by_status_token(token: str) -> Organization | None:
    return Organization.objects.filter(status_token_hash=hash_token(token, STATUS_TOKEN_PURPOSE)).first()


def invitations_for(organization: Organization, program: Program | None = None) -> QuerySet[Invitation]:
    """The organization's invitations (only the program's, if given), newest first."""
    invitations = Invitation.objects.filter(organization=organization).select_related("program", "invited_by")
    if program is not None:
        invitations = invitations.filter(program=program)
    return invitations.order_by("-created_at")


def open_onboarding_slots() -> QuerySet[OnboardingSlot]:
    """Published onboarding sessions still to come, with how many organizations signed up."""
    return (
        OnboardingSlot.objects.filter(is_published=True, starts_at__gt=timezone.now())
        .annotate(taken=Count("signups"))
        .order_by("starts_at")
    )


def _pending_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(status=ReviewStatus.PENDING).order_by("submitted_at")


def _pending_programs() -> QuerySet[Program]:
    with scopes_disabled():
        return Program.objects.filter(status=ReviewStatus.PENDING).select_related("organization").order_by("created_at")


def _pending_access_requests() -> QuerySet[AccessRequest]:
    with scopes_disabled():
        return (
            AccessRequest.objects.filter(status=AccessStatus.PENDING)
            .select_related("program", "organization")
            .order_by("requested_at")
        )


def _latest_onboarding_slots() -> QuerySet[OnboardingSlot]:
    return OnboardingSlot.objects.order_by("-starts_at")[:10]


# The staff's review queue, on every view of their index: four fixed queries compiled once a process (building
# them cost the ORM more than PostgreSQL takes to run them on lists this short).
_STAFF_QUEUE = {
    "organizations": Prepared(_pending_organizations),
    "programs": Prepared(_pending_programs),
    "access_requests": Prepared(_pending_access_requests),
    "slots": Prepared(_latest_onboarding_slots),
}


def staff_queue() -> dict[str, list]:
    """What waits for the staff's review (oldest first) and the ten latest onboarding sessions with their
    sign-ups' organizations, across every tenant."""
    queue = {name: prepared.fetch() for name, prepared in _STAFF_QUEUE.items()}
    with scopes_disabled():
        prefetch_related_objects(queue["slots"], "signups__organization")
    return queue

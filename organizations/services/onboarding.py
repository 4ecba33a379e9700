"""Organizations and programs submitted, reviewed, onboarded and granted access (seed 004)."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import User
from accounts.tokens import new_token
from organizations import emails
from organizations.models import (
    AccessRequest,
    AccessStatus,
    OnboardingSignup,
    OnboardingSlot,
    Organization,
    Program,
    ReviewStatus,
    Role,
)
from organizations.selectors import STATUS_TOKEN_PURPOSE
from organizations.services.invitations import invitation_issue


class OnboardingError(Exception):
    """A step that cannot be taken now, with words for the person who tried."""


def _unique_slug(name: str, taken) -> str:
    base = slugify(name)[:50] or "org"
    slug, number = base, 2
    while taken(slug):
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def organization_submit(*, data: dict, submitted_by: User | None = None) -> tuple[Organization, str]:
    """Record a "Submit your organization" form; returns it and its status-link token."""
    token, token_hash = new_token(STATUS_TOKEN_PURPOSE)
    organization = Organization(**data, status=ReviewStatus.PENDING, status_token_hash=token_hash)
    organization.slug = _unique_slug(organization.name, lambda s: Organization.objects.filter(slug=s).exists())
    organization.save()
    emails.organization_received(organization, token)
    return organization, token


def _review(obj, *, by: User, approve: bool, reason: str = "") -> None:
    if obj.status != ReviewStatus.PENDING:
        raise OnboardingError(_("This was already reviewed."))
    if not approve and not reason.strip():
        raise OnboardingError(_("Say why it is rejected: the submitter will read it."))
    obj.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    obj.rejection_reason = "" if approve else reason.strip()
    obj.reviewed_at = timezone.now()


@transaction.atomic
def organization_review(*, organization: Organization, by: User, approve: bool, reason: str = "") -> Organization:
    """Approve (the designated administrator gets a registration link) or reject with a reason."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _review(organization, by=by, approve=approve, reason=reason)
    organization.reviewed_by = by
    organization.save()
    if approve:
        invitation_issue(
            organization=organization,
            email=organization.admin_email,
            role=Role.ORGANIZATION_ADMIN,
            invited_by=None,
            kind="organization_approved",
        )
    else:
        emails.organization_rejected(organization)
    return organization


@transaction.atomic
def program_submit(*, organization: Organization, data: dict, by: User) -> Program:
    """Record a "Submit Program" form; it waits for platform staff."""
    if organization.status != ReviewStatus.APPROVED:
        raise OnboardingError(_("The organization must be approved first."))
    program = Program(organization=organization, submitted_by=by, status=ReviewStatus.PENDING, **data)
    with scopes_disabled():
        program.slug = _unique_slug(
            program.name, lambda s: Program.objects.filter(organization=organization, slug=s).exists()
        )
    program.save()
    return program


@transaction.atomic
def program_review(*, program: Program, by: User, approve: bool, reason: str = "") -> Program:
    """Approve or reject a submitted program; the organization's admins are emailed either way."""
    with scopes_disabled():
        program = Program.objects.select_for_update().select_related("organization").get(pk=program.pk)
    _review(program, by=by, approve=approve, reason=reason)
    program.save()
    emails.program_reviewed(program)
    return program


@transaction.atomic
def onboarding_sign_up(*, organization: Organization, slot: OnboardingSlot, by: User) -> OnboardingSignup:
    """Book (or move) the organization's place in an onboarding session that has room."""
    slot = OnboardingSlot.objects.select_for_update().get(pk=slot.pk)
    if not slot.is_published or slot.starts_at <= timezone.now():
        raise OnboardingError(_("This onboarding session is no longer open."))
    with scopes_disabled():
        taken = slot.signups.exclude(organization=organization).count()
        if taken >= slot.capacity:
            raise OnboardingError(_("This onboarding session is full: choose another one."))
        signup, _created = OnboardingSignup.objects.update_or_create(
            organization=organization, defaults={"slot": slot, "signed_up_by": by}
        )
    emails.onboarding_signed_up(signup)
    return signup


def can_request_access(program: Program) -> bool:
    """Seed 004: only an approved program of an approved organization signed up for onboarding."""
    organization = program.organization
    if program.is_live or organization.status != ReviewStatus.APPROVED or program.status != ReviewStatus.APPROVED:
        return False  # no query: a live program's overview (every participant's) asks this on each view
    with scopes_disabled():
        return OnboardingSignup.objects.filter(organization=organization).exists()


@transaction.atomic
def access_request_submit(*, program: Program, data: dict, by: User) -> AccessRequest:
    """Record the access form (again, after a denial); it waits for platform staff."""
    with scopes_disabled():
        program = Program.objects.select_for_update(of=("self",)).select_related("organization").get(pk=program.pk)
    if not can_request_access(program):
        raise OnboardingError(_("This program cannot request access yet."))
    with scopes_disabled():
        existing = AccessRequest.objects.select_for_update().filter(program=program).first()
    if existing and existing.status == AccessStatus.PENDING:
        raise OnboardingError(_("Access was already requested and is waiting for review."))
    access_request = existing or AccessRequest(program=program, organization=program.organization)
    for field, value in data.items():
        setattr(access_request, field, value)
    access_request.status, access_request.reason, access_request.requested_by = AccessStatus.PENDING, "", by
    access_request.requested_at = timezone.now()
    access_request.save()
    return access_request


@transaction.atomic
def access_review(*, access_request: AccessRequest, by: User, grant: bool, reason: str = "") -> AccessRequest:
    """Grant (the program goes live; its administrator gets a registration link) or deny with a reason."""
    with scopes_disabled():
        access_request = (
            AccessRequest.objects.select_for_update(of=("self",))
            .select_related("program", "organization")
            .get(pk=access_request.pk)
        )
    if access_request.status != AccessStatus.PENDING:
        raise OnboardingError(_("This was already reviewed."))
    if not grant and not reason.strip():
        raise OnboardingError(_("Say why access is denied: the organization will read it."))
    access_request.status = AccessStatus.GRANTED if grant else AccessStatus.DENIED
    access_request.reason = reason.strip()
    access_request.reviewed_at, access_request.reviewed_by = timezone.now(), by
    access_request.save()
    program = access_request.program
    if grant:
        program.is_live = True
        program.admin_email = access_request.admin_email
        program.save(update_fields=["is_live", "admin_email"])
        invitation_issue(
            organization=access_request.organization,
            program=program,
            email=access_request.admin_email,
            role=Role.PROGRAM_ADMIN,
            kind="access_granted",
        )
    else:
        emails.access_denied(access_request)
    return access_request

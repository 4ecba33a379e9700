"""Issue, renew, revoke and accept invitations."""

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import User
from accounts.services import user_record_signup
from accounts.tokens import new_token
from organizations import emails
from organizations.models import Invitation, InvitationStatus, Membership, Organization, Program, Role
from organizations.services.memberships import membership_ensure


class InvitationError(Exception):
    """Why an invitation link cannot be used, in words for the person holding it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _fresh_token(invitation: Invitation) -> str:
    token, invitation.token_hash = new_token(Invitation.TOKEN_PURPOSE)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    return token


def _pending_for(organization: Organization, email: str) -> Invitation | None:
    with scopes_disabled():
        return (
            Invitation.objects.select_for_update()
            .filter(organization=organization, email__iexact=email, status=InvitationStatus.PENDING)
            .first()
        )


def existing_member(*, organization: Organization, email: str, role: Role, program: Program | None) -> bool:
    """Whether ``email`` already holds ``role`` there: inviting them again would change nothing."""
    with scopes_disabled():
        return Membership.objects.filter(
            organization=organization, program=program, role=role, user__email__iexact=email.strip()
        ).exists()


def _refuse_existing_member(organization: Organization, email: str, role: Role, program: Program | None) -> None:
    if existing_member(organization=organization, email=email, role=role, program=program):
        place = program.name if program else organization.name
        raise InvitationError(
            "already_member",
            _("%(email)s already has the role %(role)s in %(place)s: nothing was sent.")
            % {"email": email, "role": Role(role).label, "place": place},
        )


@transaction.atomic
def invitation_issue(
    *,
    organization: Organization,
    email: str,
    role: Role,
    program: Program | None = None,
    invited_by: User | None = None,
    kind: str = "invitation",
) -> tuple[Invitation, bool]:
    """Invite ``email``; returns (invitation, created).

    One pending invitation per organization and address, whatever the case of
    the address: inviting again renews the pending one (new link, new expiry,
    the new role and program) and resends it. Safe under concurrent calls.
    Someone who already holds that role there is not invited: InvitationError
    ("already_member") says so, and nothing is sent.
    """
    email = email.strip().lower()
    _refuse_existing_member(organization, email, role, program)
    for _attempt in range(3):
        invitation = _pending_for(organization, email)
        created = invitation is None
        if created:
            invitation = Invitation(organization=organization, email=email, send_count=0)
        invitation.role, invitation.program, invitation.invited_by = role, program, invited_by
        token = _fresh_token(invitation)
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            continue  # another request created it first: renew theirs
        emails.invitation(invitation, token, kind)
        return invitation, created
    raise RuntimeError("could not issue the invitation")


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Send a pending (or expired) invitation again, with a new link and expiry."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationError(invitation.status, _("Only a pending invitation can be sent again."))
    token = _fresh_token(invitation)
    invitation.save()
    emails.invitation(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationError(invitation.status, _("Only a pending invitation can be revoked."))
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["status", "revoked_at"])
    return invitation


def check_usable(invitation: Invitation, user: User | None = None) -> None:
    """Raise InvitationError unless ``invitation`` can be accepted (by ``user``)."""
    contact = invitation.invited_by.email if invitation.invited_by else invitation.organization.admin_email
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationError(
            "revoked",
            _("This invitation was withdrawn. Ask %(contact)s if you think it should not have been.")
            % {"contact": contact},
        )
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationError(
            "used",
            _("This invitation has already been used. Log in with %(email)s to continue.")
            % {"email": invitation.email},
        )
    if invitation.is_expired:
        raise InvitationError(
            "expired", _("This invitation expired. Ask %(contact)s to send you a new one.") % {"contact": contact}
        )
    if user is not None and user.email.lower() != invitation.email.lower():
        raise InvitationError(
            "wrong_account", _("This invitation was sent to %(email)s.") % {"email": invitation.email}
        )


def _locked(invitation: Invitation) -> Invitation:
    with scopes_disabled():
        return (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "program", "invited_by")
            .get(pk=invitation.pk)
        )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Make ``user`` a member with the invited role; the link is used up.

    The row is locked, so of many concurrent accepts one wins and the others
    see it used. The same person accepting twice gets their membership back.
    """
    invitation = _locked(invitation)
    if invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by_id == user.pk:
        return _membership_for(invitation, user)
    check_usable(invitation, user)
    membership = _membership_for(invitation, user)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    return membership


def _membership_for(invitation: Invitation, user: User) -> Membership:
    return membership_ensure(
        user=user, organization=invitation.organization, program=invitation.program, role=invitation.role
    )


@transaction.atomic
def invitation_register(*, invitation: Invitation, data: dict, password: str) -> tuple[User, Membership]:
    """Create the invited person's account (email fixed, already verified) and accept."""
    invitation = _locked(invitation)
    check_usable(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError("account_exists", _("An account with this address already exists: log in to accept."))
    user = User.objects.create_user(email=invitation.email, password=password, full_name=data["full_name"])
    user_record_signup(user=user, full_name=data["full_name"], language=data["language"], time_zone=data["timezone"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user, invitation_accept(invitation=invitation, user=user)


@dataclass
class ImportRow:
    line: int
    email: str
    role: str
    program: str
    outcome: str = ""
    error: str = ""


INVITABLE = {Role.MENTOR, Role.MENTEE, Role.PROGRAM_ADMIN, Role.ORGANIZATION_ADMIN}


def _parse_role(raw: str) -> Role | None:
    raw = raw.strip().lower().replace(" ", "_")
    aliases = {"admin": Role.PROGRAM_ADMIN, "organization_admin": Role.ORGANIZATION_ADMIN}
    if raw in aliases:
        return aliases[raw]
    return Role(raw) if raw in Role.values else None


def _check_row(row: ImportRow, organization: Organization, program: Program | None, programs: dict) -> tuple:
    try:
        validate_email(row.email)
    except ValidationError:
        return None, None, _("not a valid email address")
    role = _parse_role(row.role)
    if role is None or role not in INVITABLE:
        return None, None, _("unknown role %(role)r (mentor, mentee or admin)") % {"role": row.role}
    target = program
    if program is None and row.program:
        target = programs.get(row.program.strip().lower())
        if target is None:
            return None, None, _("no program %(program)r in this organization") % {"program": row.program}
    if program is not None and role == Role.ORGANIZATION_ADMIN:
        return None, None, _("a program admin cannot invite organization admins")
    if role == Role.PROGRAM_ADMIN and target is None:
        return None, None, _("a program admin needs a program")
    if role == Role.ORGANIZATION_ADMIN:
        target = None
    return role, target, ""


def read_invitation_csv(upload: bytes, organization: Organization, program: Program | None) -> list[tuple]:
    """Parse and check every row; returns [(ImportRow, role, program)], errors set on the rows."""
    text = upload.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    fields = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if "email" not in fields or "role" not in fields:
        raise InvitationError("csv", _("The file needs a header row with at least the columns email and role."))
    with scopes_disabled():
        programs = {p.slug: p for p in Program.objects.filter(organization=organization)}
        programs |= {p.name.lower(): p for p in programs.values()}
    rows, seen = [], set()
    for line, record in enumerate(reader, start=2):
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items()}
        row = ImportRow(line, record.get("email", "").lower(), record.get("role", ""), record.get("program", ""))
        role, target, row.error = _check_row(row, organization, program, programs)
        if not row.error and row.email in seen:
            row.error = _("this address appears twice in the file")
        seen.add(row.email)
        rows.append((row, role, target))
    if not rows:
        raise InvitationError("csv", _("The file has no rows under its header."))
    return rows


@transaction.atomic
def invitations_import(
    *, upload: bytes, organization: Organization, program: Program | None, invited_by: User
) -> tuple[bool, list[ImportRow]]:
    """Invite every row of a CSV file, or nobody: returns (saved, report)."""
    rows = read_invitation_csv(upload, organization, program)
    if any(row.error for row, _role, _target in rows):
        return False, [row for row, _role, _target in rows]
    for row, role, target in rows:
        if existing_member(organization=organization, email=row.email, role=role, program=target):
            row.outcome = _("already a member: nothing sent")
            continue
        _invitation, created = invitation_issue(
            organization=organization, email=row.email, role=role, program=target, invited_by=invited_by
        )
        row.outcome = _("invited") if created else _("renewed")
    return True, [row for row, _role, _target in rows]

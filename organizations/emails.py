"""One small function per email of the onboarding and invitation flows."""

from django.conf import settings
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import User
from mentorship.mail import absolute_url, queue_email, render_email
from organizations.models import AccessRequest, Invitation, Membership, OnboardingSignup, Organization, Program, Role


def _language_of(email: str) -> str:
    user = User.objects.filter(email__iexact=email).first()
    return user.preferred_language if user else settings.LANGUAGE_CODE


def _send(name: str, context: dict, *, to: str, from_name: str | None = None) -> None:
    queue_email(render_email(name, context, to=to, language=_language_of(to), from_name=from_name))


def organization_admins(organization: Organization) -> list[User]:
    with scopes_disabled():
        return [
            m.user
            for m in Membership.objects.filter(organization=organization, role=Role.ORGANIZATION_ADMIN).select_related(
                "user"
            )
        ]


def _to_organization(organization: Organization, name: str, context: dict) -> None:
    recipients = {user.email for user in organization_admins(organization)} or {organization.admin_email}
    for email in sorted(recipients):
        _send(name, {"organization": organization, **context}, to=email)


def organization_received(organization: Organization, status_token: str) -> None:
    status_url = absolute_url(reverse("onboarding:organization_status", args=[status_token]))
    for email in sorted({organization.admin_email, organization.contact_email} - {""}):
        _send("organization_received", {"organization": organization, "status_url": status_url}, to=email)


def organization_rejected(organization: Organization) -> None:
    for email in sorted({organization.admin_email, organization.contact_email} - {""}):
        _send("organization_rejected", {"organization": organization}, to=email)


def invitation(invitation: Invitation, token: str, kind: str = "invitation") -> None:
    """The link that makes its holder a member; ``kind`` picks the wording.

    ``organization_approved`` and ``access_granted`` are the registration links
    of designated administrators (seed 004); ``invitation`` is everyone else's.
    """
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "program": invitation.program,
        "link": absolute_url(reverse("invitations:show", args=[token])),
        "expires_at": invitation.expires_at,
    }
    _send(kind, context, to=invitation.email, from_name=invitation.sender_name)


def program_reviewed(program: Program) -> None:
    name = "program_approved" if program.status == "approved" else "program_rejected"
    _to_organization(program.organization, name, {"program": program})


def access_denied(access_request: AccessRequest) -> None:
    _to_organization(access_request.organization, "access_denied", {"access_request": access_request})


def onboarding_signed_up(signup: OnboardingSignup) -> None:
    _to_organization(signup.organization, "onboarding_signed_up", {"signup": signup, "slot": signup.slot})


def member_added(membership: Membership, set_password_url: str | None) -> None:
    context = {
        "membership": membership,
        "organization": membership.organization,
        "program": membership.program,
        "set_password_url": set_password_url,
        "login_url": absolute_url(reverse("account_login")),
    }
    from_name = membership.program.name if membership.program else membership.organization.name
    _send("member_added", context, to=membership.user.email, from_name=from_name)

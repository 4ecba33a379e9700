"""allauth's social account adapter for organizations' single sign-on.

Every sign-in through an organization's identity provider passes here once
the assertion or token is checked: it is bound to that organization (the
app's provider_id is the organization's), refused while single sign-on is off
(except for the admin's "Test sign-on"), protected against a replayed SAML
assertion, and let in only as an existing member, through a pending
invitation with the same address (seed 003), or as a just-in-time account of
one of the organization's domains when the organization allows it.
"""

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import User
from organizations.models import EmailDomain, Invitation, InvitationStatus, Membership, Role, SingleSignOn
from organizations.services.invitations import InvitationError, invitation_accept
from organizations.services.memberships import membership_ensure
from organizations.sso import services
from organizations.sso.routing import domain_of, masked, security_event

REPLAY_SECONDS = 60 * 60 * 24  # longer than any assertion's validity window


def _sso_of(sociallogin) -> SingleSignOn | None:
    provider_id = sociallogin.account.provider
    if not provider_id.startswith("sso-"):
        return None
    with scopes_disabled():
        return (
            SingleSignOn.objects.select_related("organization", "app")
            .filter(organization__slug=provider_id.removeprefix("sso-"), organization__deleted_at__isnull=True)
            .first()
        )


def _email_of(sociallogin) -> str:
    if sociallogin.email_addresses:
        return sociallogin.email_addresses[0].email.strip()
    return (sociallogin.user.email or "").strip() if sociallogin.user else ""


def _pending_invitations(sso: SingleSignOn, email: str) -> list[Invitation]:
    with scopes_disabled():
        return list(
            Invitation.objects.filter(
                organization=sso.organization, email__iexact=email, status=InvitationStatus.PENDING
            ).select_related("organization", "program")
        )


def _in_domains(sso: SingleSignOn, email: str) -> bool:
    with scopes_disabled():
        return EmailDomain.objects.filter(organization=sso.organization, domain=domain_of(email)).exists()


def _is_member(sso: SingleSignOn, user: User) -> bool:
    with scopes_disabled():
        return Membership.objects.filter(organization=sso.organization, user=user).exists()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def _refuse(self, request, sso: SingleSignOn | None, reason: str, message: str, email: str = ""):
        security_event(
            "sso_login_refused",
            organization=sso.organization.slug if sso else "",
            reason=reason,
            email=masked(email),
        )
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect("account_login"))

    def _check_replay(self, request, sso: SingleSignOn, sociallogin) -> None:
        assertion_id = getattr(request, "sso_saml_assertion_id", None)
        if sso.protocol != "saml":
            return
        if not assertion_id:
            self._refuse(request, sso, "no_assertion_id", _("The identity provider’s answer could not be read."))
        if not cache.add(f"sso:saml:assertion:{sso.organization_id}:{assertion_id}", 1, REPLAY_SECONDS):
            self._refuse(
                request, sso, "replayed", _("This sign-on answer was already used. Sign in again from the start.")
            )

    def pre_social_login(self, request, sociallogin) -> None:
        sso = _sso_of(sociallogin)
        if sso is None:
            self._refuse(request, None, "not_an_organization", _("This sign-on is not set up."))
        email = _email_of(sociallogin)
        self._check_replay(request, sso, sociallogin)
        state_data = sociallogin.state.get("data") or {}
        if state_data.get("sso_test") == sso.organization_id:
            self._record_test(request, sso, sociallogin, email)
        if not sso.enabled:
            self._refuse(request, sso, "disabled", _("Single sign-on is not switched on for this organization."), email)
        if not email:
            self._refuse(request, sso, "no_email", _("The identity provider did not send an email address."))
        sociallogin.state["sso_organization"] = sso.organization_id
        if sociallogin.is_existing:
            self._accept_invitations(request, sso, sociallogin.user, email)
            security_event("sso_login", organization=sso.organization.slug, email=masked(email), kind="returning")
            return
        user = User.objects.filter(email__iexact=email).first()
        invitations = _pending_invitations(sso, email)
        if user is not None:
            if not (_is_member(sso, user) or invitations):
                self._refuse(
                    request,
                    sso,
                    "existing_account_not_member",
                    _(
                        "An account with this address exists but is not a member of %(organization)s: "
                        "log in with your password, or ask the organization for an invitation."
                    )
                    % {"organization": sso.organization.name},
                    email,
                )
            sociallogin.connect(request, user)
            self._accept_invitations(request, sso, user, email)
            security_event("sso_login", organization=sso.organization.slug, email=masked(email), kind="linked")
            return
        if not invitations and not (sso.allow_jit and _in_domains(sso, email)):
            self._refuse(
                request,
                sso,
                "no_account",
                _("You have no account here yet: ask %(organization)s for an invitation.")
                % {"organization": sso.organization.name},
                email,
            )
        sociallogin.state["sso_signup"] = "invitation" if invitations else "jit"

    def _record_test(self, request, sso: SingleSignOn, sociallogin, email: str) -> None:
        result = {
            "uid": sociallogin.account.uid,
            "email": email,
            "attributes": {k: v for k, v in (sociallogin.account.extra_data or {}).items() if _is_plain(v)},
        }
        if sso.protocol == "oidc":
            # allauth keeps the id token's claims; no tokens are ever shown or stored here.
            result["attributes"] = {
                k: v for k, v in result["attributes"].items() if k not in ("id_token", "access_token")
            }
        services.sso_record_test(sso=sso, ok=True, result=result)
        security_event("sso_test", organization=sso.organization.slug, email=masked(email), outcome="ok")
        messages.success(request, _("The test sign-on worked. Check what the identity provider sent below."))
        raise ImmediateHttpResponse(redirect(reverse("organizations:sso", args=[sso.organization.slug])))

    def _accept_invitations(self, request, sso: SingleSignOn, user: User, email: str) -> None:
        for invitation in _pending_invitations(sso, email):
            try:
                invitation_accept(invitation=invitation, user=user)
            except InvitationError as error:
                messages.warning(request, error.message)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return bool(sociallogin.state.get("sso_signup"))

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        user.full_name = (name or _email_of(sociallogin).partition("@")[0])[:150]
        return user

    @transaction.atomic
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True, primary=True)
        if not EmailAddress.objects.filter(user=user).exists():
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        with scopes_disabled():
            sso = SingleSignOn.objects.select_related("organization").get(
                organization_id=sociallogin.state["sso_organization"]
            )
        invitations = _pending_invitations(sso, user.email)
        self._accept_invitations(request, sso, user, user.email)
        if not invitations:
            membership_ensure(user=user, organization=sso.organization, program=None, role=Role.MEMBER)
        security_event(
            "sso_login",
            organization=sso.organization.slug,
            email=masked(user.email),
            kind="invitation" if invitations else "just_in_time",
        )
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        reason = (extra_context or {}).get("saml_last_error_reason") or str(error or exception or "")
        security_event("sso_login_failed", provider=getattr(provider, "sub_id", ""), reason=reason[:200])
        return super().on_authentication_error(request, provider, error, exception, extra_context)


def _is_plain(value) -> bool:
    return isinstance(value, str | int | float | bool | list | type(None))

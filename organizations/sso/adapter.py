"""allauth's social account adapter for organizations' single sign-on.

Every sign-in through an organization's identity provider passes here once
the assertion or token is checked: it is bound to that organization (the
app's provider_id is the organization's), refused while single sign-on is off
(except for the admin's "Test sign-on"), protected against a replayed SAML
assertion, and let in only for an address of one of the organization's
verified domains (an IdP vouches for no other), as an existing member,
through a pending invitation with the same address (seed 003), or as a
just-in-time account when the organization allows it.
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
from organizations.sso import inspection, services
from organizations.sso.routing import domain_of, masked, security_event

REPLAY_SECONDS = 60 * 60 * 24  # longer than any assertion's validity window
TEST_SESSION_KEY = "sso_test_organization"  # set by the admin's "Test sign-on" (views.sso_test)


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
    """Whether ``email`` is of one of the organization's verified domains (the only addresses its IdP vouches for)."""
    with scopes_disabled():
        return EmailDomain.objects.filter(
            organization=sso.organization, domain=domain_of(email), verified_at__isnull=False
        ).exists()


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

    def _problem(self, request, sso: SingleSignOn, sociallogin, email: str) -> tuple[str, str] | None:
        """Why a checked answer must still be refused (replayed, missing mapped attribute), or None."""
        if sso.protocol == "saml":
            assertion_id = getattr(request, "sso_saml_assertion_id", None)
            if not assertion_id:
                return "no_assertion_id", _("The identity provider’s answer could not be read.")
            if not cache.add(f"sso:saml:assertion:{sso.organization_id}:{assertion_id}", 1, REPLAY_SECONDS):
                return "replayed", _("This sign-on answer was already used. Sign in again from the start.")
            if sso.uid_attribute and not (sociallogin.account.extra_data or {}).get(sso.uid_attribute):
                # allauth would fall back to the NameID: an identity that may change, refused instead.
                return "missing_uid_attribute", _(
                    "The identity provider did not send the permanent id attribute “%(attribute)s”."
                ) % {"attribute": sso.uid_attribute}
        if not email:
            return "no_email", _("The identity provider did not send an email address.")
        return None

    def pre_social_login(self, request, sociallogin) -> None:
        sso = _sso_of(sociallogin)
        if sso is None:
            self._refuse(request, None, "not_an_organization", _("This sign-on is not set up."))
        email = _email_of(sociallogin)
        problem = self._problem(request, sso, sociallogin, email)
        state_data = sociallogin.state.get("data") or {}
        if state_data.get("sso_test") == sso.organization_id:
            self._record_test(request, sso, sociallogin, email, problem)
        if problem:
            self._refuse(request, sso, *problem, email)
        if not sso.enabled:
            self._refuse(request, sso, "disabled", _("Single sign-on is not switched on for this organization."), email)
        sociallogin.state["sso_organization"] = sso.organization_id
        if sociallogin.is_existing:
            self._accept_invitations(request, sso, sociallogin.user, email)
            security_event("sso_login", organization=sso.organization.slug, email=masked(email), kind="returning")
            return
        if not _in_domains(sso, email):
            # An identity provider vouches only for its organization's verified domains: an address elsewhere
            # could be anybody's (an existing account of another organization, a public mailbox).
            self._refuse(
                request,
                sso,
                "outside_verified_domains",
                _(
                    "%(domain)s is not a verified domain of %(organization)s: this address cannot sign in "
                    "through its single sign-on. Log in with your password."
                )
                % {"domain": domain_of(email), "organization": sso.organization.name},
                email,
            )
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
        if not invitations and not sso.allow_jit:
            self._refuse(
                request,
                sso,
                "no_account",
                _("You have no account here yet: ask %(organization)s for an invitation.")
                % {"organization": sso.organization.name},
                email,
            )
        sociallogin.state["sso_signup"] = "invitation" if invitations else "jit"

    def _record_test(self, request, sso: SingleSignOn, sociallogin, email: str, problem) -> None:
        """The admin's "Test sign-on" ends here, signing nobody in: what the IdP sent, on the SSO page."""
        request.session.pop(TEST_SESSION_KEY, None)
        extra = sociallogin.account.extra_data or {}
        if sso.protocol == "oidc":
            # the checked claims (ID token, then userinfo); no token is ever shown or stored here.
            attributes = {**(extra.get("id_token") or {}), **(extra.get("userinfo") or {})}
            attributes = {k: v for k, v in attributes.items() if k not in inspection.HIDDEN_CLAIMS}
        else:
            attributes = extra
        sent = {"uid": sociallogin.account.uid, "email": email, "attributes": inspection.plain(attributes)}
        if sso.protocol == "saml":
            read = inspection.saml_response(getattr(request, "sso_saml_response", None))
            sent.update({k: read[k] for k in ("issuer", "name_id", "name_id_format", "audience") if k in read})
        warnings = []
        if sso.protocol == "saml" and not sso.uid_attribute and sent.get("name_id_format") != inspection.PERSISTENT:
            warnings.append(
                _(
                    "The NameID is not persistent: it may change (an email often does). "
                    "Send a persistent NameID, or name a permanent id attribute."
                )
            )
        if email and not _in_domains(sso, email):
            warnings.append(
                _("%(domain)s is not one of your verified domains: this person could not sign in.")
                % {"domain": domain_of(email)}
            )
        result = {"protocol": sso.protocol, "sent": sent, "warnings": warnings}
        if problem:
            result.update(reason_code=problem[0], reason=str(problem[1]), detail="")
        services.sso_record_test(sso=sso, ok=not problem, result=result)
        security_event(
            "sso_test",
            organization=sso.organization.slug,
            email=masked(email),
            outcome=problem[0] if problem else "ok",
        )
        if problem:
            messages.error(request, _("The test sign-on failed. See why, and what the identity provider sent, below."))
        else:
            messages.success(request, _("The test sign-on worked. Check what the identity provider sent below."))
        raise ImmediateHttpResponse(redirect(reverse("organizations:sso", args=[sso.organization.slug])))

    def _record_failed_test(self, request, sso: SingleSignOn, error, exception, extra_context) -> None:
        """A test sign-on that python3-saml or allauth refused: the exact reason, and what arrived."""
        request.session.pop(TEST_SESSION_KEY, None)
        if sso.protocol == "saml":
            sent = inspection.saml_response(getattr(request, "sso_saml_response", None))
            detail = extra_context.get("saml_last_error_reason") or inspection.exception_detail(exception)
            if not detail and not sent:
                detail = "no_response"
            reason = inspection.saml_reason(detail) if sent else _("No answer from the identity provider arrived.")
            if not detail and sent.get("status", "Success") == "Success":
                detail = "idp_initiated_or_unknown"
        else:
            claims = inspection.oidc_claims(getattr(request, "sso_oidc_id_token", None))
            userinfo = inspection.plain(getattr(request, "sso_oidc_userinfo", None) or {})
            sent = {"attributes": {**claims, **userinfo}}
            if "sub" in sent["attributes"]:
                sent["uid"] = sent["attributes"]["sub"]
            if request.GET.get("error"):
                sent["error"] = inspection.plain({"error": request.GET["error"]})["error"]
                if request.GET.get("error_description"):
                    sent["error_description"] = inspection.plain({"d": request.GET["error_description"]})["d"]
                detail = "idp_error: " + request.GET["error"]
            else:
                detail = inspection.exception_detail(exception) or str(error or "")
            reason = inspection.oidc_reason(detail)
        result = {"protocol": sso.protocol, "sent": sent, "reason": str(reason), "detail": detail[:500]}
        services.sso_record_test(sso=sso, ok=False, result=result)
        security_event("sso_test", organization=sso.organization.slug, outcome="failed", reason=detail[:200])
        messages.error(request, _("The test sign-on failed. See why, and what the identity provider sent, below."))
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
        extra_context = extra_context or {}
        reason = extra_context.get("saml_last_error_reason") or inspection.exception_detail(exception) or str(error)
        if request.GET.get("error"):
            reason = f"idp_error: {request.GET['error']}"
        provider_id = getattr(provider, "sub_id", "") or ""
        security_event("sso_login_failed", provider=provider_id, reason=reason[:200])
        testing = request.session.get(TEST_SESSION_KEY)
        if testing and provider_id.startswith("sso-"):
            with scopes_disabled():
                sso = (
                    SingleSignOn.objects.select_related("organization")
                    .filter(organization__slug=provider_id.removeprefix("sso-"), organization_id=testing)
                    .first()
                )
            if sso is not None:
                self._record_failed_test(request, sso, error, exception, extra_context)
        return super().on_authentication_error(request, provider, error, exception, extra_context)


def _is_plain(value) -> bool:
    return isinstance(value, str | int | float | bool | list | type(None))

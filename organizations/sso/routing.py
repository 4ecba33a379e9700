"""Which organization's single sign-on applies to an address, and how to start it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_scopes import scopes_disabled

from mentorship.security import domain_of, masked, security_event, security_log  # noqa: F401 (re-exported)
from organizations.models import EmailDomain, Membership, SingleSignOn


def sso_for_email(email: str) -> SingleSignOn | None:
    """The switched-on single sign-on of the organization that verified ``email``'s domain, or None.

    An unverified claim routes nobody: otherwise any organization could capture
    another's (or a public provider's) sign-ins by typing its domain.
    """
    domain = domain_of(email)
    if not domain:
        return None
    with scopes_disabled():
        owner = EmailDomain.objects.filter(domain=domain, verified_at__isnull=False).values("organization_id").first()
        if owner is None:
            return None
        return (
            SingleSignOn.objects.select_related("organization", "app")
            .filter(
                organization_id=owner["organization_id"],
                organization__deleted_at__isnull=True,
                enabled=True,
                app__isnull=False,
            )
            .first()
        )


def sso_required_for(email: str, user=None) -> SingleSignOn | None:
    """The single sign-on ``email`` must use instead of a password.

    Platform staff are never held to it, nor is an existing account that is
    not a member of the organization: a domain claimed by an organization
    does not lock strangers out of their own accounts.
    """
    if user is not None and user.is_staff:
        return None
    sso = sso_for_email(email)
    if sso is None or not sso.required:
        return None
    if user is not None:
        with scopes_disabled():
            if not Membership.objects.filter(organization_id=sso.organization_id, user=user).exists():
                return None
    return sso


def start_url(sso: SingleSignOn) -> str:
    return reverse("sso:start_organization", args=[sso.organization.slug])


def redirect_to_idp(
    request: HttpRequest, sso: SingleSignOn, *, next_url: str | None = None, data: dict | None = None
) -> HttpResponse:
    """A page that goes on to the identity provider.

    Not a 302: the strict CSP's ``form-action 'self'`` also covers where a
    submitted form is redirected, and the identity provider is another origin.
    A refresh and a link are not form submissions.
    """
    provider = sso.app.get_provider(request)
    response = provider.redirect(request, process="login", next_url=next_url, data=data)
    context = {"idp_url": response["Location"], "organization": sso.organization}
    return render(request, "organizations/sso/redirect.html", context)

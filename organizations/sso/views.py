"""Single sign-on pages: starting a sign-on from an address, and the organization admin's page."""

import base64

from allauth.account.internal.decorators import login_not_required
from allauth.core.internal import httpkit
from allauth.socialaccount.providers.saml import views as saml_views
from allauth.socialaccount.sessions import LoginSession
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled
from lxml import etree

from organizations.decorators import tenant_view
from organizations.models import EmailDomain, SingleSignOn, SsoProtocol
from organizations.sso import services
from organizations.sso.adapter import TEST_SESSION_KEY
from organizations.sso.forms import SingleSignOnForm, SsoStartForm
from organizations.sso.routing import masked, redirect_to_idp, security_event, sso_for_email

SAML_NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion", "samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}


@login_not_required
def sso_start(request: HttpRequest) -> HttpResponse:
    """The login page's "Continue with single sign-on": the address's organization's identity provider."""
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data.setdefault("email", data.get("login", ""))  # from the login page's "Continue with single sign-on"
    form = SsoStartForm(data, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        sso = sso_for_email(email)
        if sso is not None:
            security_event("sso_start", organization=sso.organization.slug, email=masked(email))
            return redirect_to_idp(request, sso, next_url=request.POST.get("next") or None)
        form.add_error(
            "email", _("No organization signs in this address with single sign-on: log in with your password.")
        )
    return render(request, "organizations/sso/start.html", {"form": form})


@login_not_required
def sso_start_organization(request: HttpRequest, slug: str) -> HttpResponse:
    with scopes_disabled():
        sso = get_object_or_404(
            SingleSignOn.objects.select_related("organization", "app"), organization__slug=slug, enabled=True
        )
    if request.method == "POST":
        security_event("sso_start", organization=sso.organization.slug)
        return redirect_to_idp(request, sso)
    return render(request, "organizations/sso/start_organization.html", {"sso": sso})


@login_not_required
def saml_finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's SAML finish step, knowing the assertion's ID first (for the adapter's replay check)."""
    store = LoginSession(request, "saml_acs_session", "saml-acs-session").store
    raw = None
    if store.get("request"):
        raw = httpkit.deserialize_request(store["request"], HttpRequest()).POST.get("SAMLResponse")
    request.sso_saml_assertion_id = _assertion_id(raw)
    request.sso_saml_response = raw  # for a failed "Test sign-on": what the identity provider sent
    return saml_views.finish_acs(request, organization_slug=organization_slug)


def _assertion_id(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        root = etree.fromstring(base64.b64decode(raw), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except Exception:  # not base64, not XML: python3-saml refuses it next
        return None
    assertion = root.find("saml:Assertion", SAML_NS)
    element = assertion if assertion is not None else root
    return element.get("ID")


def _sso_urls(request: HttpRequest, slug: str) -> dict:
    metadata = request.build_absolute_uri(reverse("saml_metadata", args=[slug]))
    return {
        "entity_id": metadata,
        "acs_url": request.build_absolute_uri(reverse("saml_acs", args=[slug])),
        "metadata_url": metadata,
        "redirect_uri": request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": f"sso-{slug}"})
        ),
    }


def _sent_rows(result: dict) -> list[tuple[str, object]]:
    """What the identity provider sent at the last "Test sign-on", as (label, value) rows for the page."""
    sent = result.get("sent") or {}
    labels = [
        ("uid", _("Permanent id (kept as the identity)")),
        ("email", _("Email")),
        ("error", _("Error")),
        ("error_description", _("Error description")),
        ("status", _("Status")),
        ("status_message", _("Status message")),
        ("issuer", _("Issuer")),
        ("name_id", _("NameID")),
        ("name_id_format", _("NameID format")),
        ("audience", _("Audience")),
        ("not_before", _("Valid from")),
        ("not_on_or_after", _("Valid until")),
        ("response_signed", _("Response signed")),
        ("assertion_signed", _("Assertion signed")),
        ("assertion", _("Assertion")),
    ]
    rows = []
    for key, label in labels:
        if key in sent and sent[key] not in ("", None, []):
            value = sent[key]
            if isinstance(value, bool):
                value = _("yes") if value else _("no")
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            rows.append((label, value))
    for name, value in (sent.get("attributes") or {}).items():
        rows.append((name, ", ".join(str(v) for v in value) if isinstance(value, list) else value))
    return rows


def _initial(sso: SingleSignOn | None, domains: list[str]) -> dict:
    initial = {"protocol": SsoProtocol.SAML, "domains": " ".join(domains)}
    if sso is None:
        return initial
    initial.update(
        protocol=sso.protocol,
        uid_attribute=sso.uid_attribute,
        email_attribute=sso.email_attribute,
        name_attribute=sso.name_attribute,
        required=sso.required,
        allow_jit=sso.allow_jit,
        allow_idp_initiated=sso.allow_idp_initiated,
    )
    if sso.app is not None and sso.protocol == SsoProtocol.OIDC:
        initial.update(issuer=sso.app.settings.get("server_url", ""), client_id=sso.app.client_id)
    return initial


@tenant_view(perm="organizations.manage_organization")
def sso_settings(request: HttpRequest, organization: str) -> HttpResponse:
    sso = SingleSignOn.objects.select_related("app").filter(organization=request.organization).first()
    claims = list(EmailDomain.objects.filter(organization=request.organization))
    domains = [claim.domain for claim in claims]
    app = sso.app if sso else None
    has_saml_idp = bool(app and app.provider == services.SAML and (app.settings or {}).get("idp"))
    has_secret = bool(app and app.provider == services.OIDC and app.secret)
    form = SingleSignOnForm(
        request.POST or None, initial=_initial(sso, domains), has_saml_idp=has_saml_idp, has_secret=has_secret
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idp = None
            issuer = ""
            if data["protocol"] == SsoProtocol.SAML:
                if data["metadata_xml"]:
                    idp = services.parse_idp_metadata(data["metadata_xml"].strip())
                elif data["metadata_url"]:
                    idp = services.fetch_idp_metadata(data["metadata_url"])
            else:
                issuer = services.check_issuer(data["issuer"])
            services.domains_set(organization=request.organization, domains=data["domains"])
            services.sso_save(
                organization=request.organization,
                protocol=data["protocol"],
                idp=idp,
                issuer=issuer,
                client_id=data["client_id"],
                secret=data["secret"],
                uid_attribute=data["uid_attribute"],
                email_attribute=data["email_attribute"],
                name_attribute=data["name_attribute"],
                allow_jit=data["allow_jit"],
                allow_idp_initiated=data["allow_idp_initiated"],
                required=data["required"],
            )
        except services.SsoError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Single sign-on saved."))
            return redirect("organizations:sso", organization=organization)
    context = {
        "form": form,
        "sso": sso,
        "idp": (app.settings or {}).get("idp") if has_saml_idp else None,
        "has_secret": has_secret,
        "claims": claims,
        "sent_rows": _sent_rows(sso.last_test_result or {}) if sso and sso.tested_at else [],
        "urls": _sso_urls(request, request.organization.slug),
    }
    return render(request, "organizations/sso/settings.html", context)


@require_POST
@tenant_view(perm="organizations.manage_organization")
def sso_test(request: HttpRequest, organization: str) -> HttpResponse:
    sso = SingleSignOn.objects.select_related("app").filter(organization=request.organization).first()
    if sso is None or sso.app is None:
        messages.error(request, _("Save your identity provider first."))
        return redirect("organizations:sso", organization=organization)
    security_event("sso_test_start", organization=request.organization.slug)
    # A failure comes back without allauth's state: this says whose test it was (adapter.on_authentication_error).
    request.session[TEST_SESSION_KEY] = request.organization.pk
    return redirect_to_idp(request, sso, data={"sso_test": request.organization.pk})


@require_POST
@tenant_view(perm="organizations.manage_organization")
def sso_switch(request: HttpRequest, organization: str) -> HttpResponse:
    sso = SingleSignOn.objects.filter(organization=request.organization).first()
    if sso is None:
        messages.error(request, _("Save your identity provider first."))
        return redirect("organizations:sso", organization=organization)
    enabled = request.POST.get("enabled") == "1"
    try:
        services.sso_set_enabled(sso=sso, enabled=enabled)
    except services.SsoError as error:
        messages.error(request, error.message)
    else:
        security_event("sso_switched", organization=request.organization.slug, enabled=enabled)
        messages.success(request, _("Single sign-on is on.") if enabled else _("Single sign-on is off."))
    return redirect("organizations:sso", organization=organization)


@require_POST
@tenant_view(perm="organizations.manage_organization")
def sso_domain_verify(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    """ "Check the DNS record": the claim is verified when its TXT record is published."""
    claim = get_object_or_404(EmailDomain, organization=request.organization, pk=pk)
    try:
        services.domain_verify_dns(claim=claim)
    except services.SsoError as error:
        security_event("sso_domain_verify_failed", organization=request.organization.slug, domain=claim.domain)
        messages.error(request, error.message)
    else:
        security_event("sso_domain_verified", organization=request.organization.slug, domain=claim.domain, by="dns")
        messages.success(request, _("%(domain)s is verified.") % {"domain": claim.domain})
    return redirect("organizations:sso", organization=organization)

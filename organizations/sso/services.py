"""Every write of single sign-on: the organization's setting, its allauth app, its domains, test results."""

from django.contrib.sites.models import Site
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from organizations.models import DomainVerification, EmailDomain, Organization, SingleSignOn, SsoProtocol
from organizations.models.sso import DNS_RECORD_VALUE_PREFIX
from organizations.sso import dnscheck
from organizations.sso.fetch import FetchError, fetch

SAML = "saml"
OIDC = "openid_connect"


class SsoError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_idp_metadata(xml: str | bytes) -> dict:
    """entity_id, sso_url and x509cert from an IdP's SAML metadata, or SsoError."""
    try:
        data = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception as error:  # the parser raises lxml's and its own errors alike
        raise SsoError("metadata_xml", _("This is not SAML metadata of an identity provider.")) from error
    idp = data.get("idp") or {}
    cert = idp.get("x509cert") or next(iter((idp.get("x509certMulti") or {}).get("signing", [])), "")
    sso_url = (idp.get("singleSignOnService") or {}).get("url", "")
    if not idp.get("entityId"):
        raise SsoError("metadata_xml", _("This is not SAML metadata of an identity provider."))
    if not sso_url or not cert:
        raise SsoError(
            "metadata_xml",
            _("The metadata must name the identity provider, its sign-on address and its signing certificate."),
        )
    return {"entity_id": idp["entityId"], "sso_url": sso_url, "x509cert": cert}


def fetch_idp_metadata(url: str) -> dict:
    try:
        return parse_idp_metadata(fetch(url))
    except FetchError as error:
        raise SsoError("metadata_url", str(error)) from error
    except SsoError as error:
        raise SsoError("metadata_url", error.message) from error


def check_issuer(url: str) -> str:
    """The issuer URL, once its OpenID configuration answers; SsoError otherwise."""
    url = url.rstrip("/")
    try:
        body = fetch(f"{url}/.well-known/openid-configuration")
    except FetchError as error:
        raise SsoError("issuer", str(error)) from error
    import json

    try:
        config = json.loads(body)
    except ValueError as error:
        raise SsoError("issuer", _("The issuer did not answer with an OpenID configuration.")) from error
    if not isinstance(config, dict) or "authorization_endpoint" not in config:
        raise SsoError("issuer", _("The issuer did not answer with an OpenID configuration."))
    return url


def _saml_settings(sso: SingleSignOn, idp: dict) -> dict:
    mapping = {
        "uid": [sso.uid_attribute] if sso.uid_attribute else [],
        "email": [sso.email_attribute or "email", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"],
        "name": [sso.name_attribute or "name", "http://schemas.microsoft.com/identity/claims/displayname"],
    }
    return {
        "idp": idp,
        "attribute_mapping": mapping,
        "advanced": {
            "strict": True,
            "want_assertion_signed": True,
            "reject_idp_initiated_sso": not sso.allow_idp_initiated,
            "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "reject_deprecated_algorithm": True,
        },
    }


def _ensure_app(sso: SingleSignOn):
    from allauth.socialaccount.models import SocialApp

    if sso.app is None:
        sso.app = SocialApp.objects.create(provider=SAML, provider_id=sso.provider_id, name=sso.organization.name)
        sso.app.sites.add(Site.objects.get_current())
    return sso.app


@transaction.atomic
def sso_save(
    *,
    organization: Organization,
    protocol: str,
    idp: dict | None = None,
    issuer: str = "",
    client_id: str = "",
    secret: str = "",
    uid_attribute: str = "",
    email_attribute: str = "",
    name_attribute: str = "",
    allow_jit: bool = False,
    allow_idp_initiated: bool = False,
    required: bool = False,
) -> SingleSignOn:
    """Store the setting and its allauth app. ``idp`` None keeps the IdP already saved; an empty secret keeps it."""
    with scopes_disabled():
        sso, _created = SingleSignOn.objects.select_related("app").get_or_create(organization=organization)
        sso.protocol = protocol
        sso.uid_attribute = uid_attribute
        sso.email_attribute = email_attribute
        sso.name_attribute = name_attribute
        sso.allow_jit = allow_jit
        sso.allow_idp_initiated = allow_idp_initiated
        sso.required = required
        app = _ensure_app(sso)
        if protocol == SsoProtocol.SAML:
            saved_idp = idp or (app.settings or {}).get("idp")
            if not saved_idp or app.provider != SAML:
                raise SsoError("metadata_xml", _("Paste the identity provider’s metadata, or its address."))
            app.provider = SAML
            app.client_id = organization.slug
            app.secret = ""
            app.settings = _saml_settings(sso, saved_idp)
        else:
            if app.provider != OIDC:
                app.secret = ""
            app.provider = OIDC
            app.client_id = client_id
            if secret:
                app.secret = secret
            if not app.secret:
                raise SsoError("secret", _("Enter the client secret."))
            app.settings = {"server_url": issuer, "uid_field": sso.uid_attribute or "sub"}
        app.provider_id = sso.provider_id
        app.name = organization.name
        app.save()
        sso.save()
        return sso


def sso_set_enabled(*, sso: SingleSignOn, enabled: bool) -> SingleSignOn:
    if enabled and not sso.last_test_ok:
        raise SsoError(None, _("Run “Test sign-on” successfully before switching single sign-on on."))
    if enabled:
        with scopes_disabled():
            verified = EmailDomain.objects.filter(organization_id=sso.organization_id, verified_at__isnull=False)
            if not verified.exists():
                raise SsoError(None, _("Verify at least one email domain before switching single sign-on on."))
    sso.enabled = enabled
    sso.save(update_fields=["enabled", "updated_at"])
    return sso


def sso_record_test(*, sso: SingleSignOn, ok: bool, result: dict) -> SingleSignOn:
    sso.tested_at = timezone.now()
    sso.last_test_ok = ok
    sso.last_test_result = result
    sso.save(update_fields=["tested_at", "last_test_ok", "last_test_result", "updated_at"])
    return sso


# Domains that belong to everyone: no organization may claim them (they would route, or lock out, strangers).
PUBLIC_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "yandex.com",
        "mail.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "sfr.fr",
        "wanadoo.fr",
        "example.com",
        "example.org",
        "example.net",
    }
)


def normalise_domain(raw: str) -> str:
    return raw.strip().lower().lstrip("@").rstrip(".")


@transaction.atomic
def domains_set(*, organization: Organization, domains: list[str]) -> None:
    """The organization's claimed email domains become ``domains``.

    A public email service, or a domain another organization has verified, is
    refused; a claim already verified stays verified while it stays listed.
    """
    wanted = {normalise_domain(d) for d in domains if normalise_domain(d)}
    public = sorted(wanted & PUBLIC_DOMAINS)
    if public:
        raise SsoError(
            "domains",
            _("%(domains)s is a public email service: only your organization’s own domains can be used.")
            % {"domains": ", ".join(public)},
        )
    with scopes_disabled():
        taken = EmailDomain.objects.filter(domain__in=wanted, verified_at__isnull=False).exclude(
            organization=organization
        )
        if taken.exists():
            raise SsoError(
                "domains",
                _("%(domains)s already belongs to another organization.")
                % {"domains": ", ".join(sorted(d.domain for d in taken))},
            )
        EmailDomain.objects.filter(organization=organization).exclude(domain__in=wanted).delete()
        have = set(EmailDomain.objects.filter(organization=organization).values_list("domain", flat=True))
        EmailDomain.objects.bulk_create([EmailDomain(organization=organization, domain=d) for d in wanted - have])


def _mark_verified(claim: EmailDomain, by: str) -> EmailDomain:
    with scopes_disabled():
        others = EmailDomain.objects.filter(domain=claim.domain, verified_at__isnull=False).exclude(pk=claim.pk)
        if others.exists():
            raise SsoError(None, _("%(domain)s already belongs to another organization.") % {"domain": claim.domain})
    claim.verified_at = timezone.now()
    claim.verified_by = by
    try:
        with transaction.atomic():
            claim.save(update_fields=["verified_at", "verified_by"])
    except IntegrityError as error:  # verified by another organization a moment ago
        raise SsoError(
            None, _("%(domain)s already belongs to another organization.") % {"domain": claim.domain}
        ) from error
    return claim


def domain_verify_dns(*, claim: EmailDomain) -> EmailDomain:
    """Verified when the claim's TXT record is published; SsoError saying what DNS holds otherwise."""
    if claim.is_verified:
        return claim
    try:
        found = dnscheck.txt_records(claim.record_name)
    except dnscheck.DnsError as error:
        raise SsoError(None, str(error)) from error
    if claim.record_value not in found:
        ours = [value for value in found if value.startswith(DNS_RECORD_VALUE_PREFIX)]
        if ours:
            message = _("The TXT record at %(name)s holds another value: %(values)s.") % {
                "name": claim.record_name,
                "values": ", ".join(ours[:3]),
            }
        else:
            message = _(
                "No TXT record %(value)s found at %(name)s yet. DNS changes can take a while: try again later."
            ) % {"name": claim.record_name, "value": claim.record_value}
        raise SsoError(None, message)
    return _mark_verified(claim, DomainVerification.DNS)


def domain_mark_verified(*, claim: EmailDomain) -> EmailDomain:
    """Platform staff vouch for the claim (Django admin), e.g. after checking with the organization."""
    if claim.is_verified:
        return claim
    return _mark_verified(claim, DomainVerification.STAFF)

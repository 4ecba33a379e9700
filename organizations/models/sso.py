"""Single sign-on per organization (issue 17): its setting and its email domains.

The identity provider itself is an allauth ``SocialApp``: the SAML app is keyed
by the organization's slug (``client_id``), the OpenID Connect app has a
``provider_id`` of its own. ``provider_id`` is ``sso-<slug>`` for both, so a
person's SSO identity (allauth's ``SocialAccount``, unique per provider_id and
uid) belongs to one organization.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from organizations.models.tenancy import Organization


class SsoProtocol(models.TextChoices):
    SAML = "saml", _("SAML")
    OIDC = "oidc", _("OpenID Connect")


class SingleSignOn(models.Model):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="single_sign_on")
    protocol = models.CharField(_("protocol"), max_length=8, choices=SsoProtocol.choices, default=SsoProtocol.SAML)
    app = models.OneToOneField(
        "socialaccount.SocialApp", null=True, blank=True, on_delete=models.SET_NULL, related_name="single_sign_on"
    )
    enabled = models.BooleanField(_("single sign-on is on"), default=False)
    required = models.BooleanField(_("required for addresses in these domains"), default=False)
    allow_jit = models.BooleanField(_("create accounts at first sign-on"), default=False)
    allow_idp_initiated = models.BooleanField(_("allow sign-on started from the identity provider"), default=False)
    uid_attribute = models.CharField(_("permanent id attribute"), max_length=200, blank=True)
    email_attribute = models.CharField(_("email attribute"), max_length=200, blank=True)
    name_attribute = models.CharField(_("name attribute"), max_length=200, blank=True)
    tested_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_result = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_protocol_display()}"

    @property
    def provider_id(self) -> str:
        return f"sso-{self.organization.slug}"


def new_verification_token() -> str:
    return secrets.token_hex(16)


class DomainVerification(models.TextChoices):
    DNS = "dns", _("DNS record")
    STAFF = "staff", _("platform staff")


class EmailDomain(models.Model):
    """A domain an organization claims for its addresses.

    A claim does nothing until it is verified, by a DNS TXT record holding the
    claim's token or by platform staff: only a verified domain sends its
    addresses to the organization's identity provider, may require single
    sign-on, or makes just-in-time accounts. Several organizations may claim a
    domain; one only may have it verified.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(_("domain"), max_length=253)
    verification_token = models.CharField(max_length=64, default=new_verification_token, editable=False)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.CharField(_("verified by"), max_length=8, choices=DomainVerification.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint("organization", Lower("domain"), name="email_domain_unique_per_organization"),
            models.UniqueConstraint(
                Lower("domain"), condition=Q(verified_at__isnull=False), name="email_domain_verified_once"
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def record_name(self) -> str:
        """The DNS name of the TXT record that proves the organization holds the domain."""
        return f"{DNS_RECORD_PREFIX}.{self.domain}"

    @property
    def record_value(self) -> str:
        return f"{DNS_RECORD_VALUE_PREFIX}{self.verification_token}"


DNS_RECORD_PREFIX = "_mentorship-verification"
DNS_RECORD_VALUE_PREFIX = "mentorship-domain-verification="

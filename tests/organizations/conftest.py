"""What the single sign-on tests share: the service provider's host name, a throwaway SAML IdP, an organization
with its single sign-on set up."""

import pytest

from organizations.models import EmailDomain, SingleSignOn
from organizations.sso import services
from tests.factories import ProgramFactory
from tests.organizations.saml_idp import ENTITY_ID, SSO_URL, ThrowawayIdP

SP_HOST = "sp.example.com"


@pytest.fixture
def sp_host(client, settings):
    """The test client speaks to sp.example.com: python3-saml refuses a one-label host name such as "testserver"
    in our URLs. (``pytestmark = pytest.mark.usefixtures("sp_host")`` in a test module.)"""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SP_HOST]
    client.defaults["HTTP_HOST"] = SP_HOST
    return client


@pytest.fixture(scope="session")
def idp():
    """One throwaway IdP for the whole run: making its RSA key is the slow part, and it keeps no state between
    answers. A test that needs a key the platform does not know makes its own ``ThrowawayIdP()``."""
    return ThrowawayIdP()


@pytest.fixture
def sso_organization(idp):
    """``sso_organization("acme")``: a program of the organization Acme, whose single sign-on through ``idp`` is
    saved and tested (``last_test_ok``), with ``acme.example`` claimed (or ``domain``; none when empty) and
    verified, and switched on; each of these as the keywords say. Returns the program."""

    def make(slug="acme", domain=None, *, verified=True, required=False, jit=False, enabled=True):
        domain = f"{slug}.example" if domain is None else domain
        program = ProgramFactory(organization__slug=slug, organization__name=slug.title())
        services.domains_set(organization=program.organization, domains=[domain] if domain else [])
        if domain and verified:
            services.domain_mark_verified(claim=EmailDomain.objects.get(domain=domain))
        sso = services.sso_save(
            organization=program.organization,
            protocol="saml",
            idp={"entity_id": ENTITY_ID, "sso_url": SSO_URL, "x509cert": idp.cert_b64},
            required=required,
            allow_jit=jit,
        )
        SingleSignOn.objects.filter(pk=sso.pk).update(enabled=enabled, last_test_ok=True)
        return program

    return make

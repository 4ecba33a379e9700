"""The "Single sign-on" page runs as many queries with 50 email domains as with 2."""

import pytest
from django.urls import reverse

from organizations.models import EmailDomain, Role
from organizations.sso import services
from tests.factories import ProgramFactory, member
from tests.helpers import assert_constant_queries
from tests.organizations.saml_idp import SSO_URL

pytestmark = pytest.mark.django_db


def test_the_single_sign_on_page_runs_constant_queries(client, idp):
    program = ProgramFactory(organization__slug="acme")
    services.sso_save(
        organization=program.organization,
        protocol="saml",
        idp={"entity_id": "https://idp.example.com/saml", "sso_url": SSO_URL, "x509cert": idp.cert_b64},
    )
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))

    def add_domains(n: int) -> None:
        start = EmailDomain.objects.count()
        EmailDomain.objects.bulk_create(
            EmailDomain(organization=program.organization, domain=f"d{start + i}.example") for i in range(n)
        )

    assert_constant_queries(client, reverse("organizations:sso", args=["acme"]), add_domains)
    assert "d49.example" in client.get(reverse("organizations:sso", args=["acme"])).content.decode()

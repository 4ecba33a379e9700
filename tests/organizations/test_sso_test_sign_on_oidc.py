"""OpenID Connect "Test sign-on" against a throwaway issuer on a local port: claims and the exact failure shown."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from accounts.models import User
from organizations.models import Role, SingleSignOn
from tests.factories import ProgramFactory, member
from tests.organizations.oidc_idp import ThrowawayOIDC

pytestmark = pytest.mark.django_db

CLIENT_ID = "mentorship-client"


@pytest.fixture
def idp():
    idp = ThrowawayOIDC(CLIENT_ID)
    yield idp
    idp.close()


@pytest.fixture
def admin(client, idp, settings):
    settings.SSO_ALLOW_PRIVATE_URLS = True
    program = ProgramFactory(organization__slug="acme", organization__name="Acme")
    admin = member(program, Role.ORGANIZATION_ADMIN, email="boss@acme.example")
    client.force_login(admin)
    data = {
        "protocol": "oidc",
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "secret": "a-secret",
        "domains": "acme.example",
    }
    page = client.post(reverse("organizations:sso", args=["acme"]), data)
    assert page.status_code == 302, page.content.decode()
    return admin


def run_test(client, idp, *, error: str = "", **answer) -> str:
    """Press "Test sign-on"; the issuer sends the person back with a code (or ``error``); the SSO page's text."""
    if answer:
        idp.answer(**answer)
    start = client.post(reverse("organizations:sso_test", args=["acme"])).content.decode()
    url = html.unescape(re.search(r'id="idp-link" href="([^"]+)"', start).group(1))
    assert url.startswith(f"{idp.issuer}/authorize?")
    query = parse_qs(urlsplit(url).query)
    callback = urlsplit(query["redirect_uri"][0]).path
    assert callback == "/accounts/oidc/sso-acme/login/callback/"
    params = {"state": query["state"][0], **({"error": error, "error_description": "User said no"} if error else {})}
    if not error:
        params["code"] = "a-code"
    page = client.get(callback, params, follow=True)
    assert page.redirect_chain[-1][0] == reverse("organizations:sso", args=["acme"])
    return page.content.decode()


def assert_nothing_changed(client, admin) -> None:
    assert client.get(reverse("organizations:sso", args=["acme"])).wsgi_request.user == admin
    assert SocialAccount.objects.count() == 0
    assert User.objects.count() == 1
    assert not SingleSignOn.objects.get().enabled


def test_a_good_answer_shows_the_claims(client, admin, idp):
    text = run_test(client, idp, sub="sub-boss-1", email="boss@acme.example", name="Boss Hogg")
    assert "it worked, and signed nobody in" in text
    for shown in ("sub-boss-1", "boss@acme.example", "Boss Hogg", idp.issuer, CLIENT_ID):
        assert shown in text
    assert_nothing_changed(client, admin)
    assert SingleSignOn.objects.get().last_test_ok


def test_a_wrong_audience_says_so_and_shows_the_claims(client, admin, idp):
    text = run_test(client, idp, sub="sub-boss-1", email="boss@acme.example", aud="another-client")
    assert "it failed" in text
    assert "The ID token is meant for another client (audience): check the client ID." in text
    assert "Audience doesn" in text  # PyJWT's own words, as the exact reason
    assert "another-client" in text and "sub-boss-1" in text
    assert_nothing_changed(client, admin)
    client.post(reverse("organizations:sso_switch", args=["acme"]), {"enabled": "1"})
    assert not SingleSignOn.objects.get().enabled


def test_a_bad_signature_says_so(client, admin, idp):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    text = run_test(client, idp, sub="sub-boss-1", email="boss@acme.example", signing_key=other_key)
    assert "The ID token’s signature does not match the identity provider’s published keys." in text
    assert "Signature verification failed" in text
    assert "sub-boss-1" in text
    assert_nothing_changed(client, admin)


def test_an_expired_token_says_so(client, admin, idp):
    text = run_test(client, idp, sub="sub-boss-1", email="boss@acme.example", age=3600)
    assert "The ID token is out of its validity period" in text
    assert "Signature has expired" in text
    assert_nothing_changed(client, admin)


def test_an_error_answer_of_the_identity_provider_is_shown(client, admin, idp):
    text = run_test(client, idp, error="access_denied")
    assert "The identity provider answered with an error instead of signing the person in." in text
    assert "access_denied" in text and "User said no" in text
    assert_nothing_changed(client, admin)


def test_a_missing_permanent_id_claim_fails_the_test(client, admin, idp):
    data = {"protocol": "oidc", "issuer": idp.issuer, "client_id": CLIENT_ID, "uid_attribute": "oid"}
    client.post(reverse("organizations:sso", args=["acme"]), {**data, "domains": "acme.example"})
    text = run_test(client, idp, sub="sub-boss-1", email="boss@acme.example")
    assert "The identity provider did not send the permanent id attribute." in text
    assert "missing claim: oid" in text
    assert_nothing_changed(client, admin)


def test_a_permanent_id_found_only_in_the_id_token_is_the_identity(client, admin, idp):
    """Microsoft Entra ID: ``oid`` is in the ID token, not in the userinfo answer."""
    data = {"protocol": "oidc", "issuer": idp.issuer, "client_id": CLIENT_ID, "uid_attribute": "oid"}
    client.post(reverse("organizations:sso", args=["acme"]), {**data, "domains": "acme.example"})
    text = run_test(client, idp, sub="pairwise-sub", oid="0000-oid-1", email="boss@acme.example")
    assert "it worked" in text
    assert SingleSignOn.objects.get().last_test_result["sent"]["uid"] == "0000-oid-1"

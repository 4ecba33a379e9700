"""SAML "Test sign-on": what the IdP sent and why it failed, on the page; nobody signed in, SSO stays off."""

import datetime as dt

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import User
from organizations.models import Role, SingleSignOn
from tests.factories import ProgramFactory, member
from tests.organizations.saml_idp import ENTITY_ID, ThrowawayIdP, authn_request_id
from tests.organizations.test_sso_saml import DOMAIN, idp_location, post_response, urls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sp_host")]


@pytest.fixture
def admin(client, idp):
    program = ProgramFactory(organization__slug="acme", organization__name="Acme")
    admin = member(program, Role.ORGANIZATION_ADMIN, email="boss@acme.example")
    client.force_login(admin)
    data = {"protocol": "saml", "metadata_xml": idp.metadata(), "domains": DOMAIN, "allow_jit": "on"}
    assert client.post(reverse("organizations:sso", args=["acme"]), data).status_code == 302
    return admin


def run_test(client, idp, **kwargs) -> str:
    """Press "Test sign-on", answer as the identity provider with ``kwargs``; the SSO page's text after."""
    start = client.post(reverse("organizations:sso_test", args=["acme"]))
    request_id = authn_request_id(idp_location(start))
    answer = {"uid": "uid-boss", "email": "boss@acme.example", "in_response_to": request_id, **urls()}
    answer.update(kwargs)
    page = post_response(client, idp.response(**answer))
    assert page.redirect_chain[-1][0] == reverse("organizations:sso", args=["acme"])
    return page.content.decode()


def assert_nothing_changed(client, admin) -> None:
    """Still the admin, in their own session; no account linked or made; single sign-on still off."""
    assert client.get(reverse("organizations:sso", args=["acme"])).wsgi_request.user == admin
    assert SocialAccount.objects.count() == 0
    assert User.objects.count() == 1
    sso = SingleSignOn.objects.get()
    assert not sso.enabled
    page = client.post(reverse("organizations:sso_switch", args=["acme"]), {"enabled": "1"}, follow=True)
    if not sso.last_test_ok:
        assert "Run “Test sign-on” successfully before switching single sign-on on." in page.content.decode()
        assert not SingleSignOn.objects.get().enabled


def test_a_good_answer_shows_the_name_id_and_attributes(client, admin, idp):
    text = run_test(client, idp, attributes={"department": "Research"})
    assert "it worked, and signed nobody in" in text
    for shown in ("uid-boss", "boss@acme.example", "Ada Lovelace", "department", "Research", ENTITY_ID):
        assert shown in text
    assert "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" in text
    assert_nothing_changed(client, admin)
    assert SingleSignOn.objects.get().last_test_ok


def test_a_wrong_audience_says_so_and_shows_what_was_sent(client, admin, idp):
    text = run_test(client, idp, audience="https://someone-else.example/metadata/")
    assert "it failed" in text
    assert "The answer is meant for another service (audience)" in text
    assert "http://sp.example.com/accounts/saml/acme/metadata/ is not a valid audience" in text  # python3-saml's
    assert "<dt>Audience</dt><dd>https://someone-else.example/metadata/</dd>" in text
    assert "uid-boss" in text and "Ada Lovelace" in text
    assert_nothing_changed(client, admin)


def test_a_bad_signature_says_so(client, admin):
    text = run_test(client, ThrowawayIdP())  # signed, but by a key the metadata does not name
    assert "The answer is not signed by the certificate of the saved metadata" in text
    assert "Signature validation failed" in text
    assert "uid-boss" in text
    assert_nothing_changed(client, admin)


def test_an_unsigned_answer_says_so(client, admin, idp):
    text = run_test(client, idp, sign=False)
    assert "The answer is not signed by the certificate of the saved metadata" in text
    assert "Assertion signed" in text and "<dd>no</dd>" in text
    assert_nothing_changed(client, admin)


def test_an_expired_answer_says_so(client, admin, idp):
    text = run_test(client, idp, age=dt.timedelta(hours=2))
    assert "The answer is out of its validity period" in text
    assert "uid-boss" in text
    assert_nothing_changed(client, admin)


def test_an_error_answer_of_the_identity_provider_shows_its_status(client, admin, idp):
    text = run_test(client, idp, status="AuthnFailed")
    assert "The identity provider answered with an error instead of signing the person in." in text
    assert "Responder / AuthnFailed" in text
    assert "The user could not be authenticated" in text
    assert_nothing_changed(client, admin)


def test_a_missing_permanent_id_attribute_fails_the_test(client, admin, idp):
    data = {"protocol": "saml", "domains": DOMAIN, "uid_attribute": "employeeId"}
    client.post(reverse("organizations:sso", args=["acme"]), data)
    text = run_test(client, idp)
    assert "it failed" in text
    assert "The identity provider did not send the permanent id attribute “employeeId”." in text
    assert "Ada Lovelace" in text
    assert_nothing_changed(client, admin)


def test_the_mapped_permanent_id_attribute_is_the_identity(client, admin, idp):
    data = {"protocol": "saml", "domains": DOMAIN, "uid_attribute": "employeeId"}
    client.post(reverse("organizations:sso", args=["acme"]), data)
    text = run_test(client, idp, attributes={"employeeId": "E-1234"})
    assert "it worked" in text
    assert SingleSignOn.objects.get().last_test_result["sent"]["uid"] == "E-1234"
    assert_nothing_changed(client, admin)


def test_a_name_id_that_is_not_persistent_is_a_warning(client, admin, idp):
    email_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    text = run_test(client, idp, uid="boss@acme.example", name_id_format=email_format)
    assert "it worked" in text
    assert "The NameID is not persistent: it may change" in text


def test_a_missing_email_fails_the_test(client, admin, idp):
    text = run_test(client, idp, email="")
    assert "The identity provider did not send an email address." in text
    assert_nothing_changed(client, admin)

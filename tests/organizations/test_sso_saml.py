"""SAML single sign-on against a throwaway identity provider: the admin's setup and test, sign-ins and refusals."""

import datetime as dt
import html
import logging
import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.urls import reverse

from accounts.models import User
from organizations.models import EmailDomain, Membership, Role, SingleSignOn
from organizations.services.invitations import invitation_issue
from organizations.sso import services
from tests.factories import PASSWORD, ProgramFactory, UserFactory, member
from tests.organizations.saml_idp import SSO_URL, ThrowawayIdP, authn_request_id

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sp_host")]

DOMAIN = "acme.example"


@pytest.fixture
def program():
    return ProgramFactory(organization__slug="acme", organization__name="Acme")


@pytest.fixture
def admin(program):
    return member(program, Role.ORGANIZATION_ADMIN, email="boss@acme.example")


def urls(slug="acme"):
    base = f"http://sp.example.com/accounts/saml/{slug}"
    return {"acs_url": f"{base}/acs/", "audience": f"{base}/metadata/"}


def save_setting(client, admin, idp, **extra):
    client.force_login(admin)
    data = {"protocol": "saml", "metadata_xml": idp.metadata(), "domains": DOMAIN, "allow_jit": "on", **extra}
    return client.post(reverse("organizations:sso", args=["acme"]), data)


def idp_answer(client, start_response, idp, *, email, uid="uid-ada-1", **kwargs):
    """The IdP's answer to the AuthnRequest in ``start_response``, posted to our ACS; the page it ends on."""
    request_id = authn_request_id(idp_location(start_response))
    return post_response(client, idp.response(**urls(), uid=uid, email=email, in_response_to=request_id, **kwargs))


def idp_location(page) -> str:
    """Where the page sends the person on: its link to the identity provider."""
    match = re.search(r'id="idp-link" href="([^"]+)"', page.content.decode())
    assert match, "no link to the identity provider"
    url = html.unescape(match.group(1))
    assert url.startswith(SSO_URL + "?SAMLRequest=")
    return url


def post_response(client, saml_response: str):
    acs = client.post(urls()["acs_url"], {"SAMLResponse": saml_response})
    assert acs.status_code == 302
    return client.get(acs["Location"], follow=True)


@pytest.fixture
def enabled(client, admin, idp):
    """Saved, tested by the admin through the IdP, and switched on; the admin is logged out after."""
    assert save_setting(client, admin, idp).status_code == 302
    page = idp_answer(client, client.post(reverse("organizations:sso_test", args=["acme"])), idp, email=admin.email)
    assert "The test sign-on worked" in page.content.decode()
    verify_domain()
    client.post(reverse("organizations:sso_switch", args=["acme"]), {"enabled": "1"})
    client.logout()
    return SingleSignOn.objects.get(organization__slug="acme")


def verify_domain(domain=DOMAIN):
    """As platform staff would in the Django admin (tests/organizations/test_sso_domains.py checks DNS)."""
    services.domain_mark_verified(claim=EmailDomain.objects.get(domain=domain))


def start(client, email):
    return client.post(reverse("sso:start"), {"email": email})


def test_the_page_shows_our_urls_and_saving_stores_the_idp(client, admin, idp):
    client.force_login(admin)
    page = client.get(reverse("organizations:sso", args=["acme"])).content.decode()
    assert "http://sp.example.com/accounts/saml/acme/acs/" in page
    assert "http://sp.example.com/accounts/saml/acme/metadata/" in page
    assert save_setting(client, admin, idp).status_code == 302
    sso = SingleSignOn.objects.select_related("app").get(organization__slug="acme")
    assert sso.app.settings["idp"]["entity_id"] == "https://idp.example.com/saml"
    assert list(EmailDomain.objects.values_list("domain", flat=True)) == [DOMAIN]
    assert not sso.enabled
    metadata = client.get(urls()["audience"])
    assert b"http://sp.example.com/accounts/saml/acme/acs/" in metadata.content


def test_switching_on_before_a_test_is_refused(client, admin, idp):
    save_setting(client, admin, idp)
    page = client.post(reverse("organizations:sso_switch", args=["acme"]), {"enabled": "1"}, follow=True)
    assert "Run “Test sign-on” successfully before switching single sign-on on." in page.content.decode()
    assert not SingleSignOn.objects.get().enabled


def test_the_test_sign_on_shows_what_the_idp_sent(client, admin, idp):
    save_setting(client, admin, idp)
    page = idp_answer(client, client.post(reverse("organizations:sso_test", args=["acme"])), idp, email=admin.email)
    text = page.content.decode()
    assert "The test sign-on worked" in text
    assert "uid-ada-1" in text and "Ada Lovelace" in text
    assert SocialAccount.objects.count() == 0  # a test signs nobody in and links nothing


def test_metadata_that_is_not_saml_keeps_the_form_and_says_why(client, admin, idp):
    page = save_setting(client, admin, idp, metadata_xml="<html>nope</html>")
    assert page.status_code == 200
    assert "This is not SAML metadata of an identity provider." in page.content.decode()
    assert "nope" in page.content.decode()


def test_a_private_metadata_address_is_refused(client, admin, idp, settings):
    settings.SSO_ALLOW_PRIVATE_URLS = False
    page = save_setting(client, admin, idp, metadata_xml="", metadata_url="https://127.0.0.1/metadata")
    assert "The address points to a private network, which is not allowed." in page.content.decode()
    page = save_setting(client, admin, idp, metadata_xml="", metadata_url="http://idp.example.com/metadata")
    assert "The address must start with https://." in page.content.decode()


def test_another_organization_cannot_claim_the_domain_once_verified(client, admin, idp):
    save_setting(client, admin, idp)
    verify_domain()
    other = ProgramFactory(organization__slug="other")
    other_admin = member(other, Role.ORGANIZATION_ADMIN)
    client.force_login(other_admin)
    page = client.post(
        reverse("organizations:sso", args=["other"]),
        {"protocol": "saml", "metadata_xml": idp.metadata(), "domains": DOMAIN},
    )
    assert "acme.example already belongs to another organization." in page.content.decode()


def test_a_good_assertion_makes_a_just_in_time_member_with_no_program_role(client, enabled, idp, caplog):
    caplog.set_level(logging.INFO, logger="mentorship.security")
    page = idp_answer(client, start(client, "ada@acme.example"), idp, email="ada@acme.example")
    events = [r.getMessage() for r in caplog.records if r.name == "mentorship.security"]
    assert "security_event=sso_login email=***@acme.example kind=just_in_time organization=acme" in events
    assert not any("ada@" in line for line in events)  # no full address in the log
    assert page.wsgi_request.user.is_authenticated
    user = User.objects.get(email="ada@acme.example")
    assert user.full_name == "Ada Lovelace"
    roles = list(Membership.objects.filter(user=user).values_list("role", "program"))
    assert roles == [(Role.MEMBER, None)]
    assert SocialAccount.objects.get(user=user).provider == "sso-acme"


def test_the_same_identity_signs_in_to_the_same_account(client, enabled, idp):
    idp_answer(client, start(client, "ada@acme.example"), idp, email="ada@acme.example")
    client.logout()
    page = idp_answer(client, start(client, "ada@acme.example"), idp, email="ada@acme.example")
    assert page.wsgi_request.user.email == "ada@acme.example"
    assert User.objects.filter(email="ada@acme.example").count() == 1


def test_an_invitation_is_accepted_through_sso(client, enabled, idp, program, admin):
    invitation_issue(
        organization=program.organization,
        program=program,
        email="grace@acme.example",
        role=Role.MENTOR,
        invited_by=admin,
    )
    idp_answer(client, start(client, "grace@acme.example"), idp, email="grace@acme.example", uid="uid-grace")
    user = User.objects.get(email="grace@acme.example")
    assert Membership.objects.filter(user=user, program=program, role=Role.MENTOR).exists()


def test_without_jit_or_invitation_nobody_new_gets_in(client, enabled, idp):
    enabled.allow_jit = False
    enabled.save()
    page = idp_answer(client, start(client, "eve@acme.example"), idp, email="eve@acme.example", uid="uid-eve")
    assert "You have no account here yet: ask Acme for an invitation." in page.content.decode()
    assert not User.objects.filter(email="eve@acme.example").exists()


def test_a_wrong_audience_is_refused(client, enabled, idp):
    start_response = start(client, "ada@acme.example")
    request_id = authn_request_id(idp_location(start_response))
    saml = idp.response(
        acs_url=urls()["acs_url"],
        audience="https://someone-else.example/metadata/",
        uid="uid-ada-1",
        email="ada@acme.example",
        in_response_to=request_id,
    )
    page = post_response(client, saml)
    assert not page.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="ada@acme.example").exists()


def test_an_expired_assertion_is_refused(client, enabled, idp):
    page = idp_answer(
        client, start(client, "ada@acme.example"), idp, email="ada@acme.example", age=dt.timedelta(hours=1)
    )
    assert not page.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="ada@acme.example").exists()


def test_an_unsigned_assertion_is_refused(client, enabled, idp, caplog):
    caplog.set_level(logging.INFO, logger="mentorship.security")
    page = idp_answer(client, start(client, "ada@acme.example"), idp, email="ada@acme.example", sign=False)
    events = [r.getMessage() for r in caplog.records if r.name == "mentorship.security"]
    assert any(line.startswith("security_event=sso_login_failed provider=sso-acme") for line in events), events
    assert not page.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="ada@acme.example").exists()


def test_an_assertion_signed_by_another_key_is_refused(client, enabled):
    page = idp_answer(client, start(client, "ada@acme.example"), ThrowawayIdP(), email="ada@acme.example")
    assert not page.wsgi_request.user.is_authenticated


def test_idp_initiated_is_refused_unless_switched_on(client, enabled, idp):
    saml = idp.response(**urls(), uid="uid-ada-1", email="ada@acme.example")
    page = post_response(client, saml)
    assert not page.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="ada@acme.example").exists()


def test_a_replayed_assertion_is_refused(client, admin, idp):
    save_setting(client, admin, idp, allow_idp_initiated="on")
    idp_answer(client, client.post(reverse("organizations:sso_test", args=["acme"])), idp, email=admin.email)
    verify_domain()
    client.post(reverse("organizations:sso_switch", args=["acme"]), {"enabled": "1"})
    client.logout()
    saml = idp.response(**urls(), uid="uid-ada-1", email="ada@acme.example")
    first = post_response(client, saml)
    assert first.wsgi_request.user.is_authenticated
    client.logout()
    again = post_response(client, saml)
    assert not again.wsgi_request.user.is_authenticated
    assert "This sign-on answer was already used." in again.content.decode()


def test_an_existing_account_outside_the_organization_is_not_taken_over(client, enabled, idp):
    UserFactory(email="mallory@acme.example")
    page = idp_answer(client, start(client, "mallory@acme.example"), idp, email="mallory@acme.example", uid="m")
    assert not page.wsgi_request.user.is_authenticated
    assert "is not a member of Acme" in page.content.decode()
    assert SocialAccount.objects.count() == 0


def test_an_invitation_to_a_required_domain_is_accepted_through_sso_only(
    client, enabled, idp, program, admin, django_capture_on_commit_callbacks
):
    enabled.required = True
    enabled.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_issue(organization=program.organization, program=program, email="lin@acme.example", role=Role.MENTEE)
    [message] = [m for m in mail.outbox if m.to == ["lin@acme.example"]]
    token = re.search(r"https?://[^/\s]+/invitations/([^/\s]+)/", message.body).group(1)
    page = client.get(reverse("invitations:show", args=[token])).content.decode()
    assert "sign in there as lin@acme.example and the invitation is accepted" in page
    assert "Create account and join" not in page
    client.post(
        reverse("invitations:register", args=[token]),
        {
            "full_name": "Lin",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "en",
            "timezone": "UTC",
            "accept_terms": "on",
        },
    )
    assert not User.objects.filter(email="lin@acme.example").exists()
    sso_page = client.post(reverse("sso:start_organization", args=["acme"]))
    idp_answer(client, sso_page, idp, email="lin@acme.example", uid="uid-lin")
    lin = User.objects.get(email="lin@acme.example")
    assert Membership.objects.filter(user=lin, program=program, role=Role.MENTEE).exists()

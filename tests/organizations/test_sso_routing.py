"""Login routing by the address's domain: single sign-on offered, password refused when required."""

import pytest
from django.core import mail
from django.urls import reverse

from organizations.models import Membership, Role, SingleSignOn
from tests.factories import PASSWORD, ProgramFactory, UserFactory, member
from tests.mfa import totp_code
from tests.organizations.saml_idp import SSO_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sp_host")]


@pytest.fixture
def sso(sso_organization):
    """Acme signs its people in with single sign-on, acme.example verified and required."""
    return SingleSignOn.objects.get(organization=sso_organization("acme", required=True).organization)


def acme_member(sso, email):
    user = UserFactory(email=email)
    Membership.objects.create(organization=sso.organization, user=user, role=Role.MEMBER)
    return user


def login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_the_login_page_offers_single_sign_on(client):
    assert "Continue with single sign-on" in client.get(reverse("account_login")).content.decode()


def test_an_address_of_the_domain_is_sent_to_its_identity_provider(client, sso):
    page = client.post(reverse("sso:start"), {"login": "ada@ACME.example", "password": ""})
    assert f'href="{SSO_URL}?SAMLRequest=' in page.content.decode()
    assert f'content="0;url={SSO_URL}?SAMLRequest=' in page.content.decode()


def test_an_address_of_no_organization_is_told_to_use_its_password(client, sso):
    page = client.post(reverse("sso:start"), {"email": "ada@elsewhere.example"})
    assert "No organization signs in this address with single sign-on" in page.content.decode()
    assert 'value="ada@elsewhere.example"' in page.content.decode()


def test_password_login_is_refused_when_sso_is_required(client, sso):
    acme_member(sso, "ada@acme.example")
    page = login(client, "ada@acme.example")
    text = page.content.decode()
    assert "Acme signs its people in with single sign-on." in text
    assert reverse("sso:start_organization", args=["acme"]) in text
    assert not page.wsgi_request.user.is_authenticated


def test_an_account_outside_the_organization_is_not_locked_out_by_its_domain(client, sso):
    UserFactory(email="stranger@acme.example")
    assert login(client, "stranger@acme.example").status_code == 302


def test_a_public_email_domain_cannot_be_claimed(client, sso):
    admin = member(ProgramFactory(organization__slug="grab"), Role.ORGANIZATION_ADMIN)
    client.force_login(admin)
    page = client.post(reverse("organizations:sso", args=["grab"]), {"protocol": "saml", "domains": "gmail.com"})
    assert "gmail.com is a public email service" in page.content.decode()


def test_password_login_works_when_sso_is_not_required(client, sso):
    SingleSignOn.objects.filter(pk=sso.pk).update(required=False)
    acme_member(sso, "ada@acme.example")
    assert login(client, "ada@acme.example").status_code == 302


def test_password_login_works_while_sso_is_off(client, sso):
    SingleSignOn.objects.filter(pk=sso.pk).update(enabled=False)
    acme_member(sso, "ada@acme.example")
    assert login(client, "ada@acme.example").status_code == 302


def test_staff_can_always_sign_in_with_a_password_and_are_told_to_set_up_a_second_factor(client, sso):
    ops = UserFactory(email="ops@acme.example", is_staff=True, second_factor=False)
    Membership.objects.create(organization=sso.organization, user=ops, role=Role.MEMBER)
    response = login(client, "ops@acme.example")
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Set up two-factor authentication" in page
    assert client.get("/staff/")["Location"].startswith("/accounts/2fa/totp/activate/")


def test_staff_of_a_required_domain_log_in_with_a_password_and_their_code(client, sso):
    ops = UserFactory(email="ops@acme.example", is_staff=True)  # with an authenticator app (tests.mfa)
    Membership.objects.create(organization=sso.organization, user=ops, role=Role.MEMBER)
    assert login(client, "ops@acme.example")["Location"] == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code()}).status_code == 302
    assert client.get("/staff/").status_code == 200


def test_signup_is_refused_for_a_required_domain(client, sso):
    page = client.post(
        reverse("account_signup"),
        {"email": "new@acme.example", "password1": PASSWORD, "password2": PASSWORD, "full_name": "New"},
    )
    assert "Acme signs its people in with single sign-on." in page.content.decode()


def test_password_reset_is_refused_for_a_required_domain(client, sso):
    acme_member(sso, "ada@acme.example")
    page = client.post(reverse("account_reset_password"), {"email": "ada@acme.example"})
    assert "Acme signs its people in with single sign-on." in page.content.decode()
    assert mail.outbox == []


def test_the_organization_start_page_sends_to_the_idp(client, sso):
    assert (
        "Continue with single sign-on" in client.get(reverse("sso:start_organization", args=["acme"])).content.decode()
    )
    response = client.post(reverse("sso:start_organization", args=["acme"]))
    assert f'href="{SSO_URL}?SAMLRequest=' in response.content.decode()


def test_a_member_of_another_organization_admin_gets_404_on_the_page(client, sso):
    other = ProgramFactory()
    client.force_login(member(other, Role.ORGANIZATION_ADMIN))
    assert client.get(reverse("organizations:sso", args=["acme"])).status_code == 404

"""Platform staff: a password and a second factor (allauth.mfa TOTP) before the Django admin and staff pages."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.mfa import TOTP_SECRET, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def password_login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


@pytest.mark.parametrize("path", ["/admin/", "/admin/organizations/emaildomain/", "/staff/", "/staff/onboarding/"])
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, path):
    UserFactory(email="ops@example.org", is_staff=True, is_superuser=True, second_factor=False)
    assert password_login(client, "ops@example.org").status_code == 302
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{ACTIVATE}?next={path.replace('/', '%2F')}"
    page = client.get(path, follow=True).content.decode()
    assert "Platform staff need two-factor authentication" in page
    assert client.get("/home/").status_code == 200  # the rest of the site is not held back


def test_staff_set_up_an_authenticator_app_and_then_reach_the_admin(client):
    ops = UserFactory(email="ops@example.org", is_staff=True, is_superuser=True, second_factor=False)
    password_login(client, "ops@example.org")
    asked = client.get(ACTIVATE)
    assert asked["Location"].startswith(reverse("account_reauthenticate"))  # allauth: the password once more
    assert client.post(asked["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get(ACTIVATE).content.decode()
    secret = client.session["mfa.totp.secret"]
    assert secret in page  # shown to type into the app, beside its QR code
    wrong = client.post(ACTIVATE, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=ops).exists()
    assert client.post(ACTIVATE, {"code": totp_code(secret)}).status_code == 302
    assert Authenticator.objects.filter(user=ops, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200
    assert client.get("/staff/").status_code == 200


def test_staff_with_a_second_factor_are_asked_for_it_at_login(client):
    UserFactory(email="ops@example.org", is_staff=True, is_superuser=True)  # an app with tests.mfa.TOTP_SECRET
    response = password_login(client, "ops@example.org")
    assert response["Location"] == reverse("mfa_authenticate")
    assert not client.get("/").wsgi_request.user.is_authenticated  # not logged in on the password alone
    assert client.get("/admin/").status_code == 302
    page = client.post(reverse("mfa_authenticate"), {"code": "not-a-code"}).content.decode()
    assert re.search(r"Incorrect code", page)
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/").wsgi_request.user.email == "ops@example.org"


def test_the_django_admin_login_also_asks_for_the_second_factor(client):
    UserFactory(email="ops@example.org", is_staff=True, is_superuser=True)
    response = client.post(
        reverse("admin:login"), {"login": "ops@example.org", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert not client.get("/admin/", follow=True).wsgi_request.user.is_authenticated

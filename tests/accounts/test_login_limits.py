"""Login limits that protect without locking the owner out (issue 14).

allauth counts failed logins in the cache (Redis in CI), per address and per account. An attacker who
knows an address reaches the account's limit; the page then offers the owner an emailed login code and a
password reset, and both still let the owner in.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

OWNER = "owner@example.org"
LOCKED_WORDS = "Logging in with the password is paused"


@pytest.fixture
def owner(db):
    return UserFactory(email=OWNER, full_name="Olive Owner")


def _attack(client, times: int = 5):
    """Wrong passwords for the owner's address, as an attacker would send them."""
    for _ in range(times):
        page = client.post(reverse("account_login"), {"login": OWNER, "password": "wrong-guess"})
        assert page.status_code == 200
        assert "is not correct" in page.content.decode() or "not correct" in page.content.decode()


def _locked_page(client):
    return client.post(reverse("account_login"), {"login": OWNER, "password": PASSWORD})


def test_failed_logins_reach_the_limit_and_even_the_right_password_is_refused(client, owner):
    _attack(client)
    page = _locked_page(client)
    text = page.content.decode()
    assert "_auth_user_id" not in client.session
    assert LOCKED_WORDS in text
    assert "Too many failed attempts to log in to this account" in text
    # The page offers both ways in.
    assert reverse("account_request_login_code") in text
    assert reverse("account_reset_password") in text


def test_fewer_failures_than_the_limit_leave_the_password_working(client, owner):
    _attack(client, times=4)
    page = client.post(reverse("account_login"), {"login": OWNER, "password": PASSWORD})
    assert page.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_another_account_is_not_locked_by_the_attack(client, owner):
    UserFactory(email="other@example.org")
    _attack(client)
    page = client.post(reverse("account_login"), {"login": "other@example.org", "password": PASSWORD})
    assert page.status_code == 302


def test_locked_out_owner_gets_in_with_an_emailed_code(client, owner, django_capture_on_commit_callbacks):
    _attack(client)
    assert LOCKED_WORDS in _locked_page(client).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("account_request_login_code"), {"email": OWNER})
    assert page.status_code == 302
    assert page["Location"] == reverse("account_confirm_login_code")
    [message] = mail.outbox
    assert message.to == [OWNER]
    code = re.search(r"Your login code is:\s+(\S+)", message.body).group(1)
    page = client.get(reverse("account_confirm_login_code"))
    assert "Enter your login code" in page.content.decode()
    page = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert "You are logged in as Olive Owner." in page.content.decode()


def test_a_wrong_code_does_not_let_the_attacker_in(client, owner, django_capture_on_commit_callbacks):
    _attack(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_request_login_code"), {"email": OWNER})
    page = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert "_auth_user_id" not in client.session
    assert page.status_code == 200


def test_locked_out_owner_gets_in_by_resetting_the_password(client, owner, django_capture_on_commit_callbacks):
    _attack(client)
    assert LOCKED_WORDS in _locked_page(client).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("account_reset_password"), {"email": OWNER})
    assert page.status_code == 302
    [message] = mail.outbox
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+)", message.body).group(1)
    page = client.get(link, follow=True)  # allauth moves the key out of the URL into the session
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    new_password = "a-new-long-password-2026"
    page = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert page.status_code == 302, page.content.decode()[:2000]
    # A successful reset clears the account's count of failures: the new password logs in at once.
    page = client.post(reverse("account_login"), {"login": OWNER, "password": new_password})
    assert page.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)

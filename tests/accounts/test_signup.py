import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User

SIGNUP = {
    "email": "Newcomer@Example.org",
    "password1": "a-Strong-passw0rd",
    "password2": "a-Strong-passw0rd",
    "full_name": "Nora Newcomer",
    "language": "fr",
    "timezone": "America/Toronto",
    "accept_terms": "on",
}


def _signup(client, django_capture_on_commit_callbacks, **changes):
    data = {**SIGNUP, **changes}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("account_signup"), data)


def test_signup_records_name_language_time_zone_and_consent(client, db, django_capture_on_commit_callbacks, settings):
    response = _signup(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.full_name, user.language, user.timezone) == (
        "newcomer@example.org",
        "Nora Newcomer",
        "fr",
        "America/Toronto",
    )
    assert user.terms_version == settings.TERMS_VERSION
    assert user.terms_accepted_at is not None


def test_signup_sends_the_verification_email_after_commit(client, db, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["newcomer@example.org"]]
    [message] = mail.outbox
    assert "/accounts/confirm-email/" in message.body
    html = message.alternatives[0][0]
    assert "Confirm my email address" in html and "/accounts/confirm-email/" in html
    assert "Mentorship platform" in message.body


def test_signup_without_terms_keeps_what_was_typed(client, db, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks, accept_terms="")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please accept the terms of use and the privacy notice to continue." in page
    assert 'value="Nora Newcomer"' in page
    assert not User.objects.exists()
    assert mail.outbox == []


def test_login_is_refused_until_the_email_is_verified(client, db, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    client.logout()
    response = client.post(reverse("account_login"), {"login": "newcomer@example.org", "password": SIGNUP["password1"]})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert client.get(reverse("home")).status_code == 302


def test_opening_the_verification_link_changes_nothing_until_confirmed(client, db, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    for method in (client.get, client.head):
        assert method(path).status_code == 200
    assert not EmailAddress.objects.get(email="newcomer@example.org").verified
    client.post(path)
    assert EmailAddress.objects.get(email="newcomer@example.org").verified


@pytest.mark.parametrize("method", ["get", "post"])
def test_logout_needs_a_post(client, db, method):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    getattr(client, method)(reverse("account_logout"))
    still_logged_in = client.get(reverse("home")).status_code == 200
    assert still_logged_in == (method == "get")


def test_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))

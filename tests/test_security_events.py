"""Security events: one structured line each on the ``mentorship.security`` logger, never a token, a password
or a full email address (issue 14)."""

import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizations.models import Invitation, InvitationStatus, Role
from organizations.services.invitations import invitation_issue
from tests.factories import PASSWORD, ProgramFactory, UserFactory, member

LOGGER = "mentorship.security"


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == LOGGER]

    return lines


def assert_no_secrets(lines: list[str], *secrets: str) -> None:
    text = "\n".join(lines)
    for secret in secrets:
        assert secret not in text, f"{secret!r} is in the security log"
    # No full address at all: every "@" is preceded by the mask.
    assert not re.search(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+", text.replace("***@", "")), text


def test_a_login_is_one_line_with_the_masked_address(client, db, events):
    user = UserFactory(email="nora@example.org")
    client.post(reverse("account_login"), {"login": "nora@example.org", "password": PASSWORD})
    [line] = [line for line in events() if line.startswith("security_event=login ")]
    assert f"user={user.pk}" in line and "email=***@example.org" in line and "ip=127.0.0.1" in line
    assert_no_secrets(events(), "nora@example.org", PASSWORD)


def test_failures_and_the_lockout_are_logged_without_the_password(client, db, events):
    UserFactory(email="nora@example.org")
    for _ in range(6):
        client.post(reverse("account_login"), {"login": "nora@example.org", "password": "s3cret-guess"})
    lines = events()
    assert lines.count("security_event=login_failed email=***@example.org ip=127.0.0.1") == 5
    assert lines.count("security_event=login_locked email=***@example.org ip=127.0.0.1") == 1
    assert_no_secrets(lines, "nora@example.org", "s3cret-guess")


def test_another_organizations_object_is_a_404_and_a_tenant_denied_line(client, db, events):
    program = ProgramFactory(slug="ours", organization__slug="acme")
    admin = member(program, Role.ORGANIZATION_ADMIN)
    theirs, _ = invitation_issue(organization=ProgramFactory().organization, email="x@example.org", role=Role.MENTEE)
    client.force_login(admin)
    url = reverse("organizations:invitation_resend", args=["acme", theirs.pk])
    assert client.post(url).status_code == 404
    [line] = [line for line in events() if line.startswith("security_event=tenant_denied")]
    assert "reason=object_not_in_tenant" in line
    assert f"user={admin.pk}" in line and "organization=acme" in line and f"path={url}" in line
    assert "view=invitation_resend" in line


def test_another_organizations_pages_are_a_404_and_a_not_a_member_line(client, db, events):
    ProgramFactory(organization__slug="theirs")
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(reverse("organizations:members", args=["theirs"])).status_code == 404
    [line] = [line for line in events() if line.startswith("security_event=tenant_denied")]
    assert "reason=not_a_member" in line and "organization=theirs" in line and f"user={outsider.pk}" in line


def _invitation_link(program, capture) -> tuple[Invitation, str]:
    with capture(execute=True):
        invitation, _ = invitation_issue(
            organization=program.organization, program=program, email="mia@example.org", role=Role.MENTEE
        )
    link = re.search(r"https?://testserver(/invitations/\S+/)", mail.outbox[-1].body).group(1)
    return invitation, link


def test_an_invitation_opened_by_another_account_is_a_mismatch_line(
    client, db, events, django_capture_on_commit_callbacks
):
    program = ProgramFactory(organization__slug="acme")
    invitation, link = _invitation_link(program, django_capture_on_commit_callbacks)
    bob = UserFactory(email="bob@other.example")
    client.force_login(bob)
    client.post(link + "accept/")
    [line] = [line for line in events() if line.startswith("security_event=invitation_email_mismatch")]
    assert f"invitation={invitation.pk}" in line and "invited=***@example.org" in line
    assert "signed_in_as=***@other.example" in line and f"user={bob.pk}" in line
    token = link.split("/")[2]
    assert_no_secrets(events(), token, "mia@example.org", "bob@other.example")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": InvitationStatus.ACCEPTED}, "used"),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "expired"),
        ({"status": InvitationStatus.REVOKED}, "revoked"),
    ],
)
def test_a_used_or_expired_invitation_link_is_a_link_reuse_line(
    client, db, events, django_capture_on_commit_callbacks, change, reason
):
    program = ProgramFactory(organization__slug="acme")
    invitation, link = _invitation_link(program, django_capture_on_commit_callbacks)
    Invitation.objects.update(**change)
    assert client.get(link).status_code == 410
    [line] = [line for line in events() if line.startswith("security_event=link_reuse")]
    assert line.startswith(f"security_event=link_reuse invitation={invitation.pk} ip=127.0.0.1 kind=invitation")
    assert f"reason={reason}" in line
    assert_no_secrets(events(), link.split("/")[2], "mia@example.org")


def test_a_renewed_invitations_old_link_is_a_link_reuse_line(client, db, events, django_capture_on_commit_callbacks):
    program = ProgramFactory()
    _invitation, old = _invitation_link(program, django_capture_on_commit_callbacks)
    _invitation_link(program, django_capture_on_commit_callbacks)
    assert client.get(old).status_code == 404
    assert "security_event=link_reuse kind=invitation reason=unknown" in events()
    assert_no_secrets(events(), old.split("/")[2])


def test_an_answered_mentor_request_link_is_a_link_reuse_line(client, db, events):
    assert client.get("/r/no-such-token-123/").status_code == 404
    [line] = [line for line in events() if line.startswith("security_event=link_reuse")]
    assert "kind=mentor_request" in line
    assert_no_secrets(events(), "no-such-token-123")


def test_values_cannot_forge_another_field_or_line(events):
    from mentorship.security import security_event

    security_event("sso_login_failed", reason="bad\nsecurity_event=login user=1", provider="x y")
    [line] = events()
    assert "\n" not in line
    assert line == 'security_event=sso_login_failed provider="x y" reason="bad\\nsecurity_event=login user=1"'


# ------------------------------------------------------------------ allauth's own links and codes


def _reset_link(client, email, commits) -> str:
    with commits(execute=True):
        client.post(reverse("account_reset_password"), {"email": email})
    return re.search(r"https?://testserver(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)


def _reset_lines(events) -> list[str]:
    return [line for line in events() if line.startswith("security_event=link_reuse") and "password_reset" in line]


def test_a_used_password_reset_link_is_a_link_reuse_line_and_allauth_says_so(
    client, db, events, django_capture_on_commit_callbacks
):
    user = UserFactory(email="nora@example.org")
    link = _reset_link(client, "nora@example.org", django_capture_on_commit_callbacks)
    page = client.get(link, follow=True)
    new_password = "a-new-long-password-2026"
    assert (
        client.post(page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password}).status_code
        == 302
    )
    assert _reset_lines(events) == []
    page = client.get(link).content.decode()  # opened again
    assert "The password reset link was invalid, possibly because it has already been used." in page
    assert _reset_lines(events) == [
        f"security_event=link_reuse ip=127.0.0.1 kind=password_reset reason=used_or_invalid user={user.pk}"
    ]
    assert_no_secrets(events(), link.rsplit("/", 2)[-2], "nora@example.org", new_password)


def test_an_expired_or_made_up_password_reset_link_is_a_link_reuse_line(
    client, db, events, django_capture_on_commit_callbacks, settings
):
    user = UserFactory(email="nora@example.org")
    link = _reset_link(client, "nora@example.org", django_capture_on_commit_callbacks)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is past its time
    assert "Bad Token" in client.get(link).content.decode()
    uidb36 = link.rsplit("/", 2)[-2].split("-", 1)[0]
    made_up = f"/accounts/password/reset/key/{uidb36}-abc-0123456789abcdef/"  # the account's, a key never sent
    assert "Bad Token" in client.get(made_up).content.decode()
    assert _reset_lines(events) == [
        f"security_event=link_reuse ip=127.0.0.1 kind=password_reset reason=expired user={user.pk}",
        f"security_event=link_reuse ip=127.0.0.1 kind=password_reset reason=used_or_invalid user={user.pk}",
    ]
    assert_no_secrets(events(), link.rsplit("/", 2)[-2], "nora@example.org")


def _confirmation_link(client, commits) -> str:
    with commits(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "newcomer@example.org",
                "password1": "a-Strong-passw0rd",
                "password2": "a-Strong-passw0rd",
                "full_name": "Nora Newcomer",
                "timezone": "UTC",
                "accept_terms": "on",
            },
        )
    return re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)


@pytest.mark.parametrize("case", ["used", "expired", "unknown"])
def test_a_bad_email_confirmation_link_is_a_link_reuse_line_and_allauth_says_so(
    client, db, events, django_capture_on_commit_callbacks, settings, case
):
    link = _confirmation_link(client, django_capture_on_commit_callbacks)
    if case == "used":
        client.post(link)
    elif case == "expired":
        settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = -1
    else:
        link = "/accounts/confirm-email/made-up-key/"
    assert [line for line in events() if line.startswith("security_event=link_reuse")] == []
    page = client.get(link).content.decode()
    assert "This email confirmation link expired or is invalid." in page
    lines = [line for line in events() if line.startswith("security_event=link_reuse")]
    assert lines == [f"security_event=link_reuse ip=127.0.0.1 kind=email_confirmation reason={case}"]
    assert_no_secrets(events(), link.rsplit("/", 2)[-2], "newcomer@example.org")


def test_an_expired_login_code_is_a_link_reuse_line_and_allauth_asks_for_a_new_one(
    client, db, events, django_capture_on_commit_callbacks, settings
):
    UserFactory(email="nora@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_request_login_code"), {"email": "nora@example.org"})
    code = re.search(r"Your login code is:\s+(\S+)", mail.outbox[-1].body).group(1)
    settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT = -1  # its time ran out
    page = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert page.status_code == 302 and page["Location"] == reverse("account_request_login_code")
    assert "_auth_user_id" not in client.session
    lines = [line for line in events() if line.startswith("security_event=link_reuse")]
    assert lines == ["security_event=link_reuse ip=127.0.0.1 kind=login_code reason=expired"]
    assert_no_secrets(events(), code, "nora@example.org")

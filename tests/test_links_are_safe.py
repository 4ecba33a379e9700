"""Mail scanners open links: opening every emailed link by GET or HEAD changes nothing."""

import re
from datetime import timedelta

from allauth.account.models import EmailAddress, EmailConfirmation
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organizations.models import OnboardingSlot, Role
from organizations.services import invitations, onboarding
from organizations.services.memberships import membership_ensure, mentor_add_directly
from tests.factories import UserFactory

SUBMISSION = {"name": "Helping Hands", "admin_email": "ada@example.org", "contact_email": "carl@example.org"}


def snapshot() -> dict:
    models = [m for m in apps.get_models() if m._meta.app_label in {"accounts", "organizations", "account"}]
    models += [EmailAddress, EmailConfirmation]
    return {m._meta.label: sorted(map(repr, m._base_manager.values())) for m in models}


def emailed_links() -> set[str]:
    links = set()
    for message in mail.outbox:
        texts = [message.body, *(content for content, _ in getattr(message, "alternatives", []))]
        for text in texts:
            links |= set(re.findall(r"https?://testserver(/[^\s\"<]*)", text))
    return links


def test_opening_every_emailed_link_changes_no_row(client, db, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        organization, _ = onboarding.organization_submit(data=SUBMISSION)
        organization = onboarding.organization_review(organization=organization, by=staff, approve=True)
        admin = UserFactory(email="ada@example.org")
        membership_ensure(user=admin, organization=organization, role=Role.ORGANIZATION_ADMIN)
        program = onboarding.program_submit(organization=organization, by=admin, data={"name": "Starts"})
        onboarding.program_review(program=program, by=staff, approve=True)
        slot = OnboardingSlot.objects.create(
            starts_at=timezone.now() + timedelta(days=2), meeting_url="https://m.example.org/x"
        )
        onboarding.onboarding_sign_up(organization=organization, slot=slot, by=admin)
        access = onboarding.access_request_submit(
            program=program, data={"admin_name": "Pat", "admin_email": "pat@example.org"}, by=admin
        )
        onboarding.access_review(access_request=access, by=staff, grant=True)
        invitations.invitation_issue(
            organization=organization, program=program, email="mia@example.org", role=Role.MENTEE
        )
        mentor_add_directly(organization=organization, email="new@example.org", full_name="New", program=program)
        client.post(
            reverse("account_signup"),
            {
                "email": "sid@example.org",
                "password1": "a-Strong-passw0rd",
                "password2": "a-Strong-passw0rd",
                "full_name": "Sid",
                "language": "en",
                "timezone": "UTC",
                "accept_terms": "on",
            },
        )
        client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    client.logout()
    links = emailed_links()
    for kind in (
        "/invitations/",
        "/organizations/status/",
        "/accounts/confirm-email/",
        "/accounts/password/reset/key/",
    ):
        assert any(link.startswith(kind) for link in links), kind
    visitors = [client]
    for person in User.objects.filter(email__in=["ada@example.org", "pat@example.org", "new@example.org"]):
        visitor = Client()
        visitor.force_login(person)
        visitors.append(visitor)
    before = snapshot()
    for visitor in visitors:
        for link in sorted(links):
            for method in (visitor.get, visitor.head):
                assert method(link).status_code < 500, link
    assert snapshot() == before

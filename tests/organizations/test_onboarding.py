import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizations.models import (
    AccessRequest,
    AccessStatus,
    Invitation,
    OnboardingSignup,
    OnboardingSlot,
    Organization,
    Program,
    ReviewStatus,
    Role,
)
from organizations.services import onboarding
from tests.factories import OrganizationFactory, ProgramFactory, UserFactory, member

SUBMISSION = {
    "name": "Helping Hands",
    "website": "https://helping.example.org",
    "description": "We help.",
    "contact_name": "Carl Contact",
    "contact_email": "carl@example.org",
    "contact_phone": "",
    "admin_email": "Ada@Example.org",
}


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, full_name="Sam Staff")


def test_anyone_can_submit_an_organization_and_follow_it(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("onboarding:organization_submit"), SUBMISSION)
    organization = Organization.objects.get()
    assert (organization.status, organization.slug) == (ReviewStatus.PENDING, "helping-hands")
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "carl@example.org"]
    status_path = re.search(r"https?://testserver(/organizations/status/\S+/)", mail.outbox[0].body).group(1)
    assert response.url == status_path
    assert "Waiting for review" in client.get(status_path).content.decode()


def test_submission_errors_keep_what_was_typed(client, db):
    response = client.post(reverse("onboarding:organization_submit"), {**SUBMISSION, "admin_email": "nope"})
    page = response.content.decode()
    assert "Enter a valid email address." in page and 'value="Helping Hands"' in page
    assert not Organization.objects.exists()


def test_staff_approval_emails_the_administrator_a_registration_link(client, staff, django_capture_on_commit_callbacks):
    organization, _ = onboarding.organization_submit(data=SUBMISSION)
    mail.outbox.clear()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:organization_review", args=[organization.pk]), {"approve": "1"})
    organization.refresh_from_db()
    assert organization.status == ReviewStatus.APPROVED and organization.reviewed_by == staff
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.program) == ("ada@example.org", Role.ORGANIZATION_ADMIN, None)
    [message] = mail.outbox
    assert message.to == ["ada@example.org"] and "complete your registration" in message.subject
    assert "/invitations/" in message.body


def test_rejecting_needs_a_reason_which_the_submitter_reads(client, staff, django_capture_on_commit_callbacks):
    organization, token = onboarding.organization_submit(data=SUBMISSION)
    client.force_login(staff)
    url = reverse("staff:organization_review", args=[organization.pk])
    response = client.post(url, {"reject": "1", "reason": ""})
    assert "Say why it is rejected" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reject": "1", "reason": "We could not verify the website."})
    organization.refresh_from_db()
    assert organization.status == ReviewStatus.REJECTED
    assert "We could not verify the website." in mail.outbox[-1].body
    page = client.get(reverse("onboarding:organization_status", args=[token])).content.decode()
    assert "We could not verify the website." in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_review_reason_reads_once_and_truly_and_its_error_is_beside_it(client, staff, language):
    staff.language = language
    staff.save()
    organization, _token = onboarding.organization_submit(data=SUBMISSION)
    client.force_login(staff)
    url = reverse("staff:organization_review", args=[organization.pk])
    label = {"en": "Reason", "fr": "Motif"}[language]
    help_text = {"en": "Required to reject.", "fr": "Obligatoire pour refuser."}[language]
    page = client.get(url).content.decode()
    assert f'<label for="id_reason">{label}</label>' in page
    assert f'<div class="help" id="id_reason_helptext">{help_text}' in page
    assert {"en": "(optional)", "fr": "(facultatif)"}[language] not in page
    page = client.post(url, {"reject": "1", "reason": " "}).content.decode()
    field = re.search(r'<div class="field has-error">(.*?)</div>\s*(?=<p class="actions">)', page, re.S).group(1)
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in field and 'aria-invalid="true"' in field
    error = {"en": "Say why it is rejected", "fr": "Indiquez le motif du refus"}[language]
    assert re.search(rf'<p class="error" id="id_reason_error">{error}', field)
    organization.refresh_from_db()
    assert organization.status == ReviewStatus.PENDING


def test_staff_pages_are_for_staff(client, db):
    url = reverse("staff:index")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_org_admin_submits_a_program_and_hears_back(client, staff, django_capture_on_commit_callbacks):
    organization = OrganizationFactory()
    admin = UserFactory(email="ada@example.org")
    from organizations.services.memberships import membership_ensure

    membership_ensure(user=admin, organization=organization, role=Role.ORGANIZATION_ADMIN)
    client.force_login(admin)
    data = {
        "name": "Career Starts",
        "description": "d",
        "audience": "students",
        "mentoring_format": "one_to_one",
        "languages": "English",
        "expected_size": 40,
        "admin_email": "pat@example.org",
    }
    client.post(reverse("organizations:program_submit", args=[organization.slug]), data)
    program = Program.objects.get(organization=organization)
    assert program.status == ReviewStatus.PENDING and program.submitted_by == admin
    page = client.get(reverse("organizations:detail", args=[organization.slug])).content.decode()
    assert "Career Starts" in page and "Waiting for review" in page
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:program_review", args=[program.pk]), {"approve": "1"})
    [message] = mail.outbox
    assert message.to == ["ada@example.org"] and "approved" in message.subject


def _approved_program():
    program = ProgramFactory(is_live=False, admin_email="pat@example.org", name="Career Starts")
    admin = member(program, Role.ORGANIZATION_ADMIN)
    return program, admin


def _slot(**fields):
    return OnboardingSlot.objects.create(starts_at=timezone.now() + timedelta(days=3), **fields)


def test_request_access_shows_only_after_onboarding_sign_up(client, db):
    program, admin = _approved_program()
    client.force_login(admin)
    label = "Request Access to the E-Mentoring Platform"
    assert label not in client.get(program.get_absolute_url()).content.decode()
    slot = _slot()
    client.post(reverse("organizations:onboarding", args=[program.organization.slug]), {"slot": slot.pk})
    assert OnboardingSignup.objects.filter(organization=program.organization, slot=slot).exists()
    assert label in client.get(program.get_absolute_url()).content.decode()


def test_a_pending_program_never_shows_request_access(client, db):
    program, admin = _approved_program()
    Program.objects.filter(pk=program.pk).update(status=ReviewStatus.PENDING)
    OnboardingSignup.objects.create(organization=program.organization, slot=_slot())
    client.force_login(admin)
    assert "Request Access to the E-Mentoring Platform" not in client.get(program.get_absolute_url()).content.decode()
    url = reverse("organizations:access_request", args=[program.organization.slug, program.slug])
    client.post(
        url, {"admin_name": "Pat", "admin_email": "pat@example.org", "mentors_expected": 1, "mentees_expected": 1}
    )
    assert not AccessRequest.objects.exists()


def test_a_full_onboarding_session_refuses_more(client, db):
    slot = _slot(capacity=1)
    OnboardingSignup.objects.create(organization=OrganizationFactory(), slot=slot)
    program, admin = _approved_program()
    client.force_login(admin)
    response = client.post(reverse("organizations:onboarding", args=[program.organization.slug]), {"slot": slot.pk})
    assert "This onboarding session is full" in response.content.decode()
    assert not OnboardingSignup.objects.filter(organization=program.organization).exists()


def test_access_granted_makes_the_program_live_and_emails_its_administrator(
    client, staff, django_capture_on_commit_callbacks
):
    program, admin = _approved_program()
    OnboardingSignup.objects.create(organization=program.organization, slot=_slot())
    client.force_login(admin)
    url = reverse("organizations:access_request", args=[program.organization.slug, program.slug])
    client.post(
        url,
        {"admin_name": "Pat Program", "admin_email": "pat@example.org", "mentors_expected": 10, "mentees_expected": 20},
    )
    access = AccessRequest.objects.get()
    assert access.status == AccessStatus.PENDING
    assert "Access requested" in client.get(program.get_absolute_url()).content.decode()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:access_review", args=[access.pk]), {"approve": "1"})
    program.refresh_from_db()
    assert program.is_live
    [message] = mail.outbox
    assert message.to == ["pat@example.org"]
    assert message.from_email.startswith("Career Starts <")
    assert Invitation.objects.get(email="pat@example.org").role == Role.PROGRAM_ADMIN


def test_access_denied_is_explained_and_can_be_requested_again(client, staff, django_capture_on_commit_callbacks):
    program, admin = _approved_program()
    OnboardingSignup.objects.create(organization=program.organization, slot=_slot())
    access = onboarding.access_request_submit(
        program=program, data={"admin_name": "Pat", "admin_email": "pat@example.org"}, by=admin
    )
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:access_review", args=[access.pk]), {"reject": "1", "reason": "Start date missing."})
    assert "Start date missing." in mail.outbox[-1].body
    client.force_login(admin)
    page = client.get(program.get_absolute_url()).content.decode()
    assert "Start date missing." in page and "Request Access to the E-Mentoring Platform" in page


def test_staff_index_lists_what_waits_and_the_latest_sessions(client, staff):
    organization = OrganizationFactory(name="Waiting Org", status=ReviewStatus.PENDING)
    program = ProgramFactory(name="Waiting Program", status=ReviewStatus.PENDING)
    asking = ProgramFactory(name="Asking Program")
    access = AccessRequest.objects.create(
        organization=asking.organization, program=asking, admin_name="A", admin_email="a@x.org"
    )
    slot = _slot()
    OnboardingSignup.objects.create(organization=asking.organization, slot=slot)
    client.force_login(staff)
    page = client.get(reverse("staff:index")).content.decode()
    assert f'<a href="{reverse("staff:organization_review", args=[organization.pk])}">Waiting Org</a>' in page
    assert f'<a href="{reverse("staff:program_review", args=[program.pk])}">Waiting Program</a> · ' in page
    assert f'<a href="{reverse("staff:access_review", args=[access.pk])}">Asking Program</a> · ' in page
    assert f"{timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M} · {asking.organization.name}</li>" in page


def test_organization_page_shows_its_onboarding_session(client, db):
    program, admin = _approved_program()
    slot = _slot()
    client.force_login(admin)
    url = reverse("organizations:detail", args=[program.organization.slug])
    assert "Sign up for onboarding" in client.get(url).content.decode()
    OnboardingSignup.objects.create(organization=program.organization, slot=slot)
    page = client.get(url).content.decode()
    when = f"{timezone.localtime(slot.starts_at):%A %-d %B %Y, %H:%M}"
    assert f"You are signed up for the onboarding session of {when}." in page
    assert "Career Starts" in page

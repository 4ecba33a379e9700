"""Rate limits of the invitation actions and of submitting an organization (issue 14): per person and per
address, from settings; past a limit nothing is sent, the form keeps what was typed; they reset."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations.models import Invitation, Organization, Role
from organizations.services.invitations import invitation_issue
from tests.factories import ProgramFactory, UserFactory, member
from tests.organizations.test_onboarding import SUBMISSION

LIMITED = "You have done this too many times in a short while"


@pytest.fixture
def program(db):
    return ProgramFactory(organization__slug="acme")


@pytest.fixture
def org_admin(program):
    return member(program, Role.ORGANIZATION_ADMIN)


def test_sending_invitations_is_limited_per_admin_and_per_address_and_resets(
    client, program, org_admin, django_capture_on_commit_callbacks, rate_limits
):
    rate_limits(invitation_send="2/h/user,3/h/ip")
    url = reverse("organizations:invitations", args=["acme"])
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            assert client.post(url, {"email": f"p{n}@example.org", "role": "mentee"}).status_code == 302
        response = client.post(url, {"email": "typed@example.org", "role": "mentee"})
    page = response.content.decode()
    assert response.status_code == 429
    assert LIMITED in page and 'value="typed@example.org"' in page and "There is a problem" in page
    assert Invitation.objects.count() == 2 and len(mail.outbox) == 2
    # Another admin from the same address: one more, then the address's limit (3) holds.
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    assert client.post(url, {"email": "p2@example.org", "role": "mentee"}).status_code == 302
    assert client.post(url, {"email": "p3@example.org", "role": "mentee"}).status_code == 429
    # A third admin, from another address, is not held by the first address's limit.
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    assert client.post(url, {"email": "p3@example.org", "role": "mentee"}, REMOTE_ADDR="10.0.0.7").status_code == 302
    rate_limits.clock.advance(3601)
    client.force_login(org_admin)
    assert client.post(url, {"email": "p4@example.org", "role": "mentee"}).status_code == 302
    assert Invitation.objects.count() == 5


def test_csv_uploads_are_limited_and_reset(client, program, org_admin, django_capture_on_commit_callbacks, rate_limits):
    rate_limits(invitation_upload="1/h/user,5/h/ip")
    url = reverse("organizations:invitations_upload", args=["acme"])
    client.force_login(org_admin)

    def upload(email):
        csv = SimpleUploadedFile("people.csv", f"email,role\n{email},mentee\n".encode(), "text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"file": csv})

    assert upload("ann@example.org").status_code == 200
    response = upload("bob@example.org")
    assert response.status_code == 429 and LIMITED in response.content.decode()
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    rate_limits.clock.advance(3601)
    assert upload("bob@example.org").status_code == 200
    assert len(mail.outbox) == 2


def test_resending_an_invitation_is_limited_with_the_429_page(
    client, program, org_admin, django_capture_on_commit_callbacks, rate_limits
):
    rate_limits(invitation_resend="2/h/user,5/h/ip")
    invitation, _ = invitation_issue(organization=program.organization, email="p@example.org", role=Role.MENTEE)
    mail.outbox.clear()
    url = reverse("organizations:invitation_resend", args=["acme", invitation.pk])
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302
        response = client.post(url, HTTP_REFERER="http://testserver/o/acme/invitations/")
    page = response.content.decode()
    assert response.status_code == 429
    assert "<h1>Too many attempts</h1>" in page and "Try again in at most 60 minutes." in page
    assert 'href="http://testserver/o/acme/invitations/"' in page
    assert len(mail.outbox) == 2
    rate_limits.clock.advance(3601)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert len(mail.outbox) == 3


def test_submitting_organizations_is_limited_per_address(client, db, django_capture_on_commit_callbacks, rate_limits):
    rate_limits(organization_submit="1/h/ip")
    url = reverse("onboarding:organization_submit")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, SUBMISSION).status_code == 302
        response = client.post(url, {**SUBMISSION, "name": "Second Hands"})
    page = response.content.decode()
    assert LIMITED in page and 'value="Second Hands"' in page
    assert Organization.objects.count() == 1
    assert client.post(url, {**SUBMISSION, "name": "Third"}, REMOTE_ADDR="10.0.0.8").status_code == 302


def test_access_requests_are_limited_per_admin_keep_the_text_and_reset(client, db, rate_limits):
    """A request sent again after a denial is limited too (access_request)."""
    from organizations.models import AccessRequest, AccessStatus, OnboardingSignup
    from organizations.services import onboarding
    from tests.organizations.test_onboarding import _approved_program, _slot

    rate_limits(access_request="1/h/user,10/h/ip")
    program, admin = _approved_program()
    OnboardingSignup.objects.create(organization=program.organization, slot=_slot())
    url = reverse("organizations:access_request", args=[program.organization.slug, program.slug])
    data = {
        "admin_name": "Pat Program",
        "admin_email": "pat@example.org",
        "mentors_expected": 10,
        "mentees_expected": 20,
    }
    client.force_login(admin)
    assert client.post(url, data).status_code == 302
    access = AccessRequest.objects.get()
    onboarding.access_review(access_request=access, by=UserFactory(is_staff=True), grant=False, reason="Dates?")
    response = client.post(url, {**data, "admin_name": "Pat Again"})
    page = response.content.decode()
    assert response.status_code == 429 and LIMITED in page and 'value="Pat Again"' in page
    assert AccessRequest.objects.get().status == AccessStatus.DENIED
    rate_limits.clock.advance(3601)
    assert client.post(url, {**data, "admin_name": "Pat Again"}).status_code == 302
    assert AccessRequest.objects.get().status == AccessStatus.PENDING


def test_onboarding_sign_ups_are_limited_per_admin(client, db, django_capture_on_commit_callbacks, rate_limits):
    from organizations.models import OnboardingSignup
    from tests.organizations.test_onboarding import _approved_program, _slot

    rate_limits(onboarding_signup="1/h/user,10/h/ip")
    program, admin = _approved_program()
    first, second = _slot(), _slot()
    url = reverse("organizations:onboarding", args=[program.organization.slug])
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"slot": first.pk}).status_code == 302
        response = client.post(url, {"slot": second.pk})
    assert response.status_code == 429 and LIMITED in response.content.decode()
    assert OnboardingSignup.objects.get().slot == first
    assert len(mail.outbox) == 1


def test_staff_reviews_are_limited_per_person(client, db, django_capture_on_commit_callbacks, rate_limits):
    from organizations.models import ReviewStatus
    from tests.factories import OrganizationFactory

    rate_limits(staff_review="1/h/user,10/h/ip")
    pending = [OrganizationFactory(status=ReviewStatus.PENDING, admin_email=f"a{i}@example.org") for i in range(2)]
    client.force_login(UserFactory(is_staff=True))
    review = lambda o: client.post(reverse("staff:organization_review", args=[o.pk]), {"approve": "1"})  # noqa: E731
    with django_capture_on_commit_callbacks(execute=True):
        assert review(pending[0]).status_code == 302
        response = review(pending[1])
    assert response.status_code == 429 and LIMITED in response.content.decode()
    assert Organization.objects.get(pk=pending[1].pk).status == ReviewStatus.PENDING
    assert [m.to for m in mail.outbox] == [["a0@example.org"]]

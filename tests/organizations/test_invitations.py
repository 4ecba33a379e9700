import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organizations.models import Invitation, InvitationStatus, Membership, Role
from organizations.services.invitations import invitation_issue
from tests.factories import PASSWORD, ProgramFactory, UserFactory, member
from tests.helpers import assert_constant_queries


def link_in(message) -> str:
    return re.search(r"https?://testserver(/invitations/\S+/)", message.body).group(1)


@pytest.fixture
def program(db):
    return ProgramFactory(name="Career Starts", organization__name="Helping Hands")


@pytest.fixture
def org_admin(program):
    return member(program, Role.ORGANIZATION_ADMIN, full_name="Olga Admin")


def invite(client, in_program, org_admin, capture, **data):
    client.force_login(org_admin)
    with capture(execute=True):
        return client.post(reverse("organizations:invitations", args=[in_program.organization.slug]), data)


def test_invitation_is_emailed_with_a_link_and_stored_hashed(
    client, program, org_admin, django_capture_on_commit_callbacks
):
    invite(
        client,
        program,
        org_admin,
        django_capture_on_commit_callbacks,
        email="Mia@Example.org",
        role="mentee",
        program=program.pk,
    )
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.program) == ("mia@example.org", "mentee", program)
    [message] = mail.outbox
    assert message.to == ["mia@example.org"]
    assert message.from_email.startswith("Career Starts <")
    token = link_in(message).split("/")[2]
    assert len(token) >= 22 and token not in invitation.token_hash
    assert Invitation.objects.filter(token_hash=token).count() == 0


def test_inviting_again_renews_the_pending_invitation(client, program, org_admin, django_capture_on_commit_callbacks):
    invite(client, program, org_admin, django_capture_on_commit_callbacks, email="mia@example.org", role="mentee")
    first = Invitation.objects.get()
    response = invite(
        client,
        program,
        org_admin,
        django_capture_on_commit_callbacks,
        email="MIA@example.org",
        role="mentor",
        program=program.pk,
    )
    assert response.status_code == 302
    [renewed] = Invitation.objects.all()
    assert renewed.pk == first.pk and renewed.token_hash != first.token_hash
    assert (renewed.role, renewed.program, renewed.send_count) == ("mentor", program, 2)
    assert len(mail.outbox) == 2
    page = client.get(reverse("organizations:invitations", args=[program.organization.slug])).content.decode()
    assert "was renewed" in page


def test_invitation_form_keeps_what_was_typed(client, program, org_admin, django_capture_on_commit_callbacks):
    response = invite(
        client, program, org_admin, django_capture_on_commit_callbacks, email="not-an-email", role="program_admin"
    )
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "Choose the program this person will run." in page
    assert 'value="not-an-email"' in page
    assert not Invitation.objects.exists()


def test_invitations_list_shows_every_state(client, program, org_admin):
    pending, _ = invitation_issue(organization=program.organization, email="p@example.org", role=Role.MENTEE)
    expired, _ = invitation_issue(organization=program.organization, email="e@example.org", role=Role.MENTEE)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    revoked, _ = invitation_issue(organization=program.organization, email="r@example.org", role=Role.MENTOR)
    Invitation.objects.filter(pk=revoked.pk).update(status=InvitationStatus.REVOKED)
    accepted, _ = invitation_issue(organization=program.organization, email="a@example.org", role=Role.MENTOR)
    Invitation.objects.filter(pk=accepted.pk).update(status=InvitationStatus.ACCEPTED)
    client.force_login(org_admin)
    response = client.get(reverse("organizations:invitations", args=[program.organization.slug]))
    states = {i.email: i.get_state_display() for i in response.context["invitations"]}
    assert states == {
        "p@example.org": "Pending",
        "e@example.org": "Expired",
        "r@example.org": "Revoked",
        "a@example.org": "Accepted",
    }


def test_invitations_rows_show_state_program_sends_and_actions(client, program, org_admin):
    pending, _ = invitation_issue(organization=program.organization, program=program, email="p@x.org", role=Role.MENTEE)
    Invitation.objects.filter(pk=pending.pk).update(send_count=2)
    expired, _ = invitation_issue(organization=program.organization, email="e<b>@x.org", role=Role.MENTOR)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(org_admin)
    slug = program.organization.slug
    page = client.get(reverse("organizations:invitations", args=[slug])).content.decode()
    resend = reverse("organizations:invitation_resend", args=[slug, pending.pk])
    revoke = reverse("organizations:invitation_revoke", args=[slug, pending.pk])
    row = re.search(r"<tr><td>p@x.org</td>.*?</tr>", page, re.S).group(0)
    assert "<td>Mentee</td><td>Career Starts</td>" in row
    assert '<span class="badge ">Pending</span>' in row and "(2 times)" in row
    assert f'formaction="{resend}" aria-label="Resend to p@x.org">Resend</button>' in row
    assert f'formaction="{revoke}" aria-label="Revoke the invitation to p@x.org">Revoke</button>' in row
    assert 'name="csrfmiddlewaretoken"' in row
    row = re.search(r"<tr><td>e&lt;b&gt;@x.org</td>.*?</tr>", page, re.S).group(0)
    assert "<td>Mentor</td><td>—</td>" in row and '<span class="badge warn">Expired</span>' in row
    assert "Resend" in row  # still pending: it can be sent again, which renews it
    program_page = client.get(reverse("organizations:program_invitations", args=[slug, program.slug])).content.decode()
    assert "p@x.org" in program_page and "e&lt;b&gt;@x.org" not in program_page
    assert reverse("organizations:program_invitation_resend", args=[slug, program.slug, pending.pk]) in program_page


def test_resend_and_revoke(client, program, org_admin, django_capture_on_commit_callbacks):
    invitation, _ = invitation_issue(organization=program.organization, email="p@example.org", role=Role.MENTEE)
    client.force_login(org_admin)
    slug = program.organization.slug
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizations:invitation_resend", args=[slug, invitation.pk]))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["p@example.org"]
    client.post(reverse("organizations:invitation_revoke", args=[slug, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    response = client.post(reverse("organizations:invitation_resend", args=[slug, invitation.pk]), follow=True)
    assert "Only a pending invitation can be sent again." in response.content.decode()


def test_invitation_of_another_organization_is_404(client, program, org_admin):
    other, _ = invitation_issue(organization=ProgramFactory().organization, email="x@example.org", role=Role.MENTEE)
    client.force_login(org_admin)
    url = reverse("organizations:invitation_revoke", args=[program.organization.slug, other.pk])
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.status == InvitationStatus.PENDING


def test_program_admin_invites_into_their_program_only(client, program, django_capture_on_commit_callbacks):
    admin = member(program, Role.PROGRAM_ADMIN)
    client.force_login(admin)
    url = reverse("organizations:program_invitations", args=[program.organization.slug, program.slug])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": "mo@example.org", "role": "mentor"})
    invitation = Invitation.objects.get()
    assert (invitation.program, invitation.role, invitation.invited_by) == (program, "mentor", admin)
    response = client.post(url, {"email": "boss@example.org", "role": "org_admin"})
    assert "Select a valid choice" in response.content.decode()


# CSV


def upload(client, program, admin, content: str, capture):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin)
    url = reverse("organizations:invitations_upload", args=[program.organization.slug])
    with capture(execute=True):
        return client.post(url, {"file": SimpleUploadedFile("people.csv", content.encode(), "text/csv")})


def test_csv_upload_invites_every_row_and_reports_each(client, program, org_admin, django_capture_on_commit_callbacks):
    invitation_issue(organization=program.organization, email="known@example.org", role=Role.MENTEE)
    mail.outbox.clear()
    csv = (
        f"email,role,program\nann@example.org,mentor,{program.slug}\n"
        f"KNOWN@example.org,mentee,\nbob@example.org,admin,{program.name}\n"
    )
    response = upload(client, program, org_admin, csv, django_capture_on_commit_callbacks)
    report = [(row.email, row.outcome) for row in response.context["report"]]
    assert report == [("ann@example.org", "invited"), ("known@example.org", "renewed"), ("bob@example.org", "invited")]
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bob@example.org", "known@example.org"]
    assert Invitation.objects.get(email="bob@example.org").role == Role.PROGRAM_ADMIN


def test_csv_with_a_bad_row_invites_nobody_and_says_which(
    client, program, org_admin, django_capture_on_commit_callbacks
):
    csv = "email,role\nann@example.org,mentor\nnot-an-email,mentee\ncid@example.org,wizard\nann@example.org,mentee\n"
    response = upload(client, program, org_admin, csv, django_capture_on_commit_callbacks)
    page = response.content.decode()
    errors = {row.line: row.error for row in response.context["report"] if row.error}
    assert set(errors) == {3, 4, 5}
    assert "not a valid email address" in errors[3] and "unknown role" in errors[4] and "twice" in errors[5]
    assert "Nothing was sent" in page
    assert not Invitation.objects.exists() and mail.outbox == []


def test_csv_without_the_right_header_says_so(client, program, org_admin, django_capture_on_commit_callbacks):
    response = upload(client, program, org_admin, "name;mail\nx;y\n", django_capture_on_commit_callbacks)
    assert "at least the columns email and role" in response.content.decode()


# Following the link


def issue(program, email="mia@example.org", role=Role.MENTEE, capture=None):
    with capture(execute=True):
        invitation_issue(organization=program.organization, program=program, email=email, role=role)
    return link_in(mail.outbox[-1])


def test_newcomer_registers_from_the_link_with_the_email_fixed(client, program, django_capture_on_commit_callbacks):
    link = issue(program, capture=django_capture_on_commit_callbacks)
    page = client.get(link).content.decode()
    assert "Create your account" in page and 'value="mia@example.org" readonly' in page
    response = client.post(
        link + "register/",
        {
            "email": "evil@example.org",
            "full_name": "Mia Mentee",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "en",
            "timezone": "Europe/Paris",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302 and response.url == program.get_absolute_url()
    user = User.objects.get(email="mia@example.org")
    assert not User.objects.filter(email="evil@example.org").exists()
    assert Membership.objects.filter(user=user, program=program, role=Role.MENTEE).count() == 1
    assert user.emailaddress_set.get().verified
    assert client.get(reverse("home")).status_code == 200  # logged in


def test_registration_errors_keep_what_was_typed(client, program, django_capture_on_commit_callbacks):
    link = issue(program, capture=django_capture_on_commit_callbacks)
    response = client.post(
        link + "register/",
        {
            "full_name": "Mia Mentee",
            "password1": PASSWORD,
            "password2": "different",
            "language": "en",
            "timezone": "UTC",
        },
    )
    page = response.content.decode()
    assert "The two passwords do not match." in page
    assert "Please accept the terms of use" in page
    assert 'value="Mia Mentee"' in page
    assert not User.objects.filter(email="mia@example.org").exists()


def test_existing_account_logs_in_and_accepts(client, program, django_capture_on_commit_callbacks):
    user = UserFactory(email="mia@example.org")
    link = issue(program, role=Role.MENTOR, capture=django_capture_on_commit_callbacks)
    client.force_login(user)
    assert "Accept invitation" in client.get(link).content.decode()
    response = client.post(link + "accept/")
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, program=program, role=Role.MENTOR).exists()
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED


def test_someone_else_logged_in_is_told_which_address_was_invited(client, program, django_capture_on_commit_callbacks):
    link = issue(program, capture=django_capture_on_commit_callbacks)
    client.force_login(UserFactory(email="bob@example.org"))
    page = client.get(link).content.decode()
    assert "This invitation is for another account" in page
    assert "mia@example.org" in page and "bob@example.org" in page
    client.post(link + "accept/")
    assert not Membership.objects.exists()
    assert Invitation.objects.get().status == InvitationStatus.PENDING


@pytest.mark.parametrize(
    ("change", "heading"),
    [
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "This invitation has expired"),
        ({"status": InvitationStatus.REVOKED}, "This invitation was withdrawn"),
        ({"status": InvitationStatus.ACCEPTED}, "This invitation has already been used"),
    ],
)
def test_unusable_links_say_what_happened(client, program, django_capture_on_commit_callbacks, change, heading):
    link = issue(program, capture=django_capture_on_commit_callbacks)
    Invitation.objects.update(**change)
    response = client.get(link)
    assert response.status_code == 410
    assert heading in response.content.decode()
    client.post(
        link + "register/",
        {
            "full_name": "X",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "en",
            "timezone": "UTC",
            "accept_terms": "on",
        },
    )
    assert not User.objects.filter(email="mia@example.org").exists()


def test_renewed_invitation_makes_the_old_link_unknown(client, program, django_capture_on_commit_callbacks):
    old = issue(program, capture=django_capture_on_commit_callbacks)
    new = issue(program, capture=django_capture_on_commit_callbacks)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_one_account_joins_several_organizations(client, django_capture_on_commit_callbacks, db):
    user = UserFactory(email="mia@example.org")
    client.force_login(user)
    for program in ProgramFactory.create_batch(2):
        client.post(issue(program, role=Role.MENTOR, capture=django_capture_on_commit_callbacks) + "accept/")
    assert Membership.objects.filter(user=user, role=Role.MENTOR).count() == 2
    assert len({m.organization_id for m in Membership.objects.filter(user=user)}) == 2


def test_add_mentor_directly(client, program, org_admin, django_capture_on_commit_callbacks):
    client.force_login(org_admin)
    url = reverse("organizations:mentor_add", args=[program.organization.slug])
    existing = UserFactory(email="old@example.org")
    for email in ("new@example.org", "old@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"email": email, "full_name": "Some Mentor", "program": program.pk})
        assert response.status_code == 302
    new = User.objects.get(email="new@example.org")
    assert Membership.objects.filter(user__in=[new, existing], program=program, role=Role.MENTOR).count() == 2
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "/accounts/password/reset/key/" in bodies["new@example.org"]
    assert "/accounts/password/reset/key/" not in bodies["old@example.org"]


def test_invitation_email_is_in_the_recipients_language(program, django_capture_on_commit_callbacks):
    UserFactory(email="fanny@example.org", language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_issue(
            organization=program.organization, program=program, email="fanny@example.org", role=Role.MENTOR
        )
    [message] = mail.outbox
    assert message.subject == "Invitation à rejoindre Career Starts en tant que Mentor"
    assert "Accepter l'invitation" in html.unescape(message.alternatives[0][0])


def test_inviting_a_member_who_has_the_role_says_so_and_sends_nothing(
    client, program, org_admin, django_capture_on_commit_callbacks
):
    member(program, Role.MENTEE, email="mia@example.org")
    response = invite(
        client,
        program,
        org_admin,
        django_capture_on_commit_callbacks,
        email="Mia@example.org",
        role="mentee",
        program=program.pk,
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "mia@example.org already has the role Mentee in Career Starts: nothing was sent." in page
    assert "Invitation sent" not in page
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_inviting_a_member_to_another_role_invites_them(client, program, org_admin, django_capture_on_commit_callbacks):
    member(program, Role.MENTEE, email="mia@example.org")
    invite(
        client,
        program,
        org_admin,
        django_capture_on_commit_callbacks,
        email="mia@example.org",
        role="mentor",
        program=program.pk,
    )
    assert Invitation.objects.get().role == Role.MENTOR
    assert [m.to for m in mail.outbox] == [["mia@example.org"]]


def test_csv_row_of_an_existing_member_sends_nothing(client, program, org_admin, django_capture_on_commit_callbacks):
    member(program, Role.MENTOR, email="ann@example.org")
    csv = f"email,role,program\nann@example.org,mentor,{program.slug}\nbob@example.org,mentee,{program.slug}\n"
    response = upload(client, program, org_admin, csv, django_capture_on_commit_callbacks)
    report = [(row.email, row.outcome) for row in response.context["report"]]
    assert report == [("ann@example.org", "already a member: nothing sent"), ("bob@example.org", "invited")]
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


def test_accepting_twice_does_not_welcome_again(client, program, django_capture_on_commit_callbacks):
    user = UserFactory(email="mia@example.org")
    link = issue(program, role=Role.MENTOR, capture=django_capture_on_commit_callbacks)
    client.force_login(user)
    first = client.post(link + "accept/", follow=True)
    assert "Welcome to" in first.content.decode()
    again = client.post(link + "accept/", follow=True)
    page = html.unescape(again.content.decode())
    assert "You accepted this invitation already." in page
    assert "Welcome to" not in page
    assert Membership.objects.filter(user=user, program=program, role=Role.MENTOR).count() == 1


def _many_invitations(program, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        invitation_issue(
            organization=program.organization, program=program, email=f"guest{n:02d}@example.org", role=Role.MENTEE
        )


def test_invitations_list_pages_25_at_a_time_and_searches_by_email(client, program, org_admin):
    _many_invitations(program, 30)
    client.force_login(org_admin)
    url = reverse("organizations:invitations", args=[program.organization.slug])
    first = client.get(url).content.decode()
    assert first.count("<td>guest") == 25 and "Page 1 of 2" in first
    assert client.get(url, {"page": 2}).content.decode().count("<td>guest") == 5
    found = client.get(url, {"q": "guest07"}).content.decode()
    assert found.count("<td>guest") == 1 and "guest07@example.org" in found
    assert "No invitation matches." in client.get(url, {"q": "nobody"}).content.decode()


def test_invitations_list_runs_the_same_queries_for_few_and_many(client, program, org_admin):
    client.force_login(org_admin)
    added = [0]

    def add_rows(count: int) -> None:
        _many_invitations(program, count, start=added[0])
        added[0] += count

    assert_constant_queries(client, reverse("organizations:invitations", args=[program.organization.slug]), add_rows)
    url = reverse("organizations:program_invitations", args=[program.organization.slug, program.slug])
    assert_constant_queries(client, url, add_rows)

"""Deleting an organization: its pages answer 404 to everyone for 30 days, platform staff restore it or erase it
from the Django admin, and the daily sweep erases it with all its data after that (issue 14, point 6)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import ERASE_AFTER, User
from matching.models import Pairing
from organizations.models import Invitation, Membership, Organization, Program, Role
from organizations.services.retention import organization_delete, organizations_due_for_erasure
from organizations.tasks import erase_deleted
from tests.factories import ProgramFactory, UserFactory, member


def _world():
    program = ProgramFactory(organization__name="Leaving Org")
    admin = member(program, Role.ORGANIZATION_ADMIN, full_name="Orla Admin")
    mentor = member(program, Role.MENTOR).memberships.get()
    mentee = member(program, Role.MENTEE).memberships.get()
    Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    Invitation.objects.create(
        organization=program.organization,
        program=program,
        email="new@example.org",
        role=Role.MENTEE,
        token_hash=f"token-{program.pk}",
        expires_at=timezone.now() + timedelta(days=3),
    )
    return program, admin, mentee.user


def test_a_deleted_organization_answers_404_to_its_people_and_is_off_their_home_page(client, db):
    program, admin, mentee = _world()
    organization = program.organization
    pages = [organization.get_absolute_url(), program.get_absolute_url(), f"{program.get_absolute_url()}people/"]
    client.force_login(admin)
    assert [client.get(url).status_code for url in pages] == [200, 200, 200]
    assert "Leaving Org" in client.get(reverse("home")).content.decode()

    organization_delete(organization=organization)
    assert [client.get(url).status_code for url in pages] == [404, 404, 404]
    assert "Leaving Org" not in client.get(reverse("home")).content.decode()
    client.force_login(mentee)
    assert client.get(program.get_absolute_url()).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    assert client.get(organization.get_absolute_url()).status_code == 404  # staff restore it in the admin first
    organization.refresh_from_db()
    assert organization.erase_after - organization.deleted_at == ERASE_AFTER


def test_staff_restore_it_from_the_django_admin_within_the_30_days(client, admin_client, db):
    program, admin, _mentee = _world()
    organization = program.organization
    changelist = reverse("admin:organizations_organization_changelist")
    admin_client.post(changelist, {"action": "delete_restorably", "_selected_action": [organization.pk]})
    assert "Leaving Org" in admin_client.get(changelist, {"deletion": "deleted"}).content.decode()
    assert "Leaving Org" not in admin_client.get(changelist, {"deletion": "present"}).content.decode()
    client.force_login(admin)
    assert client.get(program.get_absolute_url()).status_code == 404

    response = admin_client.post(changelist, {"action": "restore", "_selected_action": [organization.pk]}, follow=True)
    assert "1 organization restored." in response.content.decode()
    assert client.get(program.get_absolute_url()).status_code == 200
    assert Membership.objects.filter(organization=organization).count() == 3


def test_erase_now_from_the_admin_takes_deleted_organizations_only(admin_client, db):
    program, _admin, _mentee = _world()
    organization = program.organization
    changelist = reverse("admin:organizations_organization_changelist")
    refused = admin_client.post(changelist, {"action": "erase_now", "_selected_action": [organization.pk]}, follow=True)
    assert "Not erased: 1 not deleted first" in refused.content.decode()
    assert Organization.objects.filter(pk=organization.pk).exists()
    organization_delete(organization=organization)
    erased = admin_client.post(changelist, {"action": "erase_now", "_selected_action": [organization.pk]}, follow=True)
    assert "1 organization erased." in erased.content.decode()
    assert not Organization.objects.filter(pk=organization.pk).exists()


def test_the_sweep_erases_an_organization_after_30_days_with_its_data_and_twice_changes_nothing(db):
    now = timezone.now()
    program, admin, mentee = _world()
    kept_program, _kept_admin, _kept_mentee = _world()
    organization = program.organization
    soon = ProgramFactory().organization
    organization_delete(organization=organization, now=now - ERASE_AFTER - timedelta(seconds=1))
    organization_delete(organization=soon, now=now - ERASE_AFTER + timedelta(seconds=5))
    assert organizations_due_for_erasure(now) == [organization.pk]
    assert soon.pk in organizations_due_for_erasure(now + timedelta(seconds=5))  # the boundary

    assert erase_deleted.delay().get() == {"organizations": 1, "people": 0}
    assert erase_deleted.delay().get() == {"organizations": 0, "people": 0}
    assert not Organization.objects.filter(pk=organization.pk).exists()
    assert not Program.objects.filter(pk=program.pk).exists()
    assert not Membership._base_manager.filter(organization_id=organization.pk).exists()
    assert not Pairing.objects.filter(program_id=program.pk).exists()
    assert not Invitation.objects.filter(organization_id=organization.pk).exists()
    # People keep their accounts (they may belong elsewhere); the other organizations keep everything.
    assert User.objects.filter(pk__in=[admin.pk, mentee.pk]).count() == 2
    assert Organization.objects.filter(pk=soon.pk).exists()
    assert Pairing.objects.filter(program=kept_program).count() == 1
    assert Membership.objects.filter(organization=kept_program.organization).count() == 3


def test_an_organization_whose_sessions_have_a_location_is_erased_and_a_used_location_alone_is_not(db):
    import pytest
    from django.db.models import RestrictedError

    from sessions_app.models import Location, MentorshipSession
    from tests.sessions_app.factories import make_session

    program, _admin, _mentee = _world()
    mentor = Membership.objects.create(
        organization=program.organization, program=program, user=UserFactory(), role=Role.MENTOR
    )
    hall = Location.objects.create(program=program, name="Main hall", time_zone="Europe/Paris")
    make_session(mentor, location=hall, online=False, in_person=True)
    with pytest.raises(RestrictedError):
        hall.delete()  # sessions use it
    organization_delete(organization=program.organization, now=timezone.now() - ERASE_AFTER - timedelta(seconds=1))
    assert erase_deleted.delay().get() == {"organizations": 1, "people": 0}
    assert not Location.objects.filter(pk=hall.pk).exists()
    assert not MentorshipSession.objects.filter(program_id=program.pk).exists()

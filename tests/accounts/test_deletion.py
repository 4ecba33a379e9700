"""Deleting a person: their own confirmation step, no login, gone from lists, restorable for 30 days; then the
daily sweep erases their personal data and keeps the program's figures (issue 14, point 6)."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import ERASE_AFTER, ERASED_NAME, User
from accounts.services import user_delete, user_erase, users_due_for_erasure
from matching.models import Answer, Pairing, Question
from mentorship.models import OutboxEmail
from mentorship.oversight.models import Attendance, Observation
from mentorship.pairings.models import Message
from organizations.models import Invitation, Membership, Role
from organizations.tasks import erase_deleted
from sessions_app.models import Booking, SessionRequest
from tests.factories import PASSWORD, ProgramFactory, UserFactory, member
from tests.portal.test_dashboard import _csv, known  # noqa: F401 (the dashboard's known data, as a fixture)
from tests.sessions_app.factories import in_days, make_session


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_deleting_ones_account_asks_to_confirm_then_logs_out(client, db):
    user = UserFactory(full_name="Dora Deleting")
    client.force_login(user)
    page = client.get(reverse("account_delete"))
    assert "After that your account is erased" in page.content.decode()
    assert "For 30 days you can change your mind" in page.content.decode()

    unticked = client.post(reverse("account_delete"), {})
    assert "Tick the box to confirm that you want to delete your account." in unticked.content.decode()
    assert 'class="error-summary"' in unticked.content.decode()
    user.refresh_from_db()
    assert user.deleted_at is None and user.is_active

    response = client.post(reverse("account_delete"), {"confirm": "on"}, follow=True)
    assert "Your account is deleted. Within 30 days, write to us to restore it" in response.content.decode()
    assert not _logged_in(client)
    user.refresh_from_db()
    assert not user.is_active
    assert user.erase_after - user.deleted_at == ERASE_AFTER == timedelta(days=30)
    assert user.full_name == "Dora Deleting"  # nothing erased yet


def test_the_profile_page_links_to_deleting_the_account(client, db):
    client.force_login(UserFactory())
    assert reverse("account_delete") in client.get(reverse("profile_edit")).content.decode()


def test_get_deletes_nothing(client, db):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("account_delete"), {"confirm": "on"})
    user.refresh_from_db()
    assert user.deleted_at is None


def test_a_deleted_person_cannot_log_in_and_their_open_session_ends(client, db):
    user = UserFactory(email="gone@example.org")
    other = client.__class__()
    other.force_login(user)  # logged in elsewhere when they delete
    user_delete(user=user)

    client.post(reverse("account_login"), {"login": "gone@example.org", "password": PASSWORD})
    assert not _logged_in(client)
    assert client.get(reverse("home")).status_code == 302
    assert other.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_a_deleted_person_disappears_from_lists_and_comes_back_when_restored(
    client, db, admin_client, django_capture_on_commit_callbacks
):
    program = ProgramFactory()
    admin = member(program, Role.PROGRAM_ADMIN)
    mentee = member(program, Role.MENTEE, full_name="Quentin Quitting", email="quentin@example.org")
    people = reverse("organizations:program_people", args=[program.organization.slug, program.slug])
    client.force_login(admin)
    assert "Quentin Quitting" in client.get(people).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # committed: the people page reads its rows again
        user_delete(user=mentee)
    assert "Quentin Quitting" not in client.get(people).content.decode()
    assert Membership.objects.filter(program=program, role=Role.MENTEE).count() == 0

    # Platform staff restore them from the Django admin, within the 30 days.
    changelist = reverse("admin:accounts_user_changelist")
    assert "quentin@example.org" in admin_client.get(changelist, {"deletion": "deleted"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(changelist, {"action": "restore", "_selected_action": [mentee.pk]}, follow=True)
    assert "1 person restored." in response.content.decode()
    mentee.refresh_from_db()
    assert mentee.is_active and mentee.deleted_at is None and mentee.erase_after is None
    assert "Quentin Quitting" in client.get(people).content.decode()
    fresh = client.__class__()
    fresh.post(reverse("account_login"), {"login": "quentin@example.org", "password": PASSWORD})
    assert _logged_in(fresh)


def test_staff_delete_then_erase_now_from_the_django_admin(admin_client, db):
    user = UserFactory(email="asked@example.org")
    changelist = reverse("admin:accounts_user_changelist")
    refused = admin_client.post(changelist, {"action": "erase_now", "_selected_action": [user.pk]}, follow=True)
    assert "Not erased: 1 not deleted first" in refused.content.decode()
    admin_client.post(changelist, {"action": "delete_restorably", "_selected_action": [user.pk]})
    user.refresh_from_db()
    assert user.deleted_at is not None and not user.is_active
    erased = admin_client.post(changelist, {"action": "erase_now", "_selected_action": [user.pk]}, follow=True)
    assert "1 person erased." in erased.content.decode()
    user.refresh_from_db()
    assert user.email == f"erased-{user.pk}@erased.invalid" and user.erased_at is not None
    assert "asked@example.org" not in admin_client.get(changelist, {"deletion": "erased"}).content.decode()


def test_the_sweep_erases_after_30_days_not_before_and_twice_changes_nothing(db):
    now = timezone.now()
    almost = UserFactory(full_name="Almost Thirty")
    user_delete(user=almost, now=now - ERASE_AFTER + timedelta(seconds=5))
    past = UserFactory(full_name="Past Thirty")
    user_delete(user=past, now=now - ERASE_AFTER - timedelta(seconds=1))
    present = UserFactory(full_name="Still Here")

    # The boundary: due exactly when its 30 days are over, not a second before.
    assert past.pk in users_due_for_erasure(now)
    assert almost.pk not in users_due_for_erasure(now)
    assert almost.pk in users_due_for_erasure(now + timedelta(seconds=5))

    assert erase_deleted.delay().get() == {"organizations": 0, "people": 1}
    assert erase_deleted.delay().get() == {"organizations": 0, "people": 0}  # run twice: nothing more
    assert user_erase(user_id=past.pk) is False
    names = dict(User.objects.values_list("pk", "full_name"))
    assert (names[past.pk], names[almost.pk], names[present.pk]) == (ERASED_NAME, "Almost Thirty", "Still Here")


@pytest.fixture
def erased_world(db, django_capture_on_commit_callbacks):

    program = ProgramFactory()
    mentor = member(program, Role.MENTOR, full_name="Mo Mentor").memberships.get()
    user = member(program, Role.MENTEE, full_name="Erin Erased", email="erin@example.org", bio="I live on Elm St.")
    mentee = user.memberships.get()
    user.photo.save("erin.png", ContentFile(b"\x89PNG not really"), save=True)
    text = Question.objects.create(program=program, kind="text", text="Your story?", audience="both")
    Answer.objects.create(membership=mentee, question=text, value="My sister Ann and I grew up in Lyon.")
    pairing = Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    Message.objects.create(program=program, pairing=pairing, author=mentee, body="Call me on 555 0100")
    Message.objects.create(program=program, pairing=pairing, author=mentor, body="Sure, see you Tuesday")
    SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor, message="I am job hunting")
    make_session(mentor, day=in_days(3), mentee=mentee)
    Observation.objects.create(
        program=program, author=mentor, mentee=mentee, observed_on=timezone.now().date(), text="Shy at first."
    )
    Invitation.objects.create(
        organization=program.organization,
        program=program,
        email="erin@example.org",
        role=Role.MENTEE,
        token_hash="t",
        expires_at=timezone.now(),
    )
    OutboxEmail.objects.create(recipient="erin@example.org", payload={"to": ["erin@example.org"]})
    photo = user.photo.name
    assert default_storage.exists(photo)
    user_delete(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        assert user_erase(user_id=user.pk)
    user.refresh_from_db()
    return {"user": user, "mentee": mentee, "pairing": pairing, "photo": photo, "program": program}


def test_erasing_removes_the_personal_data(erased_world):
    user = erased_world["user"]
    assert (user.full_name, user.email, user.bio, user.photo.name) == (
        ERASED_NAME,
        f"erased-{user.pk}@erased.invalid",
        "",
        "",
    )
    assert not user.has_usable_password() and not user.is_active
    assert not default_storage.exists(erased_world["photo"])
    assert not EmailAddress.objects.filter(user=user).exists()
    assert Answer.objects.get(membership=erased_world["mentee"]).value == ""
    assert sorted(Message.objects.values_list("body", flat=True)) == ["", "Sure, see you Tuesday"]
    assert SessionRequest.objects.get().message == ""
    assert Observation.objects.get().text == ""
    assert not Invitation.objects.filter(email__iexact="erin@example.org").exists()
    assert not OutboxEmail.objects.filter(recipient="erin@example.org").exists()
    assert not User.objects.filter(email="erin@example.org").exists()


def test_erasing_keeps_the_rows_the_figures_count(erased_world):
    mentee = erased_world["mentee"]
    assert Membership._base_manager.filter(pk=mentee.pk).exists()
    assert Pairing.objects.filter(mentee=mentee).count() == 1
    assert Booking.objects.filter(mentee=mentee).count() == 1
    assert Message.objects.filter(pairing=erased_world["pairing"]).count() == 2


def test_erasing_a_mentee_leaves_the_dashboards_pairings_sessions_and_attendance_unchanged(client, known):  # noqa: F811
    program, admin = known
    client.force_login(admin)
    tables = ("pairings", "sessions", "attendance")
    before = {table: _csv(client, program, table) for table in tables}
    anna = Membership.objects.get(program=program, user__full_name="Anna")  # paired, sessions, attendance
    assert Attendance.objects.filter(mentee=anna).exists() and Pairing.objects.filter(mentee=anna).exists()

    user_delete(user=anna.user)
    assert user_erase(user_id=anna.user_id)
    anna.user.refresh_from_db()
    assert anna.user.full_name == ERASED_NAME

    after = {table: _csv(client, program, table) for table in tables}
    assert after == before
    assert any(row[1:] != ["0"] * (len(row) - 1) for row in before["attendance"][1:])  # the figures are not empty

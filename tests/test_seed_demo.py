from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from mentorship.devtools.management.commands.seed_demo import DEMO_PASSWORD
from organizations.models import Membership, Role


def test_seed_demo_is_idempotent_and_prints_logins(db, capsys):
    call_command("seed_demo", mentees=4, mentors=3)
    call_command("seed_demo", mentees=4, mentors=3)
    out = capsys.readouterr().out
    assert "orgadmin@example.org" in out and "mentee1@example.org" in out
    assert Membership.objects.filter(role=Role.MENTEE).count() == 4
    assert Membership.objects.filter(role=Role.MENTOR).count() == 3
    assert User.objects.count() == 3 + 4 + 3


def test_seed_demo_logins_work(db):
    call_command("seed_demo", mentees=1, mentors=1)
    client = Client()
    response = client.post(reverse("account_login"), {"login": "mentee1@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "First Steps" in client.get(reverse("home")).content.decode()


def test_seed_demo_makes_sessions_once(db):
    from django_scopes import scopes_disabled

    from sessions_app.models import Booking, Location, MentorshipSession

    call_command("seed_demo", mentees=2, mentors=2)
    call_command("seed_demo", mentees=2, mentors=2)
    with scopes_disabled():
        assert Location.objects.count() == 2
        # + 1: the demo pair's past session with its feedback (demo_pairings)
        assert MentorshipSession.objects.filter(status="published").count() == 3 + 8 + 1
        assert Booking.objects.filter(status="booked").count() == 2 + 1  # online, in person, the demo pair's
        assert MentorshipSession.objects.filter(groups__name="Engineers").count() == 1
        series = MentorshipSession.objects.exclude(series=None)
        assert series.count() == 8
        assert len({s.local_time for s in series}) == 1
        assert len({s.local_start.utcoffset() for s in series}) == 2  # 09:00 in Toronto on both sides of a change


def test_seed_demo_makes_requests_in_every_state_once(db):
    from django_scopes import scopes_disabled

    from sessions_app.models import MentorOffer, SessionRequest

    call_command("seed_demo", mentees=2, mentors=2)
    call_command("seed_demo", mentees=2, mentors=2)
    with scopes_disabled():
        assert sorted(SessionRequest.objects.values_list("state", flat=True)) == ["declined", "open", "scheduled"]
        assert sorted(MentorOffer.objects.values_list("state", flat=True)) == ["accepted", "dismissed", "pending"]


def test_seed_demo_makes_activities_with_past_attendance_and_observations_once(db):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from mentorship.oversight.models import Activity, Attendance, Observation

    call_command("seed_demo", mentees=3, mentors=2)
    call_command("seed_demo", mentees=3, mentors=2)
    with scopes_disabled():
        assert Activity.objects.count() == 2
        assert Attendance.objects.filter(date__local_date__lt=timezone.localdate()).count() == 4 * 2
        assert Observation.objects.count() == 2


def test_seed_demo_leaves_ranked_requests_mid_cascade(db):
    from matching.models import MentorRequest, MentorSelection

    call_command("seed_demo", mentees=4, mentors=3)
    call_command("seed_demo", mentees=4, mentors=3)
    assert MentorRequest.objects.filter(state="waiting", rank=2).count() == 2  # mid-cascade
    assert MentorSelection.objects.filter(state="exhausted").count() == 1  # choices used up
    assert MentorRequest.objects.count() == 6  # made once


def test_seed_demo_makes_the_life_of_pairings_once(db):
    from django_scopes import scopes_disabled

    from mentorship.pairings.models import Agreement, FeedbackRequest, Message
    from mentorship.pairings.services import quiet_pairs_sweep

    call_command("seed_demo", mentees=3, mentors=2)
    call_command("seed_demo", mentees=3, mentors=2)
    with scopes_disabled():
        assert Message.objects.count() == 3
        assert Agreement.objects.filter(status="signed").count() == 1
        assert FeedbackRequest.objects.filter(answered_at__isnull=False).count() == 2
        assert quiet_pairs_sweep()["reminded"] == 1  # the one quiet pair

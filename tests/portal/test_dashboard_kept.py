"""The dashboards keep their figures (issue 9, mentorship.portal.kept): a write shows on the next view, what is
kept is what would be computed, time alone changes what it changes, and nothing is kept across languages,
time zones or programs."""

import re
import time as clock
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from matching.models import MentorRequest, MentorSelection
from matching.services.pairing import pairing_create
from mentorship.pairings.models import PairingSettings
from mentorship.portal import dashboard
from organizations.models import Invitation, InvitationStatus, Membership, Role
from tests.factories import ProgramFactory, member
from tests.portal.test_dashboard import known  # noqa: F401 (the dashboard's known data, as a fixture)
from tests.sessions_app.factories import in_days, make_session


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block of writes committed, as a request's are (a test runs in one transaction never committed)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _url(program) -> str:
    return reverse("portal:dashboard", args=[program.organization.slug, program.slug])


def _figures(client, url: str) -> str:
    """The page's figures: its main part, without the period form (its CSRF-free inputs are the same)."""
    page = client.get(url)
    assert page.status_code == 200
    return page.content.decode().split("<h1>", 1)[1].split("</main>", 1)[0]


def _cell(html: str, row: str) -> str:
    return re.search(rf'<th scope="row">{re.escape(row)}</th><td>([^<]*)</td>', html).group(1)


def _people(html: str, role: str) -> list[str]:
    """The row of ``role`` in "People by role and invitation state": members, pending, expired, accepted, revoked."""
    table = html.split('id="fig-people"', 1)[1].split("</table>", 1)[0]
    return re.search(rf'<th scope="row">{role}</th>((?:<td>[^<]*</td>)+)', table).group(1)[4:-5].split("</td><td>")


def test_a_new_pairing_and_a_new_member_show_on_the_next_view(client, known, committed):  # noqa: F811
    program, admin = known
    client.force_login(admin)
    before = _figures(client, _url(program))
    assert _cell(before, "Matched now") == "2" and _people(before, "Mentee")[0] == "4"
    mentor = Membership.objects.get(program=program, user__full_name="Mona")
    mentee = Membership.objects.get(program=program, user__full_name="Dédé")
    with committed():
        pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin, notify=False)
    after = _figures(client, _url(program))
    assert _cell(after, "Matched now") == "3"
    assert "Dédé" not in after.split('id="fig-waiting"', 1)[1].split("</section>", 1)[0]  # no longer waiting
    with committed():
        member(program, Role.MENTEE, full_name="Newcomer")
    assert _people(_figures(client, _url(program)), "Mentee")[0] == "5"


def test_a_request_moving_on_shows_on_the_next_view(client, known, committed):  # noqa: F811
    """A write that sends no signal (the requests' conditional updates) gives the program a new stamp too."""
    from matching.services.requests import request_decline

    program, admin = known
    client.force_login(admin)
    mentor = Membership.objects.get(program=program, user__full_name="Mona")
    mentee = Membership.objects.get(program=program, user__full_name="Dédé")
    selection = MentorSelection.objects.create(program=program, mentee=mentee)
    request = MentorRequest.objects.create(
        program=program,
        selection=selection,
        mentee=mentee,
        mentor=mentor,
        rank=1,
        state="waiting",
        sent_at=timezone.now(),
        deadline=timezone.now() + timedelta(hours=30, minutes=5),
    )
    assert "not yet answered now: 1;" in _figures(client, _url(program))
    with committed():
        request_decline(request_id=request.pk, by=mentor.user, reason="Busy")
    assert "not yet answered now: 0;" in _figures(client, _url(program))


def test_the_figures_kept_are_the_figures_computed(client, known):  # noqa: F811
    program, admin = known
    client.force_login(admin)
    url = _url(program)
    computed = _figures(client, url)
    assert _figures(client, url) == computed  # kept
    cache.clear()
    caches["fragments"].clear()
    assert _figures(client, url) == computed
    # Without the shared cache (no stamp): computed on each view, the same.
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    with override_settings(CACHES={**settings.CACHES, "default": dummy}):
        assert _figures(client, url) == computed
    period = {"start": in_days(-60).isoformat(), "end": in_days(0).isoformat()}
    chosen = client.get(url, period).content.decode()
    assert f'dashboard/people.csv?start={period["start"]}&amp;end={period["end"]}"' in chosen
    assert 'dashboard/people.csv"' in computed  # the default period's links carry none


def test_kept_figures_are_not_shared_across_languages_time_zones_or_programs(client, known):  # noqa: F811
    program, admin = known
    client.force_login(admin)
    english = _figures(client, _url(program))
    assert "Match rate" in english
    french = member(program, Role.PROGRAM_ADMIN, language="fr")
    client.force_login(french)
    assert "Taux de jumelage" in _figures(client, _url(program))
    # A deadline is shown in the viewer's time zone.
    mentor = Membership.objects.get(program=program, user__full_name="Mona")
    mentee = Membership.objects.get(program=program, user__full_name="Dédé")
    deadline = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=2)
    MentorRequest.objects.create(
        program=program,
        selection=MentorSelection.objects.create(program=program, mentee=mentee),
        mentee=mentee,
        mentor=mentor,
        rank=1,
        state="waiting",
        sent_at=timezone.now(),
        deadline=deadline,
    )
    cache.clear()
    caches["fragments"].clear()
    client.force_login(admin)
    with translation.override("en"):  # the page's language (the test's own is LANGUAGE_CODE)
        shown = {
            zone: date_format(deadline.astimezone(ZoneInfo(zone)), "SHORT_DATETIME_FORMAT")
            for zone in ("UTC", "Asia/Tokyo")
        }
    assert shown["UTC"] != shown["Asia/Tokyo"]
    html = _figures(client, _url(program))
    assert shown["UTC"] in html
    tokyo = member(program, Role.PROGRAM_ADMIN, timezone="Asia/Tokyo")
    client.force_login(tokyo)
    html = _figures(client, _url(program))
    assert shown["Asia/Tokyo"] in html and shown["UTC"] not in html
    # Another program of the organization: its own figures.
    other = ProgramFactory(organization=program.organization)
    client.force_login(member(other, Role.PROGRAM_ADMIN))
    assert _cell(_figures(client, _url(other)), "Matched now") == "0"


def test_an_invitation_passing_its_date_shows_as_expired_without_a_write(client, known):  # noqa: F811
    program, admin = known
    client.force_login(admin)
    assert _people(_figures(client, _url(program)), "Mentor")[1:3] == ["0", "0"]
    soon = timezone.now() + timedelta(seconds=1.5)
    Invitation.objects.create(
        organization=program.organization,
        program=program,
        email="soon@example.org",
        role=Role.MENTOR,
        token_hash="soon",
        status=InvitationStatus.PENDING,
        expires_at=soon,
    )
    cache.clear()  # as a commit would (the test's writes are never committed)
    caches["fragments"].clear()
    assert _people(_figures(client, _url(program)), "Mentor")[1:3] == ["1", "0"]  # pending
    clock.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.05)
    assert _people(_figures(client, _url(program)), "Mentor")[1:3] == ["0", "1"]  # expired, no write since


def _rows(figures: dict) -> list:
    return [(table.key, table.counts, table.rows) for table in figures["tables"]]


def test_each_figure_stays_the_same_until_the_moment_its_table_says_time_changes_it(known):  # noqa: F811
    """From now, moment after moment that the tables name: the figures just before are those computed before
    it, and just after it they differ. Invitations passing their date, a booked session ending, a request's hours
    left, a mentee's days of waiting, pairs going quiet."""
    program, _admin = known
    now = timezone.now()
    mentor = Membership.objects.get(program=program, user__full_name="Mona")
    mentee = Membership.objects.get(program=program, user__full_name="Dédé")
    MentorRequest.objects.create(
        program=program,
        selection=MentorSelection.objects.create(program=program, mentee=mentee),
        mentee=mentee,
        mentor=mentor,
        rank=1,
        state="waiting",
        sent_at=now,
        deadline=now + timedelta(hours=2, minutes=10),
    )
    make_session(mentor, day=in_days(1), mentee=Membership.objects.get(program=program, user__full_name="Anna"))
    PairingSettings.objects.create(program=program, quiet_days=16)  # Max and Bob's last session: 15 days ago
    period = dashboard.Period(now.date() - timedelta(days=30), now.date() + timedelta(days=10))
    tiny = timedelta(microseconds=1)
    moment, figures, kinds = now, dashboard.program_dashboard(program, period, now), set()
    for _step in range(24):
        changes_at = figures["changes_at"]
        assert changes_at is not None and changes_at > moment
        assert _rows(dashboard.program_dashboard(program, period, changes_at - tiny)) == _rows(figures)
        after = dashboard.program_dashboard(program, period, changes_at + tiny)
        kinds |= {old.key for old, new in zip(figures["tables"], after["tables"], strict=True) if old.rows != new.rows}
        assert _rows(after) != _rows(figures)
        moment, figures = changes_at + tiny, after
    assert {"people", "requests", "sessions", "waiting", "check-in"} <= kinds, kinds

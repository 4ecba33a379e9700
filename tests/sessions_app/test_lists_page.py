"""The Mentorship page and My Sessions page their lists: every session is reachable, a page stays small."""

from datetime import time

from django.urls import reverse

from organizations.models import Role
from sessions_app.views import manage, personal
from tests.factories import ProgramFactory, member
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import in_days, make_session


def _sessions(mentor, count: int, *, first_day: int = 2) -> None:
    for number in range(count):
        make_session(mentor, day=in_days(first_day + number // 10), at=time(8 + number % 10))


def test_my_sessions_pages_upcoming_sessions(client, mentor):
    _sessions(mentor, personal.PAGE_SIZE + 3)
    client.force_login(mentor.user)
    first = client.get(reverse("my_sessions")).content.decode()
    assert first.count('<li class="card">') == personal.PAGE_SIZE
    assert "Page 1 of 2" in first
    second = client.get(reverse("my_sessions"), {"page": 2}).content.decode()
    assert second.count('<li class="card">') == 3
    assert "Page 2 of 2" in second and "No upcoming sessions." not in second


def test_the_mentorship_page_pages_and_keeps_its_filters(client, program, program_admin, mentor):
    _sessions(mentor, manage.PAGE_SIZE + 2)
    client.force_login(program_admin)
    url = program_url(program, "sessions:mentorship")
    first = client.get(url, {"status": "published"}).content.decode()
    assert first.count('<details class="menu">') == manage.PAGE_SIZE
    assert "?status=published&amp;page=2" in first
    second = client.get(url, {"status": "published", "page": 2}).content.decode()
    assert second.count('<details class="menu">') == 2


def test_the_mentor_filter_lists_a_new_or_renamed_mentor_at_the_next_view(
    client, program, program_admin, mentor, django_capture_on_commit_callbacks
):
    """The filter's mentors are kept under the program's stamp (issue 9): a committed change is seen at once."""
    client.force_login(program_admin)
    url = program_url(program, "sessions:mentorship")
    before = client.get(url).content.decode()
    assert f'<option value="{mentor.pk}">Maria Mentor</option>' in before
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = member(program, Role.MENTOR, full_name="Nora Newcomer").memberships.get()
        mentor.user.full_name = "Maria Renamed"
        mentor.user.save()
    after = client.get(url).content.decode()
    assert f'<option value="{newcomer.pk}">Nora Newcomer</option>' in after
    assert "Maria Renamed" in after and "Maria Mentor" not in after
    # The chosen mentor is selected; a mentee is not a mentor to filter by.
    chosen = client.get(url, {"mentor": newcomer.pk}).content.decode()
    assert f'<option value="{newcomer.pk}" selected>Nora Newcomer</option>' in chosen
    mentee = member(program, Role.MENTEE, full_name="Not A Mentor").memberships.get()
    assert "Not A Mentor" not in client.get(url, {"mentor": mentee.pk}).content.decode()


def test_the_mentor_filter_of_another_program_lists_its_own_mentors(client, program, program_admin, mentor):
    other = ProgramFactory(organization=program.organization)
    member(other, Role.MENTOR, full_name="Their Mentor")
    admin = member(other, Role.PROGRAM_ADMIN)
    client.force_login(program_admin)
    assert "Their Mentor" not in client.get(program_url(program, "sessions:mentorship")).content.decode()
    client.force_login(admin)
    page = client.get(program_url(other, "sessions:mentorship")).content.decode()
    assert "Their Mentor" in page and "Maria Mentor" not in page


def test_a_session_under_way_is_still_upcoming_and_an_ended_one_is_not(client, program, program_admin, mentor):
    from datetime import timedelta

    from django.utils import timezone

    from sessions_app.models import MentorshipSession

    under_way, ended = (
        make_session(mentor, day=in_days(3), at=time(9)),
        make_session(mentor, day=in_days(3), at=time(11)),
    )
    now = timezone.now()
    MentorshipSession.objects.filter(pk=under_way.pk).update(
        starts_at=now - timedelta(hours=20), ends_at=now + timedelta(hours=4)
    )
    MentorshipSession.objects.filter(pk=ended.pk).update(
        starts_at=now - timedelta(hours=47), ends_at=now - timedelta(hours=46)
    )
    client.force_login(program_admin)
    page = client.get(program_url(program, "sessions:mentorship")).content.decode()
    assert page.count('<details class="menu">') == 1
    assert f"/mentorship/{under_way.pk}/edit/" in page and f"/mentorship/{ended.pk}/edit/" not in page


def test_the_kept_filter_fields_are_those_of_the_query_and_of_the_viewer(client, program, program_admin, mentor):
    """The filters' fields are kept rendered per query and per kind of viewer (issue 9): each query shows its own
    choices selected, and a mentor, who filters only their own sessions, has no select of mentors."""
    url = program_url(program, "sessions:mentorship")
    client.force_login(program_admin)
    chosen = client.get(url, {"status": "cancelled"}).content.decode()
    plain = client.get(url).content.decode()
    assert '<option value="cancelled" selected>' in chosen and '<option value="" selected>All</option>' in plain
    assert '<option value="cancelled" selected>' not in plain and 'name="mentor"' in plain
    client.force_login(mentor.user)
    own = client.get(url).content.decode()
    assert 'name="status"' in own and 'name="mentor"' not in own

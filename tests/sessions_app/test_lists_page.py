"""The Mentorship page and My Sessions page their lists: every session is reachable, a page stays small."""

from datetime import time

from django.urls import reverse

from sessions_app.views import manage, personal
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

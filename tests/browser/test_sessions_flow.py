"""Seed 002 and the booking part of seed 000: sessions made, duplicated, bulk-duplicated and booked."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.test import Client
from playwright.sync_api import Browser, expect

from organizations.models import Role
from sessions_app.models import MentorshipSession
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, GroupFactory, ProgramFactory, member
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import make_session


def test_mentor_publishes_duplicates_and_bulk_duplicates_across_daylight_saving(
    browser: Browser, live_server, transactional_db
):
    program = ProgramFactory(name="Career Starts")
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor", timezone="America/Toronto")
    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, mentor.email, PASSWORD)
    page.goto(program.get_absolute_url())
    page.get_by_role("navigation", name="Career Starts: pages").get_by_role(
        "link", name="Mentorship", exact=True
    ).click()
    page.get_by_role("link", name="New Session").click()

    expect(page.get_by_role("heading", name="New mentorship session")).to_be_visible()
    page.get_by_label("Date").fill("2027-02-22")
    page.get_by_label("Time").fill("10:00")
    page.get_by_role("button", name="Publish & Duplicate").click()
    expect(page.get_by_text("A Meeting URL is required when the session is offered Online.").first).to_be_visible()
    expect(page.get_by_label("Date")).to_have_value("2027-02-22")  # nothing typed is lost
    page.get_by_label("Meeting URL").fill("https://meet.example.org/maria")
    page.get_by_role("button", name="Publish & Duplicate").click()

    expect(page.get_by_text("The session is published. Enter the next one.")).to_be_visible()
    expect(page.get_by_role("heading", name="Duplicate mentorship session")).to_be_visible()
    expect(page.get_by_label("Date")).to_have_value("2027-03-01")
    expect(page.get_by_label("Meeting URL")).to_have_value("https://meet.example.org/maria")
    page.get_by_label("Time").fill("11:30")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("The session is published.")).to_be_visible()

    # Bulk Duplicate the first one, weekly for 8 weeks: Toronto moves its clocks on 14 March 2027.
    first_row = page.locator("table.sessions tbody tr").first
    first_row.locator("summary").click()
    first_row.get_by_role("link", name="Bulk Duplicate").click()
    page.get_by_label("Weekly").check()
    page.get_by_label("Number of copies").fill("8")
    page.get_by_role("button", name="Preview").click()
    rows = page.locator("table.preview tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.first).to_contain_text("Monday 1 March 2027")
    expect(rows.first).to_contain_text("10:00 in Toronto")
    page.get_by_role("button", name="Create 8 copies").click()
    expect(page.get_by_text("8 copies were created.")).to_be_visible()

    sessions = page.locator("table.sessions tbody tr")
    expect(sessions).to_have_count(10)
    expect(page.locator("table.sessions tbody tr", has_text="10:00–11:00")).to_have_count(9)
    expect(page.locator("table.sessions tbody tr", has_text="Monday 15 March 2027, 10:00–11:00")).to_have_count(1)
    utc_hours = sorted(
        {s.starts_at.hour for s in MentorshipSession.objects.filter(local_time="10:00")}
    )  # 15:00 UTC before the change, 14:00 after
    assert utc_hours == [14, 15]


def test_mentee_in_paris_books_from_the_mentors_profile_and_sees_it_on_my_sessions(
    browser: Browser, live_server, transactional_db
):
    program = ProgramFactory(name="Career Starts")
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor", timezone="America/Toronto", bio="CV help")
    mentee = member(program, Role.MENTEE, full_name="Paul Mentee", timezone="Europe/Paris")
    make_session(mentor.memberships.get(), day=date(2027, 3, 15), online=True, in_person=True, seats=2)
    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, mentee.email, PASSWORD)
    page.goto(program.get_absolute_url())
    page.get_by_role("navigation", name="Career Starts: pages").get_by_role(
        "link", name="Mentorship", exact=True
    ).click()
    page.get_by_role("link", name="Maria Mentor").click()

    expect(page.get_by_role("heading", name="Maria Mentor")).to_be_visible()
    expect(page.get_by_text("CV help")).to_be_visible()
    expect(page.get_by_text("Monday 15 March 2027, 15:00–16:00")).to_be_visible()  # in Paris
    expect(page.get_by_text("10:00 in Toronto · 15:00 in Paris")).to_be_visible()
    page.get_by_label("In-Person").check()
    page.get_by_role("button", name="Book Session").click()
    expect(page.get_by_text("The session is booked.")).to_be_visible()

    page.get_by_role("link", name="My Sessions").first.click()
    expect(page.get_by_role("heading", name="My Sessions")).to_be_visible()
    card = page.locator(".session-list li", has_text="Career Starts")
    expect(card).to_contain_text("Mentor: Maria Mentor")
    expect(card).to_contain_text("Monday 15 March 2027, 15:00–16:00")
    expect(card).to_contain_text("10:00 in Toronto · 15:00 in Paris")
    expect(card.get_by_role("button", name="Cancel booking")).to_be_visible()
    assert datetime(2027, 3, 15, 15, tzinfo=ZoneInfo("Europe/Paris")) == MentorshipSession.objects.get().starts_at


def test_a_mentee_outside_the_groups_does_not_see_the_session(browser: Browser, live_server, transactional_db):
    program = ProgramFactory()
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor")
    mentee = member(program, Role.MENTEE)
    session = make_session(mentor.memberships.get(), groups=[GroupFactory(program=program, name="Engineers")])
    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, mentee.email, PASSWORD)
    page.goto(program_url(program, "sessions:mentor", mentor.memberships.get().pk))
    expect(page.get_by_text("No sessions open for booking.")).to_be_visible()
    expect(page.get_by_role("button", name="Book Session")).to_have_count(0)
    client = Client()
    client.force_login(mentee)
    assert client.post(program_url(program, "sessions:book", session.pk)).status_code == 404

"""Seed 000's last step in the browser: a paired mentor and mentee each schedule a session from their home page."""

from datetime import date

from playwright.sync_api import Browser, expect

from matching.models import Pairing
from organizations.models import Role
from sessions_app.models import Booking
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, ProgramFactory, member
from tests.sessions_app.factories import make_session


def test_paired_mentee_books_and_mentor_adds_the_mentee_from_home(browser: Browser, live_server, transactional_db):
    program = ProgramFactory(name="Career Starts")
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor", timezone="America/Toronto")
    mentee = member(program, Role.MENTEE, full_name="Paul Mentee", timezone="Europe/Paris")
    Pairing.objects.create(program=program, mentor=mentor.memberships.get(), mentee=mentee.memberships.get())
    make_session(mentor.memberships.get(), day=date(2027, 3, 15), seats=2)

    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, mentee.email, PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Schedule a session together.").click()
    expect(page.get_by_role("heading", name="Maria Mentor")).to_be_visible()
    page.get_by_role("button", name="Book Session").click()
    expect(page.get_by_text("The session is booked.")).to_be_visible()

    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, mentor.email, PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Schedule a session with Paul Mentee").click()
    expect(page.get_by_role("heading", name="New mentorship session")).to_be_visible()
    expect(page.get_by_label("Mentee")).to_have_value(str(mentee.memberships.get().pk))
    page.get_by_label("Date").fill("2027-03-22")
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Meeting URL").fill("https://meet.example.org/maria")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("The session is published.")).to_be_visible()

    page.goto("/sessions/")
    expect(page.locator(".session-list li.card")).to_have_count(2)
    expect(page.locator(".session-list li.card").nth(1)).to_contain_text("You mentor: Paul Mentee")
    assert Booking.objects.filter(mentee__user=mentee, status="booked").count() == 2

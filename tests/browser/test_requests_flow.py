"""Seed 001: mentorship requests in both directions, as the people would do them."""

from datetime import date

from django.core import mail
from playwright.sync_api import Browser, expect

from organizations.models import Role
from sessions_app.models import MentorOffer, OfferState, RequestState, SessionRequest
from tests.browser.helpers import assert_accessible, last_link_to, log_in
from tests.factories import PASSWORD, ProgramFactory, Survey, member
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import make_session


def test_mentee_requests_a_session_and_the_mentor_schedules_it_from_the_email(
    browser: Browser, live_server, transactional_db
):
    program = ProgramFactory(name="Career Starts")
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor", email="maria@example.org", bio="CV help")
    mentee = member(program, Role.MENTEE, full_name="Paul Mentee", email="paul@example.org")
    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, mentee.email, PASSWORD)
    page.goto(program_url(program, "sessions:mentor", mentor.memberships.get().pk))
    page.get_by_role("link", name="Request a Session").click()
    page.get_by_label("Message").fill("Could we go through my CV before my interviews?")
    page.get_by_role("button", name="Request", exact=True).click()
    expect(page.get_by_text("Your request is sent.")).to_be_visible()

    mentor_page = browser.new_context(base_url=live_server.url).new_page()
    log_in(mentor_page, mentor.email, PASSWORD)
    mentor_page.goto(last_link_to(mentor.email, "/o/"))
    expect(mentor_page.get_by_text("Could we go through my CV before my interviews?")).to_be_visible()
    assert_accessible(mentor_page)
    mentor_page.get_by_role("link", name="Schedule a session").click()
    expect(mentor_page.get_by_label("Mentee (optional)")).to_have_value(str(mentee.memberships.get().pk))
    mentor_page.get_by_label("Date").fill("2027-03-15")
    mentor_page.get_by_label("Time").fill("10:00")
    mentor_page.get_by_label("Meeting URL").fill("https://meet.example.org/maria")
    mentor_page.get_by_role("button", name="Publish", exact=True).click()
    expect(mentor_page.get_by_text("The session is published.")).to_be_visible()

    request = SessionRequest.objects.get()
    assert request.state == RequestState.SCHEDULED
    assert any(m.to == [mentee.email] and "added you to a session" in m.body for m in mail.outbox)
    page.goto("/sessions/")
    expect(page.get_by_text("Mentor: Maria Mentor")).to_be_visible()


def test_mentors_offer_the_mentee_dismisses_one_and_books_the_other(browser: Browser, live_server, transactional_db):
    program = ProgramFactory(name="Career Starts")
    survey = Survey(program)
    maria = survey.person(Role.MENTOR, full_name="Maria Mentor", email="maria@example.org", skills=["Networking"])
    omar = survey.person(Role.MENTOR, full_name="Omar Other", email="omar@example.org", skills=["Networking"])
    paul = survey.person(Role.MENTEE, full_name="Paul Mentee", email="paul@example.org", skills=["Networking"])
    make_session(maria.memberships.get(), day=date(2027, 3, 15), seats=2)

    for mentor, words in ((maria, "I can help you with networking."), (omar, "Happy to mentor you.")):
        page = browser.new_context(base_url=live_server.url).new_page()
        log_in(page, mentor.email, PASSWORD)
        page.goto(program.get_absolute_url())
        nav = page.get_by_role("navigation", name="Career Starts: pages")
        nav.get_by_role("link", name="Mentees looking for a mentor").click()
        expect(page.get_by_text("Skills").first).to_be_visible()  # the reason of the score
        page.get_by_role("link", name="Paul Mentee").click()
        page.get_by_role("link", name="I want to mentor you!").click()
        page.get_by_label("Message").fill(words)
        page.get_by_role("button", name="Send Request").click()
        expect(page.get_by_text("Your request is sent. The mentee was emailed.")).to_be_visible()
    assert [m.to for m in mail.outbox] == [[paul.email], [paul.email]]

    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, paul.email, PASSWORD)
    page.goto(program.get_absolute_url())
    page.get_by_role("navigation", name="Career Starts: pages").get_by_role(
        "link", name="My Mentorship requests"
    ).click()
    expect(page.get_by_text("Pending")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("link", name="Omar Other").click()
    expect(page.get_by_text("Happy to mentor you.")).to_be_visible()
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_text("The request is dismissed.")).to_be_visible()
    expect(page.get_by_role("link", name="Omar Other")).to_have_count(0)

    page.get_by_role("link", name="Maria Mentor").click()
    page.get_by_role("link", name="Visit the mentor's profile").click()
    page.get_by_role("button", name="Book Session").click()
    expect(page.get_by_text("The session is booked.")).to_be_visible()
    page.goto(program_url(program, "sessions:my_requests"))
    expect(page.locator("li", has_text="Maria Mentor")).to_contain_text("Accepted")

    states = dict(MentorOffer.objects.values_list("mentor__user__email", "state"))
    assert states == {maria.email: OfferState.ACCEPTED, omar.email: OfferState.DISMISSED}
    assert not [m for m in mail.outbox if omar.email in m.to]  # the dismissed mentor was not notified

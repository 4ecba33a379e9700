"""Seed 003 (Oversight, Follow-Up Contributions): an admin runs an activity; its mentor oversees and follows up,
and finds no way to change the activity."""

from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, expect

from mentorship.oversight.models import Activity, Attendance, Observation
from organizations.models import Role
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, ProgramFactory, member


def test_admin_runs_an_activity_and_its_mentor_oversees_and_follows_up(browser: Browser, live_server, transactional_db):
    program = ProgramFactory(name="Career Starts")
    admin = member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin", timezone="Europe/Paris")
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor")
    mentee = member(program, Role.MENTEE, full_name="Paul Mentee")
    member(program, Role.MENTEE, full_name="Zoe Other")

    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, admin.email, PASSWORD)
    page.goto(program.get_absolute_url())
    page.get_by_role("navigation", name="Career Starts: pages").get_by_role("link", name="Activities").click()
    page.get_by_role("link", name="New activity").click()
    page.get_by_label("Name").fill("Coding club")
    page.get_by_label("Description").fill("Python on Tuesdays")
    page.get_by_role("group", name="Mentees attending").get_by_label("Paul Mentee").check()
    page.get_by_role("group", name="Mentors assigned").get_by_label("Maria Mentor").check()
    first = page.get_by_role("group", name="Date 1")
    first.get_by_label("Date").fill("2026-03-03")
    first.get_by_label("Start").fill("17:00")
    first.get_by_label("End").fill("19:00")
    first.get_by_label("Place").fill("Room 4")
    second = page.get_by_role("group", name="Date 2")
    second.get_by_label("Date").fill("2026-03-10")
    second.get_by_label("Start").fill("17:00")
    second.get_by_label("End").fill("16:00")
    page.get_by_role("button", name="Save activity").click()
    expect(page.get_by_text("The end must be after the start.").first).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Coding club")  # nothing typed is lost
    page.get_by_role("group", name="Date 2").get_by_label("End").fill("19:00")
    page.get_by_role("button", name="Save activity").click()

    expect(page.get_by_text("The activity is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Coding club")).to_be_visible()
    page.get_by_role("link", name="Take attendance for 3 Mar").click()
    page.get_by_role("group", name="Paul Mentee").get_by_label("Absent").check()
    page.get_by_label("Note about Paul Mentee").fill("Train strike")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance is saved: 1 of 1 marked.")).to_be_visible()
    assert Attendance.objects.get().status == "absent"

    mentor_page = browser.new_context(base_url=live_server.url).new_page()
    log_in(mentor_page, mentor.email, PASSWORD)
    mentor_page.goto(program.get_absolute_url())
    nav = mentor_page.get_by_role("navigation", name="Career Starts: pages")
    expect(nav.get_by_role("link", name="Activities")).to_have_count(0)
    nav.get_by_role("link", name="My mentees").click()
    expect(mentor_page.get_by_role("row", name="Paul Mentee")).to_contain_text("0 %")
    expect(mentor_page.get_by_text("Zoe Other")).to_have_count(0)
    mentor_page.get_by_role("link", name="Paul Mentee").click()
    schedule = mentor_page.get_by_role("region", name="Schedule and attendance")
    expect(schedule).to_contain_text("Absent")
    expect(schedule).to_contain_text("Train strike")
    expect(schedule).to_contain_text("Not recorded")  # 10 March
    mentor_page.get_by_label("Observation").fill("Keen, but the evening slot is hard for him.")
    mentor_page.get_by_label("Shared with the mentee").check()
    mentor_page.get_by_role("button", name="Add observation").click()
    expect(mentor_page.get_by_text("The observation is added.")).to_be_visible()
    expect(mentor_page.get_by_text("Keen, but the evening slot is hard for him.")).to_be_visible()
    assert Observation.objects.get().visibility == "shared"

    # The mentor finds no way to change the activity...
    mentor_page.get_by_role("link", name="My mentees").first.click()
    mentor_page.get_by_role("link", name="Coding club").click()
    expect(mentor_page.get_by_role("heading", name="Coding club")).to_be_visible()
    expect(mentor_page.get_by_role("link", name="Edit activity")).to_have_count(0)
    expect(mentor_page.get_by_role("link", name="Take attendance for 3 Mar")).to_have_count(0)
    # ... and a direct POST, with a valid session and CSRF handled, is refused.
    activity = Activity.objects.get()
    client = Client()
    client.force_login(mentor)
    args = [program.organization.slug, program.slug]
    edit = reverse("oversight:activity_edit", args=[*args, activity.pk])
    assert client.post(edit, {"name": "Mine now", "time_zone": "UTC"}).status_code == 403
    day = activity.dates.first()
    attendance = reverse("oversight:attendance", args=[*args, activity.pk, day.pk])
    assert client.post(attendance, {f"status-{mentee.memberships.get().pk}": "present"}).status_code == 403
    assert Activity.objects.get().name == "Coding club" and Attendance.objects.get().status == "absent"

    # The mentee sees the shared observation and who looked.
    mentee_page = browser.new_context(base_url=live_server.url).new_page()
    log_in(mentee_page, mentee.email, PASSWORD)
    mentee_page.goto(program.get_absolute_url())
    mentee_page.get_by_role("link", name="Your follow-up").click()
    expect(mentee_page.get_by_text("Keen, but the evening slot is hard for him.")).to_be_visible()
    expect(mentee_page.get_by_role("region", name="Who looked at your attendance and observations")).to_contain_text(
        "Maria Mentor"
    )

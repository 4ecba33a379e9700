"""Seed 004 end to end, as the people would do it, following the links from the emails."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, expect

from organizations.models import OnboardingSlot
from tests.browser.helpers import assert_accessible, last_link_to, log_in_staff, register_from_invitation
from tests.factories import PASSWORD, UserFactory


def test_organization_to_live_program(browser: Browser, live_server, transactional_db):
    UserFactory(email="staff@example.org", is_staff=True)
    OnboardingSlot.objects.create(
        starts_at=timezone.now() + timedelta(days=5), meeting_url="https://meet.example.org/1"
    )
    visitor, staff, admin, program_admin = (browser.new_context(base_url=live_server.url).new_page() for _ in range(4))

    # Anyone submits their organization.
    visitor.goto("/")
    visitor.get_by_role("link", name="Submit your organization").click()
    visitor.get_by_label("Organization name").fill("Helping Hands")
    visitor.get_by_label("Description").fill("Mentoring for young people.")
    visitor.get_by_label("Contact name").fill("Carl Contact")
    visitor.get_by_label("Contact email").fill("carl@example.org")
    visitor.get_by_label("Organization administrator's email").fill("ada@example.org")
    visitor.get_by_role("button", name="Submit").click()
    expect(visitor.get_by_text("Waiting for review")).to_be_visible()
    assert_accessible(visitor)

    # Platform staff approve it.
    log_in_staff(staff, "staff@example.org", PASSWORD)
    staff.goto("/staff/")
    staff.get_by_role("link", name="Helping Hands").click()
    staff.get_by_role("button", name="Approve").click()
    expect(staff.get_by_text("was reviewed")).to_be_visible()
    assert_accessible(staff)

    # The designated administrator completes their registration from the email.
    admin.goto(last_link_to("ada@example.org", "/invitations/"))
    expect(admin.get_by_label("Email")).to_have_value("ada@example.org")
    register_from_invitation(admin, "Ada Admin", PASSWORD)
    expect(admin.get_by_role("heading", name="Helping Hands")).to_be_visible()
    assert_accessible(admin)

    # ... and submits a program.
    admin.get_by_role("link", name="Submit Program").click()
    admin.get_by_label("Program name").fill("Career Starts")
    admin.get_by_label("Description").fill("First jobs.")
    admin.get_by_label("Audience").fill("Students")
    admin.get_by_label("Languages").fill("English, French")
    admin.get_by_label("Expected number of participants").fill("40")
    admin.get_by_label("Program administrator's email").fill("pat@example.org")
    admin.get_by_role("button", name="Submit").click()
    expect(admin.get_by_role("cell", name="Waiting for review")).to_be_visible()
    assert_accessible(admin)

    staff.goto("/staff/")
    staff.get_by_role("link", name="Career Starts").click()
    staff.get_by_role("button", name="Approve").click()
    assert "approved" in [m for m in mail.outbox if m.to == ["ada@example.org"]][-1].subject
    assert_accessible(staff)

    # Onboarding sign-up, then the access request appears.
    admin.goto(admin.url)
    admin.get_by_role("link", name="Career Starts").click()
    expect(admin.get_by_role("link", name="Request Access to the E-Mentoring Platform")).to_have_count(0)
    admin.get_by_role("link", name="Sign up for onboarding").click()
    admin.get_by_role("radio").first.check()
    admin.get_by_role("button", name="Sign up").click()
    expect(admin.get_by_text("You are signed up for the onboarding session")).to_be_visible()
    assert_accessible(admin)
    admin.get_by_role("link", name="Helping Hands").first.click()
    admin.get_by_role("link", name="Career Starts").click()
    admin.get_by_role("link", name="Request Access to the E-Mentoring Platform").click()
    admin.get_by_label("Program administrator's name").fill("Pat Program")
    admin.get_by_label("Mentors expected").fill("10")
    admin.get_by_label("Mentees expected").fill("25")
    admin.get_by_role("button", name="Request Access").click()
    expect(admin.get_by_text("Access requested")).to_be_visible()
    assert_accessible(admin)

    staff.goto("/staff/")
    staff.get_by_role("link", name="Career Starts").click()
    staff.get_by_role("button", name="Grant access").click()
    expect(staff.get_by_text("was reviewed")).to_be_visible()
    assert_accessible(staff)

    # The program administrator's email comes from the program, and sets their password.
    message = [m for m in mail.outbox if m.to == ["pat@example.org"]][-1]
    assert message.from_email.startswith("Career Starts <")
    program_admin.goto(last_link_to("pat@example.org", "/invitations/"))
    register_from_invitation(program_admin, "Pat Program", PASSWORD)
    expect(program_admin.get_by_role("heading", name="Career Starts")).to_be_visible()
    expect(program_admin.get_by_text("Program admin")).to_be_visible()
    expect(program_admin.get_by_text("Live")).to_be_visible()
    assert_accessible(program_admin)

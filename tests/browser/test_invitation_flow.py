"""Seed 003: invitations by email, followed as people would."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Browser, expect

from organizations.models import Invitation, Role
from tests.browser.helpers import assert_accessible, last_link_to, log_in, register_from_invitation
from tests.factories import PASSWORD, ProgramFactory, UserFactory, member


def test_invitations_new_existing_wrong_expired_and_reused(browser: Browser, live_server, transactional_db):
    program = ProgramFactory(name="Career Starts", organization__name="Helping Hands")
    admin = member(program, Role.ORGANIZATION_ADMIN, email="ada@example.org")
    UserFactory(email="olly@example.org", full_name="Olly Old")
    UserFactory(email="bob@example.org", full_name="Bob Other")
    pages = {name: browser.new_context(base_url=live_server.url).new_page() for name in ("admin", "new", "old", "bob")}

    page = pages["admin"]
    log_in(page, admin.email, PASSWORD)
    page.goto(f"/o/{program.organization.slug}/invitations/")
    for email, role in (("mia@example.org", "Mentor"), ("olly@example.org", "Mentee"), ("zed@example.org", "Mentee")):
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Invite as").select_option(label=role)
        page.get_by_label("Program").select_option(label="Career Starts")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
        assert_accessible(page)

    # A newcomer registers from the link.
    new = pages["new"]
    mia_link = last_link_to("mia@example.org", "/invitations/")
    new.goto(mia_link)
    expect(new.get_by_text("You are invited as Mentor")).to_be_visible()
    register_from_invitation(new, "Mia Mentor", PASSWORD)
    expect(new.get_by_role("heading", name="Career Starts")).to_be_visible()
    expect(new.get_by_text("Mentor", exact=True)).to_be_visible()
    assert_accessible(new)

    # The same link again: used.
    new.goto(mia_link)
    expect(new.get_by_role("heading", name="This invitation has already been used")).to_be_visible()
    assert_accessible(new)

    # Someone logged in as another account is told which address was invited.
    bob = pages["bob"]
    log_in(bob, "bob@example.org", PASSWORD)
    olly_link = last_link_to("olly@example.org", "/invitations/")
    bob.goto(olly_link)
    expect(bob.get_by_role("heading", name="This invitation is for another account")).to_be_visible()
    expect(bob.get_by_text("olly@example.org").first).to_be_visible()
    assert_accessible(bob)

    # An existing account logs in from the link and accepts.
    old = pages["old"]
    old.goto(olly_link)
    old.get_by_role("link", name="Log in").last.click()
    old.get_by_label("Email").fill("olly@example.org")
    old.get_by_label("Password").fill(PASSWORD)
    old.get_by_role("button", name="Log in").click()
    assert_accessible(old)
    old.get_by_role("button", name="Accept invitation").click()
    expect(old.get_by_role("heading", name="Career Starts")).to_be_visible()
    assert_accessible(old)

    # An expired link says so, and whom to ask.
    Invitation.objects.filter(email="zed@example.org").update(expires_at=timezone.now() - timedelta(hours=1))
    new.goto(last_link_to("zed@example.org", "/invitations/"))
    expect(new.get_by_role("heading", name="This invitation has expired")).to_be_visible()
    expect(new.get_by_text("ada@example.org")).to_be_visible()
    assert_accessible(new)

    # The admin sees every state.
    page.reload()
    expect(page.get_by_role("row", name="mia@example.org")).to_contain_text("Accepted")
    expect(page.get_by_role("row", name="olly@example.org")).to_contain_text("Accepted")
    expect(page.get_by_role("row", name="zed@example.org")).to_contain_text("Expired")

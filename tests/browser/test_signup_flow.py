import re

from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible


def _link_in_last_email(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    return re.search(r"https?://\S+", message.body).group(0)


def test_a_person_signs_up_verifies_their_email_logs_in_and_sees_home(page: Page, transactional_db):
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Email").fill("nora@example.org")
    page.get_by_label("Full name").fill("Nora Newcomer")
    page.get_by_label("Password", exact=True).fill("a-Strong-passw0rd")
    page.get_by_label("Password (again)").fill("a-Strong-passw0rd")
    page.get_by_label("Language").select_option(label="French")
    page.get_by_label("Time zone").select_option("America/Toronto")
    page.get_by_label("I accept the terms of use").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Verify your email address")).to_be_visible()
    assert_accessible(page)

    page.goto(_link_in_last_email("nora@example.org"))
    page.get_by_role("button", name="Confirm").click()
    assert_accessible(page)

    if page.get_by_label("Password").count():
        page.get_by_label("Email").fill("nora@example.org")
        page.get_by_label("Password").fill("a-Strong-passw0rd")
        page.get_by_role("button", name="Log in").click()
    # Nora chose French at signup: once signed in, the platform speaks French to her.
    expect(page.get_by_role("heading", name="Bienvenue, Nora")).to_be_visible()
    expect(page.get_by_text("Vous ne faites encore partie d'aucun programme")).to_be_visible()
    assert_accessible(page)

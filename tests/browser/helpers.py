import re

from django.core import mail
from playwright.sync_api import Page


def last_link_to(address: str, path_start: str = "/") -> str:
    """The last link starting with ``path_start`` emailed to ``address``, as a path."""
    for message in reversed(mail.outbox):
        if address in message.to:
            for url in re.findall(r"https?://[^/\s]+(/\S*)", message.body):
                if url.startswith(path_start):
                    return url
    raise AssertionError(f"no {path_start} link emailed to {address}")


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def register_from_invitation(page: Page, full_name: str, password: str) -> None:
    """Fill the registration form of an invitation link, as a newcomer would."""
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_label("I accept the terms of use").check()
    page.get_by_role("button", name="Create account and join").click()

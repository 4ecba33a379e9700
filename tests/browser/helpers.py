import re

from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page

# WCAG 2.0 and 2.1, levels A and AA: what the platform promises.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
_axe = Axe()


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
    page.get_by_role("button", name="Log in").click()


def log_in_staff(page: Page, email: str, password: str) -> None:
    """Log in as platform staff: the password, then the authenticator app's code (tests.mfa)."""
    from tests.mfa import totp_code

    log_in(page, email, password)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.locator("input[name=code]").fill(totp_code())
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def register_from_invitation(page: Page, full_name: str, password: str) -> None:
    """Fill the registration form of an invitation link, as a newcomer would."""
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_label("I accept the terms of use").check()
    page.get_by_role("button", name="Create account and join").click()


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one readable line each."""
    page.wait_for_load_state()
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {'; '.join(', '.join(n['target']) for n in v['nodes'])}"
        for v in violations
    ]


def assert_accessible(page: Page) -> None:
    """No axe-core violation of WCAG 2.1 A/AA on the page as it is now."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}:\n" + "\n".join(violations)

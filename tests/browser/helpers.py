import re

from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Error as PlaywrightError
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


# Pages whose document finished loading since axe last ran on them (see AxeWatch, tests/browser/conftest.py).
_loaded: set[Page] = set()


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one readable line each."""
    page.wait_for_load_state()
    _loaded.discard(page)
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {'; '.join(', '.join(n['target']) for n in v['nodes'])}"
        for v in violations
    ]


def assert_accessible(page: Page) -> None:
    """No axe-core violation of WCAG 2.1 A/AA on the page as it is now."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}:\n" + "\n".join(violations)


class AxeWatch:
    """Runs axe-core on every page of ``origin`` that a browser test loads: a page's "load" event marks it,
    and the next action of the test (a goto, a click, a key press...) first checks every marked page, as it
    is then, so each document is checked once, fully loaded, before the test moves on. The test's end
    checks what is left. A violation fails the test at the action that follows the page."""

    ACTIONS = {
        "Page": ("goto", "reload", "go_back", "go_forward", "click", "fill", "press", "close"),
        "Locator": (
            "click",
            "dblclick",
            "fill",
            "check",
            "uncheck",
            "set_checked",
            "select_option",
            "press",
            "press_sequentially",
            "set_input_files",
            "tap",
        ),
        "Keyboard": ("press", "type", "insert_text"),
    }

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.pages: list[Page] = []
        self.checked = 0
        self._busy = False

    def watch(self, page: Page) -> Page:
        self.pages.append(page)
        page.on("load", lambda loaded: _loaded.add(loaded))
        return page

    def check_loaded(self) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            while waiting := [p for p in self.pages if p in _loaded]:
                for page in waiting:
                    _loaded.discard(page)
                    if page.is_closed() or not page.url.startswith(self.origin):
                        continue
                    try:
                        if page.evaluate("document.contentType") != "text/html":
                            continue
                        violations = axe_violations(page)
                    except PlaywrightError as error:
                        if "context was destroyed" not in str(error):
                            raise
                        # The page went on by itself (a redirect by script or a form that sends itself) while
                        # being checked: the document it goes to is checked when its own "load" arrives.
                        page.wait_for_load_state()
                        continue
                    self.checked += 1
                    assert not violations, f"{page.url}:\n" + "\n".join(violations)
        finally:
            self._busy = False

    def finish(self) -> None:
        for page in self.pages:
            if not page.is_closed():
                page.wait_for_load_state()  # lets a last "load" arrive
        self.check_loaded()

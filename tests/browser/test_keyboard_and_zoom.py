"""Everyone can use it (issue 14, point 3): a whole flow from the keyboard alone, with a focus one can see on
every stop; and every page of `make run`'s demo fitting a phone 390 px wide and a window zoomed to 200 %.
(axe-core checks each page these tests load: tests/browser/conftest.py.)"""

import re
from collections import deque
from datetime import date
from urllib.parse import urlparse

from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from mentorship.devtools.management.commands.seed_demo import DEMO_PASSWORD
from organizations.models import Role
from sessions_app.models import Booking, BookingStatus
from tests.factories import PASSWORD, ProgramFactory, member
from tests.sessions_app.factories import make_session

FOCUSED = """(inside) => {
  const e = document.activeElement, style = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].innerText : (e.getAttribute("aria-label") || "");
  return {
    tag: e.tagName, name: (label || e.innerText || e.value || "").trim(),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none", focusVisible: e.matches(":focus-visible"),
    shown: e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0,
    inside: !inside || e.closest(inside) !== null,
  };
}"""


def tab_to(page: Page, name: str, tag: str, inside: str = "", most: int = 60) -> int:
    """Press Tab until the element named ``name`` (its label or text; inside the ``inside`` selector) has the
    focus; every element on the way shows a focus ring (:focus-visible, an outline of 2 px or more). Returns the
    number of Tab presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED, inside)
        if focused["tag"] == "BODY":
            continue
        assert focused["focusVisible"] and focused["shown"], f"focus on {focused} is not visible"
        assert focused["outline"] or focused["shadow"], f"no focus style on {focused}"
        if focused["tag"] == tag and focused["name"].startswith(name) and focused["inside"]:
            return presses
    raise AssertionError(f"{tag} {name!r} not reached with {most} Tab presses on {page.url}")


def test_a_mentee_logs_in_finds_a_mentor_and_books_from_the_keyboard_alone(
    browser: Browser, live_server, transactional_db
):
    program = ProgramFactory(name="Career Starts")
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor", bio="CV help")
    mentee = member(program, Role.MENTEE, full_name="Paul Mentee", email="paul@example.org")
    make_session(mentor.memberships.get(), day=date(2027, 3, 15), online=True, in_person=True, seats=2)
    page = browser.new_context(base_url=live_server.url).new_page()
    page.goto("/accounts/login/")  # typed in the address bar; from here on, keys only

    tab_to(page, "Email", "INPUT")
    page.keyboard.type("paul@example.org")
    tab_to(page, "Password", "INPUT")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Welcome, Paul")).to_be_visible()

    tab_to(page, "Career Starts", "A")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Career Starts")).to_be_visible()
    tab_to(page, "Mentorship", "A", inside='nav[aria-label="Career Starts: pages"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Maria Mentor")).to_be_visible()
    tab_to(page, "Maria Mentor", "A")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Maria Mentor")).to_be_visible()

    tab_to(page, "Online", "INPUT")  # Tab enters the radio group; an arrow chooses within it
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("In-Person")).to_be_checked()
    tab_to(page, "Book Session", "BUTTON")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The session is booked.")).to_be_visible()
    booking = Booking.objects.get(mentee__user=mentee)
    assert (booking.status, booking.mode) == (BookingStatus.BOOKED, "in_person")


# What a crawl of the demo does not follow: other sites' and Django's admin pages, downloads, logging out.
SKIPPED = re.compile(r"^/(admin|media|static)/|\.(ics|csv)$|/logout/|/calendar/")
ZOOMED = {"width": 640, "height": 400}  # a 1280 × 800 window at 200 %: 640 CSS pixels across
PHONE = {"width": 390, "height": 844}
MOST_PAGES = 45  # per person: one page per URL shape (ids replaced), enough to reach every kind of page


def _shape(path: str) -> str:
    return re.sub(r"/\d+(?=/)", "/N", path)


def _too_wide(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _crawl(page: Page, origin: str, failures: list[str]) -> int:
    """Visit every page reachable by links from home (one per URL shape); note each one wider than the window."""
    queue, seen, visited = deque(["/home/"]), {_shape("/home/")}, 0
    while queue and visited < MOST_PAGES:
        path = queue.popleft()
        page.set_viewport_size(PHONE)
        response = page.goto(path)
        visited += 1
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if (extra := _too_wide(page)) > 0:
            failures.append(f"{path} at 390 px: {extra} px wider than the screen")
        page.set_viewport_size(ZOOMED)
        if (extra := _too_wide(page)) > 0:
            failures.append(f"{path} at 200 % zoom: {extra} px wider than the window")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlparse(href)
            if f"{url.scheme}://{url.netloc}" != origin or SKIPPED.search(url.path):
                continue
            if (shape := _shape(url.path)) not in seen:
                seen.add(shape)
                queue.append(url.path)
    return visited


def test_the_demos_pages_fit_a_phone_and_a_window_at_200_percent(browser: Browser, live_server, transactional_db):
    call_command("seed_demo", verbosity=0)  # what `make run` loads
    failures: list[str] = []
    visited = 0
    for email in (
        "orgadmin@example.org",
        "programadmin@example.org",
        "mentor1@example.org",
        "mentee1@example.org",
        "staff@example.org",
    ):
        context = browser.new_context(base_url=live_server.url, device_scale_factor=2, viewport=PHONE)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_attached()
        visited += _crawl(page, live_server.url, failures)
        context.close()
    assert visited > 60, visited  # the crawl reached the demo's pages
    assert not failures, "\n".join(failures)


def test_axe_runs_after_every_page_load_and_fails_the_action_that_follows(
    browser: Browser, live_server, transactional_db
):
    """The check of every page (conftest's _axe_on_every_page) sees a violation on a page the test only loads."""
    page = browser.new_context(base_url=live_server.url).new_page()
    page.route(
        "**/not-accessible/",
        lambda route: route.fulfill(
            content_type="text/html", body='<!doctype html><html lang="en"><title>t</title><img src="x.png"></html>'
        ),
    )
    page.goto("/not-accessible/")
    try:
        page.goto("/")
    except AssertionError as error:
        assert "image-alt" in str(error) and "/not-accessible/" in str(error)
    else:
        raise AssertionError("the page with an image without alt text passed")
    page.goto("/terms/")  # an accessible page: the next action goes through
    expect(page.get_by_role("heading", name="Terms of use")).to_be_visible()

"""Seed 000, the whole ranked flow in the browser, with a real Celery worker on Redis doing the background work.

A mentee ranks three mentors; the first declines from the email link while logged out; the second lets the
deadline pass (time moved forward: the deadline put in the past, and the sweep run by the worker); the third
logs in from the email link, lands back on the request and accepts; both get the confirmation email and see
the pairing on their home pages; in between, the mentee saw "rank 2 of 3".
"""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, expect

from matching.models import MentorRequest, Pairing, PairingSource, RequestState
from mentorship.celery import app as celery_app
from organizations.models import Role
from tests.browser.helpers import assert_accessible, last_link_to, log_in
from tests.conftest import STRICT
from tests.factories import PASSWORD, ProgramFactory, Survey, member

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def redis_worker():
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        reason = "Celery's broker is not Redis (set REDIS_URL=redis://127.0.0.1:6379/0)"
        if STRICT:
            pytest.fail(reason)
        pytest.skip(reason)
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
        yield
    celery_app.conf.task_always_eager = True


def wait_for(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def mailed(address: str, words: str) -> bool:
    return any(address in m.to and words in m.body for m in mail.outbox)


def test_a_mentee_ranks_three_mentors_and_the_third_accepts(
    browser: Browser, live_server, transactional_db, redis_worker
):
    program = ProgramFactory(name="Career Starts", default_capacity=1, max_capacity=3)
    survey = Survey(program)
    names = ("Ana Alpha", "Ben Beta", "Cy Gamma")
    ana, ben, cy = (
        survey.person(
            Role.MENTOR, full_name=name, email=f"{name.split()[0].lower()}@example.org", skills=["Networking"]
        )
        for name in names
    )
    mia = survey.person(Role.MENTEE, full_name="Mia Mentee", email="mia@example.org", skills=["Networking"])
    admin = member(program, Role.PROGRAM_ADMIN, email="admin@example.org")
    base = f"/o/{program.organization.slug}/p/{program.slug}"

    # The program admin opens mentor selection: Mia is emailed "Select your mentors".
    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, admin.email, PASSWORD)
    page.goto(f"{base}/requests/")
    page.get_by_role("button", name="Open mentor selection").click()
    expect(page.get_by_text("Mentor selection is open")).to_be_visible()
    wait_for(lambda: mailed(mia.email, "Select your mentors"), "the Select your mentors email")

    # Mia follows the email's link, ranks the three mentors, reviews the order and confirms.
    mentee = browser.new_context(base_url=live_server.url).new_page()
    log_in(mentee, mia.email, PASSWORD)
    expect(mentee.get_by_role("link", name="Select your mentors")).to_be_visible()  # her home's next step
    mentee.goto(last_link_to(mia.email, "/o/"))
    for rank, name in enumerate(names, start=1):
        mentee.get_by_label(f"Rank for {name}").select_option(str(rank))
    assert_accessible(mentee)
    mentee.get_by_role("button", name="Review your choices").click()
    expect(mentee.locator("ol.ranked-choices li strong")).to_have_text(list(names))
    assert_accessible(mentee)
    mentee.get_by_role("button", name="Confirm and send").click()
    expect(mentee.get_by_text("Asking now: Ana Alpha (rank 1 of 3)")).to_be_visible()
    assert_accessible(mentee)
    wait_for(lambda: mailed(ana.email, "Mia Mentee"), "Ana's request email")

    # Ana declines from the email link, logged out.
    outsider = browser.new_context(base_url=live_server.url).new_page()
    outsider.goto(last_link_to(ana.email, "/r/"))
    outsider.get_by_label("Reason (optional)").fill("No time this term")
    outsider.get_by_role("button", name="Decline").click()
    expect(outsider.get_by_text("You declined. The mentee's next choice is asked.")).to_be_visible()
    wait_for(lambda: mailed(ben.email, "Mia Mentee"), "Ben's request email")

    mentee.reload()
    expect(mentee.get_by_text("Asking now: Ben Beta (rank 2 of 3)")).to_be_visible()
    expect(mentee.get_by_text("Ana Alpha: declined")).to_be_visible()
    expect(mentee.get_by_text("Next: if they decline or do not answer in time, Cy Gamma is asked.")).to_be_visible()

    # Ben lets the deadline pass: time moves on past it, and the worker runs the sweep (the beat's task).
    waiting = MentorRequest.objects.get(mentor__user=ben, state=RequestState.WAITING)
    MentorRequest.objects.filter(pk=waiting.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    celery_app.send_task("matching.tasks.expire_requests")
    wait_for(lambda: MentorRequest.objects.get(pk=waiting.pk).state == RequestState.EXPIRED, "the sweep")
    wait_for(lambda: mailed(cy.email, "Mia Mentee"), "Cy's request email")
    mentee.reload()
    expect(mentee.get_by_text("Asking now: Cy Gamma (rank 3 of 3)")).to_be_visible()
    expect(mentee.get_by_text("Ben Beta: let the deadline pass")).to_be_visible()

    # Cy opens the link, logs in, lands back on the request, and accepts.
    mentor = browser.new_context(base_url=live_server.url).new_page()
    mentor.goto(last_link_to(cy.email, "/r/"))
    mentor.get_by_role("link", name="Log in to see all your requests").click()
    mentor.get_by_label("Email").fill(cy.email)
    mentor.get_by_label("Password").fill(PASSWORD)
    mentor.get_by_role("button", name="Log in").click()
    expect(mentor.get_by_role("heading", name="Mia Mentee asks you to be their mentor")).to_be_visible()
    assert "/requests/mine/" in mentor.url
    mentor.get_by_role("button", name="Accept").click()
    expect(mentor.get_by_text("You accepted. You are now paired.")).to_be_visible()

    pairing = Pairing.objects.get(mentee__user=mia)
    assert (pairing.mentor.user, pairing.source) == (cy, PairingSource.REQUEST)
    wait_for(lambda: mailed(mia.email, "schedule") and mailed(cy.email, "schedule"), "both confirmation emails")
    mentee.goto("/home/")
    expect(mentee.get_by_text("Your mentor: Cy Gamma")).to_be_visible()
    mentor.goto("/home/")
    expect(mentor.get_by_text("Your mentees: Mia Mentee")).to_be_visible()

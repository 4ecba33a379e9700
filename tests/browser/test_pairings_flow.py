"""Issue 16 in the browser: a pair's conversation, its agreement, feedback with a re-match, a quiet pair."""

import re
from datetime import date, timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, expect

from matching.models import Pairing, PairingStatus
from mentorship.pairings.models import CycleSurvey, FeedbackRequest
from mentorship.pairings.tasks import check_quiet_pairs, request_feedback
from organizations.models import Role
from tests.browser.helpers import assert_accessible, last_link_to, log_in
from tests.browser.test_phone_widths import _check
from tests.factories import PASSWORD, ProgramFactory, member
from tests.pairings.test_feedback import ended_session


def _world():
    program = ProgramFactory(name="Career Starts")
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor").memberships.get()
    mentee = member(program, Role.MENTEE, full_name="Paul Mentee").memberships.get()
    admin = member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")
    pairing = Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    return program, mentor, mentee, admin, pairing


def test_messages_and_agreement(browser: Browser, live_server, transactional_db):
    program, mentor, mentee, admin, pairing = _world()
    paul = browser.new_context(base_url=live_server.url).new_page()
    log_in(paul, mentee.user.email, PASSWORD)
    paul.goto(program.get_absolute_url())
    paul.get_by_role("link", name="Message Maria Mentor").click()
    for text in ("Hello Maria", "Are you free on Tuesday?", "My plan: https://example.org/plan"):
        paul.get_by_label("Your message").fill(text)
        paul.get_by_role("button", name="Send").click()
        expect(paul.get_by_text("Message sent.")).to_be_visible()
    expect(paul.get_by_role("link", name="https://example.org/plan")).to_be_visible()
    assert_accessible(paul)
    assert [m.to for m in mail.outbox] == [[mentor.user.email]]  # one email for three quick messages
    assert "Replies to this email reach nobody" in mail.outbox[0].body

    maria = browser.new_context(base_url=live_server.url).new_page()
    log_in(maria, mentor.user.email, PASSWORD)
    maria.goto(last_link_to(mentor.user.email, "/o/"))
    expect(maria.get_by_text("Are you free on Tuesday?")).to_be_visible()
    maria.get_by_label("Your message").fill("Tuesday works, Paul.")
    maria.get_by_role("button", name="Send").click()
    expect(maria.get_by_text("Tuesday works, Paul.")).to_be_visible()
    assert mail.outbox[-1].to == [mentee.user.email]

    # The agreement: drafted, sent back for a change, signed.
    paul.goto(program.get_absolute_url())
    paul.get_by_role("link", name="Mentoring agreement").click()
    paul.get_by_label("What you want to learn").fill("Public speaking")
    paul.get_by_label("How often you will meet").fill("Every two weeks")
    paul.get_by_label("How you will meet").fill("Online, one hour")
    paul.get_by_label("Goal 1", exact=True).fill("Give a talk at the team meeting")
    paul.get_by_label("Target date of goal 1").fill((date.today() + timedelta(days=30)).isoformat())
    paul.get_by_role("button", name="Send to my mentor").click()
    expect(paul.get_by_text("Set two to five goals.").first).to_be_visible()
    expect(paul.get_by_label("What you want to learn")).to_have_value("Public speaking")
    paul.get_by_label("Goal 2", exact=True).fill("Speak at a meetup")
    paul.get_by_label("Target date of goal 2").fill((date.today() + timedelta(days=60)).isoformat())
    paul.get_by_role("button", name="Send to my mentor").click()
    expect(paul.get_by_text("Sent to your mentor for sign-off.")).to_be_visible()

    maria.goto(last_link_to(mentor.user.email, "/o/"))
    maria.get_by_label("What should change").fill("Add a goal about slides")
    maria.get_by_role("button", name="Ask for changes").click()
    expect(maria.get_by_text("Your mentee is asked for the changes.")).to_be_visible()

    paul.reload()
    expect(paul.get_by_text("Add a goal about slides")).to_be_visible()
    paul.get_by_label(re.compile(r"^Goal 3")).fill("Make clear slides")
    paul.get_by_label(re.compile(r"^Target date of goal 3")).fill((date.today() + timedelta(days=20)).isoformat())
    paul.get_by_role("button", name="Send to my mentor").click()

    maria.reload()
    maria.get_by_role("button", name="Sign the agreement").click()
    expect(maria.get_by_text("The agreement is signed.")).to_be_visible()
    maria.get_by_role("button", name="Mark “Make clear slides” done").click()
    expect(maria.get_by_role("button", name="Mark “Make clear slides” not done")).to_be_visible()

    failures: list[str] = []
    _check(paul, "conversation", f"{program.get_absolute_url()}pairings/{pairing.pk}/conversation/", failures)
    _check(paul, "agreement", f"{program.get_absolute_url()}pairings/{pairing.pk}/agreement/", failures)
    admin_page = browser.new_context(base_url=live_server.url).new_page()
    log_in(admin_page, admin.email, PASSWORD)
    admin_page.goto(f"{program.get_absolute_url()}pairings/activity/")
    expect(admin_page.get_by_text("1 / 3")).to_be_visible()
    expect(admin_page.get_by_text("Public speaking")).to_have_count(0)
    _check(admin_page, "pair activity", f"{program.get_absolute_url()}pairings/activity/", failures)
    assert failures == []


def test_feedback_rematch_and_a_quiet_pair(browser: Browser, live_server, transactional_db):
    program, mentor, mentee, admin, pairing = _world()
    ended_session(mentor, mentee)
    request_feedback()
    paul = browser.new_context(base_url=live_server.url).new_page()
    log_in(paul, mentee.user.email, PASSWORD)
    paul.goto(last_link_to(mentee.user.email, "/o/"))
    failures: list[str] = []
    _check(paul, "feedback form", paul.url.removeprefix(live_server.url), failures)
    paul.get_by_label("2", exact=True).check()
    paul.get_by_label("What went well").fill("Punctual")
    paul.get_by_label("Not a good fit").check()
    paul.get_by_role("button", name="Send feedback").click()
    expect(paul.get_by_text("Thank you for your feedback.")).to_be_visible()
    paul.get_by_role("button", name="Find another mentor").click()
    expect(paul.get_by_text("Choose another mentor among your recommendations.")).to_be_visible()
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (PairingStatus.ENDED, "not a good fit")
    assert FeedbackRequest.objects.filter(answered_at__isnull=False).count() == 1

    # A quiet pair, found by the daily task and reminded exactly once when it runs twice.
    other = member(program, Role.MENTEE, full_name="Quinn Quiet").memberships.get()
    quiet = Pairing.objects.create(program=program, mentor=mentor, mentee=other)
    Pairing.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - timedelta(days=45))
    mail.outbox.clear()
    check_quiet_pairs()
    check_quiet_pairs()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, other.user.email])
    admin_page = browser.new_context(base_url=live_server.url).new_page()
    log_in(admin_page, admin.email, PASSWORD)
    admin_page.goto(f"{program.get_absolute_url()}pairings/activity/")
    expect(admin_page.get_by_text("Needs check-in")).to_be_visible()
    _check(admin_page, "session feedback", f"{program.get_absolute_url()}pairings/feedback/", failures)
    admin_page.goto(f"{program.get_absolute_url()}pairings/feedback/")
    expect(admin_page.get_by_text("Punctual")).to_be_visible()
    assert failures == []


def test_a_new_cycle_invites_the_previous_people_back(browser: Browser, live_server, transactional_db):
    program, mentor, mentee, admin, pairing = _world()
    ada = browser.new_context(base_url=live_server.url).new_page()
    log_in(ada, admin.email, PASSWORD)
    failures: list[str] = []
    _check(ada, "program cycle", f"{program.get_absolute_url()}pairings/cycle/", failures)
    ada.get_by_role("link", name="Open a new cycle").click()
    _check(ada, "new cycle", ada.url.removeprefix(live_server.url), failures)
    ada.get_by_label("Name of the new cycle").fill("Career Starts 2027")
    ada.get_by_label("Cycle starts on").fill("2027-03-01")
    ada.get_by_label("Cycle ends on").fill("2027-06-30")
    ada.get_by_role("button", name="Open the new cycle").click()
    expect(ada.get_by_text("Career Starts 2027 is open.")).to_be_visible()
    expect(ada.get_by_role("cell", name="Paul Mentee")).to_be_visible()
    expect(ada.get_by_role("cell", name="Maria Mentor")).to_be_visible()
    _check(ada, "invite back", ada.url.removeprefix(live_server.url), failures)
    mail.outbox.clear()
    ada.get_by_role("button", name="Invite 2 people back").click()
    expect(ada.get_by_text("2 people are invited back.")).to_be_visible()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, mentee.user.email])

    paul = browser.new_context(base_url=live_server.url).new_page()
    log_in(paul, mentee.user.email, PASSWORD)
    paul.goto(last_link_to(mentee.user.email, "/invitations/"))
    paul.get_by_role("button", name="Accept invitation").click()
    # The old cycle's end-of-program survey, answered on a phone.
    survey = CycleSurvey.objects.create(program=program, respondent=mentee, cycle_ends_on=date.today())
    _check(paul, "end-of-program survey", f"{program.get_absolute_url()}pairings/survey/{survey.pk}/", failures)
    paul.get_by_label("9", exact=True).check()
    paul.get_by_label("What should the program keep?").fill("The agreement")
    paul.get_by_role("button", name="Send feedback").click()
    expect(paul.get_by_text("Thank you for your feedback.")).to_be_visible()
    survey.refresh_from_db()
    assert (survey.satisfaction, survey.keep) == (9, "The agreement")
    ada.goto(f"{program.get_absolute_url()}pairings/cycle/".replace(program.slug, "career-starts-2027"))
    expect(ada.get_by_role("link", name="Career Starts", exact=True)).to_be_visible()  # the previous cycle, readable
    expect(ada.get_by_role("cell", name="Paul Mentee")).to_be_visible()  # an alumnus of it
    assert failures == []

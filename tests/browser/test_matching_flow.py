"""Seed 000: a mentee answers the questionnaire and sees explained recommendations;
an admin previews and approves auto-pairing."""

from playwright.sync_api import Browser, expect

from matching.models import Answer, Pairing, Question
from organizations.models import Role
from tests.browser.helpers import assert_accessible, log_in
from tests.factories import PASSWORD, Survey, member


def test_mentee_questionnaire_to_explained_recommendations(browser: Browser, live_server, transactional_db, survey):
    survey.person(Role.MENTOR, full_name="Nora Networker", skills=["Networking"], structure=4)
    survey.person(Role.MENTOR, full_name="Sam Speaker", skills=["Public speaking"], structure=1)
    survey.person(Role.MENTOR, full_name="Francine", languages=["French"], skills=["Networking"])
    mentee = member(survey.program, Role.MENTEE, full_name="Mia Mentee")
    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, mentee.email, PASSWORD)
    page.goto(survey.program.get_absolute_url())
    page.get_by_role("link", name="Complete your questionnaire").click()

    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    page.get_by_label("About me").fill("Second-year student looking for a first job.")
    page.get_by_label("Languages you speak").fill("English")
    page.get_by_label("City or region").fill("Montréal")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_text("0 of 3 required questions answered")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("English").check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_text("This question needs an answer.").first).to_be_visible()
    expect(page.get_by_text("1 of 3 required questions answered")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Networking").check()
    page.get_by_role("group", name="How structured do you like sessions?").get_by_label("4").check()
    page.get_by_role("button", name="Save answers").click()

    expect(page.get_by_role("heading", name="Your recommended mentors")).to_be_visible()
    assert_accessible(page)
    cards = page.locator(".suggestions > li")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Nora Networker")
    expect(cards.first).to_contain_text("100/100")
    expect(cards.first).to_contain_text("Wants Networking; Nora can help with it")
    expect(cards.first).to_contain_text("Languages: both English")
    expect(page.get_by_text("Francine")).to_have_count(0)


def test_admin_previews_and_approves_auto_pairing(browser: Browser, live_server, transactional_db, survey: Survey):
    admin = member(survey.program, Role.PROGRAM_ADMIN)
    for name in ("Ann", "Ben"):
        survey.person(Role.MENTEE, full_name=f"{name} Mentee", skills=["Networking"])
    survey.person(Role.MENTEE, full_name="Fanny Francophone", languages=["French"])
    for name in ("Nora", "Sam"):
        survey.person(Role.MENTOR, full_name=f"{name} Mentor", skills=["Networking"])
    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, admin.email, PASSWORD)
    page.goto(survey.program.get_absolute_url())
    page.get_by_role("link", name="Pairing").click()
    expect(page.get_by_role("heading", name="3 unpaired mentees")).to_be_visible()
    pair_ann = page.get_by_role("button", name="Pair Ann Mentee with Nora Mentor")
    expect(pair_ann).to_be_hidden()  # one compact line per mentee; the suggestions unfold
    page.get_by_text("Ann Mentee").click()
    expect(pair_ann).to_be_visible()
    page.get_by_role("button", name="Auto-pair all").click()

    expect(page.get_by_text("Ready to review")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("row", name="Fanny Francophone")).to_contain_text(
        "No mentor meets the requirement “Languages”."
    )
    assert Pairing.objects.count() == 0
    page.get_by_role("button", name="Approve and save these pairs").click()
    expect(page.get_by_text("2 pairings saved")).to_be_visible()
    expect(page.get_by_role("heading", name="1 unpaired mentee")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_text("Fanny Francophone")).to_be_visible()
    expect(page.locator(".mentee-rows")).to_contain_text("No mentor meets the requirement “Languages”.")
    assert Pairing.objects.filter(source="auto").count() == 2


def test_an_answer_in_error_is_summarised_at_the_top_with_focus_and_a_working_link(
    browser: Browser, live_server, transactional_db, survey: Survey
):
    hours = Question.objects.create(
        program=survey.program, order=5, kind="number", text="How many hours a month?", min_value=1, max_value=20
    )
    mia = survey.person(Role.MENTEE, full_name="Mia Mentee", skills=["Networking"])
    Answer.objects.create(membership=mia.memberships.get(), question=hours, value=10)
    page = browser.new_context(base_url=live_server.url, viewport={"width": 800, "height": 900}).new_page()
    log_in(page, mia.email, PASSWORD)
    page.goto(f"/o/{survey.program.organization.slug}/p/{survey.program.slug}/questionnaire/")
    page.get_by_label("Networking").uncheck()
    page.get_by_label("How many hours a month?").fill("99")
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_text("3 of 4 required questions answered")).to_be_visible()
    assert page.evaluate("document.activeElement.className") == "error-summary"
    page.get_by_role("link", name="What would you like to learn?: This question needs an answer.").click()
    assert page.evaluate("document.activeElement.id").endswith("_0")

import html

import pytest
from django.urls import reverse

from organizations.models import Role
from tests.factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory, member


def test_landing_offers_log_in_and_sign_up(client, db):
    page = client.get(reverse("landing")).content.decode()
    assert "Log in" in page and "Sign up" in page


def test_home_lists_organizations_programs_and_roles(client, db):
    program = ProgramFactory(name="Career Starts", organization__name="Helping Hands")
    other = ProgramFactory(name="Hidden Program", organization__name="Other Org")
    person = member(program, Role.MENTEE)
    member(other, Role.MENTOR)
    client.force_login(person)
    page = client.get(reverse("home")).content.decode()
    assert "Helping Hands" in page
    assert "Career Starts" in page
    assert "Mentee" in page
    assert "Other Org" not in page and "Hidden Program" not in page


def test_home_without_programs_says_what_to_do(client, db):
    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert "You are not part of a program yet" in page


def test_profile_edit_saves_preferences(client, db):
    user = UserFactory(full_name="Old Name")
    client.force_login(user)
    response = client.post(
        reverse("profile_edit"),
        {
            "full_name": "New Name",
            "bio": "I like maps.",
            "language": "fr",
            "timezone": "Europe/Paris",
            "notify_requests": "on",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.bio, user.language, user.timezone) == (
        "New Name",
        "I like maps.",
        "fr",
        "Europe/Paris",
    )
    assert (user.notify_requests, user.notify_sessions, user.notify_reminders) == (True, False, False)


def test_profile_edit_with_a_bad_time_zone_keeps_what_was_typed(client, db):
    user = UserFactory(full_name="Kept Name")
    client.force_login(user)
    response = client.post(
        reverse("profile_edit"),
        {"full_name": "Typed Name", "bio": "typed bio", "language": "en", "timezone": "Mars/Base"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in page
    assert "Typed Name" in page and "typed bio" in page
    user.refresh_from_db()
    assert user.full_name == "Kept Name"


def test_pages_follow_the_persons_language(client, db):
    client.force_login(UserFactory(language="fr"))
    response = client.get(reverse("home"))
    assert response.headers["Content-Language"] == "fr"


def test_pages_carry_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("landing")).headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy


def test_password_reset_mails_a_link_to_known_addresses_only(client, db, django_capture_on_commit_callbacks):
    from django.core import mail

    UserFactory(email="known@example.org")
    for address in ("known@example.org", "unknown@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_reset_password"), {"email": address})
        assert response.status_code == 302
        assert response.url == reverse("account_reset_password_done")
    known = [m for m in mail.outbox if m.to == ["known@example.org"]]
    assert len(known) == 1 and "/accounts/password/reset/key/" in known[0].body


def test_home_shows_the_next_step_in_each_program(client, survey, django_capture_on_commit_callbacks):
    from matching.services.pairing import pairing_create

    mentee = survey.person(Role.MENTEE)
    mentor = survey.person(Role.MENTOR, full_name="Nate Networker")
    other_program = ProgramFactory(organization=survey.program.organization, name="Second Program")
    MembershipFactory(user=mentee, program=other_program, role=Role.MENTEE)
    survey.skills.required = True
    survey.skills.save()
    client.force_login(mentee)
    page = client.get(reverse("home")).content.decode()
    assert "Complete your questionnaire" in page  # the survey asks for skills, not yet answered
    assert "See your recommended mentors" in page  # the second program has no questions yet
    with django_capture_on_commit_callbacks(execute=True):  # committed, as home sees it (kept under the stamps)
        survey.skills.required = False
        survey.skills.save()
        pairing_create(
            program=survey.program,
            mentor=mentor.memberships.get(),
            mentee=mentee.memberships.get(program=survey.program),
            by=None,
            notify=False,
        )
    page = client.get(reverse("home")).content.decode()
    assert "Your mentor: Nate Networker" in page


def test_home_runs_the_same_queries_for_few_and_many_programs(client, db):
    from tests.helpers import assert_constant_queries

    person = UserFactory()
    client.force_login(person)

    def add_rows(count):
        for _ in range(count):
            MembershipFactory(user=person, role=Role.MENTEE)

    assert_constant_queries(client, reverse("home"), add_rows)


def test_pages_are_in_french_for_a_french_speaker(client, db):
    client.force_login(UserFactory(language="fr", full_name="Nora Newcomer"))
    page = html.unescape(client.get(reverse("home")).content.decode())
    assert "Bienvenue, Nora" in page
    assert "Vous ne faites encore partie d'aucun programme" in page


def test_a_visitor_chooses_french_at_the_foot_of_the_page(client, db):
    assert "Run your mentorship program in one place" in client.get(reverse("landing")).content.decode()
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = client.get(reverse("landing")).content.decode()
    assert "Run your mentorship program in one place" not in page
    assert "Soumettre votre organisme" in page


def test_landing_promises_only_what_works_and_lists_what_is_coming(client, db):
    page = html.unescape(client.get(reverse("landing")).content.decode())
    hero, coming = page.split('class="card coming"')
    for feature in ("rank", "follow up", "attendance"):
        assert feature not in hero.lower(), feature
    assert "Coming next" in coming
    assert "rank the mentors" in coming and "attendance" in coming
    assert "publish sessions" not in coming  # sessions work now


LOGIN_WORDS = {
    "en": {"say": ["Log in", "Remember me", "Sign up"], "never": ["Sign In", "Sign in", "Remember Me", "Sign Up"]},
    "fr": {"say": ["Se connecter", "Se souvenir de moi", "S'inscrire"], "never": ["Connexion", "Sign In"]},
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_login_page_says_log_in_everywhere(client, db, language):
    page = html.unescape(client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=language).content.decode())
    log_in = LOGIN_WORDS[language]["say"][0]
    assert f"<title>{log_in} ·" in page and f"<h1>{log_in}</h1>" in page
    assert f'<button type="submit">{log_in}</button>' in page
    for words in LOGIN_WORDS[language]["say"]:
        assert words in page
    for words in LOGIN_WORDS[language]["never"]:
        assert words not in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_signup_and_logout_pages_use_the_same_words(client, db, language):
    words = {"en": ("Sign up", "Log in", "Log out"), "fr": ("S'inscrire", "Connectez-vous", "Se déconnecter")}
    sign_up, log_in, log_out = words[language]
    page = html.unescape(client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE=language).content.decode())
    assert f"<h1>{sign_up}</h1>" in page and f'<button type="submit">{sign_up}</button>' in page
    assert f">{log_in}</a>." in page
    assert "Sign Up" not in page and "sign in" not in page.lower()
    client.force_login(UserFactory(language=language))
    page = html.unescape(client.get(reverse("account_logout")).content.decode())
    assert f"<h1>{log_out}</h1>" in page
    assert "Sign Out" not in page and "sign out" not in page.lower()


def test_logging_in_and_out_says_logged_in_and_logged_out(client, db):
    UserFactory(email="nora@example.org", full_name="Nora Newcomer")
    page = client.post(
        reverse("account_login"), {"login": "nora@example.org", "password": PASSWORD}, follow=True
    ).content.decode()
    assert "You are logged in as Nora Newcomer." in page
    page = client.post(reverse("account_logout"), follow=True).content.decode()
    assert "You are logged out." in page

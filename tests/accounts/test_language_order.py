"""A person's language: their profile's, else their browser's, else their organization's default (issue 14).
Pages and emails follow the same order."""

import html

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from organizations.models import Organization, Role
from organizations.services.invitations import invitation_issue
from tests.factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory, member

FRENCH_SUBJECT = "Invitation à rejoindre"


@pytest.fixture
def program(db):
    return ProgramFactory(organization__slug="acme", organization__default_language="fr")


def _page_language(client, **headers) -> str:
    response = client.get(reverse("home"), **headers)
    assert response.status_code == 200
    return response.headers["Content-Language"]


def test_a_new_person_has_chosen_no_language(db):
    assert User.objects.create_user(email="new@example.org", password=PASSWORD).language == ""


def test_the_profiles_language_comes_first(client, program):
    client.force_login(member(program, Role.MENTEE, language="en"))  # the organization says French
    assert _page_language(client, HTTP_ACCEPT_LANGUAGE="fr") == "en"


def test_without_one_the_browsers_language(client, program):
    program.organization.default_language = "en"
    program.organization.save()
    client.force_login(member(program, Role.MENTEE, language=""))
    assert _page_language(client, HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9") == "fr"
    assert _page_language(client, HTTP_ACCEPT_LANGUAGE="de,en;q=0.5") == "en"


def test_without_either_the_organizations_default(client, program):
    client.force_login(member(program, Role.MENTEE, language=""))
    assert _page_language(client) == "fr"
    assert _page_language(client, HTTP_ACCEPT_LANGUAGE="de,ja") == "fr"  # none of the site's languages


def test_the_organizations_default_applies_with_the_tenant_scopes_on(client, program):
    """Test code runs with django-scopes off; the pages do not (the middleware scopes every query)."""
    from django_scopes import scope

    client.force_login(member(program, Role.MENTEE, language=""))
    with scope():
        assert _page_language(client) == "fr"
        response = client.get(reverse("profile_edit"))
    assert response.status_code == 200


def test_with_nothing_at_all_the_sites_language(client, db):
    client.force_login(UserFactory(language=""))  # in no organization
    assert _page_language(client) == "en"


def _invite(program, email, capture):
    with capture(execute=True):
        invitation_issue(organization=program.organization, program=program, email=email, role=Role.MENTOR)
    return mail.outbox[-1]


def test_emails_use_the_profiles_language_first(program, django_capture_on_commit_callbacks):
    member(program, Role.MENTEE, email="ana@example.org", language="en")
    assert FRENCH_SUBJECT not in _invite(program, "ana@example.org", django_capture_on_commit_callbacks).subject


def test_emails_use_the_browsers_language_of_the_last_login(client, program, django_capture_on_commit_callbacks):
    program.organization.default_language = "en"
    program.organization.save()
    member(program, Role.MENTEE, email="bea@example.org", language="")
    client.post(reverse("account_login"), {"login": "bea@example.org", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="fr")
    assert User.objects.get(email="bea@example.org").browser_language == "fr"
    assert FRENCH_SUBJECT in _invite(program, "bea@example.org", django_capture_on_commit_callbacks).subject


def test_emails_fall_back_to_the_organizations_default(program, django_capture_on_commit_callbacks):
    member(program, Role.MENTEE, email="cem@example.org", language="")
    assert FRENCH_SUBJECT in _invite(program, "cem@example.org", django_capture_on_commit_callbacks).subject


def test_the_profile_form_offers_no_choice(client, db):
    user = UserFactory(language="fr", timezone="UTC")
    client.force_login(user)
    page = client.get(reverse("profile_edit")).content.decode()
    assert '<option value="">La langue de mon navigateur</option>' in html.unescape(page)
    response = client.post(
        reverse("profile_edit"),
        {"full_name": "Dee", "language": "", "timezone": "UTC", "bio": "", "languages": "", "location": ""},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ""


def test_the_organization_admin_sets_the_default_language(client, program):
    admin = member(program, Role.ORGANIZATION_ADMIN, language="en")
    client.force_login(admin)
    page = client.get(reverse("organizations:detail", args=["acme"])).content.decode()
    assert "Default language" in page
    response = client.post(reverse("organizations:language", args=["acme"]), {"default_language": "en"}, follow=True)
    assert "The organization&#x27;s default language is saved." in response.content.decode()
    assert Organization.objects.get(slug="acme").default_language == "en"
    response = client.post(reverse("organizations:language", args=["acme"]), {"default_language": "xx"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert Organization.objects.get(slug="acme").default_language == "en"


def test_a_mentor_cannot_set_it(client, program):
    client.force_login(member(program, Role.MENTOR))
    assert client.post(reverse("organizations:language", args=["acme"]), {"default_language": "en"}).status_code == 403
    assert Organization.objects.get(slug="acme").default_language == "fr"


def test_the_django_admin_lists_and_filters_it(client, program):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, language="en"))
    page = client.get(reverse("admin:organizations_organization_changelist") + "?default_language__exact=fr")
    assert page.status_code == 200 and "acme" in page.content.decode()


# The organization's default is kept on the person (User.organization_language), so that no page reads the
# memberships for it; what changes it shows on the next page.


def test_the_next_page_follows_a_new_default_language(client, program):
    client.force_login(member(program, Role.MENTEE, language=""))
    assert _page_language(client) == "fr"
    admin = member(program, Role.ORGANIZATION_ADMIN, language="en")
    admin_client = type(client)()
    admin_client.force_login(admin)
    admin_client.post(reverse("organizations:language", args=["acme"]), {"default_language": "en"})
    assert _page_language(client) == "en"


def test_a_first_membership_brings_its_organizations_default(client, db):
    person = UserFactory(language="")
    client.force_login(person)
    assert _page_language(client) == "en"  # in no organization yet: the site's language
    MembershipFactory(user=person, program=ProgramFactory(organization__default_language="fr"), role=Role.MENTEE)
    assert _page_language(client) == "fr"
    MembershipFactory(user=person, program=ProgramFactory(organization__default_language="en"), role=Role.MENTOR)
    assert _page_language(client) == "fr"  # the first organization's, still


def test_leaving_the_first_organization_brings_the_next_ones(client, db):
    person = UserFactory(language="")
    first = MembershipFactory(user=person, program=ProgramFactory(organization__default_language="fr"))
    MembershipFactory(user=person, program=ProgramFactory(organization__default_language="en"))
    client.force_login(person)
    assert _page_language(client) == "fr"
    first.delete()
    assert _page_language(client) == "en"


def test_the_page_reads_no_membership_for_the_language(client, program):
    client.force_login(member(program, Role.MENTEE, language=""))
    client.get(reverse("profile_edit"))
    client.get(reverse("home"))  # its next steps (which read the memberships' answers and pairings) now kept
    with CaptureQueriesContext(connection) as queries:
        assert _page_language(client) == "fr"
    # home reads the person's memberships once, for its list; none more for the language
    membership_reads = [q for q in queries.captured_queries if 'FROM "organizations_membership"' in q["sql"]]
    assert len(membership_reads) <= 1, [q["sql"][:120] for q in membership_reads]

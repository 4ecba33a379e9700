"""Error pages: the site's look, what happened in plain words, and the way back; in English and French."""

import io
import re
import sys
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from django.utils import translation
from django.utils.log import configure_logging

from organizations.models import Invitation, Role
from organizations.services.invitations import invitation_issue, invitation_revoke
from tests.factories import ProgramFactory, member

HEADER = '<header class="site-header">'
HOME = {"en": "Go to the home page", "fr": "Aller à la page d'accueil"}
SOMEONE_ELSE = {"en": "Log in as someone else", "fr": "Se connecter avec un autre compte"}
LOG_IN = {"en": "Log in", "fr": "Se connecter"}


@pytest.fixture
def program(db):
    return ProgramFactory(name="Career Starts", organization__name="Helping Hands")


def _link_home(page: str, language: str, home_url: str) -> None:
    assert HEADER in page
    assert re.search(rf'<a class="button" href="{home_url}">{re.escape(HOME[language])}</a>', page), page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_forbidden_page_says_so_and_offers_home_and_another_account(client, program, language):
    mentee = member(program, Role.MENTEE, email="mia@example.org", language=language)
    client.force_login(mentee)
    url = reverse("matching:pairing", args=[program.organization.slug, program.slug])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 403
    _link_home(page, language, reverse("home"))
    assert {"en": "You do not have access to this page", "fr": "Vous n'avez pas accès à cette page"}[language] in page
    assert "mia@example.org" in page
    assert f'action="{reverse("account_logout")}"' in page and SOMEONE_ELSE[language] in page
    assert f'name="next" value="{reverse("account_login")}?next={url}"' in page


def test_log_in_as_someone_else_logs_out_then_asks_to_log_in_and_returns(client, program):
    client.force_login(member(program, Role.MENTEE))
    url = reverse("matching:pairing", args=[program.organization.slug, program.slug])
    response = client.post(reverse("account_logout"), {"next": f"{reverse('account_login')}?next={url}"})
    assert response.status_code == 302 and response.url == f"{reverse('account_login')}?next={url}"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("language", ["en", "fr"])
def test_not_found_page_for_a_visitor_offers_home_and_log_in(client, db, language):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 404
    _link_home(page, language, reverse("landing"))
    assert {"en": "Page not found", "fr": "Page introuvable"}[language] in page
    assert f'href="{reverse("account_login")}?next=/no-such-page/">{LOG_IN[language]}</a>' in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_not_found_page_when_logged_in_offers_another_account(client, program, language):
    client.force_login(member(program, Role.MENTEE, email="mia@example.org", language=language))
    response = client.get("/o/someone-elses-organization/")
    page = response.content.decode()
    assert response.status_code == 404
    _link_home(page, language, reverse("home"))
    assert "mia@example.org" in page and SOMEONE_ELSE[language] in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_withdrawn_invitation_is_gone_in_the_same_look_with_the_way_home(
    client, program, language, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _created = invitation_issue(
            organization=program.organization, email="zoe@example.org", role="mentee"
        )
    link = re.search(r"https?://testserver(/invitations/\S+/)", mail.outbox[-1].body).group(1)
    invitation_revoke(invitation=Invitation.objects.get(pk=invitation.pk))
    response = client.get(link, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 410
    _link_home(page, language, reverse("landing"))
    assert {"en": "This invitation was withdrawn", "fr": "Cette invitation a été retirée"}[language] in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_expired_form_page_has_the_site_look(db, language):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("onboarding:organization_submit"), {}, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 403
    _link_home(page, language, reverse("landing"))
    assert {"en": "This form has expired", "fr": "Ce formulaire a expiré"}[language] in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_server_error_page_needs_no_database(language):
    """No ``db`` fixture: any query here raises, as it would with the database down."""
    handler = get_resolver().resolve_error_handler(500)
    with translation.override(language):
        response = handler(RequestFactory().get("/o/anything/"))
    page = response.content.decode()
    assert response.status_code == 500
    _link_home(page, language, reverse("landing"))
    assert {"en": "Something went wrong on our side", "fr": "Une erreur s'est produite de notre côté"}[language] in page


@contextmanager
def _project_logging_into(stream: io.StringIO):
    """The project's LOGGING, set up as Django does at start, with the console going to ``stream``."""
    real_stderr, sys.stderr = sys.stderr, stream
    try:
        configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)
        yield
    finally:
        sys.stderr = real_stderr
        configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)


def test_a_forbidden_request_is_one_log_line_without_traceback(client, program, settings):
    settings.DEBUG = True  # as under `make run`: Django's own console handler only speaks under DEBUG
    client.force_login(member(program, Role.MENTEE))
    url = reverse("matching:pairing", args=[program.organization.slug, program.slug])
    log = io.StringIO()
    with _project_logging_into(log):
        assert client.get(url).status_code == 403
    assert log.getvalue().splitlines() == [f"Forbidden (Permission denied): {url}"]

"""A form with errors starts with a summary that names each field in error and links to it."""

import html
import re

from django.urls import reverse

from organizations.models import Role
from tests.factories import PASSWORD, ProgramFactory, UserFactory, member


def summary_of(page: str) -> list[tuple[str, str]]:
    block = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert block, "no error summary on the page"
    assert "autofocus" in block.group(0)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html.unescape(block.group(0)))


def test_invitation_form_errors_are_summarised_with_links_to_the_fields(client, db):
    program = ProgramFactory()
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    url = reverse("organizations:invitations", args=[program.organization.slug])
    page = client.post(url, {"email": "not-an-address", "role": "mentee"}).content.decode()
    summary = summary_of(page)
    assert summary[0][0] == "id_email"
    assert summary[0][1].startswith("Email")
    assert 'id="id_email"' in page
    assert 'value="not-an-address"' in page


def test_login_failure_is_summarised(client, db):
    UserFactory(email="mia@example.org")
    page = client.post(reverse("account_login"), {"login": "mia@example.org", "password": PASSWORD + "x"})
    text = html.unescape(page.content.decode())
    assert '<div class="error-summary"' in text
    assert "There is a problem" in text


def test_a_page_without_errors_has_no_summary(client, db):
    assert "error-summary" not in client.get(reverse("account_login")).content.decode()

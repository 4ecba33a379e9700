import io

from django.core.management import call_command
from django.urls import reverse

from tests.factories import PASSWORD


def test_a_superuser_made_from_the_command_line_logs_in_at_once(client, db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", interactive=False, email="Rita@Example.org", full_name="Rita Root", stdout=io.StringIO()
    )
    response = client.post(reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == (reverse("home"), 302)
    page = response.content.decode()
    assert "Welcome, Rita" in page
    assert "Reviews" in page  # platform staff's link to the review pages

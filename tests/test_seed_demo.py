from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from mentorship.devtools.management.commands.seed_demo import DEMO_PASSWORD
from organizations.models import Membership, Role


def test_seed_demo_is_idempotent_and_prints_logins(db, capsys):
    call_command("seed_demo", mentees=4, mentors=3)
    call_command("seed_demo", mentees=4, mentors=3)
    out = capsys.readouterr().out
    assert "orgadmin@example.org" in out and "mentee1@example.org" in out
    assert Membership.objects.filter(role=Role.MENTEE).count() == 4
    assert Membership.objects.filter(role=Role.MENTOR).count() == 3
    assert User.objects.count() == 3 + 4 + 3


def test_seed_demo_logins_work(db):
    call_command("seed_demo", mentees=1, mentors=1)
    client = Client()
    response = client.post(reverse("account_login"), {"login": "mentee1@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "First Steps" in client.get(reverse("home")).content.decode()

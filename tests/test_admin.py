"""The Django admin covers every model, and its pages open for platform staff."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

OUR_APPS = {"accounts", "organizations", "matching", "sessions_app", "oversight", "pairings"}


def test_every_model_of_ours_is_in_the_admin():
    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS and not m._meta.auto_created}
    assert ours - set(admin.site._registry) == set()


@pytest.mark.parametrize("model", [m for m in admin.site._registry if m._meta.app_label in OUR_APPS])
def test_admin_changelist_search_and_add_pages_open(client, db, model):
    MembershipFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    info = (model._meta.app_label, model._meta.model_name)
    assert client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist"), {"q": "example"}).status_code == 200
    assert client.get(reverse(f"admin:{info[0]}_{info[1]}_add")).status_code == 200


def test_the_program_admin_page_has_every_setting_of_the_settings_page(client, db):
    from mentorship.pairings.models import PairingSettings
    from mentorship.portal.forms import PAIRING_FIELDS, PROGRAM_FIELDS, SESSION_FIELDS
    from sessions_app.models import SessionSettings

    program = MembershipFactory().program
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:organizations_program_change", args=[program.pk])
    page = client.get(url).content.decode()
    for name in PROGRAM_FIELDS:
        assert f'name="{name}"' in page, name
    for prefix, names in (("session_settings", SESSION_FIELDS), ("pairing_settings", PAIRING_FIELDS)):
        for name in names:
            assert f'name="{prefix}-0-{name}"' in page, name
    assert "Which flows are on" in page and "Life of a pairing" in page
    assert not SessionSettings.objects.exists() and not PairingSettings.objects.exists()  # GET changes nothing

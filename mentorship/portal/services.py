"""Writes of the pages that gather from several apps: the program's settings page."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from mentorship.pairings.models import PairingSettings
from organizations.models import Program
from sessions_app.models import SessionSettings


@transaction.atomic
def program_settings_save(
    *, program: Program, by: User, program_fields: dict[str, Any], session_fields: dict, pairing_fields: dict
) -> Program:
    """Save the settings page: the program's own fields, its session requests' and its pairings' settings,
    with who saved them and when."""
    for name, value in program_fields.items():
        setattr(program, name, value)
    program.settings_changed_at, program.settings_changed_by = timezone.now(), by
    program.save(update_fields=[*program_fields, "settings_changed_at", "settings_changed_by"])
    SessionSettings.objects.update_or_create(program=program, defaults=session_fields)
    PairingSettings.objects.update_or_create(program=program, defaults=pairing_fields)
    return program

"""The program's settings in the Django admin, as on its settings page: ``ProgramAdmin`` (organizations) gets
the session-request and pairing-life settings of the apps above it as inlines, here, where all are known."""

from django.contrib import admin

from mentorship.pairings.models import PairingSettings
from organizations.admin import ProgramAdmin
from sessions_app.models import SessionSettings


class SessionSettingsInline(admin.StackedInline):
    model = SessionSettings
    fields = ["requests_per_day", "session_pairs", "cancel_notice_hours"]
    can_delete = False
    verbose_name_plural = "Session requests (and cancellations)"


class PairingSettingsInline(admin.StackedInline):
    model = PairingSettings
    fields = ["agreement_enabled", "quiet_days", "feedback_shared_with_pair"]
    can_delete = False
    verbose_name_plural = "Life of a pairing"


ProgramAdmin.inlines = [*ProgramAdmin.inlines, SessionSettingsInline, PairingSettingsInline]

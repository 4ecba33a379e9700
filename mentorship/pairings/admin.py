from django.contrib import admin

from mentorship import stamps
from mentorship.pairings.models import (
    Agreement,
    CheckIn,
    ConversationNotice,
    CycleSurvey,
    FeedbackQuestion,
    FeedbackRequest,
    Goal,
    Message,
    PairingSettings,
    ProgramCycle,
)


@admin.register(Message)
class MessageAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    # Platform staff see that a message exists, its pairing and its report; not its text.
    list_display = ["pairing", "author", "created_at", "reported_at"]
    list_filter = ["reported_at"]
    fields = ["pairing", "author", "created_at", "notified_at", "reported_at", "reported_by"]
    readonly_fields = fields
    list_select_related = ["pairing", "author__user"]


@admin.register(ConversationNotice)
class ConversationNoticeAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["pairing", "recipient", "notified_until"]
    raw_id_fields = ["program", "pairing", "recipient"]


@admin.register(PairingSettings)
class PairingSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "agreement_enabled", "quiet_days", "feedback_shared_with_pair"]
    raw_id_fields = ["program"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    # The agreement's text is the pair's; staff see its state.
    list_display = ["pairing", "status", "signed_at", "updated_at"]
    list_filter = ["status"]
    fields = ["pairing", "status", "signed_at"]
    readonly_fields = fields


@admin.register(Goal)
class GoalAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["agreement", "target_date", "done_at"]
    fields = ["agreement", "target_date", "done_at"]
    readonly_fields = fields


@admin.register(FeedbackQuestion)
class FeedbackQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "program", "order"]
    search_fields = ["text"]
    raw_id_fields = ["program"]


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["respondent", "pairing", "created_at", "answered_at", "rating"]
    fields = ["respondent", "pairing", "session", "created_at", "answered_at", "rating", "fit"]
    readonly_fields = fields


@admin.register(CheckIn)
class CheckInAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["pairing", "reminded_at", "admins_told_at"]
    raw_id_fields = ["program", "pairing"]


@admin.register(CycleSurvey)
class CycleSurveyAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["respondent", "cycle_ends_on", "answered_at", "satisfaction"]
    raw_id_fields = ["program", "respondent"]


@admin.register(ProgramCycle)
class ProgramCycleAdmin(admin.ModelAdmin):
    list_display = ["program", "previous", "first", "opened_at", "invited_at", "invited_count"]
    list_filter = ["opened_at", "invited_at"]
    search_fields = ["program__name", "previous__name", "program__organization__name"]
    list_select_related = ["program", "previous", "first"]
    raw_id_fields = ["program", "previous", "first", "opened_by"]

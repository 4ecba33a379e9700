from django.contrib import admin
from django.utils.translation import gettext as _

from matching.models import (
    Answer,
    AutoPairProposal,
    AutoPairRun,
    MentorDecline,
    MentorRequest,
    MentorSelection,
    Option,
    Pairing,
    Question,
    RequestEvent,
)
from matching.services.answers import bump_matching_version
from matching.services.completion import completion_refresh
from mentorship import stamps
from organizations.models import Membership


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["order", "label"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "program", "kind", "audience", "rule", "weight", "required", "order"]
    list_filter = ["kind", "rule", "audience", "program__organization"]
    search_fields = ["text", "program__name"]
    list_select_related = ["program"]
    raw_id_fields = ["program"]
    inlines = [OptionInline]


@admin.register(Option)
class OptionAdmin(admin.ModelAdmin):
    list_display = ["label", "question", "order"]
    search_fields = ["label", "question__text"]
    raw_id_fields = ["question"]
    filter_horizontal = ["satisfied_by"]


@admin.register(Answer)
class AnswerAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["membership", "question", "value", "updated_at"]
    search_fields = ["membership__user__email", "question__text"]
    list_select_related = ["membership__user", "membership__organization", "membership__program", "question"]
    raw_id_fields = ["membership", "question"]

    # Answers send no signals (see matching.signals): keep the cached mentor side current here.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_matching_version(obj.question.program)
        _refresh_completion([obj])
        before = form.initial.get("membership") if change else None
        if before and before != obj.membership_id:  # moved to another person: the first one too
            program_id = Membership._base_manager.filter(pk=before).values_list("program_id", flat=True).first()
            completion_refresh(program_id=program_id, membership_ids=[before])
            stamps.bump_programs([program_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_matching_version(obj.question.program)
        _refresh_completion([obj])

    def delete_queryset(self, request, queryset):
        answers = list(queryset.select_related("question__program", "membership"))
        programs = {answer.question.program for answer in answers}
        super().delete_queryset(request, queryset)
        for program in programs:
            bump_matching_version(program)
        _refresh_completion(answers)


def _refresh_completion(answers) -> None:
    """Whose questionnaire is complete, for the people whose answers the admin changed (per program)."""
    by_program: dict[int, set[int]] = {}
    for answer in answers:
        by_program.setdefault(answer.membership.program_id, set()).add(answer.membership_id)
    for program_id, ids in by_program.items():
        completion_refresh(program_id=program_id, membership_ids=ids)


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "program", "status", "source", "score", "created_at", "ended_at"]
    list_filter = ["status", "source", "program__organization"]
    search_fields = ["mentor__user__email", "mentee__user__email", "program__name"]
    list_select_related = ["mentor__user", "mentor__program", "mentee__user", "mentee__program", "program"]
    raw_id_fields = ["program", "mentor", "mentee", "created_by", "ended_by"]


@admin.register(MentorDecline)
class MentorDeclineAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "program", "created_at"]
    search_fields = ["mentor__user__email", "mentee__user__email"]
    raw_id_fields = ["program", "mentor", "mentee"]


class ProposalInline(admin.TabularInline):
    model = AutoPairProposal
    fields = ["mentee", "mentor", "score", "unassigned_reason"]
    raw_id_fields = ["mentee", "mentor"]
    extra = 0


@admin.register(AutoPairRun)
class AutoPairRunAdmin(admin.ModelAdmin):
    list_display = ["program", "status", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["program__name"]
    list_select_related = ["program", "created_by"]
    raw_id_fields = ["program", "created_by"]
    readonly_fields = ["summary", "error"]


@admin.register(AutoPairProposal)
class AutoPairProposalAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["run", "mentee", "mentor", "score", "unassigned_reason"]
    list_select_related = ["run__program", "mentee__user", "mentor__user"]
    raw_id_fields = ["run", "mentee", "mentor"]


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    fields = ["at", "from_state", "to_state", "by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(MentorRequest)
class MentorRequestAdmin(admin.ModelAdmin):
    """Every ranked request with its state, deadline and history; Skip moves waiting ones on (recorded)."""

    list_display = ["mentee", "mentor", "rank", "state", "sent_at", "deadline", "answered_at", "program"]
    list_filter = ["state", "program__organization", "program"]
    search_fields = ["mentor__user__email", "mentee__user__email"]
    list_select_related = ["mentor__user", "mentor__program", "mentee__user", "mentee__program", "program"]
    raw_id_fields = ["program", "selection", "mentor", "mentee"]
    readonly_fields = ["state", "token_hash", "sent_at", "mailed_at", "answered_at", "reminder_sent_at"]
    inlines = [RequestEventInline]
    actions = ["skip"]

    @admin.action(description=_("Skip to the next choice"))
    def skip(self, request, queryset) -> None:
        from matching.services.requests import request_skip

        done = sum(request_skip(request_id=pk, by=request.user).ok for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)d requests skipped.") % {"count": done})


@admin.register(MentorSelection)
class MentorSelectionAdmin(admin.ModelAdmin):
    list_display = ["mentee", "program", "state", "created_at", "closed_at"]
    list_filter = ["state", "program__organization"]
    raw_id_fields = ["program", "mentee"]


@admin.register(RequestEvent)
class RequestEventAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["request", "from_state", "to_state", "by", "at", "note"]
    list_filter = ["to_state", "program__organization"]
    raw_id_fields = ["program", "request", "by"]

"""The Django admin for oversight: every model, with search, filters and actions (F8.2)."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentorship import stamps
from mentorship.oversight.models import (
    Activity,
    ActivityDate,
    Attendance,
    AttendanceStatus,
    FollowUpView,
    Observation,
    ObservationRevision,
    OversightSettings,
    Visibility,
)


@admin.register(OversightSettings)
class OversightSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "mentees_see_observations"]
    list_filter = ["mentees_see_observations"]
    search_fields = ["program__name", "program__organization__name"]
    raw_id_fields = ["program"]


class ActivityDateInline(admin.TabularInline):
    model = ActivityDate
    fields = ["local_date", "start_time", "end_time", "place", "starts_at", "ends_at"]
    readonly_fields = ["starts_at", "ends_at"]
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "time_zone", "archived", "created_at"]
    list_filter = ["archived", "program__organization", "program"]
    search_fields = ["name", "description", "program__name"]
    list_select_related = ["program"]
    raw_id_fields = ["program", "mentees", "mentors", "created_by"]
    inlines = [ActivityDateInline]
    actions = ["archive", "unarchive"]

    @admin.action(description=_("Archive the selected activities"))
    def archive(self, request, queryset) -> None:
        count = queryset.update(archived=True)
        stamps.bump_programs_of_rows(queryset)
        self.message_user(request, ngettext("%d activity archived.", "%d activities archived.", count) % count)

    @admin.action(description=_("Bring the selected activities back"))
    def unarchive(self, request, queryset) -> None:
        count = queryset.update(archived=False)
        stamps.bump_programs_of_rows(queryset)
        self.message_user(request, ngettext("%d activity restored.", "%d activities restored.", count) % count)


@admin.register(ActivityDate)
class ActivityDateAdmin(admin.ModelAdmin):
    list_display = ["activity", "local_date", "start_time", "end_time", "place"]
    list_filter = ["local_date", "activity__program"]
    search_fields = ["activity__name", "place"]
    list_select_related = ["activity"]
    readonly_fields = ["starts_at", "ends_at"]
    raw_id_fields = ["activity"]
    date_hierarchy = "local_date"
    actions = ["clear_attendance"]

    @admin.action(description=_("Clear the attendance of the selected dates"))
    def clear_attendance(self, request, queryset) -> None:
        with transaction.atomic():
            stamps.bump_programs_of_rows(queryset)
            count, _ignored = Attendance.objects.filter(date__in=queryset).delete()
        self.message_user(request, ngettext("%d record cleared.", "%d records cleared.", count) % count)


@admin.register(Attendance)
class AttendanceAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    list_display = ["mentee", "date", "status", "note", "recorded_at"]
    list_filter = ["status", "date__activity__program", "recorded_at"]
    search_fields = ["mentee__user__full_name", "mentee__user__email", "date__activity__name", "note"]
    list_select_related = ["mentee__user", "date__activity"]
    raw_id_fields = ["date", "mentee", "recorded_by"]
    actions = ["mark_present", "mark_excused"]

    def _mark(self, request, queryset, status: str) -> None:
        count = queryset.update(status=status)
        stamps.bump_programs_of_rows(queryset)
        self.message_user(request, ngettext("%d record changed.", "%d records changed.", count) % count)

    @admin.action(description=_("Mark as present"))
    def mark_present(self, request, queryset) -> None:
        self._mark(request, queryset, AttendanceStatus.PRESENT)

    @admin.action(description=_("Mark as excused"))
    def mark_excused(self, request, queryset) -> None:
        self._mark(request, queryset, AttendanceStatus.EXCUSED)


class RevisionInline(admin.TabularInline):
    model = ObservationRevision
    fields = ["replaced_at", "observed_on", "visibility", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["mentee", "author", "observed_on", "visibility", "activity", "created_at"]
    list_filter = ["visibility", "observed_on", "program__organization", "program"]
    search_fields = ["text", "mentee__user__full_name", "author__user__full_name", "activity__name"]
    list_select_related = ["mentee__user", "author__user", "activity"]
    raw_id_fields = ["program", "author", "mentee", "activity", "session"]
    inlines = [RevisionInline]
    actions = ["make_private"]

    @admin.action(description=_("Hide from the mentee (author and program admins only)"))
    def make_private(self, request, queryset) -> None:
        count = queryset.update(visibility=Visibility.PRIVATE)
        stamps.bump_programs_of_rows(queryset)
        self.message_user(request, ngettext("%d observation hidden.", "%d observations hidden.", count) % count)


@admin.register(ObservationRevision)
class ObservationRevisionAdmin(admin.ModelAdmin):
    list_display = ["observation", "replaced_at", "visibility"]
    list_filter = ["visibility", "replaced_at"]
    search_fields = ["text", "observation__mentee__user__full_name"]
    raw_id_fields = ["observation"]


@admin.register(FollowUpView)
class FollowUpViewAdmin(admin.ModelAdmin):
    list_display = ["mentee", "viewer", "viewed_at"]
    list_filter = ["viewed_at", "program"]
    search_fields = ["mentee__user__full_name", "viewer__full_name", "viewer__email"]
    list_select_related = ["mentee__user", "viewer"]
    raw_id_fields = ["program", "mentee", "viewer"]
    actions = ["forget"]

    @admin.action(description=_("Delete the selected records of looks"))
    def forget(self, request, queryset) -> None:
        with transaction.atomic():
            stamps.bump_programs_of_rows(queryset)
            count, _ignored = queryset.delete()
        self.message_user(request, ngettext("%d record deleted.", "%d records deleted.", count) % count, messages.INFO)

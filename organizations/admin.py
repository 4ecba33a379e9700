from django.contrib import admin

from organizations.models import Group, Membership, Organization, Program


class ProgramInline(admin.TabularInline):
    model = Program
    fields = ["name", "slug", "status", "is_live"]
    extra = 0
    show_change_link = True


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "admin_email", "submitted_at", "reviewed_at"]
    list_filter = ["status", "submitted_at"]
    search_fields = ["name", "slug", "admin_email", "contact_email", "contact_name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["submitted_at", "reviewed_at", "reviewed_by"]
    date_hierarchy = "submitted_at"
    inlines = [ProgramInline]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "status", "is_live", "mentoring_format", "expected_size", "created_at"]
    list_filter = ["status", "is_live", "mentoring_format", "organization"]
    search_fields = ["name", "slug", "organization__name", "admin_email"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization", "program", "capacity", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "user__full_name", "organization__name", "program__name"]
    list_select_related = ["user", "organization", "program"]
    autocomplete_fields = ["user", "organization", "program"]
    filter_horizontal = ["groups"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "program"]
    list_filter = ["program__organization"]
    search_fields = ["name", "program__name"]
    list_select_related = ["program"]
    autocomplete_fields = ["program"]

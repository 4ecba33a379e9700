from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.services import user_delete, user_erase, user_restore


class DeletionFilter(admin.SimpleListFilter):
    """Present, deleted (restorable until "erased after"), or erased."""

    title = _("deletion")
    parameter_name = "deletion"

    def lookups(self, request, model_admin):
        return [("present", _("Present")), ("deleted", _("Deleted, restorable")), ("erased", _("Erased"))]

    def queryset(self, request, queryset):
        if self.value() == "present":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "deleted":
            return queryset.filter(deleted_at__isnull=False, erased_at__isnull=True)
        if self.value() == "erased":
            return queryset.filter(erased_at__isnull=False)
        return queryset


class UserCreateForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_staff", "is_active", "date_joined", "erase_after"]
    list_filter = [DeletionFilter, "is_staff", "is_superuser", "is_active", "language", "terms_version"]
    search_fields = ["email", "full_name"]
    readonly_fields = [
        "date_joined",
        "last_login",
        "terms_version",
        "terms_accepted_at",
        "deleted_at",
        "erase_after",
        "erased_at",
    ]
    actions = ["delete_restorably", "restore", "erase_now"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "photo", "bio", "languages", "location", "language", "timezone"]}),
        ("Notifications", {"fields": ["notify_requests", "notify_sessions", "notify_reminders"]}),
        ("Consent", {"fields": ["terms_version", "terms_accepted_at"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
        ("Deletion", {"fields": ["deleted_at", "erase_after", "erased_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]

    @admin.action(description=_("Delete, restorable for 30 days"))
    def delete_restorably(self, request, queryset):
        for user in queryset.filter(deleted_at__isnull=True):
            user_delete(user=user)
        self.message_user(request, _("Deleted; they can be restored until the date in “erased after”."))

    @admin.action(description=_("Restore"))
    def restore(self, request, queryset):
        restored = sum(user_restore(user=user) for user in queryset)
        self.message_user(request, ngettext("%d person restored.", "%d people restored.", restored) % restored)

    @admin.action(description=_("Erase now (deleted people only)"))
    def erase_now(self, request, queryset):
        erased = sum(
            user_erase(user_id=pk) for pk in queryset.filter(deleted_at__isnull=False).values_list("pk", flat=True)
        )
        self.message_user(request, ngettext("%d person erased.", "%d people erased.", erased) % erased)
        if skipped := queryset.filter(deleted_at__isnull=True).count():
            self.message_user(
                request, _("Not erased: %d not deleted first (delete them, then erase).") % skipped, messages.WARNING
            )

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentorship import outbox
from mentorship.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Every email of the platform; staff see the permanent failures here and may send them again."""

    list_display = ["recipient", "kind", "state", "skip_reason", "attempts", "created_at", "sent_at", "next_attempt_at"]
    list_filter = ["state", "skip_reason", "kind", "created_at"]
    search_fields = ["recipient", "key"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = [
        "key",
        "kind",
        "recipient",
        "payload",
        "state",
        "skip_reason",
        "user",
        "organization",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "next_attempt_at",
    ]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset) -> None:
        count = outbox.send_again(queryset)
        self.message_user(
            request,
            ngettext("%(count)d failed email queued again.", "%(count)d failed emails queued again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

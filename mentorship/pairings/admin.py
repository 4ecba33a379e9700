from django.contrib import admin

from mentorship.pairings.models import ConversationNotice, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    # Platform staff see that a message exists, its pairing and its report; not its text.
    list_display = ["pairing", "author", "created_at", "reported_at"]
    list_filter = ["reported_at"]
    fields = ["pairing", "author", "created_at", "notified_at", "reported_at", "reported_by"]
    readonly_fields = fields
    list_select_related = ["pairing", "author__user"]


@admin.register(ConversationNotice)
class ConversationNoticeAdmin(admin.ModelAdmin):
    list_display = ["pairing", "recipient", "notified_until"]
    raw_id_fields = ["program", "pairing", "recipient"]

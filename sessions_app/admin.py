from django import forms
from django.contrib import admin

from sessions_app.models import Booking, Location, MentorOffer, MentorshipSession, SessionRequest, SessionSettings
from sessions_app.services.errors import SessionError
from sessions_app.services.sessions import utc_range


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "time_zone"]
    list_filter = ["time_zone", "program__organization"]
    search_fields = ["name", "address", "program__name"]
    list_select_related = ["program"]
    raw_id_fields = ["program"]


@admin.register(SessionSettings)
class SessionSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "cancel_notice_hours"]
    search_fields = ["program__name"]
    raw_id_fields = ["program"]


class BookingInline(admin.TabularInline):
    model = Booking
    fields = ["mentee", "mode", "status", "added_by_mentor", "cancelled_at"]
    raw_id_fields = ["mentee"]
    extra = 0


class SessionAdminForm(forms.ModelForm):
    """The UTC range follows from the local date, time and zone, as in the session form."""

    class Meta:
        model = MentorshipSession
        # The admin adds the other fields when it builds the form (inside its request, where scopes are off).
        fields = ["local_date", "local_time", "time_zone", "duration_minutes"]

    def clean(self) -> dict:
        data = super().clean()
        if all(data.get(f) for f in ("local_date", "local_time", "time_zone", "duration_minutes")):
            try:
                self.instance.starts_at, self.instance.ends_at = utc_range(
                    data["local_date"], data["local_time"], data["time_zone"], data["duration_minutes"]
                )
            except SessionError as error:
                self.add_error("local_time", error.message)
        return data


@admin.register(MentorshipSession)
class MentorshipSessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["__str__", "program", "status", "starts_at", "seats_taken", "seats", "online", "in_person"]
    list_filter = ["status", "online", "in_person", "time_zone", "program__organization"]
    search_fields = ["mentor__user__full_name", "mentor__user__email", "program__name", "notes"]
    list_select_related = ["program", "mentor__user"]
    raw_id_fields = ["program", "mentor", "location", "created_by"]
    filter_horizontal = ["groups"]
    readonly_fields = ["starts_at", "ends_at", "seats_taken", "series", "uid", "sequence", "reminder_sent_at"]
    date_hierarchy = "starts_at"
    inlines = [BookingInline]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["mentee", "session", "mode", "status", "attendance", "booked_at"]
    list_filter = ["status", "mode", "added_by_mentor", "attendance"]
    search_fields = ["mentee__user__full_name", "mentee__user__email", "session__mentor__user__full_name"]
    list_select_related = ["mentee__user", "session__mentor__user"]
    raw_id_fields = ["session", "mentee"]


@admin.register(SessionRequest)
class SessionRequestAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "program", "state", "created_at", "answered_at"]
    list_filter = ["state", "program__organization"]
    search_fields = ["mentee__user__email", "mentor__user__email", "program__name"]
    list_select_related = ["mentee__user", "mentor__user", "program"]
    raw_id_fields = ["program", "mentee", "mentor"]
    date_hierarchy = "created_at"


@admin.register(MentorOffer)
class MentorOfferAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "program", "state", "created_at", "answered_at"]
    list_filter = ["state", "program__organization"]
    search_fields = ["mentee__user__email", "mentor__user__email", "program__name"]
    list_select_related = ["mentee__user", "mentor__user", "program"]
    raw_id_fields = ["program", "mentee", "mentor"]
    date_hierarchy = "created_at"

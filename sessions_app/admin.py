from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from mentorship import stamps
from organizations.models import Role
from sessions_app import selectors
from sessions_app.models import (
    Booking,
    BookingStatus,
    Location,
    MentorOffer,
    MentorshipSession,
    SessionRequest,
    SessionSettings,
    SessionStatus,
)
from sessions_app.services.bookings import booking_cancel, booking_create, check_bookable
from sessions_app.services.errors import BookingError, SessionError
from sessions_app.services.sessions import input_from, overlap_error, session_save, utc_range


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "time_zone"]
    list_filter = ["time_zone", "program__organization"]
    search_fields = ["name", "address", "program__name"]
    list_select_related = ["program"]
    raw_id_fields = ["program"]


@admin.register(SessionSettings)
class SessionSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "cancel_notice_hours", "requests_per_day", "session_pairs"]
    list_filter = ["session_pairs"]
    search_fields = ["program__name"]
    raw_id_fields = ["program"]


class BookingInline(admin.TabularInline):
    """Bookings, to read: seats move only through the booking service (Bookings' own page adds and cancels)."""

    model = Booking
    fields = ["mentee", "mode", "status", "added_by_mentor", "cancelled_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class SessionAdminForm(forms.ModelForm):
    """The UTC range follows from the local date, time and zone, as in the session form."""

    class Meta:
        model = MentorshipSession
        # The admin adds the other fields when it builds the form (inside its request, where scopes are off).
        fields = ["local_date", "local_time", "time_zone", "duration_minutes"]

    def clean(self) -> dict:
        data = super().clean()
        zone = data.get("time_zone") or self.instance.time_zone  # read-only once the session exists
        if zone and all(data.get(f) is not None for f in ("local_date", "local_time", "duration_minutes")):
            try:
                self.instance.starts_at, self.instance.ends_at = utc_range(
                    data["local_date"], data["local_time"], zone, data["duration_minutes"]
                )
            except SessionError as error:
                self.add_error("local_time", error.message)
            else:
                other = (
                    self.instance.pk
                    and self.instance.is_published
                    and selectors.overlapping(
                        self.instance.mentor, self.instance.starts_at, self.instance.ends_at, exclude=[self.instance.pk]
                    )
                )
                if other:
                    self.add_error("local_time", overlap_error(other).message)
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

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # An existing session keeps its zone (its location's, or its mentor's when online), as on its Edit page.
        return [*self.readonly_fields, "time_zone"] if obj else self.readonly_fields

    def save_model(self, request, obj: MentorshipSession, form, change: bool) -> None:
        """A new date, time or duration goes through the session service, as the Edit page does: the mentor's
        other sessions are checked, SEQUENCE rises and whoever booked is told what changed."""
        if not change:
            return super().save_model(request, obj, form, change)
        with scopes_disabled():
            original = MentorshipSession.objects.select_related("program", "mentor__user", "location").get(pk=obj.pk)
            if original.status == SessionStatus.CANCELLED:
                return None
            data = input_from(
                original,
                local_date=obj.local_date,
                local_time=obj.local_time,
                duration_minutes=obj.duration_minutes,
            )
            session_save(
                program=original.program,
                data=data,
                by=request.user,
                publish=original.is_published,
                session=original,
            )
        return None


class BookingAdminForm(forms.ModelForm):
    """A booking added by staff goes through the same checks as a mentee's (seats, mode, not started)."""

    class Meta:
        model = Booking
        # The admin adds session and mentee when it builds the form (inside its request, where scopes are off).
        fields = ["mode"]

    def clean(self) -> dict:
        data = super().clean()
        session, mentee, mode = data.get("session"), data.get("mentee"), data.get("mode")
        if session and mentee and mode:
            if mentee.program_id != session.program_id or mentee.role != Role.MENTEE:
                self.add_error("mentee", _("Choose a mentee of the session's program."))
            else:
                try:
                    check_bookable(session, mentee, mode)
                except BookingError as error:
                    self.add_error(None, error.message)
        return data


@admin.register(Booking)
class BookingAdmin(stamps.BumpOnDeleteAdmin, admin.ModelAdmin):
    """Staff add a booking (as a mentor adding a mentee) or cancel some; a booking is never edited or deleted,
    so the session's seat count always matches its bookings."""

    form = BookingAdminForm
    list_display = ["mentee", "session", "mode", "status", "attendance", "booked_at"]
    list_filter = ["status", "mode", "added_by_mentor", "attendance"]
    search_fields = ["mentee__user__full_name", "mentee__user__email", "session__mentor__user__full_name"]
    list_select_related = ["mentee__user", "session__mentor__user"]
    raw_id_fields = ["session", "mentee"]
    actions = ["cancel_bookings"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        if obj is None:
            return []
        return ["session", "mentee", "mode", "status", "added_by_mentor", "booked_at", "cancelled_at", "attendance"]

    def get_fields(self, request, obj=None) -> list[str]:
        return self.get_readonly_fields(request, obj) if obj else ["session", "mentee", "mode"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Booking, form, change: bool) -> None:
        if change:
            return
        with scopes_disabled():
            booking = booking_create(session=obj.session, mentee=obj.mentee, mode=obj.mode, added_by_mentor=True)
        obj.pk, obj.status, obj.booked_at = booking.pk, booking.status, booking.booked_at

    @admin.action(description=_("Cancel bookings"), permissions=["change"])
    def cancel_bookings(self, request, queryset) -> None:
        cancelled = 0
        with scopes_disabled():
            for booking in queryset.filter(status=BookingStatus.BOOKED):
                try:
                    booking_cancel(booking=booking, by=request.user, enforce_notice=False)
                except BookingError:
                    continue
                cancelled += 1
        self.message_user(
            request,
            ngettext("%(count)d booking cancelled.", "%(count)d bookings cancelled.", cancelled) % {"count": cancelled},
            messages.SUCCESS,
        )


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

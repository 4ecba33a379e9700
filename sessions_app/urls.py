from django.urls import path

from sessions_app.views import manage, participant, personal, settings

app_name = "sessions"

# Tenant pages, mounted by mentorship/urls.py under /o/<organization>/p/<program>/.
program_urlpatterns = [
    path("mentorship/", manage.mentorship, name="mentorship"),
    path("mentorship/new/", manage.session_create, name="create"),
    path("mentorship/<int:pk>/edit/", manage.session_edit, name="edit"),
    path("mentorship/<int:pk>/duplicate/", manage.session_duplicate, name="duplicate"),
    path("mentorship/<int:pk>/bulk-duplicate/", manage.session_bulk_duplicate, name="bulk_duplicate"),
    path("mentorship/<int:pk>/cancel/", manage.session_cancel_view, name="cancel"),
    path("mentorship/<int:pk>/book/", participant.book, name="book"),
    path("bookings/<int:pk>/cancel/", participant.booking_cancel_view, name="booking_cancel"),
    path("mentors/<int:pk>/", participant.mentor_profile, name="mentor"),
    path("mentorship/settings/", settings.session_settings, name="settings"),
]

# A person's own pages, in every program.
urlpatterns = [
    path("sessions/", personal.my_sessions, name="my_sessions"),
    path("calendar/<str:token>.ics", personal.calendar_feed, name="calendar_feed"),
]

from django.urls import path

from sessions_app.views import manage, participant, personal, requests, settings

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
    # Requests in both directions (F6)
    path("mentorship/<int:pk>/clone/", manage.session_clone, name="clone"),
    path("mentors/<int:pk>/request/", requests.request_session, name="request_session"),
    path("session-requests/", requests.session_requests, name="requests"),
    path("session-requests/<int:pk>/decline/", requests.request_decline, name="request_decline"),
    path("mentees/", requests.mentee_search, name="mentee_search"),
    path("mentees/<int:pk>/", requests.mentee_profile, name="mentee"),
    path("mentees/<int:pk>/offer/", requests.offer_create, name="offer_create"),
    path("my-requests/", requests.my_requests, name="my_requests"),
    path("my-requests/<int:pk>/", requests.offer_detail, name="offer"),
    path("my-requests/<int:pk>/dismiss/", requests.offer_dismiss, name="offer_dismiss"),
    path("mentorship/requests/", requests.requests_admin, name="requests_admin"),
]

# A person's own pages, in every program.
urlpatterns = [
    path("sessions/", personal.my_sessions, name="my_sessions"),
    path("calendar/<str:token>.ics", personal.calendar_feed, name="calendar_feed"),
]

from django.urls import path

from mentorship.oversight import views

app_name = "oversight"

# Tenant pages, mounted by mentorship/urls.py under /o/<organization>/p/<program>/.
program_urlpatterns = [
    path("activities/", views.activities, name="activities"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/dates/<int:date>/attendance/", views.attendance, name="attendance"),
    path("oversight/settings/", views.oversight_settings, name="settings"),
    path("observations/", views.observations, name="observations"),
    path("my-mentees/", views.my_mentees, name="my_mentees"),
    path("my-mentees/<int:pk>/", views.mentee_follow_up, name="mentee"),
    path("my-mentees/<int:pk>/observations/new/", views.observation_add, name="observation_add"),
    path("observations/<int:pk>/edit/", views.observation_edit, name="observation_edit"),
    path("follow-up/", views.my_follow_up, name="my_follow_up"),
    path("mentorship/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
]

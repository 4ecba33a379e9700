from django.urls import path

from mentorship.pairings import views

app_name = "pairings"

# Tenant pages, mounted by mentorship/urls.py under /o/<organization>/p/<program>/.
program_urlpatterns = [
    path("pairings/<int:pk>/conversation/", views.conversation, name="conversation"),
    path("pairings/messages/<int:pk>/report/", views.report, name="report"),
    path("pairings/activity/", views.activity, name="activity"),
]

from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/calendar/", views.calendar_reset, name="calendar_reset"),
    path("profile/delete/", views.account_delete, name="account_delete"),
    path("terms/", views.terms, name="terms"),
    path("privacy/", views.privacy, name="privacy"),
]

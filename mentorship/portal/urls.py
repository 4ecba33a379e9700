from django.urls import path

from mentorship.portal import dashboard_views, settings_views, views

# Not namespaced: "home" is where logging in lands (LOGIN_REDIRECT_URL) and every page links back to.
urlpatterns = [
    path("home/", views.home, name="home"),
]

# Under /o/<organization>/p/<program>/ (mounted by mentorship/urls.py), namespaced "portal".
program_urlpatterns = [
    path("", views.program_overview, name="program"),
    path("dashboard/", dashboard_views.program_dashboard, name="dashboard"),
    path("settings/", settings_views.program_settings, name="program_settings"),
    path("dashboard/<slug:table>.csv", dashboard_views.program_dashboard_csv, name="dashboard_csv"),
]

# Under /o/<organization>/, namespaced "portal".
organization_urlpatterns = [
    path("dashboard/", dashboard_views.organization_dashboard, name="organization_dashboard"),
    path("dashboard/programs.csv", dashboard_views.organization_dashboard_csv, name="organization_dashboard_csv"),
]

from django.urls import path

from mentorship.portal import views

# Not namespaced: "home" is where logging in lands (LOGIN_REDIRECT_URL) and every page links back to.
urlpatterns = [
    path("home/", views.home, name="home"),
]

# Under /o/<organization>/p/<program>/ (mounted by mentorship/urls.py), namespaced "portal".
program_urlpatterns = [
    path("", views.program_overview, name="program"),
]

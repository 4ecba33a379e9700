"""Program admins: the places the program keeps for sessions, and the cancellation notice."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organizations.decorators import tenant_view
from sessions_app import selectors
from sessions_app.forms import LocationForm, SessionSettingsForm
from sessions_app.models import Location, SessionSettings
from sessions_app.services.sessions import location_create, session_settings_save


@tenant_view(perm="organizations.manage_program")
def session_settings(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    program_ = request.program
    current = SessionSettings.objects.filter(program=program_).first() or SessionSettings(program=program_)
    posted = request.method == "POST"
    location_form = LocationForm(
        request.POST if posted and "add_location" in request.POST else None, instance=Location(program=program_)
    )
    settings_form = SessionSettingsForm(
        request.POST if posted and "save_settings" in request.POST else None, instance=current
    )
    if location_form.is_bound and location_form.is_valid():
        location_create(program=program_, **location_form.cleaned_data)
        messages.success(request, _("The location is added."))
        return redirect("sessions:settings", request.organization.slug, program_.slug)
    if settings_form.is_bound and settings_form.is_valid():
        session_settings_save(program=program_, **settings_form.cleaned_data)
        messages.success(request, _("The settings are saved."))
        return redirect("sessions:settings", request.organization.slug, program_.slug)
    context = {
        "locations": selectors.locations_for(program_),
        "location_form": location_form,
        "settings_form": settings_form,
    }
    return render(request, "sessions_app/settings.html", context)

"""The program's settings page (program admins and organization admins): which flows are on, and their
numbers, in one form over the program, its session requests and the life of its pairings."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from mentorship.kept import kept
from mentorship.pairings.models import PairingSettings
from mentorship.portal.forms import PAIRING_FIELDS, PROGRAM_FIELDS, SESSION_FIELDS, ProgramSettingsForm
from mentorship.portal.services import program_settings_save
from mentorship.stamps import program_stamp
from organizations.decorators import tenant_view
from organizations.models import Program
from sessions_app.models import SessionSettings


@tenant_view(perm="organizations.manage_program")
def program_settings(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    stamp = program_stamp(request.program)  # before the rows
    # The program with both settings rows (one-to-one, made on first save) in one query.
    program_ = Program.objects.select_related("settings_changed_by", "session_settings", "pairing_settings").get(
        pk=request.program.pk
    )

    def form_for(data=None) -> ProgramSettingsForm:
        return ProgramSettingsForm(
            data,
            program=program_,
            session_settings=_settings_of(program_, "session_settings", SessionSettings),
            pairing_settings=_settings_of(program_, "pairing_settings", PairingSettings),
        )

    if request.method != "POST":
        # The form as the program's rows fill it, the same for each of its admins: rendered once a process for
        # its stamp and language (a save gives the program a new stamp).
        def fieldsets() -> str:
            return render_to_string("portal/_settings_groups.html", {"form": form_for()})

        key = f"program-settings:{program_.pk}:{translation.get_language()}"
        context = {"fieldsets": kept(stamp, key, fieldsets, shared=False), "saved_program": program_}
        return render(request, "portal/program_settings.html", context)
    form = form_for(request.POST)
    if form.is_valid():
        program_settings_save(
            program=program_,
            by=request.user,
            program_fields=form.part(PROGRAM_FIELDS),
            session_fields=form.part(SESSION_FIELDS),
            pairing_fields=form.part(PAIRING_FIELDS),
        )
        messages.success(request, _("The settings are saved."))
        return redirect("portal:program_settings", request.organization.slug, program_.slug)
    return render(request, "portal/program_settings.html", {"form": form, "saved_program": program_})


def _settings_of(program_: Program, name: str, model):
    """The program's row of ``model`` (a one-to-one named ``name``), or a new one, unsaved, if it has none yet."""
    try:
        return getattr(program_, name)
    except model.DoesNotExist:
        return model(program=program_)

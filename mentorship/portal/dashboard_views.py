"""The program dashboard (program admins) and the organization dashboard (organization admins), with CSV."""

from datetime import date, timedelta

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.portal import dashboard
from mentorship.portal.charts import chart
from mentorship.portal.exports import table_csv
from organizations.decorators import tenant_view

LONGEST = timedelta(days=2 * 366)


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day must come before the last."))
        if start and end and end - start > LONGEST:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        return data


def _period(request: HttpRequest) -> tuple[PeriodForm, dashboard.Period]:
    """The chosen period, or the last 12 weeks when none (or a wrong one) is chosen."""
    default = dashboard.Period.default()
    if "start" not in request.GET and "end" not in request.GET:
        return PeriodForm(initial={"start": default.start, "end": default.end}), default
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, dashboard.Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, default


@tenant_view(perm="organizations.manage_program")
def program_dashboard(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    form, period = _period(request)
    figures = dashboard.program_dashboard(request.program, period)
    tables = [(table, chart(table), _shown(table)) for table in figures["tables"]]
    context = {"form": form, "period": period, "tables": tables}
    return render(request, "portal/dashboard.html", context)


@tenant_view(perm="organizations.manage_program")
def program_dashboard_csv(request: HttpRequest, organization: str, program: str, table: str) -> HttpResponse:
    _form, period = _period(request)
    found = next((t for t in dashboard.program_dashboard(request.program, period)["tables"] if t.key == table), None)
    if found is None:
        raise Http404
    return _csv(found, f"{request.program.slug}-{table}-{period.start}-{period.end}.csv")


@tenant_view(perm="organizations.manage_organization")
def organization_dashboard(request: HttpRequest, organization: str) -> HttpResponse:
    form, period = _period(request)
    table = dashboard.organization_dashboard(request.organization, period)
    context = {"form": form, "period": period, "table": table, "rows": _shown(table)}
    return render(request, "portal/organization_dashboard.html", context)


@tenant_view(perm="organizations.manage_organization")
def organization_dashboard_csv(request: HttpRequest, organization: str) -> HttpResponse:
    _form, period = _period(request)
    table = dashboard.organization_dashboard(request.organization, period)
    return _csv(table, f"{request.organization.slug}-programs-{period.start}-{period.end}.csv")


def _shown(table: dashboard.Table) -> list[tuple[str, list[str]]]:
    """The table's cells as the page prints them, (first cell, the others) a row: formatted here once, where
    the template's conditions and filters on each cell were a good part of the page's time. A date is
    "3 Dec 2026", an empty figure a dash, anything else as the template prints it (localized numbers); the
    template escapes the text."""
    return [(_cell(row[0]), [_cell(cell) for cell in row[1:]]) for row in table.rows]


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(localize(value))


def _csv(table: dashboard.Table, filename: str) -> HttpResponse:
    response = HttpResponse(table_csv(table).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

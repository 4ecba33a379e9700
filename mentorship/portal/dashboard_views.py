"""The program dashboard (program admins) and the organization dashboard (organization admins), with CSV."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.portal import dashboard, kept
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


def _period(request: HttpRequest) -> tuple[PeriodForm, dashboard.Period, str]:
    """The chosen period, or the last 12 weeks when none (or a wrong one) is chosen; and the query of the
    CSV links, the chosen period's (empty for the default one)."""
    default = dashboard.Period.default()
    if "start" not in request.GET and "end" not in request.GET:
        return PeriodForm(initial={"start": default.start, "end": default.end}), default, ""
    form = PeriodForm(request.GET)
    if form.is_valid():
        period = dashboard.Period(form.cleaned_data["start"], form.cleaned_data["end"])
        return form, period, "?" + urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})
    return form, default, ""


@tenant_view(perm="organizations.manage_program")
def program_dashboard(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    form, period, csv_query = _period(request)
    figures = kept.program_figures(request.program, period, request.organization.slug, csv_query)
    context = {"form": form, "period": period, "figures": figures}
    return render(request, "portal/dashboard.html", context)


@tenant_view(perm="organizations.manage_program")
def program_dashboard_csv(request: HttpRequest, organization: str, program: str, table: str) -> HttpResponse:
    _form, period, _query = _period(request)
    found = next((t for t in kept.program_tables(request.program, period) if t.key == table), None)
    if found is None:
        raise Http404
    return _csv(found, f"{request.program.slug}-{table}-{period.start}-{period.end}.csv")


@tenant_view(perm="organizations.manage_organization")
def organization_dashboard(request: HttpRequest, organization: str) -> HttpResponse:
    form, period, csv_query = _period(request)
    table = kept.organization_table(request.organization, period)
    context = {"form": form, "period": period, "table": table, "rows": kept.shown(table), "csv_query": csv_query}
    return render(request, "portal/organization_dashboard.html", context)


@tenant_view(perm="organizations.manage_organization")
def organization_dashboard_csv(request: HttpRequest, organization: str) -> HttpResponse:
    _form, period, _query = _period(request)
    table = kept.organization_table(request.organization, period)
    return _csv(table, f"{request.organization.slug}-programs-{period.start}-{period.end}.csv")


def _csv(table: dashboard.Table, filename: str) -> HttpResponse:
    response = HttpResponse(table_csv(table).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Platform staff's review pages: organizations, programs, access requests, onboarding sessions."""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from mentorship.ratelimits import limit_error
from organizations import selectors
from organizations.forms import ReviewForm
from organizations.models import (
    AccessRequest,
    OnboardingSlot,
    Organization,
    Program,
)
from organizations.services import onboarding


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then platform staff only (403 otherwise). Staff work across tenants."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        with scopes_disabled():
            return view(request, *args, **kwargs)

    return wrapped


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    context = selectors.staff_queue()
    return render(request, "organizations/staff/index.html", context)


def _review_page(request: HttpRequest, obj, template: str, review: Callable[..., object]) -> HttpResponse:
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (limited := limit_error(request, "staff_review")):
        form.add_error(None, limited)  # each review emails the organization
        return render(request, template, {"object": obj, "form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        approve = "approve" in request.POST
        try:
            review(approve=approve, reason=form.cleaned_data["reason"])
        except onboarding.OnboardingError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, _("“%(name)s” was reviewed.") % {"name": obj})
            return redirect("staff:index")
    return render(request, template, {"object": obj, "form": form})


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_review(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)

    def review(approve: bool, reason: str):
        return onboarding.organization_review(
            organization=organization, by=request.user, approve=approve, reason=reason
        )

    return _review_page(request, organization, "organizations/staff/organization_review.html", review)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def program_review(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program.objects.select_related("organization"), pk=pk)

    def review(approve: bool, reason: str):
        return onboarding.program_review(program=program, by=request.user, approve=approve, reason=reason)

    return _review_page(request, program, "organizations/staff/program_review.html", review)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def access_review(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest.objects.select_related("program", "organization"), pk=pk)

    def review(approve: bool, reason: str):
        return onboarding.access_review(access_request=access_request, by=request.user, grant=approve, reason=reason)

    return _review_page(request, access_request, "organizations/staff/access_review.html", review)


class SlotForm(forms.ModelForm):
    class Meta:
        model = OnboardingSlot
        fields = ["starts_at", "duration_minutes", "capacity", "meeting_url", "location", "notes"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def onboarding_slots(request: HttpRequest) -> HttpResponse:
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The onboarding session was published."))
        return redirect("staff:onboarding_slots")
    slots = OnboardingSlot.objects.order_by("-starts_at").prefetch_related("signups__organization")
    return render(request, "organizations/staff/onboarding_slots.html", {"form": form, "slots": slots})

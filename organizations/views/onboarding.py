"""Seed 004's pages: submit an organization, follow it, submit a program, onboarding, access."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from mentorship.ratelimits import limit_error
from organizations import selectors
from organizations.decorators import tenant_view
from organizations.forms import AccessRequestForm, OnboardingSignupForm, OrganizationSubmitForm, ProgramSubmitForm
from organizations.models import AccessRequest, OnboardingSignup
from organizations.services import onboarding


@require_http_methods(["GET", "HEAD", "POST"])
def organization_submit(request: HttpRequest) -> HttpResponse:
    form = OrganizationSubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (limited := limit_error(request, "organization_submit")):
        form.add_error(None, limited)
    elif request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        _organization, token = onboarding.organization_submit(data=form.cleaned_data, submitted_by=user)
        return redirect("onboarding:organization_status", token=token)
    return render(request, "organizations/organization_submit.html", {"form": form})


def organization_status(request: HttpRequest, token: str) -> HttpResponse:
    with scopes_disabled():
        organization = selectors.organization_by_status_token(token)
    if organization is None:
        raise Http404
    return render(request, "organizations/organization_status.html", {"organization": organization})


@tenant_view(perm="organizations.manage_organization")
@require_http_methods(["GET", "HEAD", "POST"])
def program_submit(request: HttpRequest, organization: str) -> HttpResponse:
    form = ProgramSubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        program = onboarding.program_submit(organization=request.organization, data=form.cleaned_data, by=request.user)
        messages.success(
            request, _("“%(name)s” was submitted. We will email you when it is reviewed.") % {"name": program.name}
        )
        return redirect("organizations:detail", organization=request.organization.slug)
    return render(request, "organizations/program_submit.html", {"form": form})


@tenant_view(perm="organizations.manage_organization")
@require_http_methods(["GET", "HEAD", "POST"])
def onboarding_sessions(request: HttpRequest, organization: str) -> HttpResponse:
    signup = OnboardingSignup.objects.filter(organization=request.organization).select_related("slot").first()
    form = OnboardingSignupForm(request.POST or None, slots=selectors.open_onboarding_slots())
    if request.method == "POST" and form.is_valid() and (limited := limit_error(request, "onboarding_signup")):
        form.add_error(None, limited)
        return render(request, "organizations/onboarding.html", {"form": form, "signup": signup}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            onboarding.onboarding_sign_up(
                organization=request.organization, slot=form.cleaned_data["slot"], by=request.user
            )
        except onboarding.OnboardingError as error:
            form.add_error("slot", str(error))
        else:
            messages.success(request, _("You are signed up for the onboarding session."))
            return redirect("organizations:onboarding", organization=request.organization.slug)
    return render(request, "organizations/onboarding.html", {"form": form, "signup": signup})


@tenant_view(perm="organizations.manage_organization")
@require_http_methods(["GET", "HEAD", "POST"])
def access_request(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    program = request.program
    existing = AccessRequest.objects.filter(program=program).first()
    initial = {"admin_email": program.admin_email}
    form = AccessRequestForm(request.POST or None, initial=initial)
    allowed = onboarding.can_request_access(program) and not (existing and existing.status == "pending")
    status = 200
    if request.method == "POST" and allowed and form.is_valid() and (limited := limit_error(request, "access_request")):
        form.add_error(None, limited)
        status = 429
    elif request.method == "POST" and allowed and form.is_valid():
        onboarding.access_request_submit(program=program, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Your access request was sent. We will email you when it is reviewed."))
        return redirect(program.get_absolute_url())
    context = {"form": form, "allowed": allowed, "existing": existing}
    return render(request, "organizations/access_request.html", context, status=status)

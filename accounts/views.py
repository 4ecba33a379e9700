from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import ProfileForm
from matching.selectors import next_steps
from organizations.selectors import memberships_of


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "accounts/landing.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = memberships_of(request.user)
    steps = next_steps(memberships)
    for membership in memberships:
        membership.next_step = steps.get(membership.pk)
    organizations = [
        (organization, list(rows)) for organization, rows in groupby(memberships, key=lambda m: m.organization)
    ]
    return render(request, "accounts/home.html", {"organizations": organizations})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, request.FILES or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("profile_edit")
    return render(request, "accounts/profile_edit.html", {"form": form})


def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/terms.html", {"terms_version": settings.TERMS_VERSION})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html")

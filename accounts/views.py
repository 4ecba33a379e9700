from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import ProfileForm


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "accounts/landing.html")


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

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import AccountDeleteForm, ProfileForm
from accounts.models import ERASE_AFTER
from accounts.services import calendar_token_reset, user_delete
from mentorship.mail import absolute_url


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


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """A new private calendar address, shown on this answer only (its token is kept hashed)."""
    token = calendar_token_reset(user=request.user)
    feed_url = absolute_url(reverse("calendar_feed", args=[token]))
    form = ProfileForm(instance=request.user)
    return render(request, "accounts/profile_edit.html", {"form": form, "feed_url": feed_url})


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete one's own account after a confirmation: logged out at once, restorable by staff for 30 days."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user_delete(user=request.user)
        logout(request)
        messages.success(
            request,
            _("Your account is deleted. Within %(days)d days, write to us to restore it; after that it is erased.")
            % {"days": ERASE_AFTER.days},
        )
        return redirect("landing")
    return render(request, "accounts/account_delete.html", {"form": form, "days": ERASE_AFTER.days})


def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/terms.html", {"terms_version": settings.TERMS_VERSION})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html")

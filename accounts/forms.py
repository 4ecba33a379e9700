from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import TIME_ZONE_CHOICES, User
from accounts.services import user_record_signup


def terms_label() -> str:
    return format_html(
        _('I accept the <a href="{}">terms of use</a> and the <a href="{}">privacy notice</a>'),
        reverse("terms"),
        reverse("privacy"),
    )


class SignupForm(forms.Form):
    """The extra fields of allauth's signup: name, language, time zone and consent."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("My browser's language")), *settings.LANGUAGES], required=False
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="UTC")
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and the privacy notice"),
        required=True,
        error_messages={"required": _("Please accept the terms of use and the privacy notice to continue.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"].label = terms_label()

    def signup(self, request, user: User) -> None:
        data = self.cleaned_data
        user_record_signup(
            user=user, full_name=data["full_name"], language=data["language"], time_zone=data["timezone"]
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "full_name",
            "photo",
            "bio",
            "languages",
            "location",
            "language",
            "timezone",
            "notify_requests",
            "notify_sessions",
            "notify_reminders",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Not chosen: the browser's language, else the organization's (accounts.language).
        self.fields["language"].choices = [("", _("My browser's language")), *settings.LANGUAGES]
        self.fields["language"].help_text = _(
            "Without a choice, pages follow your browser's language, else your organization's."
        )


class AccountDeleteForm(forms.Form):
    """The confirmation step of deleting one's own account."""

    confirm = forms.BooleanField(
        label=_("Yes, delete my account"),
        error_messages={"required": _("Tick the box to confirm that you want to delete your account.")},
    )

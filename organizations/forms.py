from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.forms import SignupForm
from accounts.models import User
from accounts.widgets import LightSelect
from organizations.models import AccessRequest, OnboardingSlot, Organization, Program, Role


class _QueriedOnce(forms.models.ModelChoiceIterator):
    """The choices from the queryset itself (one plain query, its rows kept for the form), not from
    ``queryset.iterator()``: on PostgreSQL that is a server-side cursor (DECLARE, FETCH, CLOSE, and WITH HOLD
    outside a transaction), which took 10 ms of the invitations page for an organization's two programs."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ProgramChoiceField(forms.ModelChoiceField):
    """A choice of one of an organization's few programs (see ``_QueriedOnce``)."""

    iterator = _QueriedOnce


class LowercaseEmailsMixin:
    """Addresses are compared without regard to case everywhere: store them lowercased."""

    def clean(self) -> dict:
        data = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, forms.EmailField) and data.get(name):
                data[name] = data[name].strip().lower()
        return data


class OrganizationSubmitForm(LowercaseEmailsMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "website", "description", "contact_name", "contact_email", "contact_phone", "admin_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("description", "contact_name", "contact_email"):
            self.fields[name].required = True


class ProgramSubmitForm(LowercaseEmailsMixin, forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "description", "audience", "mentoring_format", "languages", "expected_size", "admin_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("description", "audience", "languages", "admin_email"):
            self.fields[name].required = True
        self.fields["expected_size"].min_value = 1


class OnboardingSignupForm(forms.Form):
    slot = forms.ModelChoiceField(
        label=_("Onboarding session"), queryset=OnboardingSlot.objects.none(), widget=forms.RadioSelect
    )

    def __init__(self, *args, slots, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.fields["slot"].label_from_instance = lambda slot: (
            f"{slot.starts_at:%A %d %B %Y, %H:%M} ({slot.duration_minutes} min) · "
            + (str(_("%(n)s places left")) % {"n": max(slot.capacity - slot.taken, 0)})
        )


class AccessRequestForm(LowercaseEmailsMixin, forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ["admin_name", "admin_email", "start_date", "mentors_expected", "mentees_expected", "goals"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}), "goals": forms.Textarea(attrs={"rows": 4})}


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Required to reject. It is emailed to the submitter."),
        required=False,  # approving needs none; the review service refuses a rejection without one
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason.required_when = "reject"  # so the form does not call it "(optional)"


INVITE_ROLES = [
    (Role.MENTEE, _("Mentee")),
    (Role.MENTOR, _("Mentor")),
    (Role.PROGRAM_ADMIN, _("Program admin")),
    (Role.ORGANIZATION_ADMIN, _("Organization admin")),
]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Invite as"), choices=INVITE_ROLES)
    program = ProgramChoiceField(label=_("Program"), queryset=Program.objects.none(), required=False)

    def __init__(self, *args, programs=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if programs is None:  # inviting into one program: no program choice, no organization admins
            del self.fields["program"]
            self.fields["role"].choices = INVITE_ROLES[:3]
        else:
            self.fields["program"].queryset = programs
            self.fields["program"].empty_label = _("The whole organization")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("role") == Role.PROGRAM_ADMIN and "program" in self.fields and not data.get("program"):
            self.add_error("program", _("Choose the program this person will run."))
        if data.get("role") == Role.ORGANIZATION_ADMIN:
            data["program"] = None
        return data


class InvitationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: email, role (mentor, mentee or admin) and, for the organization, program."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2_000_000:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        content = upload.read()
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("Save the file as CSV in UTF-8 and upload it again.")) from error
        return content


class AddMentorForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    program = ProgramChoiceField(label=_("Program"), queryset=Program.objects.none(), required=False)

    def __init__(self, *args, programs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["program"].empty_label = _("No program yet")


class InvitationRegisterForm(SignupForm):
    """Registration from an invitation: the email is fixed, so only the rest is asked."""

    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    field_order = ["full_name", "password1", "password2", "language", "timezone", "accept_terms"]

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class PeopleFilterForm(forms.Form):
    """Who a program's or an organization's people page lists: a search and a role."""

    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, widget=LightSelect)  # no template per option

    def __init__(self, *args, roles=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"
        self.fields["role"].choices = [("", _("All roles")), *[(role.value, role.label) for role in roles]]

    def filters(self) -> dict[str, str]:
        """The valid choices; what is missing or invalid lists everyone."""
        data = self.cleaned_data if self.is_valid() else {}
        return {"search": (data.get("q") or "").strip(), "role": data.get("role") or ""}


class DefaultLanguageForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["default_language"]

"""The activity form with its schedule, the observation form, the oversight settings, the dashboard's dates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import TIME_ZONE_CHOICES
from mentorship.oversight.models import Activity, OversightSettings, Visibility
from mentorship.oversight.services import DateInput
from organizations.models import Membership


class PersonChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.full_name or obj.user.email


class ActivityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES, help_text=_("The schedule's start and end times are in it.")
    )
    mentees = PersonChoices(
        label=_("Mentees attending"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mentors = PersonChoices(
        label=_("Mentors assigned"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, program, mentees, mentors, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.program, self.activity = program, activity
        self.fields["mentees"].queryset = mentees
        self.fields["mentors"].queryset = mentors

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Activity.objects.filter(program=self.program, name__iexact=name)
        if self.activity is not None:
            others = others.exclude(pk=self.activity.pk)
        if others.exists():
            raise forms.ValidationError(_("The program already has an activity with this name."))
        return name


class DateForm(forms.Form):
    """One dated session of the schedule; a row left empty is ignored."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    local_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Start"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("End"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    remove = forms.BooleanField(label=_("Remove this date"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        filled = [data.get(k) for k in ("local_date", "start_time", "end_time")]
        if any(filled) and not all(filled) and not data.get("remove"):
            raise forms.ValidationError(_("Give this date a day, a start and an end."))
        if all(filled) and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The end must be after the start."))
        return data

    @property
    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(k) for k in ("local_date", "start_time", "end_time"))

    def date_input(self) -> DateInput:
        data = self.cleaned_data
        return DateInput(data["local_date"], data["start_time"], data["end_time"], data.get("place", "").strip())


DateFormSet = forms.formset_factory(DateForm, extra=3, max_num=200, absolute_max=200)


def initial_dates(activity: Activity | None) -> list[dict]:
    if activity is None:
        return []
    return [
        {"id": d.pk, "local_date": d.local_date, "start_time": d.start_time, "end_time": d.end_time, "place": d.place}
        for d in activity.dates.all()
    ]


def schedule_changes(formset, activity: Activity | None) -> tuple[list, list, dict]:
    """New dates, removed dates and changed dates from a valid schedule formset."""
    existing = {d.pk: d for d in activity.dates.all()} if activity else {}
    new, removed, changed = [], [], {}
    for form in formset.forms:
        data = form.cleaned_data
        known = existing.get(data.get("id"))
        if known is not None and data.get("remove"):
            removed.append(known)
        elif known is not None and not form.is_blank:
            changed[known] = form.date_input()
        elif known is None and not form.is_blank and not data.get("remove"):
            new.append(form.date_input())
    return new, removed, changed


def duplicate_dates(formset) -> bool:
    seen = set()
    for form in formset.forms:
        data = form.cleaned_data
        if form.is_blank or data.get("remove"):
            continue
        key = (data["local_date"], data["start_time"])
        if key in seen:
            return True
        seen.add(key)
    return False


class SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.local_date:%Y-%m-%d} {obj.local_time:%H:%M}"


class ObservationForm(forms.Form):
    """A dated observation; when added, optionally about one activity or mentorship session."""

    observed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Observation"), widget=forms.Textarea(attrs={"rows": 4}))
    activity = forms.ModelChoiceField(
        label=_("About the activity"), queryset=Activity.objects.none(), required=False, empty_label=_("None")
    )
    session = SessionChoice(
        label=_("About the mentorship session"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    visibility = forms.ChoiceField(
        label=_("Who sees it"), choices=Visibility.choices, initial=Visibility.PRIVATE, widget=forms.RadioSelect
    )

    def __init__(self, *args, activities=None, bookings=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["activity"]
            del self.fields["session"]
            return
        self.fields["activity"].queryset = activities
        self.fields["session"].queryset = bookings

    def clean(self) -> dict:
        data = super().clean()
        if data.get("activity") and data.get("session"):
            raise forms.ValidationError(_("Choose an activity or a mentorship session, not both."))
        return data


class OversightSettingsForm(forms.ModelForm):
    class Meta:
        model = OversightSettings
        fields = ["mentees_see_observations"]

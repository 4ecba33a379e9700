"""The program's settings page: one form over the program's flows and numbers, its session requests and the
life of its pairings, in the groups the page shows."""

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from mentorship.pairings.models import PairingSettings
from organizations.models import Program
from sessions_app.models import SessionSettings

PROGRAM_FIELDS = [
    "ranked_matching_enabled",
    "mentee_requests_enabled",
    "mentor_offers_enabled",
    "self_booking_enabled",
    "autopairing_enabled",
    "max_choices",
    "response_days",
    "reminder_enabled",
    "reminder_hours",
    "recommendations_count",
    "default_capacity",
    "max_capacity",
    "cycle_starts_on",
    "cycle_ends_on",
]
SESSION_FIELDS = ["requests_per_day", "session_pairs"]
PAIRING_FIELDS = ["agreement_enabled", "quiet_days", "feedback_shared_with_pair"]

# The page's fieldsets: a legend, then its fields, in order.
GROUPS = [
    (
        _("Which flows are on"),
        [
            "ranked_matching_enabled",
            "mentee_requests_enabled",
            "mentor_offers_enabled",
            "self_booking_enabled",
            "autopairing_enabled",
            "session_pairs",
            "requests_per_day",
        ],
    ),
    (_("Ranked selection"), ["max_choices", "response_days", "reminder_enabled", "reminder_hours"]),
    (_("Recommendations and capacities"), ["recommendations_count", "default_capacity", "max_capacity"]),
    (_("Life of a pairing"), PAIRING_FIELDS),
    (_("Cycle"), ["cycle_starts_on", "cycle_ends_on"]),
]

# In the words of the help centre (seeds 000 and 001).
LABELS = {
    "ranked_matching_enabled": _("Mentees rank the mentors they want; each mentor in turn accepts or declines"),
    "mentee_requests_enabled": _("Mentees can send “Request a Session” to a mentor"),
    "mentor_offers_enabled": _("Mentors can tell a mentee “I want to mentor you!”"),
    "self_booking_enabled": _("Mentees can book a mentor's published sessions"),
    "autopairing_enabled": _("Program admins can “Auto-pair all”"),
    "max_choices": _("Mentors a mentee may rank"),
    "response_days": _("Days a mentor has to answer a request"),
    "reminder_enabled": _("Remind the mentor before the deadline"),
    "reminder_hours": _("Hours before the deadline for the reminder"),
    "quiet_days": _("Days without activity before a pair needs a check-in"),
}
HELP = {
    "max_choices": _("From 1 to 10."),
    "response_days": _("From 1 to 30. The next choice is asked when the days are over."),
    "reminder_hours": _("Sent once, this many hours before the deadline."),
    "default_capacity": _("Mentees at once for a mentor who has not set their own number."),
    "max_capacity": _("No mentor takes more, whatever their own number."),
    "cycle_ends_on": _("At its end, active pairings are completed."),
}


def _with_model_bounds(model: type[Model], fields: dict[str, forms.Field]) -> dict[str, forms.Field]:
    """The model's own bounds (``MinValueValidator(1)`` ...) on its form fields, in the browser's too."""
    for name, field in fields.items():
        for validator in model._meta.get_field(name).validators:
            if validator not in field.validators:
                field.validators.append(validator)
            if isinstance(validator, MinValueValidator):
                field.widget.attrs["min"] = validator.limit_value
            elif isinstance(validator, MaxValueValidator):
                field.widget.attrs["max"] = validator.limit_value
    return fields


class ProgramSettingsForm(forms.Form):
    """The fields of ``Program``, ``SessionSettings`` and ``PairingSettings`` the page sets, with their
    validators, and the checks between them."""

    def __init__(
        self,
        data: Any = None,
        *,
        program: Program,
        session_settings: SessionSettings,
        pairing_settings: PairingSettings,
    ) -> None:
        initial = {
            **model_to_dict(program, fields=PROGRAM_FIELDS),
            **model_to_dict(session_settings, fields=SESSION_FIELDS),
            **model_to_dict(pairing_settings, fields=PAIRING_FIELDS),
        }
        super().__init__(data, initial=initial)
        for model, names in (
            (Program, PROGRAM_FIELDS),
            (SessionSettings, SESSION_FIELDS),
            (PairingSettings, PAIRING_FIELDS),
        ):
            self.fields.update(_with_model_bounds(model, fields_for_model(model, fields=names)))
        self.fields["quiet_days"] = forms.IntegerField(min_value=1, max_value=365)
        for name, label in LABELS.items():
            self.fields[name].label = label
        for name, text in HELP.items():
            self.fields[name].help_text = text
        for name in ("cycle_starts_on", "cycle_ends_on"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in GROUPS]

    def clean(self) -> dict:
        data = super().clean()
        default, most = data.get("default_capacity"), data.get("max_capacity")
        if default and most and default > most:
            self.add_error("default_capacity", _("It cannot be more than the most mentees a mentor may take."))
        days, hours = data.get("response_days"), data.get("reminder_hours")
        if data.get("reminder_enabled") and days and hours and hours >= days * 24:
            self.add_error(
                "reminder_hours", _("The reminder must come before the deadline: fewer hours than the days to answer.")
            )
        starts, ends = data.get("cycle_starts_on"), data.get("cycle_ends_on")
        if starts and ends and ends <= starts:
            self.add_error("cycle_ends_on", _("The cycle ends after it starts."))
        return data

    def part(self, names: list[str]) -> dict:
        return {name: self.cleaned_data[name] for name in names}

"""The session form (New Session, Edit, Duplicate), Bulk Duplicate, cancel scope, booking mode, filters."""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.widgets import LightSelect
from matching.models import Pairing, PairingStatus
from organizations.models import Group, Membership, Program
from sessions_app import selectors
from sessions_app.models import (
    Location,
    MentorshipSession,
    Mode,
    OfferState,
    RequestState,
    SessionSettings,
    SessionStatus,
)
from sessions_app.recurrence import MAX_OCCURRENCES, Frequency
from sessions_app.services.sessions import Scope, SessionInput


class Enrollment:
    ONLINE = "online"
    IN_PERSON = "in_person"
    BOTH = "both"
    CHOICES = [(ONLINE, _("Online")), (IN_PERSON, _("In-Person")), (BOTH, _("Online and In-Person"))]

    @classmethod
    def of(cls, session: MentorshipSession) -> str:
        if session.online and session.in_person:
            return cls.BOTH
        return cls.ONLINE if session.online else cls.IN_PERSON


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.full_name or obj.user.email


class _ListedChoices(BaseChoiceIterator):
    """Choices from a function returning (value, label) pairs, called when they are listed (Django's
    ``CallableChoiceIterator`` normalizes each of thousands of pairs again on every listing)."""

    def __init__(self, listed: Callable[[], list[tuple[Any, str]]]) -> None:
        self.listed = listed

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        yield from self.listed()


SCOPE_CHOICES = [
    (Scope.THIS, _("Only this session")),
    (Scope.FOLLOWING, _("This and following sessions")),
    (Scope.ALL, _("All sessions of the series")),
]


class SessionForm(forms.Form):
    """A session as its mentor enters it, in the location's local time."""

    mentor = MemberChoice(label=_("Mentor"), queryset=Membership.objects.none())
    mentee = MemberChoice(
        label=_("Mentee"),
        queryset=Membership.objects.none(),
        required=False,
        help_text=_("Added directly: the session appears on their My Sessions and they are emailed."),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=None,
        required=False,
        empty_label=_("Online (the mentor's time zone)"),
    )
    local_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    local_time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=24 * 60, initial=60)
    enrollment = forms.ChoiceField(
        label=_("Enrollment method"), choices=Enrollment.CHOICES, initial=Enrollment.ONLINE, widget=forms.RadioSelect
    )
    meeting_url = forms.CharField(label=_("Meeting URL"), max_length=500, required=False)
    address = forms.CharField(
        label=_("Address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For In-Person sessions; empty uses the location's address."),
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500, initial=1)
    groups = forms.ModelMultipleChoiceField(
        label=_("Restrict session to groups"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only mentees of these groups may book it; none: every mentee of the program."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.ChoiceField(
        label=_("Apply to"), choices=SCOPE_CHOICES, initial=Scope.THIS, required=False, widget=forms.RadioSelect
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        user,
        may_manage: bool,
        in_series: bool = False,
        also_mentee: Membership | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        mentors = selectors.mentors_for(program)
        self.fields["mentor"].queryset = mentors if may_manage else mentors.filter(user=user)
        mentees = self.mentees_offered(program, user, may_manage)
        if also_mentee is not None:
            # The mentee of a session request, or of the session being cloned (F6.1, F6.3).
            mentees = mentees | selectors.mentees_for(program).filter(pk=also_mentee.pk)
        self.fields["mentee"].queryset = mentees
        self.fields["location"].queryset = selectors.locations_for(program)
        self.fields["groups"].queryset = Group.objects.filter(program=program)
        if not self.fields["groups"].queryset.exists():
            del self.fields["groups"]
        if not in_series:
            del self.fields["scope"]
        if not may_manage and "mentor" not in self.initial:
            self.initial["mentor"] = mentors.filter(user=user).first()

    @staticmethod
    def mentees_offered(program: Program, user, may_manage: bool):
        mentees = selectors.mentees_for(program)
        if may_manage:
            return mentees
        # A mentor adds the mentees they are paired with (F5.5: a paired mentor schedules with their mentee).
        paired = Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE, mentor__user=user)
        return mentees.filter(pk__in=paired.values("mentee_id"))

    def clean_meeting_url(self) -> str:
        url = self.cleaned_data["meeting_url"].strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("Enter a valid web address starting with https:// or http://.")
                ) from error
        return url

    def clean(self) -> dict:
        data = super().clean()
        enrollment = data.get("enrollment")
        if enrollment in (Enrollment.ONLINE, Enrollment.BOTH) and not data.get("meeting_url"):
            if "meeting_url" not in self.errors:
                self.add_error("meeting_url", _("A Meeting URL is required when the session is offered Online."))
        if enrollment in (Enrollment.IN_PERSON, Enrollment.BOTH):
            location = data.get("location")
            if not data.get("address") and not (location and location.address):
                self.add_error("address", _("An address is required when the session is offered In-Person."))
        return data

    def session_input(self) -> SessionInput:
        data = self.cleaned_data
        location = data.get("location")
        in_person = data["enrollment"] in (Enrollment.IN_PERSON, Enrollment.BOTH)
        return SessionInput(
            mentor=data["mentor"],
            mentee=data.get("mentee"),
            location=location,
            local_date=data["local_date"],
            local_time=data["local_time"],
            duration_minutes=data["duration_minutes"],
            online=data["enrollment"] in (Enrollment.ONLINE, Enrollment.BOTH),
            in_person=in_person,
            meeting_url=data.get("meeting_url", ""),
            address=(data.get("address") or (location.address if location else "")) if in_person else "",
            seats=data["seats"],
            groups=list(data.get("groups") or []),
            notes=data.get("notes", ""),
        )

    def chosen_scope(self) -> Scope:
        return Scope(self.cleaned_data.get("scope") or Scope.THIS)


def initial_from(session: MentorshipSession, *, next_date: bool = False) -> dict:
    """The form's values from a session: for Edit, or for a Duplicate (a week later, nobody booked)."""
    return {
        "mentor": session.mentor,
        "location": session.location,
        "local_date": session.local_date + timedelta(weeks=1) if next_date else session.local_date,
        "local_time": session.local_time,
        "duration_minutes": session.duration_minutes,
        "enrollment": Enrollment.of(session),
        "meeting_url": session.meeting_url,
        "address": session.address,
        "seats": session.seats,
        "groups": list(session.groups.all()),
        "notes": session.notes,
    }


class BulkDuplicateForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Repeat"),
        choices=[
            (Frequency.WEEKLY, _("Weekly")),
            (Frequency.BIWEEKLY, _("Every two weeks")),
            (Frequency.MONTHLY_WEEKDAY, _("Monthly on the same weekday")),
            (Frequency.MONTHLY_DATE, _("Monthly on the same date")),
        ],
        initial=Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(
        label=_("Number of copies"), min_value=1, max_value=MAX_OCCURRENCES, required=False, initial=4
    )
    until = forms.DateField(
        label=_("Or until (end date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    keep_mentees = forms.BooleanField(
        label=_("Keep the booked mentee in every copy (a recurring series)"), required=False
    )

    def __init__(self, *args: Any, source: MentorshipSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        if not getattr(source, "booked", None):
            del self.fields["keep_mentees"]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("count") and not data.get("until"):
            self.add_error("count", _("Give a number of copies or an end date."))
        until = data.get("until")
        if until and until <= self.source.local_date:
            self.add_error("until", _("The end date must be after the session's date."))
        return data


class CancelForm(forms.Form):
    scope = forms.ChoiceField(label=_("Cancel"), choices=SCOPE_CHOICES, initial=Scope.THIS, widget=forms.RadioSelect)


class FilterForm(forms.Form):
    mentor = MemberChoice(
        label=_("Mentor"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("All"),
        widget=LightSelect,  # every mentor of the program: one option template each took most of the page
    )
    status = forms.ChoiceField(label=_("State"), choices=[("", _("All")), *SessionStatus.choices], required=False)
    day = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mentor = self.fields["mentor"]
        if self.is_bound:  # what a chosen mentor is checked against: built only when there is one to check
            mentor.queryset = selectors.mentors_for(program)
        # What the select lists: thousands of mentors from one kept list, read only when the select is shown.
        mentor.choices = _ListedChoices(lambda: [("", mentor.empty_label), *selectors.mentor_choices(program)])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"mentor": data.get("mentor"), "status": data.get("status") or "", "day": data.get("day")}


class BookForm(forms.Form):
    mode = forms.ChoiceField(label=_("How will you attend?"), choices=Mode.choices, widget=forms.RadioSelect)


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "time_zone", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class SessionSettingsForm(forms.ModelForm):
    class Meta:
        model = SessionSettings
        fields = ["cancel_notice_hours", "requests_per_day", "session_pairs"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Empty keeps the program's default (3 a day).
        self.fields["requests_per_day"].required = False


class SessionRequestForm(forms.Form):
    """ "Request a Session": an optional message to the mentor."""

    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you are requesting a session, and when suits you."),
    )


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the mentee"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OfferForm(forms.Form):
    """ "I want to mentor you!": an optional message to the mentee."""

    message = forms.CharField(
        label=_("Message"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MenteeFilterForm(forms.Form):
    """The mentee search's filters: one per choice question mentees answer (any option picked matches)."""

    def __init__(self, *args: Any, questions: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = {}
        for question in questions:
            name = f"q{question.pk}"
            choices = [("", _("Any"))] + [(str(o.pk), o.label) for o in question.options.all()]
            self.fields[name] = forms.ChoiceField(
                label=question.label(), choices=choices, required=False, widget=LightSelect
            )
            self.questions[name] = question

    def chosen(self) -> list[tuple[Any, int]]:
        """(question, option pk) for each filter set."""
        if not self.is_valid():
            return []
        return [(self.questions[name], int(value)) for name, value in self.cleaned_data.items() if value]


class RequestsFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All")), *RequestState.choices, *OfferState.choices]

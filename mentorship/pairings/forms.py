from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.pairings.models import Agreement, Fit, Message


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=Message.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text; links become clickable."),
    )


class AgreementForm(forms.Form):
    """The mentee's draft: what they want to learn, two to five goals with target dates, how they will meet."""

    learning = forms.CharField(
        label=_("What you want to learn"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    frequency = forms.CharField(
        label=_("How often you will meet"), max_length=200, help_text=_("For example: every two weeks")
    )
    meeting_format = forms.CharField(
        label=_("How you will meet"), max_length=200, help_text=_("For example: online, one hour")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, Agreement.MAX_GOALS + 1):
            self.fields[f"goal_{i}"] = forms.CharField(label=_("Goal %(n)s") % {"n": i}, max_length=300, required=False)
            self.fields[f"goal_{i}_date"] = forms.DateField(
                label=_("Target date of goal %(n)s") % {"n": i},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        self.fields["goal_1"].help_text = _("Two to five goals, each with a target date.")
        for name in ("goal_1", "goal_1_date", "goal_2", "goal_2_date"):
            self.fields[name].required_when = True  # two goals are needed: not marked "(optional)"

    @staticmethod
    def initial_for(agreement) -> dict:
        if agreement is None:
            return {}
        initial = {
            "learning": agreement.learning,
            "frequency": agreement.frequency,
            "meeting_format": agreement.meeting_format,
        }
        for i, goal in enumerate(agreement.goals.all(), start=1):
            initial[f"goal_{i}"], initial[f"goal_{i}_date"] = goal.title, goal.target_date
        return initial

    def clean(self):
        data = super().clean()
        goals = []
        for i in range(1, Agreement.MAX_GOALS + 1):
            title, date = (data.get(f"goal_{i}") or "").strip(), data.get(f"goal_{i}_date")
            if title and not date and f"goal_{i}_date" not in self.errors:
                self.add_error(f"goal_{i}_date", _("Give this goal a target date."))
            elif date and not title:
                self.add_error(f"goal_{i}", _("Say what this goal is, or clear its date."))
            elif title:
                goals.append((title, date))
        if len(goals) < Agreement.MIN_GOALS and not self.errors:
            self.add_error("goal_1", _("Set two to five goals."))
        data["goals"] = goals
        return data


class AgreementDecisionForm(forms.Form):
    change_request = forms.CharField(
        label=_("What should change"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to ask for changes; leave empty to sign."),
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the session? (1 to 4)"),
        choices=[(n, str(n)) for n in range(1, 5)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1: not useful · 4: very useful"),
    )
    went_well = forms.CharField(
        label=_("What went well"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    private_note = forms.CharField(
        label=_("A private note for the program's administrators"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, asks_fit: bool, questions, **kwargs):
        super().__init__(*args, **kwargs)
        if asks_fit:
            self.fields["fit"] = forms.ChoiceField(
                label=_("Is this pairing a good fit?"), choices=Fit.choices, widget=forms.RadioSelect
            )
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.CharField(
                label=question.text, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def extra_answers(self) -> dict:
        return {str(q.pk): self.cleaned_data[f"q{q.pk}"] for q in self.questions if self.cleaned_data.get(f"q{q.pk}")}


class FeedbackQuestionForm(forms.Form):
    text = forms.CharField(label=_("New question"), max_length=300)


class CycleForm(forms.Form):
    cycle_starts_on = forms.DateField(
        label=_("Cycle starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cycle_ends_on = forms.DateField(
        label=_("Cycle ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Two weeks before, everyone gets the end-of-program survey; at the end, active pairings complete."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("cycle_starts_on"), data.get("cycle_ends_on")
        if start and end and end <= start:
            self.add_error("cycle_ends_on", _("The cycle ends after it starts."))
        return data


class CycleSurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How likely are you to recommend this program to a friend? (0 to 10)"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    keep = forms.CharField(
        label=_("What should the program keep?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NewCycleForm(CycleForm):
    """The next cycle of a program: its name and its dates; everything else is copied."""

    name = forms.CharField(
        label=_("Name of the new cycle"), max_length=200, help_text=_("For example: Spring mentoring 2027")
    )
    field_order = ["name", "cycle_starts_on", "cycle_ends_on"]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def clean_name(self):
        from mentorship.pairings.cycles import name_taken

        name = self.cleaned_data["name"].strip()
        if name_taken(self.program, name):
            raise forms.ValidationError(_("A program of this organization already has this name."))
        return name

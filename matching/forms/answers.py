from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.widgets import LightCheckboxSelectMultiple, LightRadioSelect, LightSelect, LightTypedChoiceField
from matching.capacity import capacity_of
from matching.models import Question, QuestionKind
from organizations.models import Membership


def _field(question: Question, role: str) -> forms.Field:
    label = question.wording_for(role)
    options = [(o.pk, o.label) for o in question.options.all()]
    common = {"label": label, "required": False}
    if question.kind == QuestionKind.SINGLE:
        return forms.TypedChoiceField(choices=options, coerce=int, widget=LightRadioSelect, empty_value=None, **common)
    if question.kind == QuestionKind.MULTIPLE:
        return forms.TypedMultipleChoiceField(choices=options, coerce=int, widget=LightCheckboxSelectMultiple, **common)
    if question.kind == QuestionKind.SCALE:
        scale = [(n, str(n)) for n in range(1, 6)]
        return forms.TypedChoiceField(choices=scale, coerce=int, widget=LightRadioSelect, empty_value=None, **common)
    if question.kind == QuestionKind.NUMBER:
        return forms.IntegerField(min_value=question.min_value, max_value=question.max_value, **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)


def _initial(question: Question, value):
    if value is None:
        return None
    if question.kind == QuestionKind.SINGLE:
        return value[0] if value else None
    return value


class QuestionnaireForm(forms.Form):
    """The program's questions for one role; saving keeps partial answers, progress shows the rest."""

    def __init__(self, *args, questions: list[Question], membership: Membership, answers: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = {f"q{q.pk}": q for q in questions}
        for name, question in self.questions.items():
            field = _field(question, membership.role)
            field.initial = _initial(question, answers.get(question.pk))
            field.help_text = _("Required") if question.required else ""
            self.fields[name] = field
        if membership.role == "mentor":
            program = membership.program
            self.fields["capacity"] = forms.IntegerField(
                label=_("How many mentees can you mentor at once?"),
                min_value=1,
                max_value=program.max_capacity,
                initial=capacity_of(program, membership.capacity),
                help_text=_("At most %(n)s in this program.") % {"n": program.max_capacity},
            )

    def answers(self) -> dict[Question, object]:
        """The valid answers as stored (option ids in a list, a number, or text); none for a field in error."""
        result = {}
        for name, question in self.questions.items():
            if name in self.errors:
                continue
            value = self.cleaned_data.get(name)
            if question.kind == QuestionKind.SINGLE and value is not None:
                value = [value]
            elif question.kind == QuestionKind.TEXT:
                value = (value or "").strip()
            result[question] = value
        return result


def _profile_field(db_field, **kwargs) -> forms.Field | None:
    if db_field.name == "timezone":  # ~600 choices: shared by every form, not copied for each
        kwargs["choices_form_class"] = LightTypedChoiceField
    return db_field.formfield(**kwargs)


class ProgramProfileForm(forms.ModelForm):
    """Step 1 of joining a program: the profile others see."""

    class Meta:
        model = User
        fields = ["full_name", "photo", "bio", "languages", "location", "timezone"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4}), "timezone": LightSelect}
        formfield_callback = _profile_field

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("bio", "languages", "location"):
            self.fields[name].required = True


class EndPairingForm(forms.Form):
    reason = forms.CharField(label=_("Why does the pairing end?"), widget=forms.Textarea(attrs={"rows": 3}))


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False)

"""The questionnaire builder's forms: a question with its options, and the wish-and-offer mapping."""

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching.labels import short_label
from matching.models import MatchRule, Option, Question, QuestionKind
from matching.services.questionnaire import QUESTION_FIELDS, question_problems

RULE_EXPLANATIONS = [
    (MatchRule.SAME, _("the pair scores when they chose the same option (on multiple choice: any option in common).")),
    (MatchRule.OVERLAP, _("the more of the mentee's options the mentor also chose, the higher the score.")),
    (
        MatchRule.MAPPING,
        _(
            "a mentee's answer is met by the mentor answers you tick for it after saving "
            "(by default the same option): “wants to learn Python” is met by “can teach Python”."
        ),
    ),
    (MatchRule.CLOSENESS, _("the nearer the two numbers, the higher the score.")),
    (
        MatchRule.REQUIRE,
        _("a pair with no option in common is never proposed (for example a common language); it adds no points."),
    ),
]


def rule_help() -> SafeString:
    """A short explanation of each matching rule, shown under the rule field."""
    items = format_html_join("", "<li><strong>{}</strong>: {}</li>", ((r.label, text) for r, text in RULE_EXPLANATIONS))
    intro = gettext("Free text is shown to the other side, never scored.")
    return format_html("<ul>{}</ul>{}", items, intro)


class QuestionForm(forms.ModelForm):
    """A question of the questionnaire; its options are typed one per line."""

    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "For single and multiple choice: one option per line, in the order shown. "
            "Renaming an option removes the old one: whoever chose it answers again."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "text",
            "mentor_text",
            "audience",
            "kind",
            "options",
            "min_value",
            "max_value",
            "required",
            "rule",
            "weight",
            "reason_label",
        ]
        labels = {
            "text": _("Question"),
            "mentor_text": _("Wording for mentors"),
            "audience": _("Who answers"),
            "kind": _("Kind of answer"),
            "min_value": _("Lowest value"),
            "max_value": _("Highest value"),
            "required": _("Required: people must answer it to complete the questionnaire"),
            "rule": _("Matching rule"),
            "weight": _("Weight"),
            "reason_label": _("Short name in match reasons"),
        }
        help_texts = {
            "text": _("As mentees see it, and mentors too unless you word it for them below."),
            "mentor_text": _("Leave empty to ask mentors the same. For example: “Which subjects can you teach?”"),
            "kind": _("Changing the kind of an answered question clears answers: you are told how many first."),
            "min_value": _("Number questions only. A scale always runs from 1 to 5."),
            "max_value": _("Number questions only."),
            "weight": _("From 1 to 10: how much this question counts in the match score. A hard requirement has none."),
            "reason_label": _(
                "Match reasons read “Languages: both English”. Leave empty and a short name is suggested "
                "from the question when it counts in matching."
            ),
        }
        widgets = {
            "text": forms.TextInput(attrs={"size": 60}),
            "mentor_text": forms.TextInput(attrs={"size": 60}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].help_text = rule_help()
        self.fields["kind"].choices = QuestionKind.choices  # no empty choice: every question has a kind
        self.fields["weight"].widget.attrs["min"] = 1
        if self.instance.pk:  # also when bound: has_changed() compares what was typed with what is saved
            self.initial["options"] = "\n".join(option.label for option in self.instance.options.all())

    def has_unsaved_input(self) -> bool:
        """Whether the posted data holds question fields that differ from the saved question."""
        return self.is_bound and any(name in self.data for name in self.fields) and self.has_changed()

    def clean_options(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, message in question_problems(data=cleaned, options=cleaned.get("options", [])).items():
            if name not in self.errors:
                self.add_error(name, message)
        self.suggested_label = ""
        if cleaned.get("rule") and not cleaned.get("reason_label") and cleaned.get("text"):
            # Reasons read "Subjects: both Mathematics", not the whole question: suggest a short name.
            self.suggested_label = cleaned["reason_label"] = short_label(cleaned["text"])
        return cleaned

    def question_data(self) -> dict[str, Any]:
        """The question's own fields, as the services take them."""
        return {name: self.cleaned_data[name] for name in QUESTION_FIELDS}


class MappingForm(forms.Form):
    """For each option a mentee may choose (a wish), the mentor options that meet it."""

    def __init__(self, *args: Any, options: list[Option], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        choices = [(option.pk, option.label) for option in options]
        for option in options:
            self.fields[f"option_{option.pk}"] = forms.TypedMultipleChoiceField(
                label=_("A mentee who answers “%(label)s” is met by a mentor who answers") % {"label": option.label},
                choices=choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                initial=[target.pk for target in option.satisfied_by.all()] or [option.pk],
                error_messages={"required": _("Tick at least one answer that meets this one.")},
            )

    def mapping(self) -> dict[int, list[int]]:
        return {option.pk: self.cleaned_data[f"option_{option.pk}"] for option in self.options}

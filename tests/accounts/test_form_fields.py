# ruff: noqa: E501 - BEFORE is the template as it was, its lines unbroken
"""``{% form_fields %}`` (partials/form.html) lays a form out as the template it replaced did: labels,
"(optional)" marks, help texts, errors and their ids, fieldsets for choices, checkboxes after their input."""

import pytest
from django import forms
from django.template import engines
from django.test.html import parse_html
from django.utils.translation import override

from accounts.widgets import LightCheckboxSelectMultiple, LightRadioSelect

# The template partials/form.html was before it became a tag: the layout the tag must keep.
BEFORE = """{% load i18n %}{% include "partials/error_summary.html" %}
{% for field in form.hidden_fields %}{{ field }}{% endfor %}
{% for field in form.visible_fields %}
  {% with kind=field.widget_type %}
  {% if kind == "radioselect" or kind == "checkboxselectmultiple" or kind == "lightradioselect" or kind == "lightcheckboxselectmultiple" %}
  <fieldset class="field choices{% if field.errors %} has-error{% endif %}"{% if field.help_text or field.errors %} aria-describedby="{% if field.help_text %}{{ field.auto_id }}_helptext{% endif %}{% if field.errors %} {{ field.auto_id }}_error{% endif %}"{% endif %}>
    <legend>{{ field.label }}{% if field.field.required or field.field.required_when %}{% elif field.help_text != _("Required") %} <span class="optional">{% translate "(optional)" %}</span>{% endif %}</legend>
    {{ field }}
  {% else %}
  <div class="field{% if field.errors %} has-error{% endif %}{% if kind == 'checkbox' %} checkbox{% endif %}">
    {% if kind == 'checkbox' %}
      {{ field }} <label for="{{ field.id_for_label }}">{{ field.label }}</label>
    {% else %}
      <label for="{{ field.id_for_label }}">{{ field.label }}{% if not field.field.required and not field.field.required_when and field.help_text != _("Required") %} <span class="optional">{% translate "(optional)" %}</span>{% endif %}</label>
      {{ field }}
    {% endif %}
  {% endif %}
    {% if field.help_text %}<div class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text|safe }}</div>{% endif %}
    {% if field.errors %}<p class="error" id="{{ field.auto_id }}_error">{{ field.errors|join:" " }}</p>{% endif %}
  {% if kind == "radioselect" or kind == "checkboxselectmultiple" or kind == "lightradioselect" or kind == "lightcheckboxselectmultiple" %}</fieldset>{% else %}</div>{% endif %}
  {% endwith %}
{% endfor %}
"""

CHOICES = [("a", "Apples & <pears>"), ("b", "Bananas")]


class EveryKind(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, initial="t<1>")
    name = forms.CharField(label='Name "full" <b>', help_text="As <em>shown</em> to others", max_length=20)
    nickname = forms.CharField(required=False)
    said = forms.CharField(required=False, help_text="Required")
    reason = forms.CharField(required=False, widget=forms.Textarea, help_text="When you reject it")
    agree = forms.BooleanField(label="I agree", help_text="Read the terms")
    optional_box = forms.BooleanField(required=False)
    colour = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    fruits = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
    light_one = forms.ChoiceField(choices=CHOICES, widget=LightRadioSelect, help_text="Pick one")
    light_many = forms.MultipleChoiceField(choices=CHOICES, widget=LightCheckboxSelectMultiple, required=False)
    pick = forms.ChoiceField(choices=CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required_when = "reject"

    def clean(self):
        if self.data.get("name") == "clash":
            raise forms.ValidationError("Two things <clash>.")
        return super().clean()


def _both(form) -> tuple:
    engine = engines["django"]
    before = engine.from_string(BEFORE).render({"form": form})
    after = engine.from_string('{% include "partials/form.html" %}').render({"form": form})
    return parse_html(before), parse_html(after)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"name": "x" * 30, "colour": "z", "fruits": ["a", "q"], "light_one": "b"},
        {"name": "clash", "agree": "on", "colour": "a", "light_one": "a", "pick": "b", "said": "<s>"},
        {"name": "fine", "agree": "on", "colour": "a", "light_one": "a", "token": "t"},
    ],
    ids=["unbound", "empty", "invalid choices", "a form error", "valid"],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_tag_lays_out_every_kind_of_field_as_the_template_did(data, language):
    with override(language):
        form = EveryKind(data) if data is not None else EveryKind()
        before, after = _both(form)
    assert after == before


def test_the_layout_is_what_a_person_reads(db):
    form = EveryKind({"name": "", "colour": "a", "light_one": "a"})
    page = engines["django"].from_string('{% include "partials/form.html" %}').render({"form": form})
    assert 'id="error-summary-title"' in page
    assert '<a href="#id_name">Name &quot;full&quot; &lt;b&gt;: This field is required.</a>' in page
    assert '<label for="id_nickname">Nickname <span class="optional">(optional)</span></label>' in page
    assert '<label for="id_said">Said</label>' in page  # its help text says "Required"
    assert '<label for="id_reason">Reason</label>' in page  # required_when: its help text says when
    assert '<div class="help" id="id_name_helptext">As <em>shown</em> to others</div>' in page
    assert '<p class="error" id="id_name_error">This field is required.</p>' in page
    assert '<fieldset class="field choices" aria-describedby="id_light_one_helptext">' in page
    assert '<label for="id_agree">I agree</label>' in page


# The template portal/_settings_field.html was, for each field of a program settings group, before the tag.
SETTINGS_FIELD_BEFORE = """{% load i18n %}{% for field in fields %}{% with kind=field.widget_type %}<div class="field{% if field.errors %} has-error{% endif %}{% if kind == 'checkbox' %} checkbox{% endif %}">
  {% if kind == 'checkbox' %}{{ field }} <label for="{{ field.id_for_label }}">{{ field.label }}</label>
  {% else %}<label for="{{ field.id_for_label }}">{{ field.label }}{% if not field.field.required %} <span class="optional">{% translate "(optional)" %}</span>{% endif %}</label>
  {{ field }}{% endif %}
  {% if field.help_text %}<div class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</div>{% endif %}
  {% if field.errors %}<p class="error" id="{{ field.auto_id }}_error">{{ field.errors|join:" " }}</p>{% endif %}
</div>{% endwith %}{% endfor %}"""


class Settings(forms.Form):
    enabled = forms.BooleanField(required=False, label="Session requests <on>", help_text="Mentees & mentors")
    days = forms.IntegerField(min_value=1, max_value=30, label="Days to answer", help_text="From 1 to 30")
    note = forms.CharField(required=False, widget=forms.Textarea, label="A note")
    mode = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, help_text="<b>Pick</b> one")
    zone = forms.ChoiceField(choices=CHOICES, required=False)


@pytest.mark.parametrize("data", [None, {}, {"days": "40", "mode": "q"}, {"enabled": "on", "days": "3", "mode": "a"}])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_settings_fields_are_laid_out_as_the_template_laid_them_out(data, language):
    form = Settings(data)
    engine = engines["django"]
    fields = [form[name] for name in form.fields]
    with override(language):
        before = engine.from_string(SETTINGS_FIELD_BEFORE).render({"fields": fields})
        after = engine.from_string("{% load form_fields %}{% settings_fields fields %}").render({"fields": fields})
    assert parse_html(after) == parse_html(before)
    assert "Mentees &amp; mentors" in after and "&lt;b&gt;Pick&lt;/b&gt; one" in after

from django import forms
from django.template.loader import render_to_string

from accounts.models import TIME_ZONE_CHOICES
from accounts.widgets import LightCheckboxSelectMultiple, LightRadioSelect, LightSelect


def test_light_select_renders_the_same_select_as_django():
    choices = [("UTC", "UTC"), ("Europe/Paris", "Europe/Paris"), ("America/New_York", "America/New York")]
    attrs = {"id": "id_timezone", "required": True, "aria-describedby": "help"}
    ours = LightSelect(choices=choices).render("timezone", "Europe/Paris", attrs)
    django = forms.Select(choices=choices).render("timezone", "Europe/Paris", attrs)
    assert ours.replace("\n", "").replace("  ", "") == django.replace("\n", "").replace("  ", "")
    assert '<option value="Europe/Paris" selected>Europe/Paris</option>' in ours


def test_light_select_escapes_and_lists_every_time_zone():
    html = LightSelect(choices=[*TIME_ZONE_CHOICES, ("<x>", "<b>")]).render("tz", None)
    assert html.count("<option") == len(TIME_ZONE_CHOICES) + 1
    assert "&lt;b&gt;" in html and "<b>" not in html and " selected" not in html


class _Choices(forms.Form):
    single = forms.TypedChoiceField(choices=[(1, "One <b>"), (2, "Two")], coerce=int, widget=forms.RadioSelect)
    several = forms.TypedMultipleChoiceField(
        choices=[(1, "One"), (2, "Two & co")], coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    grouped = forms.ChoiceField(choices=[("Group", [("x", "X"), ("y", "Y")]), ("z", "Z")], widget=forms.RadioSelect)


def _light(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        light = (
            LightCheckboxSelectMultiple if isinstance(field.widget, forms.CheckboxSelectMultiple) else LightRadioSelect
        )
        field.widget = light(choices=field.widget.choices)
    return form


def test_light_radios_and_checkboxes_render_django_s_html_exactly():
    """Unbound, bound with choices checked, and with errors (aria-invalid, required): the same bytes."""
    for data in (None, {"single": "2", "several": ["1", "2"], "grouped": "y"}, {"single": "9"}):
        django, ours = _Choices(data), _light(_Choices(data))
        if data:
            django.is_valid(), ours.is_valid()
        for name in ("single", "several", "grouped"):
            assert str(ours[name]) == str(django[name])
    checked = str(_light(_Choices({"single": "2", "several": ["2"], "grouped": "z"}))["several"])
    assert 'value="2" id="id_several_1" checked' in checked and "Two &amp; co" in checked


def test_questionnaire_choices_are_fieldsets_with_the_light_widgets():
    html = render_to_string("partials/form.html", {"form": _light(_Choices())})
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3

"""The form renderer (accounts.renderers): the inputs and text areas it renders in Python are, byte for byte,
what Django's templates give, for every kind of input, value and attribute; the other widgets still render
through their templates."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override
from hypothesis import given
from hypothesis import strategies as st

from accounts.renderers import FormRenderer

DJANGO = DjangoTemplates()
OURS = FormRenderer()

INPUTS = [
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.FileInput,
    forms.CheckboxInput,
    forms.Textarea,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
]
VALUES = [
    None,
    "",
    "plain",
    "quotes \" and ' and <tags> & ampersands",
    mark_safe("<b>safe</b>"),
    gettext_lazy("Required"),
    0,
    1234,
    Decimal("12.50"),
    datetime.date(2026, 12, 4),
    datetime.datetime(2026, 12, 4, 9, 30),
    True,
    False,
    "line\nbreak",
]
ATTRS = [
    {},
    {"id": "id_x", "class": "wide", "required": True, "disabled": False},
    {"placeholder": 'say "hi" <now>', "maxlength": 150, "aria-describedby": "id_x_helptext"},
    {"data-none": None, "autofocus": True, "min": 0, "step": Decimal("0.5")},
    {"value-safe": mark_safe("&amp;")},
]


def _both(widget, value, attrs):
    return (
        widget.render("field", value, attrs=attrs, renderer=DJANGO),
        widget.render("field", value, attrs=attrs, renderer=OURS),
    )


@pytest.mark.parametrize("widget_class", INPUTS, ids=lambda c: c.__name__)
def test_every_input_renders_as_the_templates_render_it(widget_class):
    assert OURS.python, "the renderer recognised none of Django's templates: it would render nothing in Python"
    for value in VALUES:
        for attrs in ATTRS:
            for language in ("en", "fr"):
                with override(language):
                    django_html, our_html = _both(widget_class(), value, attrs)
                assert our_html == django_html, (widget_class.__name__, value, attrs, language)


@given(value=st.text(), attr=st.text(), name=st.text(min_size=1).filter(lambda s: s.strip()))
def test_any_text_renders_as_the_templates_render_it(value, attr, name):
    for widget_class in (forms.TextInput, forms.Textarea, forms.HiddenInput):
        widget = widget_class(attrs={"title": attr, name: attr})
        assert widget.render(name, value, renderer=OURS) == widget.render(name, value, renderer=DJANGO)


CHOICE_WIDGETS = [forms.Select, forms.SelectMultiple, forms.RadioSelect, forms.CheckboxSelectMultiple]
CHOICES = [
    [],
    [("", "---------"), ("a", "A <1>"), ("b", 'B "quoted" & more')],
    [(1, 1), (2, 1234567), (3, Decimal("2.5")), (4, datetime.date(2026, 12, 4))],
    [(True, gettext_lazy("Yes")), (False, gettext_lazy("No")), (None, mark_safe("<b>maybe</b>"))],
    [("Group <g>", [("x", "X"), ("y", "Y")]), ("z", "Z"), (gettext_lazy("Required"), [(5, "five")])],
]
CHOSEN = [None, "", "a", ["a", "b"], 2, [1, 3], True, False, "x", ["x", "z", 5]]
CHOICE_ATTRS = [{}, {"id": "id_c"}, {"id": "id_c", "class": "choices <wide>", "required": True}, {"class": "c"}]


@pytest.mark.parametrize("widget_class", CHOICE_WIDGETS, ids=lambda c: c.__name__)
def test_every_choice_widget_renders_as_the_templates_render_it(widget_class):
    assert widget_class.template_name in OURS.python, "the choice widgets would render through their templates"
    for choices in CHOICES:
        for chosen in CHOSEN:
            for attrs in CHOICE_ATTRS:
                for language in ("en", "fr"):
                    widget = widget_class(choices=choices)
                    with override(language):
                        django_html, our_html = _both(widget, chosen, attrs)
                    assert our_html == django_html, (widget_class.__name__, choices, chosen, attrs, language)


@given(label=st.text(), value=st.text(), group=st.text())
def test_any_choice_text_renders_as_the_templates_render_it(label, value, group):
    choices = [(value, label), (group or None, [(label, value)])] if group else [(value, label)]
    for widget_class in CHOICE_WIDGETS:
        widget = widget_class(choices=choices, attrs={"id": label, "class": group})
        assert widget.render(value, value, renderer=OURS) == widget.render(value, value, renderer=DJANGO)


def test_a_boolean_select_and_a_field_of_a_form_render_as_the_templates_render_them():
    class Form(forms.Form):
        answer = forms.NullBooleanField()
        colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect)
        tags = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)

    form = Form({"answer": "true", "colour": "g", "tags": ["b"]})
    html = form.render(renderer=OURS)
    assert html == form.render(renderer=DJANGO)
    assert '<option value="true" selected>' in html and 'name="colour" value="g"' in html


class CustomOption(forms.Select):
    option_template_name = "django/forms/widgets/radio_option.html"  # any template the Python does not stand for


def test_a_choice_widget_whose_options_have_another_template_renders_through_its_templates():
    widget = CustomOption(choices=[("a", "A"), ("b", "B")])
    assert widget.render("s", "b", renderer=OURS) == widget.render("s", "b", renderer=DJANGO)
    assert '<label><input type="select" name="s" value="b" selected>' in widget.render("s", "b", renderer=OURS)


def test_the_python_renderings_cover_the_plain_inputs_the_choices_and_nothing_with_more_to_it():
    python = set(OURS.python)
    assert {
        "django/forms/widgets/text.html",
        "django/forms/widgets/email.html",
        "django/forms/widgets/checkbox.html",
        "django/forms/widgets/textarea.html",
        "django/forms/widgets/select.html",
        "django/forms/widgets/radio.html",
        "django/forms/widgets/checkbox_select.html",
    } <= python
    assert "django/forms/widgets/clearable_file_input.html" not in python
    assert "django/forms/widgets/multiwidget.html" not in python
    assert "django/forms/widgets/select_date.html" not in python


def test_a_clearable_file_input_and_a_multi_widget_still_render_through_their_templates():
    upload = forms.ClearableFileInput()
    assert upload.render("f", None, renderer=OURS) == upload.render("f", None, renderer=DJANGO)
    dates = forms.SelectDateWidget(years=[2026, 2027])
    assert dates.render("d", "2026-12-04", renderer=OURS) == dates.render("d", "2026-12-04", renderer=DJANGO)
    split = forms.SplitDateTimeWidget()
    assert split.render("t", None, renderer=OURS) == split.render("t", None, renderer=DJANGO)

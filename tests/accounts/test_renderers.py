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


def test_the_python_renderings_cover_the_plain_inputs_and_nothing_with_more_to_it():
    python = set(OURS.python)
    assert {
        "django/forms/widgets/text.html",
        "django/forms/widgets/email.html",
        "django/forms/widgets/checkbox.html",
        "django/forms/widgets/textarea.html",
    } <= python
    assert "django/forms/widgets/select.html" not in python
    assert "django/forms/widgets/clearable_file_input.html" not in python
    assert "django/forms/widgets/input_option.html" not in python


def test_a_select_and_a_clearable_file_input_still_render_through_their_templates():
    select = forms.Select(choices=[("a", "A <1>"), ("b", "B")])
    assert select.render("s", "b", renderer=OURS) == select.render("s", "b", renderer=DJANGO)
    assert '<option value="b" selected>B</option>' in select.render("s", "b", renderer=OURS)
    upload = forms.ClearableFileInput()
    assert upload.render("f", None, renderer=OURS) == upload.render("f", None, renderer=DJANGO)

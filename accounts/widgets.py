"""Widgets for long choice lists."""

import copy
from functools import lru_cache
from typing import NamedTuple

from django import forms
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


class LightSelect(forms.Select):
    """A ``<select>`` rendered in one pass of Python instead of one template per option.

    For flat lists of hundreds of choices (the ~600 time zones), where Django's
    option templates made the profile page's render several times slower. Same
    HTML as ``forms.Select`` for flat choices: no optgroups.
    """

    def __deepcopy__(self, memo):
        # Each form copies its fields' widgets; ``forms.Select`` copies (and normalizes again) every choice.
        # The choices are shared instead: a form that changes them assigns new ones, it never edits them.
        obj = copy.copy(self)
        obj.attrs = self.attrs.copy()
        memo[id(self)] = obj
        return obj

    def render(self, name, value, attrs=None, renderer=None) -> str:
        final_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        rendered_attrs = format_html_join(
            "",
            "{}",
            (
                (format_html(" {}", key) if val is True else format_html(' {}="{}"', key, val),)
                for key, val in final_attrs.items()
                if val is not False and val is not None
            ),
        )
        listed = _options(tuple(self.choices), get_language())
        parts = None
        for raw in set(self.format_value(value)):
            for index in listed.at.get(raw, ()):
                parts = parts or list(listed.plain)
                parts[index] = listed.selected[index]
        options = listed.joined if parts is None else "".join(parts)
        # Every value and label in ``options`` was escaped by conditional_escape (_options).
        return format_html("<select{}>{}</select>", rendered_attrs, mark_safe(options))  # nosec B308 B703


class _Options(NamedTuple):
    plain: tuple[str, ...]  # each choice's <option>, not selected
    selected: tuple[str, ...]  # the same, selected
    joined: str  # every plain option, in order
    at: dict[str, tuple[int, ...]]  # value as compared -> where it is in the list


@lru_cache(maxsize=32)
def _options(choices: tuple, language: str | None) -> _Options:
    """The <option> tags of a list of choices, escaped and joined once per list and language (a lazily
    translated label is escaped in the language it is shown in): the ~600 time zones were escaped on every
    view of the profile page, and a filter's thousands of mentors built on every view of the sessions page."""
    plain, selected, at = [], [], {}
    for index, (key, label) in enumerate(choices):
        value, text = conditional_escape(key), conditional_escape(label)
        plain.append(f'<option value="{value}">{text}</option>')
        selected.append(f'<option value="{value}" selected>{text}</option>')
        at[str(key)] = (*at.get(str(key), ()), index)
    return _Options(tuple(plain), tuple(selected), "".join(plain), at)


class _LightMultipleInput:
    """Radio buttons or checkboxes for a questionnaire's dozen choice questions: rendered in one pass of Python
    by the form renderer (accounts.renderers, the same HTML as Django's templates), as every radio and checkbox
    list now is; the class names stay, as the fields' ``widget_type`` (``lightradioselect``, ...), which
    ``{% form_fields %}`` lays out as any list of choices."""


class LightTypedChoiceField(forms.TypedChoiceField):
    """``forms.TypedChoiceField`` for a long fixed list (the ~600 time zones): each form shares the choices
    rather than deep-copying them (assigning new choices to one form's field still changes that form's only)."""

    def __deepcopy__(self, memo):
        result = super(forms.ChoiceField, self).__deepcopy__(memo)
        result._choices = self._choices
        return result


class LightRadioSelect(_LightMultipleInput, forms.RadioSelect):
    """``forms.RadioSelect``, rendered without templates (see ``_LightMultipleInput``)."""


class LightCheckboxSelectMultiple(_LightMultipleInput, forms.CheckboxSelectMultiple):
    """``forms.CheckboxSelectMultiple``, rendered without templates (see ``_LightMultipleInput``)."""

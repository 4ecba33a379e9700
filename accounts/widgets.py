"""Widgets for long choice lists."""

from django import forms
from django.utils.html import format_html, format_html_join


class LightSelect(forms.Select):
    """A ``<select>`` rendered in one pass of Python instead of one template per option.

    For flat lists of hundreds of choices (the ~600 time zones), where Django's
    option templates made the profile page's render several times slower. Same
    HTML as ``forms.Select`` for flat choices: no optgroups.
    """

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
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>{}</select>", rendered_attrs, options)

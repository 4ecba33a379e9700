"""``{% form_fields form %}``: the fields of a form as ``partials/form.html`` lays them out, in one pass of Python.

``{% settings_fields fields %}`` does the same for the fields of the program settings' groups, as
``portal/_settings_field.html`` laid them out (help texts escaped, every field not required marked optional).

The partial's template logic (a label, an "(optional)" mark, help text and errors for each field, a fieldset
for choices) cost more than the widgets themselves: 1.6 ms of the profile form's 2.2 (issue 9). The HTML is
the template's, whitespace aside; the error summary that starts a form with errors is still its template.
"""

from django import template
from django.forms import BoundField, Form
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

CHOICES = frozenset({"radioselect", "checkboxselectmultiple", "lightradioselect", "lightcheckboxselectmultiple"})

_e = conditional_escape


def _optional(field: BoundField) -> str:
    """' (optional)' for a field that is not required, unless it says when it is (required_when) or its help
    text already says "Required"."""
    if field.field.required or getattr(field.field, "required_when", None):
        return ""
    if field.help_text == gettext("Required"):
        return ""
    return f' <span class="optional">{_e(gettext("(optional)"))}</span>'


def _field(field: BoundField) -> str:
    kind, auto_id = field.widget_type, field.auto_id
    errors = field.errors
    error_class = " has-error" if errors else ""
    help_html = f'<div class="help" id="{_e(auto_id)}_helptext">{field.help_text}</div>' if field.help_text else ""
    error_html = ""
    if errors:
        error_html = f'<p class="error" id="{_e(auto_id)}_error">{" ".join(_e(e) for e in errors)}</p>'
    if kind in CHOICES:
        described = ""
        if field.help_text or errors:
            ids = (f"{_e(auto_id)}_helptext" if field.help_text else "") + (f" {_e(auto_id)}_error" if errors else "")
            described = f' aria-describedby="{ids}"'
        return (
            f'<fieldset class="field choices{error_class}"{described}>'
            f"<legend>{_e(field.label)}{_optional(field)}</legend>{field}{help_html}{error_html}</fieldset>"
        )
    if kind == "checkbox":
        inner = f'{field} <label for="{_e(field.id_for_label)}">{_e(field.label)}</label>'
        return f'<div class="field{error_class} checkbox">{inner}{help_html}{error_html}</div>'
    label = f'<label for="{_e(field.id_for_label)}">{_e(field.label)}{_optional(field)}</label>'
    return f'<div class="field{error_class}">{label}{field}{help_html}{error_html}</div>'


@register.simple_tag
def form_fields(form: Form) -> SafeString:
    """The error summary (when the form has errors), the hidden fields, then each visible field."""
    parts = [render_to_string("partials/error_summary.html", {"form": form})] if form.errors else []
    parts.extend(str(field) for field in form.hidden_fields())
    parts.extend(_field(field) for field in form.visible_fields())
    # Labels, ids and errors are escaped (_e); widgets are rendered by Django (safe); help texts are marked safe
    # by the forms that write them, as the template's ``|safe`` took them.
    return mark_safe("\n".join(parts))  # nosec B308 B703


def _settings_field(field: BoundField) -> str:
    kind, auto_id, errors = field.widget_type, field.auto_id, field.errors
    classes = (" has-error" if errors else "") + (" checkbox" if kind == "checkbox" else "")
    if kind == "checkbox":
        inner = f'{field} <label for="{_e(field.id_for_label)}">{_e(field.label)}</label>'
    else:
        optional = "" if field.field.required else f' <span class="optional">{_e(gettext("(optional)"))}</span>'
        inner = f'<label for="{_e(field.id_for_label)}">{_e(field.label)}{optional}</label>\n{field}'
    if field.help_text:
        inner += f'\n<div class="help" id="{_e(auto_id)}_helptext">{_e(field.help_text)}</div>'
    if errors:
        inner += f'\n<p class="error" id="{_e(auto_id)}_error">{_e(" ".join(str(e) for e in errors))}</p>'
    return f'<div class="field{classes}">\n{inner}\n</div>'


@register.simple_tag
def settings_fields(fields) -> SafeString:
    """Each of these bound fields with its label, "(optional)" mark, help text and errors."""
    # Labels, ids, help texts and errors are escaped (_e); widgets are rendered by Django (safe).
    return mark_safe("".join(_settings_field(field) for field in fields))  # nosec B308 B703

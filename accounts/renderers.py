"""The form renderer: Django's, with its plainest widget templates rendered in Python (issue 9).

Each ``<input>`` and ``<textarea>`` Django renders goes through two templates (``input.html`` and
``attrs.html``), about 0.25 ms a field here: most of a form's cost beside the page. The templates that are
exactly an ``<input>`` (``text.html``, ``email.html``, ``checkbox.html``, ... each only includes
``input.html``), ``input.html`` itself and ``textarea.html`` are rendered by Python into the same HTML, from
the same widget context; every other template (and any of these the project overrides) renders as before.
Which templates qualify is read from Django's own files when the renderer starts, so a Django release that
changes them falls back to the templates instead of rendering something else.
"""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

WIDGETS = Path(django.forms.__file__).parent / "templates" / "django" / "forms" / "widgets"

# The two templates the Python below stands for, as Django ships them; and what a template that is only an
# <input> contains.
INPUT = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
    "value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>'
)
ATTRS = (
    "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
)
TEXTAREA = (
    '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
    "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>"
)
ONLY_INPUT = '{% include "django/forms/widgets/input.html" %}'

_CONTEXT = Context(autoescape=True)  # read only: how render_value_in_context localizes and escapes


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: ``%s`` of the value, escaped unless it was safe already."""
    text = "%s" % (value,)  # noqa: UP031 - stringformat's own formatting, tuples included
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> SafeString:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    tag = (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )
    # Every value in ``tag`` is escaped above, as the template's autoescape would; the rest is fixed text.
    return mark_safe(tag)  # nosec B308 B703


def _textarea(widget: dict) -> SafeString:
    value = render_value_in_context(widget["value"], _CONTEXT) if widget["value"] else ""
    tag = f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    # The name and attributes are escaped above and the value by render_value_in_context, as the template's.
    return mark_safe(tag)  # nosec B308 B703


def _shipped(name: str) -> str | None:
    try:
        return (WIDGETS / name).read_text().strip()  # the renderer strips what a template gives
    except OSError:
        return None


def _python_renderings() -> dict:
    """Template name -> its Python rendering, for the templates whose shipped text is what the Python renders."""
    if _shipped("input.html") != INPUT or _shipped("attrs.html") != ATTRS:
        return {}
    found = {"django/forms/widgets/input.html": _input}
    if _shipped("textarea.html") == TEXTAREA:
        found["django/forms/widgets/textarea.html"] = _textarea
    for path in sorted(WIDGETS.glob("*.html")):
        if path.read_text().strip() == ONLY_INPUT:
            found[f"django/forms/widgets/{path.name}"] = _input
    return found


class FormRenderer(DjangoTemplates):
    """Django's default renderer (its templates, its engine), with the plain inputs rendered in Python."""

    def __init__(self) -> None:
        super().__init__()
        self.python = _python_renderings()

    def render(self, template_name, context, request=None):
        rendering = self.python.get(template_name)
        if rendering is not None and self._not_overridden(template_name):
            return rendering(context["widget"])
        return super().render(template_name, context, request)

    def _not_overridden(self, template_name: str) -> bool:
        """True when the template the engine would load is Django's own file (no project template named so)."""
        known = self.__dict__.setdefault("_checked", {})
        if template_name not in known:
            origin = self.get_template(template_name).origin.name
            known[template_name] = Path(origin).resolve() == (WIDGETS / Path(template_name).name).resolve()
        return known[template_name]

"""The form renderer: Django's, with its plainest widget templates rendered in Python (issue 9).

Each ``<input>`` and ``<textarea>`` Django renders goes through two templates (``input.html`` and
``attrs.html``), about 0.25 ms a field here: most of a form's cost beside the page. A ``<select>``, a list of
radio buttons or of checkboxes goes through three or four templates *per choice* (a questionnaire's choices
took 9.6 ms of its page). The templates that are exactly an ``<input>`` (``text.html``, ``email.html``,
``checkbox.html``, ... each only includes ``input.html``), ``input.html`` itself, ``textarea.html``,
``select.html`` with its options and the radio and checkbox lists with theirs are rendered by Python into the
same HTML, from the same widget context; every other template (and any of these, or of the templates they
include, that the project overrides) renders as before. Which templates qualify is read from Django's own files
when the renderer starts, so a Django release that changes them falls back to the templates instead of
rendering something else.
"""

from __future__ import annotations

from functools import partial
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
SELECT = (
    '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
    '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
    "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
    "  </optgroup>{% endif %}{% endfor %}\n"
    "</select>"
)
SELECT_OPTION = (
    '<option value="{{ widget.value|stringformat:\'s\' }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{{ widget.label }}</option>"
)
MULTIPLE_INPUT = (
    '{% with id=widget.attrs.id %}<div{% if id %} id="{{ id }}"{% endif %}'
    '{% if widget.attrs.class %} class="{{ widget.attrs.class }}"{% endif %}>'
    "{% for group, options, index in widget.optgroups %}{% if group %}\n"
    "  <div><label>{{ group }}</label>{% endif %}{% for option in options %}<div>\n"
    "    {% include option.template_name with widget=option %}</div>{% endfor %}{% if group %}\n"
    "  </div>{% endif %}{% endfor %}\n"
    "</div>{% endwith %}"
)
INPUT_OPTION = (
    '{% if widget.wrap_label %}<label{% if widget.attrs.id %} for="{{ widget.attrs.id }}"{% endif %}>{% endif %}'
    '{% include "django/forms/widgets/input.html" %}{% if widget.wrap_label %} {{ widget.label }}</label>{% endif %}'
)
ONLY_MULTIPLE_INPUT = '{% include "django/forms/widgets/multiple_input.html" %}'
ONLY_INPUT_OPTION = '{% include "django/forms/widgets/input_option.html" %}'

_CONTEXT = Context(autoescape=True)  # read only: how render_value_in_context localizes and escapes


def _text(value) -> str:
    """``{{ value }}``: localized and escaped as a template would."""
    return render_value_in_context(value, _CONTEXT)


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


class _Fallback(Exception):
    """An option of a choice widget has a template the Python does not stand for: the widget's template renders."""


class _Choices:
    """The Python renderings of the choice widgets; ``tails`` holds what an ``{% include %}`` of each template
    adds after its text (the file's last newline: the renderer strips only what the outermost template gives)."""

    def __init__(self, tails: dict[str, str], option_templates: set[str]) -> None:
        self.tails, self.option_templates = tails, option_templates

    def _option(self, option: dict, expected: str) -> str:
        if option["template_name"] != expected or expected not in self.option_templates:
            raise _Fallback
        return self.tails[expected]

    def select(self, widget: dict) -> SafeString:
        option_template = "django/forms/widgets/select_option.html"
        html = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in group_choices:
                tail = self._option(option, option_template)
                html.append(
                    f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{_text(option['label'])}</option>{tail}"
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        # Every value is escaped above (_text, _formatted, _attrs), as the templates' autoescape would.
        return mark_safe("".join(html))  # nosec B308 B703

    def multiple(self, widget: dict, option_template: str) -> SafeString:
        attrs = widget["attrs"]
        html = ["<div"]
        if attrs.get("id"):
            html.append(f' id="{_text(attrs["id"])}"')
        if attrs.get("class"):
            html.append(f' class="{_text(attrs["class"])}"')
        html.append(">")
        for group, options, _index in widget["optgroups"]:
            if group:
                html.append(f"\n  <div><label>{_text(group)}</label>")
            for option in options:
                tail = self._option(option, option_template)
                html.append(f"<div>\n    {self._input_option(option)}{tail}</div>")
            if group:
                html.append("\n  </div>")
        html.append("\n</div>")
        # Every value is escaped above and in _input, as the templates' autoescape would.
        return mark_safe("".join(html))  # nosec B308 B703

    def _input_option(self, option: dict) -> str:
        tag = _input(option) + self.tails["django/forms/widgets/input.html"]
        if not option["wrap_label"]:
            return tag
        target = f' for="{_text(option["attrs"]["id"])}"' if option["attrs"].get("id") else ""
        return f"<label{target}>{tag} {_text(option['label'])}</label>"


def _raw(name: str) -> str | None:
    try:
        return (WIDGETS / name).read_text()
    except OSError:
        return None


def _shipped(name: str) -> str | None:
    raw = _raw(name)
    return None if raw is None else raw.strip()  # the renderer strips what a template gives


def _tail(name: str) -> str | None:
    """What an include of the template adds after its stripped text; None when it starts with white space."""
    raw = _raw(name) or ""
    return raw[len(raw.rstrip()) :] if raw == raw.lstrip() else None


# Template name -> the templates its rendering includes, each of which must be Django's own file.
INCLUDES = {
    "django/forms/widgets/select.html": ("attrs.html", "select_option.html"),
    "django/forms/widgets/radio.html": ("multiple_input.html", "radio_option.html", "input_option.html"),
    "django/forms/widgets/checkbox_select.html": ("multiple_input.html", "checkbox_option.html", "input_option.html"),
}


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
    names = ["input.html", "select_option.html", "radio_option.html", "checkbox_option.html", "input_option.html"]
    tails = {f"django/forms/widgets/{name}": _tail(name) for name in names}
    if None in tails.values():
        return found
    options = set()
    if _shipped("select_option.html") == SELECT_OPTION:
        options.add("django/forms/widgets/select_option.html")
    if _shipped("input_option.html") == INPUT_OPTION:
        # radio_option.html includes input_option.html: what it adds is input_option's tail, then its own.
        for name in ("radio_option.html", "checkbox_option.html"):
            if _shipped(name) == ONLY_INPUT_OPTION:
                options.add(f"django/forms/widgets/{name}")
                tails[f"django/forms/widgets/{name}"] = (
                    tails["django/forms/widgets/input_option.html"] + tails[f"django/forms/widgets/{name}"]
                )
    choices = _Choices(tails, options)
    if _shipped("select.html") == SELECT and "django/forms/widgets/select_option.html" in options:
        found["django/forms/widgets/select.html"] = choices.select
    if _shipped("multiple_input.html") == MULTIPLE_INPUT:
        for name, option in (("radio.html", "radio_option.html"), ("checkbox_select.html", "checkbox_option.html")):
            if _shipped(name) == ONLY_MULTIPLE_INPUT and f"django/forms/widgets/{option}" in options:
                found[f"django/forms/widgets/{name}"] = partial(
                    choices.multiple, option_template=f"django/forms/widgets/{option}"
                )
    return found


class FormRenderer(DjangoTemplates):
    """Django's default renderer (its templates, its engine), with the plain inputs rendered in Python."""

    def __init__(self) -> None:
        super().__init__()
        self.python = _python_renderings()

    def render(self, template_name, context, request=None):
        rendering = self.python.get(template_name)
        if rendering is not None and self._not_overridden(template_name):
            try:
                return rendering(context["widget"])
            except _Fallback:
                pass
        return super().render(template_name, context, request)

    def _not_overridden(self, template_name: str) -> bool:
        """True when the template the engine would load is Django's own file (no project template named so), and
        so is each template its rendering includes."""
        known = self.__dict__.setdefault("_checked", {})
        if template_name not in known:
            names = [Path(template_name).name, "input.html", "attrs.html", *INCLUDES.get(template_name, ())]
            known[template_name] = all(
                Path(self.get_template(f"django/forms/widgets/{name}").origin.name).resolve()
                == (WIDGETS / name).resolve()
                for name in names
            )
        return known[template_name]

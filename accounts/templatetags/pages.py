"""``{% page_query param number %}``: the current query string with ``param`` set to page ``number``.

``{% querystring %}`` names its parameter in the template; a page with two lists (session requests and
offers, upcoming and past sessions) pages each under its own name, given by the includer of
``partials/pages.html``.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"

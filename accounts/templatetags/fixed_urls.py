"""``{% fixed_url "name" %}``: ``{% url "name" %}`` for a URL without arguments, reversed once a process.

The site's layout reverses half a dozen such URLs on every page (home, profile, log out, terms...), about
0.1 ms each (issue 9); a URL without arguments only changes with the script prefix or the URLconf, which
are part of the key.
"""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    return _reversed(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _reversed(name: str, prefix: str, urlconf) -> str:
    return reverse(name)

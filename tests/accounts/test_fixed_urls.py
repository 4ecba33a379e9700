"""``{% fixed_url %}`` gives what ``{% url %}`` gives, under whatever script prefix the site is served from."""

from django.template import engines
from django.urls import clear_script_prefix, set_script_prefix

TEMPLATE = "{% load fixed_urls %}{% fixed_url 'terms' %}|{% url 'terms' %}|{% fixed_url 'home' %}|{% url 'home' %}"


def _render() -> list[str]:
    return engines["django"].from_string(TEMPLATE).render({}).split("|")


def test_the_fixed_url_is_the_reversed_one_and_follows_the_script_prefix():
    fixed_terms, terms, fixed_home, home = _render()
    assert (fixed_terms, fixed_home) == (terms, home) and terms.startswith("/")
    set_script_prefix("/mentoring/")
    try:
        fixed_terms, terms, fixed_home, home = _render()
    finally:
        clear_script_prefix()
    assert (fixed_terms, fixed_home) == (terms, home) and terms.startswith("/mentoring/")
    assert _render()[0] == _render()[1] and not _render()[0].startswith("/mentoring/")

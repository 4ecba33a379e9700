"""Which language a person reads: their profile's, else their browser's, else their organization's default.

Pages: the profile's language when chosen; else what the browser asks for (the language cookie of the
language switcher, then Accept-Language); else the default language of the person's organization; else
LANGUAGE_CODE. Emails follow the same order, with the browser's language as it was at the person's last login
(``User.browser_language``), since no browser is there when a worker sends them.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django_scopes import scopes_disabled

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def supported(code: str | None) -> str | None:
    """``code`` as one of LANGUAGES (``fr-CA`` is ``fr``), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def browser_language(request) -> str | None:
    """The language the browser asks for: the language switcher's cookie, else Accept-Language; None if neither
    names a language of the site."""
    cookie = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if cookie:
        return cookie
    for code, _quality in parse_accept_lang_header(request.headers.get("accept-language", "")):
        if code == "*":
            continue
        if found := supported(code):
            return found
    return None


def organization_language(user, organization=None) -> str | None:
    """The default language of ``organization``, else of the person's first organization (by membership)."""
    if organization is None and user is not None and user.pk:
        kept = getattr(user, "organization_language", None)
        if kept is not None:  # kept by organizations.models.tenancy.refresh_organization_language: no query
            return kept or None
        with scopes_disabled():  # the person's own memberships, whatever page (or worker) asks
            membership = user.memberships.select_related("organization").order_by("pk").first()
        organization = membership.organization if membership else None
    return getattr(organization, "default_language", None) or None


def language_for(user, organization=None, request=None) -> str:
    """The language of ``user`` (None: someone signed out) by the order above; ``request`` gives the browser's."""
    if user is not None and getattr(user, "language", ""):
        return user.language
    browser = browser_language(request) if request is not None else (getattr(user, "browser_language", "") or None)
    if browser:
        return browser
    return organization_language(user, organization) or settings.LANGUAGE_CODE

"""Fetching an identity provider's metadata or OpenID configuration, guarded against SSRF.

An organization admin types the URL, so the server must not become a way to
reach our own network: https only, every address the name resolves to must be
public, a timeout and a size limit. ``SSO_ALLOW_PRIVATE_URLS`` lifts the
address and scheme checks (the tests' identity provider on 127.0.0.1).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _


class FetchError(Exception):
    pass


def check_url(url: str) -> None:
    """Raise FetchError unless ``url`` may be fetched."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise FetchError(_("Enter a full address, starting with https://."))
    if settings.SSO_ALLOW_PRIVATE_URLS:
        if parts.scheme not in ("http", "https"):
            raise FetchError(_("Enter a full address, starting with https://."))
        return
    if parts.scheme != "https":
        raise FetchError(_("The address must start with https://."))
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise FetchError(_("The address’s host name could not be found.")) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise FetchError(_("The address points to a private network, which is not allowed."))


def fetch(url: str) -> bytes:
    """The body at ``url``, at most SSO_FETCH_MAX_BYTES, or FetchError."""
    check_url(url)
    limit = settings.SSO_FETCH_MAX_BYTES
    try:
        with requests.get(url, timeout=settings.SSO_FETCH_TIMEOUT, stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise FetchError(_("The address answered %(status)s.") % {"status": response.status_code})
            body = b""
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > limit:
                    raise FetchError(_("The document at this address is too large."))
            return body
    except requests.RequestException as error:
        raise FetchError(_("The address could not be reached.")) from error

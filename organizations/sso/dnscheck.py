"""Reading a domain's TXT records, for email domain verification (dnspython)."""

import dns.exception
import dns.resolver
from django.conf import settings
from django.utils.translation import gettext as _


class DnsError(Exception):
    pass


def _resolver() -> dns.resolver.Resolver:
    server = settings.SSO_DNS_NAMESERVER
    if not server:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        host, _sep, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        resolver.nameservers = [host]
        resolver.port = int(port or 53)
    resolver.lifetime = settings.SSO_DNS_TIMEOUT
    return resolver


def txt_records(name: str) -> list[str]:
    """The TXT strings published at ``name`` (each record's parts joined); [] when there is none."""
    try:
        answer = _resolver().resolve(name, "TXT", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as error:
        raise DnsError(_("The DNS could not be asked just now. Try again in a few minutes.")) from error
    return [b"".join(record.strings).decode("utf-8", errors="replace") for record in answer]

"""A tiny real DNS server for the tests (dnslib, UDP on a free local port): TXT records a test publishes."""

from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer


class Zone(BaseResolver):
    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}

    def publish(self, name: str, *values: str) -> None:
        self.txt.setdefault(name.rstrip(".").lower(), []).extend(values)

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if request.q.qtype == QTYPE.TXT:
            for value in self.txt.get(name, []):
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        if not reply.rr and not any(n == name or n.endswith("." + name) for n in self.txt):
            reply.header.rcode = 3  # NXDOMAIN
        return reply


class _Quiet:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def start() -> tuple[Zone, DNSServer]:
    zone = Zone()
    server = DNSServer(zone, address="127.0.0.1", port=0, logger=_Quiet())
    server.start_thread()
    return zone, server

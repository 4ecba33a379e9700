"""Security events: one structured line each on the ``mentorship.security`` logger.

A line reads ``security_event=<name> key=value ...`` (keys sorted), and the record carries the same as
``extra`` (``security_event``, ``security_fields``) for a JSON formatter. Never log a token, a password or
a full email address: pass addresses through ``masked`` (their domain only).
"""

import json
import logging

security_log = logging.getLogger("mentorship.security")


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def masked(email: str) -> str:
    """An address for the log: its domain only (no full emails in the log)."""
    return f"***@{domain_of(email)}" if email else ""


def _clean(value) -> str:
    """One logfmt value: quoted (JSON string) when it holds a space, a quote, an ``=`` or a line break, so a
    value can never forge another field or line."""
    text = "" if value is None else str(value)
    if any(c.isspace() or c in '"=\\' for c in text):
        return json.dumps(text)
    return text


def security_event(event: str, **fields) -> None:
    """Log one security event as a ``key=value`` line."""
    line = " ".join(f"{key}={_clean(value)}" for key, value in sorted(fields.items()))
    security_log.info("security_event=%s %s", event, line, extra={"security_event": event, "security_fields": fields})


def client_ip(request) -> str:
    """The address allauth's rate limits count (it honours the proxy settings allauth is given)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter().get_client_ip(request)
    except Exception:  # noqa: BLE001 - a log line must never break the request
        return request.META.get("REMOTE_ADDR", "")

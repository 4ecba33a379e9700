"""Secret tokens for emailed links.

A token is 256 random bits, shown once (in the email) and stored only as a
SHA-256 hash that also binds it to one purpose, so a token issued for one kind
of link never opens another. Expiry and single use live on the row that holds
the hash: a link is used up by the state change it makes.
"""

import hashlib
import secrets


def hash_token(raw: str, purpose: str) -> str:
    return hashlib.sha256(f"{purpose}:{raw}".encode()).hexdigest()


def new_token(purpose: str) -> tuple[str, str]:
    """A fresh (raw token, stored hash) pair for ``purpose``."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw, purpose)

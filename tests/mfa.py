"""Second factors in the tests: a known TOTP secret, and its codes computed here (RFC 6238), as an app would."""

import base64
import hashlib
import hmac
import struct
import time

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32, test only


def totp_code(secret: str = TOTP_SECRET, at: float | None = None, period: int = 30) -> str:
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def give_totp(user, secret: str = TOTP_SECRET) -> None:
    """An authenticator app for ``user``, as allauth.mfa stores one after its set-up page."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)

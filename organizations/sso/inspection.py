"""What an identity provider sent, read without trusting it: for the admin's "Test sign-on" page only.

A failed test sign-on still shows the admin what arrived (the SAML response's
status, issuer, NameID, audience, validity and attributes; the OpenID Connect
ID token's claims, the IdP's error), beside the exact reason it was refused.
Nothing read here signs anybody in: the checked path is python3-saml's and
allauth's. No token, signature or certificate is kept, only claims and values.
"""

import base64
import binascii

import jwt
from django.utils.translation import gettext as _
from lxml import etree

NS = {
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
MAX_VALUE = 300
MAX_ITEMS = 60
# OpenID Connect claims that are protocol plumbing, not about the person.
HIDDEN_CLAIMS = {"nonce", "at_hash", "c_hash", "sid", "jti"}


def _short(value):
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE else value[:MAX_VALUE] + "…"
    if isinstance(value, list):
        return [_short(v) for v in value[:MAX_ITEMS]]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return _short(str(value))


def plain(values: dict) -> dict:
    """A dict fit for the stored JSON and the page: short values, at most MAX_ITEMS."""
    return {str(k): _short(v) for k, v in list(values.items())[:MAX_ITEMS]}


def saml_response(raw: str | None) -> dict:
    """The readable parts of a base64 SAML Response (unverified), or {} if it is not one."""
    if not raw:
        return {}
    try:
        xml = base64.b64decode(raw, validate=False)
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (binascii.Error, ValueError, etree.XMLSyntaxError):
        return {}
    sent: dict = {}
    codes = [c.get("Value", "").rpartition(":")[2] for c in root.iterfind(".//samlp:StatusCode", NS)]
    if codes:
        sent["status"] = " / ".join(codes)
    message = root.findtext("samlp:Status/samlp:StatusMessage", namespaces=NS)
    if message:
        sent["status_message"] = _short(message.strip())
    sent["issuer"] = _short((root.findtext("saml:Issuer", namespaces=NS) or "").strip())
    sent["response_signed"] = root.find("ds:Signature", NS) is not None
    assertion = root.find("saml:Assertion", NS)
    if assertion is None:
        if root.find("saml:EncryptedAssertion", NS) is not None:
            sent["assertion"] = _("encrypted (switch off assertion encryption at the identity provider)")
        return sent
    sent["assertion_signed"] = assertion.find("ds:Signature", NS) is not None
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    if name_id is not None:
        sent["name_id"] = _short((name_id.text or "").strip())
        sent["name_id_format"] = name_id.get("Format", "")
    conditions = assertion.find("saml:Conditions", NS)
    if conditions is not None:
        sent["not_before"] = conditions.get("NotBefore", "")
        sent["not_on_or_after"] = conditions.get("NotOnOrAfter", "")
        sent["audience"] = [_short(a.text or "") for a in conditions.iterfind(".//saml:Audience", NS)]
    attributes = {}
    for attribute in assertion.iterfind("saml:AttributeStatement/saml:Attribute", NS):
        values = [(v.text or "").strip() for v in attribute.iterfind("saml:AttributeValue", NS)]
        attributes[attribute.get("Name", "")] = values
    sent["attributes"] = plain(attributes)
    return sent


def oidc_claims(id_token: str | None) -> dict:
    """An ID token's claims, unverified (the token itself is not kept), or {}."""
    if not id_token:
        return {}
    try:
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return plain({k: v for k, v in claims.items() if k not in HIDDEN_CLAIMS})


def saml_reason(detail: str) -> str:
    """The admin's words for python3-saml's reason."""
    text = detail.lower()
    if "status code of the response was not success" in text:
        return _("The identity provider answered with an error instead of signing the person in.")
    if "audience" in text:
        return _("The answer is meant for another service (audience): give the identity provider our SAML entity ID.")
    if "expired" in text or "notonorafter" in text or "notbefore" in text or "timestamp" in text:
        return _("The answer is out of its validity period: it expired, or the identity provider’s clock is wrong.")
    if "not signed" in text or "no signature" in text or "signature" in text:
        return _(
            "The answer is not signed by the certificate of the saved metadata: "
            "sign the assertion, or save the identity provider’s current metadata."
        )
    if "destination" in text or "recipient" in text or "received at" in text:
        return _("The answer was sent to another address: give the identity provider our SAML ACS URL.")
    if "issuer" in text:
        return _("The answer comes from another identity provider than the saved metadata names.")
    return _("The identity provider’s answer was refused.")


def oidc_reason(detail: str) -> str:
    """The admin's words for an OpenID Connect failure (PyJWT's or the identity provider's error)."""
    text = detail.lower()
    if text.startswith("idp_error"):
        return _("The identity provider answered with an error instead of signing the person in.")
    if "audience" in text:
        return _("The ID token is meant for another client (audience): check the client ID.")
    if "expired" in text or "not yet valid" in text or "iat" in text:
        return _("The ID token is out of its validity period: it expired, or the identity provider’s clock is wrong.")
    if "signature" in text or "key" in text:
        return _("The ID token’s signature does not match the identity provider’s published keys.")
    if "issuer" in text:
        return _("The ID token comes from another issuer than the saved issuer address.")
    if "claim" in text:
        return _("The identity provider did not send the permanent id attribute.")
    return _("The identity provider’s answer was refused.")


def exception_detail(exception: BaseException | None) -> str:
    """The innermost cause's message: PyJWT's reason rather than allauth's "Invalid id_token"."""
    parts = []
    while exception is not None and len(parts) < 4:
        parts.append(str(exception) or type(exception).__name__)
        exception = exception.__cause__
    return ": ".join(parts)

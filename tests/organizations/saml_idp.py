"""A throwaway SAML identity provider for the tests: its key and certificate, its metadata, signed responses."""

import base64
import datetime as dt
import uuid
import zlib
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

ENTITY_ID = "https://idp.example.com/saml"
SSO_URL = "https://idp.example.com/saml/sso"
NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"


class ThrowawayIdP:
    def __init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test idp")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256())
        )
        self.key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.cert_b64 = "".join(self.cert_pem.strip().splitlines()[1:-1])

    def metadata(self) -> str:
        return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{ENTITY_ID}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <ds:X509Data><ds:X509Certificate>{self.cert_b64}</ds:X509Certificate></ds:X509Data>
    </ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{SSO_URL}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""

    def response(
        self,
        *,
        acs_url: str,
        audience: str,
        uid: str,
        email: str,
        name: str = "Ada Lovelace",
        in_response_to: str | None = None,
        age: dt.timedelta = dt.timedelta(0),
        sign: bool = True,
        status: str = "",
        attributes: dict[str, str] | None = None,
        name_id_format: str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    ) -> str:
        """A base64 SAML Response with one assertion (signed unless ``sign`` is False), issued ``age`` ago.

        ``status`` (e.g. "AuthnFailed"): an error answer of the identity provider, with no assertion.
        """
        now = dt.datetime.now(dt.UTC) - age

        def t(delta: dt.timedelta = dt.timedelta(0)) -> str:
            return (now + delta).strftime("%Y-%m-%dT%H:%M:%SZ")

        irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
        assertion_id = f"_a{uuid.uuid4().hex}"
        extra = "".join(
            f'<saml:Attribute Name="{k}"><saml:AttributeValue>{v}</saml:AttributeValue></saml:Attribute>'
            for k, v in (attributes or {}).items()
        )
        assertion = f"""<saml:Assertion xmlns:saml="{NS_ASSERTION}"
 ID="{assertion_id}" Version="2.0" IssueInstant="{t()}">
<saml:Issuer>{ENTITY_ID}</saml:Issuer>
<saml:Subject>
<saml:NameID Format="{name_id_format}">{uid}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
<saml:SubjectConfirmationData NotOnOrAfter="{t(dt.timedelta(minutes=5))}" Recipient="{acs_url}"{irt}/>
</saml:SubjectConfirmation>
</saml:Subject>
<saml:Conditions NotBefore="{t(-dt.timedelta(minutes=1))}" NotOnOrAfter="{t(dt.timedelta(minutes=5))}">
<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
</saml:Conditions>
<saml:AuthnStatement AuthnInstant="{t()}" SessionIndex="_s{uuid.uuid4().hex}">
<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext>
</saml:AuthnStatement>
<saml:AttributeStatement>
<saml:Attribute Name="email"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="name"><saml:AttributeValue>{name}</saml:AttributeValue></saml:Attribute>
{extra}
</saml:AttributeStatement>
</saml:Assertion>"""
        if sign:
            assertion = OneLogin_Saml2_Utils.add_sign(assertion, self.key_pem, self.cert_pem).decode()
            assertion = assertion.removeprefix('<?xml version="1.0"?>').strip()
        status_xml = '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        if status:
            assertion = ""
            status_xml = (
                '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">'
                f'<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:{status}"/></samlp:StatusCode>'
                "<samlp:StatusMessage>The user could not be authenticated</samlp:StatusMessage>"
            )
        response = f"""<samlp:Response xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}"
 ID="_r{uuid.uuid4().hex}" Version="2.0" IssueInstant="{t()}"{irt}>
<saml:Issuer>{ENTITY_ID}</saml:Issuer>
<samlp:Status>{status_xml}</samlp:Status>
{assertion}
</samlp:Response>"""
        return base64.b64encode(response.encode()).decode()


def authn_request_id(location: str) -> str:
    """The ID of the AuthnRequest in an HTTP-Redirect binding URL."""
    raw = parse_qs(urlsplit(location).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(raw), -15)
    return etree.fromstring(xml).get("ID")

"""allauth's login, signup and password reset forms, aware of organizations' single sign-on,
and the organization admin's "Single sign-on" form."""

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.allauth_forms import LoginForm as BaseLoginForm
from accounts.models import User
from organizations.models import SsoProtocol
from organizations.sso.routing import masked, security_event, sso_required_for, start_url


def required_message(sso) -> str:
    return format_html(
        _('{organization} signs its people in with single sign-on. <a href="{url}">Continue with single sign-on</a>.'),
        organization=sso.organization.name,
        url=start_url(sso),
    )


class LoginForm(BaseLoginForm):
    def clean(self):
        email = (self.data.get("login") or "").strip()
        user = User.objects.filter(email__iexact=email).first() if email else None
        sso = sso_required_for(email, user) if email else None
        if sso is not None:
            security_event("password_login_refused", organization=sso.organization.slug, email=masked(email))
            raise forms.ValidationError(required_message(sso))
        return super().clean()


class SignupForm(AllauthSignupForm):
    def clean_email(self):
        email = super().clean_email()
        sso = sso_required_for(email)
        if sso is not None:
            raise forms.ValidationError(required_message(sso))
        return email


class ResetPasswordForm(AllauthResetPasswordForm):
    def clean_email(self):
        email = super().clean_email()
        user = User.objects.filter(email__iexact=email).first()
        sso = sso_required_for(email, user)
        if sso is not None:
            raise forms.ValidationError(required_message(sso))
        return email


class SsoStartForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class SingleSignOnForm(forms.Form):
    protocol = forms.ChoiceField(label=_("Protocol"), choices=SsoProtocol.choices, widget=forms.RadioSelect)
    metadata_url = forms.URLField(
        label=_("Identity provider metadata address"),
        required=False,
        assume_scheme="https",
        help_text=_("SAML: the address of the metadata, or paste the metadata below."),
    )
    metadata_xml = forms.CharField(
        label=_("Identity provider metadata (XML)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    issuer = forms.URLField(label=_("Issuer address"), required=False, assume_scheme="https")
    client_id = forms.CharField(label=_("Client ID"), required=False, max_length=191)
    secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Never shown again after saving. Leave empty to keep the saved one."),
    )
    uid_attribute = forms.CharField(
        label=_("Permanent id attribute"),
        required=False,
        max_length=200,
        help_text=_(
            "The attribute that never changes for a person (not the email). "
            "Empty: the persistent NameID (SAML) or the “sub” claim (OpenID Connect)."
        ),
    )
    email_attribute = forms.CharField(label=_("Email attribute"), required=False, max_length=200)
    name_attribute = forms.CharField(label=_("Name attribute"), required=False, max_length=200)
    domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        help_text=_("One or more, separated by commas or spaces, e.g. example.com."),
    )
    required = forms.BooleanField(label=_("Require single sign-on for addresses in these domains"), required=False)
    allow_jit = forms.BooleanField(label=_("Create an account at first sign-on (members with no role)"), required=False)
    allow_idp_initiated = forms.BooleanField(
        label=_("Allow sign-on started from the identity provider"), required=False
    )

    def __init__(self, *args, has_saml_idp: bool = False, has_secret: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_saml_idp = has_saml_idp
        self.has_secret = has_secret

    def clean_domains(self) -> list[str]:
        from organizations.sso.services import PUBLIC_DOMAINS, normalise_domain

        raw = self.cleaned_data["domains"].replace(",", " ").split()
        domains = [normalise_domain(d) for d in raw]
        for domain in domains:
            if "." not in domain or "@" in domain or "/" in domain:
                raise forms.ValidationError(_("“%(domain)s” is not a domain.") % {"domain": domain})
        public = sorted(set(domains) & PUBLIC_DOMAINS)
        if public:
            raise forms.ValidationError(
                _("%(domains)s is a public email service: only your organization’s own domains can be used.")
                % {"domains": ", ".join(public)}
            )
        return domains

    def clean(self):
        data = super().clean()
        if data.get("protocol") == SsoProtocol.SAML:
            if not (data.get("metadata_url") or data.get("metadata_xml") or self.has_saml_idp):
                self.add_error("metadata_xml", _("Paste the identity provider’s metadata, or its address."))
        elif data.get("protocol") == SsoProtocol.OIDC:
            if not data.get("issuer"):
                self.add_error("issuer", _("Enter the issuer address."))
            if not data.get("client_id"):
                self.add_error("client_id", _("Enter the client ID."))
            if not data.get("secret") and not self.has_secret:
                self.add_error("secret", _("Enter the client secret."))
        if data.get("required") and not data.get("domains"):
            self.add_error("domains", _("Name at least one domain for single sign-on to be required."))
        return data

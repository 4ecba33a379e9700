"""allauth's OpenID Connect callback for organizations, stricter and readable by "Test sign-on".

Differences from allauth's own adapter: the ID token's signature is always
checked against the issuer's published keys (allauth skips it when the token
came straight from the token endpoint); the permanent id claim is looked up in
the userinfo answer and then in the ID token (Microsoft Entra ID's ``oid`` is
only in the ID token), and a missing one is a refusal, not a server error; the
raw answer stays on the request for the adapter to show a failed test.
"""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse


class OrganizationOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        id_token = (kwargs.get("response") or {}).get("id_token")
        request.sso_oidc_id_token = id_token
        userinfo = {}
        if app.settings.get("fetch_userinfo", True) or not id_token:
            userinfo = self._fetch_user_info(token.token)
            request.sso_oidc_userinfo = userinfo
        claims = self._decode_id_token(app, id_token) if id_token else {}
        uid_field = app.settings.get("uid_field", "sub")
        merged = {**claims, **userinfo}
        if merged.get(uid_field) in (None, ""):
            raise ProviderException(f"missing claim: {uid_field}")
        return self.get_provider().sociallogin_from_response(request, {"userinfo": merged, "id_token": claims})

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2CallbackView.adapter_view(OrganizationOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error

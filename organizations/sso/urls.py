from django.urls import path

from organizations.sso import oidc, views

# Under /o/<organization>/, in the organizations namespace (organizations/urls.py).
organization_urlpatterns = [
    path("sso/", views.sso_settings, name="sso"),
    path("sso/test/", views.sso_test, name="sso_test"),
    path("sso/switch/", views.sso_switch, name="sso_switch"),
    path("sso/domains/<int:pk>/verify/", views.sso_domain_verify, name="sso_domain_verify"),
]

# Public pages, namespace "sso".
public_urlpatterns = (
    [
        path("sso/", views.sso_start, name="start"),
        path("sso/o/<slug:slug>/", views.sso_start_organization, name="start_organization"),
    ],
    "sso",
)

# Before allauth's own URLs: the SAML finish step with the replay check, the stricter OpenID Connect callback.
saml_override_urlpatterns = [
    path("accounts/saml/<str:organization_slug>/acs/finish/", views.saml_finish_acs, name="saml_finish_acs"),
    path("accounts/oidc/<str:provider_id>/login/callback/", oidc.callback, name="sso_oidc_callback"),
]

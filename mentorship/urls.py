from collections.abc import Sequence

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from accounts import links
from matching import urls as matching_urls
from mentorship.media import media
from mentorship.oversight import urls as oversight_urls
from mentorship.pairings import urls as pairings_urls
from mentorship.portal import urls as portal_urls
from organizations import urls as organizations_urls
from organizations.sso import urls as sso_urls
from organizations.urls import invitation_urlpatterns, onboarding_urlpatterns, staff_urlpatterns
from sessions_app import urls as sessions_urls

admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Mentorship platform administration"
admin.site.site_title = "Mentorship admin"


def tenant_urls(
    namespace: str, *, organization: Sequence[URLPattern] = (), program: Sequence[URLPattern] = ()
) -> URLResolver:
    """An app's tenant pages in its namespace: ``organization`` under /o/<organization>/, ``program`` under
    /o/<organization>/p/<program>/.

    The two prefixes are written here only; the tenant middleware resolves them
    into ``request.organization`` and ``request.program``. Each app gets its own
    copy of the prefix because Django keeps one resolver per namespace: two
    includes in one namespace would hide each other's names from ``reverse``.
    """
    pages = [*organization, path("p/<slug:program>/", include(list(program)))]
    return path("o/<slug:organization>/", include((pages, namespace)))


urlpatterns = [
    path("admin/", admin.site.urls),
    *sso_urls.saml_override_urlpatterns,
    # allauth's email confirmation and login-code pages, logging a bad link or an expired code (accounts.links).
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        links.LoggedConfirmEmailView.as_view(),
        name="account_confirm_email",
    ),
    path("accounts/login/code/confirm/", links.LoggedConfirmLoginCodeView.as_view(), name="account_confirm_login_code"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("mentorship.portal.urls")),
    tenant_urls("portal", organization=portal_urls.organization_urlpatterns, program=portal_urls.program_urlpatterns),
    tenant_urls(
        organizations_urls.app_name,
        organization=organizations_urls.organization_urlpatterns,
        program=organizations_urls.program_urlpatterns,
    ),
    tenant_urls(matching_urls.app_name, program=matching_urls.program_urlpatterns),
    tenant_urls(sessions_urls.app_name, program=sessions_urls.program_urlpatterns),
    tenant_urls(oversight_urls.app_name, program=oversight_urls.program_urlpatterns),
    tenant_urls(pairings_urls.app_name, program=pairings_urls.program_urlpatterns),
    path("", include(sessions_urls.urlpatterns)),
    path("", include(matching_urls.token_urlpatterns)),
    path("", include(onboarding_urlpatterns)),
    path("", include(invitation_urlpatterns)),
    path("", include(staff_urlpatterns)),
    path("", include(sso_urls.public_urlpatterns)),
]

# Uploads, from the shared storage, on every node (not only in DEBUG).
urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media, name="media")]

if settings.BENCH_VIEWS:  # the web benchmark's ceiling and bare views (issue 9)
    urlpatterns += [path("", include("mentorship.devtools.bench_views"))]

# The 500 page needs no database: it renders a static template without the request.
handler500 = "mentorship.views.server_error"

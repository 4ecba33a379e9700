from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from mentorship.portal.urls import program_urlpatterns as portal_program_urlpatterns
from organizations.urls import invitation_urlpatterns, onboarding_urlpatterns, staff_urlpatterns

admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Mentorship platform administration"
admin.site.site_title = "Mentorship admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("mentorship.portal.urls")),
    path("o/<slug:organization>/p/<slug:program>/", include(portal_program_urlpatterns)),
    path("", include("organizations.urls")),
    path("", include("matching.urls")),
    path("", include(onboarding_urlpatterns)),
    path("", include(invitation_urlpatterns)),
    path("", include(staff_urlpatterns)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from django.urls import path

from organizations.sso import urls as sso_urls
from organizations.views import invitations, onboarding, staff, tenant

app_name = "organizations"

# Tenant pages, mounted by mentorship/urls.py under /o/<organization>/ and /o/<organization>/p/<program>/.
organization_urlpatterns = [
    path("", tenant.organization_detail, name="detail"),
    path("members/", tenant.organization_members, name="members"),
    path("language/", tenant.organization_language, name="language"),
    path("programs/submit/", onboarding.program_submit, name="program_submit"),
    path("onboarding/", onboarding.onboarding_sessions, name="onboarding"),
    path("mentors/add/", invitations.mentor_add, name="mentor_add"),
    path("invitations/", invitations.invitations, name="invitations"),
    path("invitations/upload/", invitations.invitations_upload, name="invitations_upload"),
    path("invitations/<int:pk>/resend/", invitations.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", invitations.invitation_revoke, name="invitation_revoke"),
    *sso_urls.organization_urlpatterns,
]

program_urlpatterns = [
    path("people/", tenant.program_people, name="program_people"),
    path("access/", onboarding.access_request, name="access_request"),
    path("invitations/", invitations.invitations, name="program_invitations"),
    path("invitations/upload/", invitations.invitations_upload, name="program_invitations_upload"),
    path("invitations/<int:pk>/resend/", invitations.invitation_resend, name="program_invitation_resend"),
    path("invitations/<int:pk>/revoke/", invitations.invitation_revoke, name="program_invitation_revoke"),
]

onboarding_urlpatterns = (
    [
        path("organizations/submit/", onboarding.organization_submit, name="organization_submit"),
        path("organizations/status/<str:token>/", onboarding.organization_status, name="organization_status"),
    ],
    "onboarding",
)

invitation_urlpatterns = (
    [
        path("invitations/<str:token>/", invitations.invitation_show, name="show"),
        path("invitations/<str:token>/accept/", invitations.invitation_accept, name="accept"),
        path("invitations/<str:token>/register/", invitations.invitation_register, name="register"),
    ],
    "invitations",
)

staff_urlpatterns = (
    [
        path("staff/", staff.index, name="index"),
        path("staff/organizations/<int:pk>/", staff.organization_review, name="organization_review"),
        path("staff/programs/<int:pk>/", staff.program_review, name="program_review"),
        path("staff/access/<int:pk>/", staff.access_review, name="access_review"),
        path("staff/onboarding/", staff.onboarding_slots, name="onboarding_slots"),
    ],
    "staff",
)

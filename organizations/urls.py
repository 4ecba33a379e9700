from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("o/<slug:organization>/", views.organization_detail, name="detail"),
    path("o/<slug:organization>/members/", views.organization_members, name="members"),
    path("o/<slug:organization>/p/<slug:program>/", views.program_detail, name="program_detail"),
    path("o/<slug:organization>/p/<slug:program>/people/", views.program_people, name="program_people"),
]

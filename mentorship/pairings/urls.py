from django.urls import path

from mentorship.pairings import views

app_name = "pairings"

# Tenant pages, mounted by mentorship/urls.py under /o/<organization>/p/<program>/.
program_urlpatterns = [
    path("pairings/<int:pk>/conversation/", views.conversation, name="conversation"),
    path("pairings/messages/<int:pk>/report/", views.report, name="report"),
    path("pairings/activity/", views.activity, name="activity"),
    path("pairings/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("pairings/<int:pk>/agreement/decide/", views.agreement_decide, name="agreement_decide"),
    path("pairings/goals/<int:pk>/done/", views.goal_done, name="goal_done"),
    path("pairings/feedback/<int:pk>/", views.feedback, name="feedback"),
    path("pairings/<int:pk>/rematch/", views.rematch, name="rematch"),
    path("pairings/feedback/", views.feedback_overview, name="feedback_overview"),
    path("pairings/<int:pk>/conclude/", views.conclude, name="conclude"),
    path("pairings/survey/<int:pk>/", views.cycle_survey, name="cycle_survey"),
    path("pairings/cycle/", views.cycle, name="cycle"),
    path("pairings/cycle/new/", views.cycle_new, name="cycle_new"),
    path("pairings/cycle/invite/", views.cycle_invite, name="cycle_invite"),
]

from django.urls import path

from matching.views import builder, pairing, participant, requests, selection

app_name = "matching"

# Tenant pages, mounted by mentorship/urls.py under /o/<organization>/p/<program>/.
program_urlpatterns = [
    # Questionnaire builder (program admins)
    path("questionnaire/builder/", builder.question_list, name="builder"),
    path("questionnaire/builder/new/", builder.question_create, name="question_create"),
    path("questionnaire/builder/<int:pk>/", builder.question_edit, name="question_edit"),
    path("questionnaire/builder/<int:pk>/delete/", builder.question_delete, name="question_delete"),
    path("questionnaire/builder/<int:pk>/move/", builder.question_move, name="question_move"),
    # Mentors and mentees
    path("profile/", participant.profile, name="profile"),
    path("questionnaire/", participant.questionnaire, name="questionnaire"),
    path("recommendations/", participant.recommendations, name="recommendations"),
    path("pairings/<int:pk>/end/", participant.pairing_end, name="pairing_end"),
    # Program admins
    path("pairing/", pairing.pairing_page, name="pairing"),
    path("pairing/pair/", pairing.pair, name="pair"),
    path("pairing/autopair/", pairing.autopair, name="autopair"),
    path("pairing/runs/<int:pk>/", pairing.autopair_run, name="autopair_run"),
    path("pairing/runs/<int:pk>/decide/", pairing.autopair_decide, name="autopair_decide"),
    path("mentors/<int:pk>/capacity/", pairing.capacity, name="capacity"),
    # Ranked mentor requests (F4)
    path("requests/mine/", requests.my_requests, name="my_requests"),
    path("requests/mine/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/", requests.requests_admin, name="requests_admin"),
    path("requests/<int:pk>/skip/", requests.request_skip, name="request_skip"),
    path("requests/<int:pk>/extend/", requests.request_extend, name="request_extend"),
    path("requests/selection/open/", selection.selection_open, name="selection_open"),
    path("requests/selection/close/", selection.selection_close, name="selection_close"),
    # The mentee's side: select and rank, review and confirm, where things stand
    path("select/", selection.select_mentors, name="select_mentors"),
    path("select/review/", selection.select_review, name="select_review"),
    path("select/status/", selection.my_selection, name="my_selection"),
    path("select/status/move/", selection.selection_move, name="selection_move"),
]

# The emailed link of a request, opened without signing in (the token is the permission).
token_urlpatterns = [path("r/<str:token>/", requests.request_by_token, name="request_token")]

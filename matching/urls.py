from django.urls import path

from matching.views import builder, pairing, participant

app_name = "matching"

prefix = "o/<slug:organization>/p/<slug:program>/"

urlpatterns = [
    # Questionnaire builder (program admins)
    path(prefix + "questionnaire/builder/", builder.question_list, name="builder"),
    path(prefix + "questionnaire/builder/new/", builder.question_create, name="question_create"),
    path(prefix + "questionnaire/builder/<int:pk>/", builder.question_edit, name="question_edit"),
    path(prefix + "questionnaire/builder/<int:pk>/delete/", builder.question_delete, name="question_delete"),
    path(prefix + "questionnaire/builder/<int:pk>/move/", builder.question_move, name="question_move"),
]

urlpatterns += [
    # Mentors and mentees
    path(prefix + "profile/", participant.profile, name="profile"),
    path(prefix + "questionnaire/", participant.questionnaire, name="questionnaire"),
    path(prefix + "recommendations/", participant.recommendations, name="recommendations"),
    path(prefix + "pairings/<int:pk>/end/", participant.pairing_end, name="pairing_end"),
    # Program admins
    path(prefix + "pairing/", pairing.pairing_page, name="pairing"),
    path(prefix + "pairing/pair/", pairing.pair, name="pair"),
    path(prefix + "pairing/autopair/", pairing.autopair, name="autopair"),
    path(prefix + "pairing/runs/<int:pk>/", pairing.autopair_run, name="autopair_run"),
    path(prefix + "pairing/runs/<int:pk>/decide/", pairing.autopair_decide, name="autopair_decide"),
    path(prefix + "mentors/<int:pk>/capacity/", pairing.capacity, name="capacity"),
]

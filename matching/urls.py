from django.urls import path

from matching.views import builder

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

"""Fill Membership.questionnaire_complete for the mentees and mentors there are (matching.services.completion
keeps it from now on)."""

from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual


def _count(queryset, group):
    return Coalesce(
        Subquery(queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def fill(apps, schema_editor):
    Membership = apps.get_model("organizations", "Membership")
    Question = apps.get_model("matching", "Question")
    Answer = apps.get_model("matching", "Answer")
    asked = Q(required=True) & (Q(audience="both") | Q(audience=OuterRef("role")))
    questions = _count(Question.objects.filter(asked, program_id=OuterRef("program_id")), "program_id")
    answered = _count(
        Answer.objects.filter(
            Q(question__required=True) & (Q(question__audience="both") | Q(question__audience=OuterRef("role"))),
            membership_id=OuterRef("pk"),
            question__program_id=OuterRef("program_id"),
        ),
        "membership_id",
    )
    Membership.objects.filter(program__isnull=False, role__in=["mentee", "mentor"]).update(
        questionnaire_complete=GreaterThanOrEqual(answered, questions)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0005_merge_request_index_and_selection_mail"),
        ("organizations", "0008_membership_questionnaire_complete"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

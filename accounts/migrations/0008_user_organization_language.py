from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    """Everyone's organization language, as accounts.language.refresh_organization_language keeps it."""
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("organizations", "Membership")
    first = Membership.objects.filter(user_id=OuterRef("pk")).order_by("pk").values("organization__default_language")
    User.objects.update(organization_language=Coalesce(Subquery(first[:1]), Value("")))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_user_deleted_index"),
        ("organizations", "0010_membership_sort_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="organization_language",
            field=models.CharField(blank=True, default=None, editable=False, max_length=8, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]


from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_language_not_chosen_and_organization_default'),
        ('accounts', '0005_soft_delete_and_erase'),
    ]

    operations = [
    ]

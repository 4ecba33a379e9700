
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0006_email_domain_verification'),
        ('organizations', '0006_language_not_chosen_and_organization_default'),
        ('organizations', '0006_organization_soft_delete'),
        ('organizations', '0006_program_mentor_selection_opened_at'),
        ('organizations', '0006_program_settings_changed'),
    ]

    operations = [
    ]

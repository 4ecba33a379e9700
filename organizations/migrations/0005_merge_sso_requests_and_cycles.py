
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0004_program_autopairing_and_reminder_settings'),
        ('organizations', '0004_single_sign_on_and_email_domains'),
        ('organizations', '0004_program_cycle_dates'),
    ]

    operations = [
    ]

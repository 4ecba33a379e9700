
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0004_request_program_newest_index'),
        ('matching', '0004_selection_used_up_mailed_at'),
    ]

    operations = [
    ]


from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0002_pairing_source_session'),
        ('matching', '0002_ranked_mentor_requests'),
    ]

    operations = [
    ]

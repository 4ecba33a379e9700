
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sessions_app', '0003_booking_attendance'),
        ('sessions_app', '0003_session_requests_and_mentor_offers'),
    ]

    operations = [
    ]

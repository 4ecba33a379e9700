"""On PostgreSQL, a mentor's published sessions never overlap: an exclusion constraint over (mentor, time range).

SQLite (``make run`` on a laptop) has no range types nor GiST; there the service's overlap check stands alone.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE sessions_app_mentorshipsession ADD CONSTRAINT session_mentor_no_overlap
    EXCLUDE USING gist (mentor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'published');
"""
DROP = "ALTER TABLE sessions_app_mentorshipsession DROP CONSTRAINT IF EXISTS session_mentor_no_overlap;"


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

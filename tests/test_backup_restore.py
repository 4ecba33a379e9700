"""A whole platform backed up and restored into an empty database keeps every row."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from mentorship.backups import connect, table_names

pytestmark = pytest.mark.postgres


def fingerprint(database: dict) -> dict[str, tuple[int, str]]:
    """Per table: its row count and an md5 of its rows in a fixed order."""
    out = {}
    with connect(database) as conn:
        for name in table_names(database):
            count, digest = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{name}\" t"  # noqa: S608 - names from the catalogue
            ).fetchone()
            out[name] = (count, digest)
    return out


@pytest.fixture
def empty_database(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = {**connection.settings_dict, "NAME": "postgres"}
    with connect(admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**connection.settings_dict, "NAME": name}
    with connect(admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_round_trip_restores_every_row_of_every_table(empty_database, tmp_path):
    call_command("seed_demo", mentees=6, mentors=3)
    original = fingerprint(connection.settings_dict)
    filled = {name for name, (count, _) in original.items() if count}
    assert {"accounts_user", "organizations_program", "matching_answer", "sessions_app_booking"} <= filled

    dump = tmp_path / "platform.dump"
    call_command("backup_platform", output=str(dump))
    call_command("restore_platform", input=str(dump), into=empty_database["NAME"])

    assert fingerprint(empty_database) == original


def test_restoring_over_a_database_with_tables_is_refused(empty_database, tmp_path):
    call_command("seed_demo", mentees=1, mentors=1)
    dump = tmp_path / "platform.dump"
    call_command("backup_platform", output=str(dump))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_platform", input=str(dump))  # DATABASE_URL's own database, full
    assert table_names(empty_database) == []

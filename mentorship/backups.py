"""What the backup and restore commands share: libpq's environment, the tables of a database."""

import os

import psycopg
from django.core.management.base import CommandError


def require_postgresql(connection) -> None:
    if connection.vendor != "postgresql":
        raise CommandError(
            "Backups use pg_dump and pg_restore: point DATABASE_URL at PostgreSQL. "
            "(The embedded SQLite of `make run` is one file: copy var/db.sqlite3.)"
        )


def libpq_environment(database: dict) -> dict:
    """pg_dump's and pg_restore's connection, from Django's settings, without a password on the command line."""
    env = {**os.environ, "PGDATABASE": database["NAME"]}
    for key, variable in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")]:
        if database.get(key):
            env[variable] = str(database[key])
    return env


def connect(database: dict) -> psycopg.Connection:
    return psycopg.connect(
        dbname=database["NAME"],
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        autocommit=True,
    )


def table_names(database: dict) -> list[str]:
    with connect(database) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
    return [name for (name,) in rows]

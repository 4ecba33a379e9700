import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mentorship.settings import env_bool


@pytest.mark.parametrize(
    ("raw", "expected"), [("True", True), ("true", True), ("FALSE", False), ("false", False), ("", None)]
)
def test_env_bool_reads_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=None) is expected


@pytest.mark.parametrize("raw", ["maybe", "1", "0", "yes", "no", "on", "off"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG", default=False)


def test_emailed_links_by_default_point_where_make_run_serves():
    """A link in an email opens the host the developer is logged in on, so they arrive logged in."""
    root = Path(__file__).resolve().parent.parent
    served = "http://" + re.search(r"runserver\s+(\S+)", (root / "Procfile.dev").read_text()).group(1)
    environment = {name: value for name, value in os.environ.items() if name != "SITE_URL"}
    default = subprocess.run(
        [sys.executable, "-c", "from mentorship import settings; print(settings.SITE_URL)"],
        env=environment,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert default == served
    assert served in (root / "README.md").read_text()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the pool is PostgreSQL's (DATABASE_URL)"
)
def test_db_pool_serves_queries_from_psycopgs_pool():
    """DB_POOL=true (README, Production): Django's psycopg pool, persistent connections off."""
    root = Path(__file__).resolve().parent.parent
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'mentorship.settings'; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor: cursor.execute('SELECT 1'); one = cursor.fetchone()[0]\n"
        "print(type(connection.pool).__name__, connection.settings_dict['CONN_MAX_AGE'], one)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DB_POOL": "true", "DEBUG": "true"},
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown == "ConnectionPool 0 1"

"""Every page of the web benchmark (bench_web.PAGES) runs as many queries in a big program as in a small one.

The same builder as the benchmark's makes two programs, and each page is
requested as its person in both: a page added to PAGES is checked here too.
"""

from django.core.management.base import OutputWrapper

from mentorship.devtools.management.commands.bench_web import PAGES, Command


def test_every_benchmarked_page_runs_the_same_queries_for_few_and_many_rows(db):
    command = Command(stdout=OutputWrapper(open("/dev/null", "w")), stderr=OutputWrapper(open("/dev/null", "w")))
    few, _ = command._query_counts(command._world(mentees=4, mentors=2), PAGES)
    many, _ = command._query_counts(command._world(mentees=30, mentors=6), PAGES)
    assert set(few) == {name for name, _, _ in PAGES}
    grew = {name: (few[name], many[name]) for name in few if many[name] != few[name]}
    assert not grew, f"queries with few rows, with many: {grew}"


def test_the_index_check_reports_a_page_read_by_a_sequential_scan_of_a_large_table(db):
    """bench_web's seq_scans (point 4 of issue 9): a LIMIT over a whole large table, or a scan keeping few of its
    rows, is reported; a look-up by primary key, and a count over the whole table, are not."""
    from django.db import connection

    from accounts.models import User
    from mentorship.devtools.management.commands.bench_web import LARGE_TABLE_ROWS, _large_seq_scans

    User.objects.bulk_create(
        User(email=f"person{n}@example.org", full_name=f"Person {n}", bio="x") for n in range(LARGE_TABLE_ROWS + 500)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
    some = User.objects.order_by("pk").first().pk
    assert _large_seq_scans("SELECT id FROM accounts_user ORDER BY full_name LIMIT 25") == ["accounts_user"]
    assert _large_seq_scans("SELECT id FROM accounts_user WHERE bio = 'y'") == ["accounts_user"]
    assert _large_seq_scans(f"SELECT full_name FROM accounts_user WHERE id = {some}") == []
    assert _large_seq_scans("SELECT COUNT(*) FROM accounts_user") == []

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

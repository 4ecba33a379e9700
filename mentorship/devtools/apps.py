from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tools: demo data (``seed_demo``) and benchmarks (``bench_matching``, ``bench_engine``).

    Nothing here serves a page; the app is installed so that ``manage.py`` finds its commands.
    It sits above the domain apps and may import any of them; none of them imports it.
    """

    name = "mentorship.devtools"
    label = "devtools"
    verbose_name = "Development tools"

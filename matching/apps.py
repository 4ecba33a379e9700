from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self) -> None:
        # The receivers connect on import; the tasks register, so that services can queue them by name.
        from matching import signals, tasks  # noqa: F401

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self) -> None:
        from matching import signals  # noqa: F401 - connects the receivers

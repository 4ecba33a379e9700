from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"

    def ready(self) -> None:
        # The tasks register, so that the beat schedule's names find them.
        from sessions_app import tasks  # noqa: F401

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"

    def ready(self) -> None:
        from organizations import tasks  # noqa: F401  (registers the erasure sweep of the beat)
        from organizations.sso import signals  # noqa: F401  (staff without a second factor are told)

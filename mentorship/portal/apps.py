from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that gather from several apps: home with its next steps, the program overview.

    It sits above the domain apps and may import any of them; none of them imports it. Apps add
    to its pages through their ``panels.py`` (see ``mentorship.panels``).
    """

    name = "mentorship.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from mentorship.portal import erasure  # noqa: F401  (erasing a person reaches every app's tables)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingsConfig(AppConfig):
    name = "mentorship.pairings"
    label = "pairings"
    verbose_name = _("Life of a pairing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mentorship.pairings import tasks  # noqa: F401  (registers the tasks queued by name)

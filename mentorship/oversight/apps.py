from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """Oversight and follow-up (F7): activities, their schedule and attendance, and mentors' observations.

    It sits above matching and sessions_app (it reads pairings and sessions) and below the portal.
    """

    name = "mentorship.oversight"
    label = "oversight"
    verbose_name = _("Oversight")

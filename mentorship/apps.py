from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    """The project's own app: email sending and project-wide templates."""

    name = "mentorship"
    verbose_name = "Mentorship platform"

    def ready(self) -> None:
        from mentorship import stamps

        stamps.connect()

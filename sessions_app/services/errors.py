"""What the services refuse, with the field it concerns, so that a form shows it beside that field."""

from sessions_app.models import MentorshipSession


class SessionError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SessionOverlap(SessionError):
    """The mentor already has a published session at that time."""

    def __init__(self, message: str, other: MentorshipSession | None) -> None:
        super().__init__(message, field="local_time")
        self.other = other


class BookingError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

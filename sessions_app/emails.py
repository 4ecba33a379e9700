"""One small function per email of sessions; each in the recipient's language and time zone, sent after commit.

Booking, change and cancellation emails carry an .ics (same UID, the session's current SEQUENCE). Each is
an outbox row with a key (``mentorship.mail.queue_email``): the booking's or the session's, its SEQUENCE
for changes, its start for reminders, and the recipient; so a retried change or a beat run twice sends
nothing twice.
"""

from django.urls import reverse
from django.utils import translation

from accounts.models import User
from mentorship.mail import Attachment, absolute_url, outbox_key, queue_email, render_email
from sessions_app import display, ics
from sessions_app.models import Booking, MentorOffer, MentorshipSession, SessionRequest


def _wants_session_mail(user: User) -> bool:
    """Session mail is on, or their calendar subscribes to the feed: a subscribed calendar may refresh a day
    late (or never update an event), so the change also goes by email, with the same UID and a higher SEQUENCE."""
    return user.notify_sessions or user.calendar_fetched_at is not None


def _send(
    name: str, user: User, session: MentorshipSession, attachment: Attachment | None, *, key: str, **context
) -> None:
    with translation.override(user.preferred_language):
        when = display.when(session, user.timezone)
        places = display.places(session, user.timezone)
    context = {
        "session": session,
        "program": session.program,
        "person": user,
        "mentor": session.mentor.user,
        "when": when,
        "places": places,
        "url": absolute_url(reverse("my_sessions")),
        **context,
    }
    email = render_email(name, context, to=user.email, language=user.preferred_language, from_name=session.program.name)
    if attachment is not None:
        email.attachments.append(attachment)
    queue_email(email, key=key)


def session_booked(booking: Booking) -> None:
    """The mentee and the mentor, each told of the booking (or of the mentor adding the mentee)."""
    session, mentee = booking.session, booking.mentee.user
    attachment = ics.invitation(session, [mentee])
    for user in (mentee, session.mentor.user):
        if _wants_session_mail(user):
            key = outbox_key("session_booked", booking, user.email)
            _send(
                "session_booked",
                user,
                session,
                attachment,
                key=key,
                booking=booking,
                mentee=mentee,
                is_mentee=user == mentee,
            )


def session_changed(session: MentorshipSession, changes: list[str], attendees: list[User]) -> None:
    """Whoever booked ``session`` is told what changed, with the updated invitation."""
    attachment = ics.invitation(session, attendees)
    for user in attendees:
        if _wants_session_mail(user):
            key = outbox_key("session_changed", session, f"seq{session.sequence}:{user.email}")
            _send("session_changed", user, session, attachment, key=key, changes=changes)


def session_cancelled(session: MentorshipSession, attendees: list[User]) -> None:
    """Whoever booked ``session`` is told it is cancelled, with a CANCEL for their calendar."""
    attachment = ics.invitation(session, attendees, method="CANCEL")
    for user in attendees:
        if _wants_session_mail(user):
            key = outbox_key("session_cancelled", session, f"seq{session.sequence}:{user.email}")
            _send("session_cancelled", user, session, attachment, key=key)


def booking_cancelled(booking: Booking, by: User) -> None:
    """The mentee's seat is given up: the mentee gets a CANCEL, the mentor is told (unless they did it)."""
    session, mentee = booking.session, booking.mentee.user
    if _wants_session_mail(mentee):
        attachment = ics.invitation(session, [mentee], method="CANCEL")
        key = outbox_key("booking_cancelled", booking, mentee.email)
        _send("booking_cancelled", mentee, session, attachment, key=key, mentee=mentee, is_mentee=True, by=by)
    mentor = session.mentor.user
    if mentor != by and _wants_session_mail(mentor):
        key = outbox_key("booking_cancelled", booking, mentor.email)
        _send("booking_cancelled", mentor, session, None, key=key, mentee=mentee, is_mentee=False, by=by)


def session_reminder(session: MentorshipSession, user: User) -> None:
    """The day before: the session, its place and link."""
    if user.notify_reminders:
        key = outbox_key("session_reminder", session, f"{session.starts_at:%Y%m%dT%H%MZ}:{user.email}")
        _send("session_reminder", user, session, None, key=key, is_mentor=user == session.mentor.user)


def _program_url(name: str, program, *args) -> str:
    return absolute_url(reverse(name, args=[program.organization.slug, program.slug, *args]))


def _send_request_mail(name: str, user: User, program, obj, **context) -> None:
    """One email of the request flows, keyed on its kind, its request or offer and its recipient (sent once)."""
    context = {"program": program, "person": user, **context}
    email = render_email(name, context, to=user.email, language=user.preferred_language, from_name=program.name)
    queue_email(email, key=outbox_key(name, obj, user.email))


def session_requested(request: SessionRequest) -> None:
    """The mentor is told of a mentee's "Request a Session", with its message."""
    program = request.program
    _send_request_mail(
        "session_requested",
        request.mentor.user,
        program,
        request,
        request=request,
        mentee=request.mentee.user,
        url=_program_url("sessions:requests", program),
    )


def session_request_declined(request: SessionRequest) -> None:
    """The mentee is told the mentor declined, with the mentor's note."""
    program = request.program
    _send_request_mail(
        "session_request_declined",
        request.mentee.user,
        program,
        request,
        request=request,
        mentor=request.mentor.user,
        url=_program_url("sessions:mentor", program, request.mentor_id),
    )


def mentor_offered(offer: MentorOffer) -> None:
    """The mentee is told of a mentor's "I want to mentor you!"."""
    program = offer.program
    _send_request_mail(
        "mentor_offered",
        offer.mentee.user,
        program,
        offer,
        offer=offer,
        mentor=offer.mentor.user,
        url=_program_url("sessions:offer", program, offer.pk),
    )

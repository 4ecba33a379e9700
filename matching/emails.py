"""One small function per email of matching."""

from django.urls import reverse

from matching.models import Pairing
from mentorship.mail import absolute_url, outbox_key, queue_email, render_email


def pairing_created(pairing: Pairing) -> None:
    """Both are told the pairing is made, with the other's email, and prompted to schedule a session (seed 000).

    A confirmation, never a request to decide: the same email follows an approved auto-pairing.
    """
    program = pairing.program
    url = absolute_url(reverse("portal:program", args=[program.organization.slug, program.slug]))
    for person, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
        context = {"pairing": pairing, "program": program, "person": person, "other": other, "url": url}
        email = render_email(
            "pairing_created",
            context,
            to=person.user.email,
            language=person.user.preferred_language,
            from_name=program.name,
        )
        queue_email(email, key=outbox_key("pairing-created", pairing, person.user.email))


def pairing_ended(pairing: Pairing) -> None:
    """Whoever did not end the pairing is told, with the reason."""
    for person in (pairing.mentor, pairing.mentee):
        if person.user_id == pairing.ended_by_id:
            continue
        context = {"pairing": pairing, "program": pairing.program, "person": person}
        email = render_email(
            "pairing_ended",
            context,
            to=person.user.email,
            language=person.user.preferred_language,
            from_name=pairing.program.name,
        )
        queue_email(email)


# -------------------------------------------------------------------- ranked mentor requests


def _request_url(request) -> str:
    program = request.program
    return absolute_url(reverse("matching:request_detail", args=[program.organization.slug, program.slug, request.pk]))


def _token_url(request) -> str:
    from matching.services.requests import request_token

    return absolute_url(reverse("request_token", args=[request_token(request.pk, request.sent_at)]))


def request_sent(request, *, reminder: bool = False) -> None:
    """The mentor is asked (or reminded): who, the score and its reasons, the deadline in their time zone."""
    import zoneinfo

    mentor = request.mentor.user
    deadline = request.deadline.astimezone(zoneinfo.ZoneInfo(mentor.timezone or "UTC"))
    name = "request_reminder" if reminder else "request_sent"
    context = {
        "request": request,
        "program": request.program,
        "mentee": request.mentee.user,
        "mentor": mentor,
        "deadline": deadline,
        "url": _token_url(request),
        "page_url": _request_url(request),
    }
    email = render_email(
        name, context, to=mentor.email, language=mentor.preferred_language, from_name=request.program.name
    )
    key = outbox_key("request-reminder" if reminder else "request-sent", request, mentor.email)
    if reminder:
        key += f":seq{request.deadline.timestamp():.0f}"  # a deadline extended gets its own reminder
    queue_email(email, key=key)


def choices_used_up(selection, admins) -> None:
    """The mentee is told every choice is used up and offered to choose again; the program admins too."""
    program = selection.program
    mentee = selection.mentee.user
    url = absolute_url(reverse("portal:program", args=[program.organization.slug, program.slug]))
    recipients = [(mentee, "mentee")] + [(admin, "admin") for admin in admins]
    for person, role in recipients:
        context = {"program": program, "mentee": mentee, "person": person, "role": role, "url": url}
        email = render_email(
            "choices_used_up", context, to=person.email, language=person.preferred_language, from_name=program.name
        )
        queue_email(email, key=outbox_key("choices-used-up", selection, person.email))


def select_your_mentors(program, mentee, *, occasion: str) -> bool:
    """The mentee is asked to select their mentors (seed 000): up to N, ranked; once per ``occasion``."""
    user = mentee.user
    url = absolute_url(reverse("matching:select_mentors", args=[program.organization.slug, program.slug]))
    context = {"program": program, "mentee": user, "url": url, "max_choices": program.max_choices}
    email = render_email(
        "select_your_mentors", context, to=user.email, language=user.preferred_language, from_name=program.name
    )
    return queue_email(email, key=f"{outbox_key('select-mentors', mentee, user.email)}:{occasion}")

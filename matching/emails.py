"""One small function per email of matching."""

from django.urls import reverse

from matching.models import Pairing
from mentorship.mail import absolute_url, queue_email, render_email


def pairing_created(pairing: Pairing) -> None:
    """Both are told the pairing is made, with the other's email, and prompted to schedule a session (seed 000).

    A confirmation, never a request to decide: the same email follows an approved auto-pairing.
    """
    program = pairing.program
    url = absolute_url(reverse("portal:program", args=[program.organization.slug, program.slug]))
    for person, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
        context = {"pairing": pairing, "program": program, "person": person, "other": other, "url": url}
        email = render_email(
            "pairing_created", context, to=person.user.email, language=person.user.language, from_name=program.name
        )
        queue_email(email)


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
            language=person.user.language,
            from_name=pairing.program.name,
        )
        queue_email(email)

"""One small function per email of the life of a pairing."""

from django.urls import reverse

from matching.models import Pairing
from mentorship.mail import absolute_url, outbox_key, queue_email, render_email
from organizations.models import Membership


def new_messages(pairing: Pairing, *, recipient: Membership, author: Membership, count: int, window: str) -> None:
    """``recipient`` has ``count`` new messages from ``author``; answering by email reaches nobody."""
    program = pairing.program
    url = absolute_url(reverse("pairings:conversation", args=[program.organization.slug, program.slug, pairing.pk]))
    context = {"program": program, "recipient": recipient, "author": author, "count": count, "url": url}
    email = render_email(
        "pairing_messages",
        context,
        to=recipient.user.email,
        language=recipient.user.preferred_language,
        from_name=program.name,
    )
    # One email per claimed window: the claim's end tells the windows apart.
    queue_email(email, key=outbox_key("pairing-messages", pairing, recipient.user.email) + f":{window}")


def _agreement_email(name: str, agreement, person: Membership) -> None:
    pairing = agreement.pairing
    program = pairing.program
    url = absolute_url(reverse("pairings:agreement", args=[program.organization.slug, program.slug, pairing.pk]))
    context = {"program": program, "agreement": agreement, "pairing": pairing, "person": person, "url": url}
    email = render_email(
        name, context, to=person.user.email, language=person.user.preferred_language, from_name=program.name
    )
    stamp = f"{agreement.status}:{agreement.updated_at:%Y%m%d%H%M%S%f}"
    queue_email(email, key=outbox_key(name, agreement, person.user.email) + f":{stamp}")


def agreement_sent(agreement) -> None:
    """The mentor is asked to sign the agreement off."""
    _agreement_email("agreement_sent", agreement, agreement.pairing.mentor)


def agreement_decided(agreement) -> None:
    """The mentee hears that the mentor signed, or what should change."""
    _agreement_email("agreement_decided", agreement, agreement.pairing.mentee)


def feedback_requested(request, *, pairing: Pairing, person: Membership) -> None:
    """After a session: a short feedback form."""
    program = pairing.program
    url = absolute_url(reverse("pairings:feedback", args=[program.organization.slug, program.slug, request.pk]))
    other = pairing.mentee if person.pk == pairing.mentor_id else pairing.mentor
    context = {"program": program, "person": person, "other": other, "url": url}
    email = render_email(
        "feedback_requested",
        context,
        to=person.user.email,
        language=person.user.preferred_language,
        from_name=program.name,
    )
    queue_email(email, key=outbox_key("feedback-requested", request, person.user.email))


def quiet_reminder(pairing: Pairing, *, stamp: str) -> None:
    """A gentle reminder to both of a pair that went quiet."""
    program = pairing.program
    url = absolute_url(reverse("pairings:conversation", args=[program.organization.slug, program.slug, pairing.pk]))
    for person, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
        context = {"program": program, "person": person, "other": other, "url": url}
        email = render_email(
            "quiet_reminder",
            context,
            to=person.user.email,
            language=person.user.preferred_language,
            from_name=program.name,
        )
        queue_email(email, key=outbox_key("quiet-reminder", pairing, person.user.email) + f":{stamp}")


def quiet_admins_told(pairing: Pairing, *, stamp: str) -> None:
    """The program's admins hear that a pair stayed quiet after its reminder."""
    from organizations.models import Role

    program = pairing.program
    url = absolute_url(reverse("pairings:activity", args=[program.organization.slug, program.slug]))
    admins = Membership.objects.filter(program=program, role=Role.PROGRAM_ADMIN).select_related("user")
    for admin in admins:
        context = {"program": program, "pairing": pairing, "url": url}
        email = render_email(
            "quiet_admins", context, to=admin.user.email, language=admin.user.preferred_language, from_name=program.name
        )
        queue_email(email, key=outbox_key("quiet-admins", pairing, admin.user.email) + f":{stamp}")


def cycle_survey(survey, *, program, person: Membership) -> None:
    """Before a cycle's end: the end-of-program survey."""
    url = absolute_url(reverse("pairings:cycle_survey", args=[program.organization.slug, program.slug, survey.pk]))
    context = {"program": program, "person": person, "url": url}
    email = render_email(
        "cycle_survey", context, to=person.user.email, language=person.user.preferred_language, from_name=program.name
    )
    queue_email(email, key=outbox_key("cycle-survey", survey, person.user.email))

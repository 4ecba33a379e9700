"""Keep the cached mentor side of a program current, whatever path a change takes.

The encoded mentors of a program are cached under Program.matching_version.
Any change to a question, an option or its mapping (from our pages, a
service, or the Django admin) bumps that version. Answers have no receivers,
so deleting a program keeps Django's fast cascade: services.answers and the
answers' admin bump the version themselves (and refresh whose questionnaire
is complete, services.completion; a question's change refreshes it here).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from matching import selectors
from matching.models import Option, Question
from matching.services.answers import bump_matching_version
from matching.services.completion import completion_refresh
from organizations.models import Membership, Program
from organizations.signals import PeopleColumn, people_columns


def _bump(program_id: int | None) -> None:
    if program_id:
        bump_matching_version(Program(pk=program_id))


@receiver([post_save, post_delete], sender=Question)
def question_changed(sender, instance: Question, **kwargs) -> None:
    _bump(instance.program_id)
    # A question made required, asked of another role, added or deleted (its answers go first, in the
    # cascade): whose questionnaire is complete changes for the whole program.
    completion_refresh(program_id=instance.program_id)


@receiver(post_save, sender=Membership)
def membership_saved(sender, instance: Membership, created: bool, update_fields=None, **kwargs) -> None:
    """A role changed in place (the Django admin) asks other questions; a new membership has no answers."""
    if not created and (update_fields is None or "role" in update_fields or "program" in update_fields):
        completion_refresh(program_id=instance.program_id, membership_ids=[instance.pk])


@receiver([post_save, post_delete], sender=Option)
def option_changed(sender, instance: Option, **kwargs) -> None:
    _bump(Question.objects.filter(pk=instance.question_id).values_list("program_id", flat=True).first())


@receiver(m2m_changed, sender=Option.satisfied_by.through)
def mapping_changed(sender, instance: Option, **kwargs) -> None:
    if kwargs["action"].startswith("post_"):
        _bump(Question.objects.filter(pk=instance.question_id).values_list("program_id", flat=True).first())


@receiver(people_columns)
def response_record_column(sender, program: Program, mentors: list, **kwargs) -> PeopleColumn | None:
    """The people page's "Requests answered" column: each mentor's response record (F4.9), in one query."""
    if not program.ranked_matching_enabled:
        return None
    records = selectors.response_records([m.pk for m in mentors])
    cells = {m.pk: response_record_text(records.get(m.pk, selectors.ResponseRecord())) for m in mentors}
    return PeopleColumn(_("Requests answered"), cells)


def response_record_text(record: selectors.ResponseRecord) -> str:
    if not (record.answered or record.expired):
        return _("No requests answered yet")
    text = _("%(accepted)s accepted · %(declined)s declined · %(expired)s expired") % {
        "accepted": record.accepted,
        "declined": record.declined,
        "expired": record.expired,
    }
    if record.median is None:
        return text
    now = timezone.now()
    return _("%(record)s · median time to answer %(median)s") % {
        "record": text,
        "median": timesince(now - record.median, now),
    }

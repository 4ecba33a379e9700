"""A stamp per program that changes after every committed write to the program's rows (issue 9).

A page that keeps what it computed from a program's rows (counts, a dashboard's figures, a rendered list)
keys it by ``program_stamp(program)``: a write anywhere in the program, once committed, gives the program a
new stamp, so the next view computes afresh and nothing stale is ever shown. The stamp lives in the shared
cache (Redis), so every process sees a new one at once; what is kept under it may live anywhere.

Every model that belongs to a program (directly, or through a membership, a session, a question, ...)
bumps the stamp of its program when a row is saved or deleted (``connect``, from the app's ``ready``);
a user's save bumps the programs the person is in (names are shown everywhere). Writes that send no
signal (``QuerySet.update``, ``bulk_create``, raw SQL) call ``bump_programs`` themselves.

Order matters against races: read the stamp *before* reading the rows, and bump with a new random value
(never a delete), so a view that read old rows keeps them under the old stamp, which nobody asks for again.
Without the shared cache (Redis down), ``program_stamp`` is None and callers compute without keeping.
"""

import secrets
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

# Long enough to outlive what is kept under a stamp; a stamp that expires is simply a new stamp.
STAMP_SECONDS = 7 * 24 * 3600


def _key(program_id: int) -> str:
    return f"program-stamp:{program_id}"


def program_stamp(program) -> str | None:
    """The program's current stamp (``program`` or its pk); None when the shared cache is unreachable."""
    program_id = getattr(program, "pk", program)
    key = _key(program_id)
    stamp = cache.get(key)
    if stamp is None:
        cache.add(key, secrets.token_hex(8), timeout=STAMP_SECONDS)
        stamp = cache.get(key)
    return stamp


def program_stamps(program_ids: Iterable[int]) -> dict[int, str | None]:
    """``program_stamp`` of several programs in one round trip (those never stamped get a stamp)."""
    ids = list(program_ids)
    found = cache.get_many([_key(pk) for pk in ids])
    return {pk: found.get(_key(pk)) or program_stamp(pk) for pk in ids}


def bump_programs(program_ids: Iterable[int | None]) -> None:
    """Give these programs new stamps once the current transaction commits (at once outside one)."""
    ids = {pk for pk in program_ids if pk is not None}
    if not ids:
        return

    def bump() -> None:
        cache.set_many({_key(pk): secrets.token_hex(8) for pk in ids}, timeout=STAMP_SECONDS)

    transaction.on_commit(bump)


# How each model's rows name their program: an attribute path from the row to the program's pk.
PROGRAM_OF = {
    "organizations.Program": "pk",
    "organizations.Membership": "program_id",
    "organizations.Group": "program_id",
    "organizations.Invitation": "program_id",
    "organizations.AccessRequest": "program_id",
    "matching.Question": "program_id",
    "matching.Option": "question.program_id",
    "matching.Answer": "membership.program_id",
    "matching.Pairing": "program_id",
    "matching.MentorDecline": "program_id",
    "matching.AutoPairRun": "program_id",
    "matching.AutoPairProposal": "run.program_id",
    "matching.MentorSelection": "program_id",
    "matching.MentorRequest": "program_id",
    "matching.RequestEvent": "program_id",
    "sessions_app.Location": "program_id",
    "sessions_app.SessionSettings": "program_id",
    "sessions_app.MentorshipSession": "program_id",
    "sessions_app.Booking": "session.program_id",
    "sessions_app.SessionRequest": "program_id",
    "sessions_app.MentorOffer": "program_id",
    "oversight.OversightSettings": "program_id",
    "oversight.Activity": "program_id",
    "oversight.ActivityDate": "activity.program_id",
    "oversight.Attendance": "date.activity.program_id",
    "oversight.Observation": "program_id",
    "oversight.ObservationRevision": "observation.program_id",
    "oversight.FollowUpView": "program_id",
    "pairings.Message": "program_id",
    "pairings.ConversationNotice": "program_id",
    "pairings.PairingSettings": "program_id",
    "pairings.Agreement": "program_id",
    "pairings.Goal": "program_id",
    "pairings.FeedbackQuestion": "program_id",
    "pairings.FeedbackRequest": "program_id",
    "pairings.CheckIn": "program_id",
    "pairings.CycleSurvey": "program_id",
    "pairings.ProgramCycle": "program_id",
}


def _program_id(instance, path: str) -> int | None:
    value = instance
    for part in path.split("."):
        try:
            value = getattr(value, part)
        except Exception:  # a row whose parent is already gone (a cascade): nothing left to name
            return None
        if value is None:
            return None
    return value


def _row_changed(sender, instance, **kwargs) -> None:
    bump_programs([_program_id(instance, PROGRAM_OF[sender._meta.label])])


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes nothing any page keeps
    from organizations.models import Membership

    # the base manager: every membership, deleted people's too, outside any tenant's scope
    bump_programs(Membership._base_manager.filter(user_id=instance.pk).values_list("program_id", flat=True))


def connect() -> None:
    """Bump on every save and delete of the models above, and of users (once, from the app's ``ready``)."""
    from django.apps import apps

    for label in PROGRAM_OF:
        model = apps.get_model(label)
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"stamps:{label}:save")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"stamps:{label}:delete")
    user = apps.get_model("accounts.User")
    post_save.connect(_user_changed, sender=user, dispatch_uid="stamps:user:save")

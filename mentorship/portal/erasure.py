"""What erasing a person (GDPR) removes from every app, in one place: the free text they wrote or that is
about them, and their email address wherever it was copied. The rows stay (a pairing, a booking, a mark of
attendance, a message with no text), so every program's figures are the same after an erase.

The portal sits above every app, so it may know all their tables; ``accounts.services.user_erase`` sends
``user_erasing`` inside its transaction and anonymises the person's own row after this has run.
"""

from django.db.models import Q
from django.dispatch import receiver

from accounts.models import ERASED_NAME, User
from accounts.signals import user_erasing
from matching.models import Answer, MentorRequest, QuestionKind
from mentorship import stamps
from mentorship.models import OutboxEmail
from mentorship.oversight.models import Observation, ObservationRevision
from mentorship.pairings.models import Agreement, CycleSurvey, FeedbackRequest, Message
from organizations.models import AccessRequest, Invitation, Membership
from sessions_app.models import MentorOffer, SessionRequest


@receiver(user_erasing, sender=User)
def erase_personal_text(sender, user: User, **kwargs) -> None:
    # The base manager: the default one hides a deleted person's memberships.
    mine = Membership._base_manager.filter(user=user).values("pk")
    address = user.email
    anonymous = f"erased-{user.pk}@erased.invalid"

    Answer.objects.filter(membership__in=mine, question__kind=QuestionKind.TEXT).update(value="")
    MentorRequest.objects.filter(mentor__in=mine).update(decline_reason="")
    SessionRequest.objects.filter(mentee__in=mine).update(message="")
    SessionRequest.objects.filter(mentor__in=mine).update(decline_note="")
    MentorOffer.objects.filter(mentor__in=mine).update(message="")
    Message.objects.filter(author__in=mine).update(body="")
    Agreement.objects.filter(pairing__mentee__in=mine).update(learning="", change_request="")
    FeedbackRequest.objects.filter(respondent__in=mine).update(went_well="", private_note="")
    CycleSurvey.objects.filter(respondent__in=mine).update(keep="")
    # What mentors wrote about the person is about them: removed too, with its earlier versions.
    ObservationRevision.objects.filter(observation__mentee__in=mine).update(text="")
    Observation.objects.filter(mentee__in=mine).update(text="")

    Invitation.objects.filter(email__iexact=address).update(email=anonymous)
    AccessRequest.objects.filter(Q(requested_by=user) | Q(admin_email__iexact=address)).update(
        admin_name=ERASED_NAME, admin_email=anonymous
    )
    # Updates send no signal: the programs of the person's memberships, and of the invitations and access
    # requests that named them, get new stamps (read at commit, from the rows as they are now).
    stamps.bump_programs_of(Membership, "user_id", [user.pk], "program")
    stamps.bump_programs_of(Invitation, "email", [anonymous], "program")
    stamps.bump_organizations_of(Invitation, "email", [anonymous], "organization")
    stamps.bump_programs_of(AccessRequest, "admin_email", [anonymous], "program")
    # Emails to them, sent or not: their address and what was said to them.
    OutboxEmail.objects.filter(recipient__iexact=address).delete()

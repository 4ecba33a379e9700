"""Writes to organizations, programs and memberships."""

from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import User
from mentorship.mail import absolute_url
from organizations import emails
from organizations.models import Membership, Organization, Program, Role


def membership_ensure(
    *, user: User, organization: Organization, role: Role, program: Program | None = None
) -> Membership:
    """Give ``user`` the ``role`` (in ``program`` if given); one row per role, never two.

    Safe to call again, and safe when two requests race: the unique
    constraints decide, and the loser reads the winner's row.
    """
    lookup = {"user": user, "organization": organization, "program": program, "role": role}
    with scopes_disabled():
        existing = Membership.objects.filter(**lookup).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                return Membership.objects.create(**lookup)
        except IntegrityError:
            return Membership.objects.get(**lookup)


@transaction.atomic
def mentor_add_directly(
    *, organization: Organization, email: str, full_name: str, program: Program | None
) -> Membership:
    """Make ``email`` a mentor at once, without an invitation to accept (seed 003).

    A new address gets an account with no password, its email counted as
    verified (an admin vouched for it), and a link to choose a password; an
    existing account is told it was added. The caller's answer is the same in
    both cases, so it does not reveal who already has an account.
    """
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    set_password_url = None
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        key = default_token_generator.make_token(user)
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
        set_password_url = absolute_url(path)
    membership = membership_ensure(user=user, organization=organization, program=program, role=Role.MENTOR)
    emails.member_added(membership, set_password_url)
    return membership

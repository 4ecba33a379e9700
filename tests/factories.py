"""Factories for the tests: people, organizations, programs and memberships."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from organizations.models import Group, Membership, Organization, Program, ReviewStatus, Role

PASSWORD = "a-Strong-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    terms_version = "test"
    terms_accepted_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create: bool, extracted, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    admin_email = factory.Sequence(lambda n: f"admin{n}@example.org")
    status = ReviewStatus.APPROVED


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    status = ReviewStatus.APPROVED
    is_live = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    organization = factory.LazyAttribute(lambda m: m.program.organization if m.program else OrganizationFactory())
    role = Role.MENTEE


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


def member(program: Program, role: Role, **user_fields) -> User:
    """A new person holding ``role`` in ``program`` (or in its organization, for organization admins)."""
    user = UserFactory(**user_fields)
    if role == Role.ORGANIZATION_ADMIN:
        MembershipFactory(user=user, program=None, organization=program.organization, role=role)
    else:
        MembershipFactory(user=user, program=program, role=role)
    return user

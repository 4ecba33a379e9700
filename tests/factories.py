"""Factories for the tests: people, organizations, programs and memberships."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from matching.models import Answer, Option, Question
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

    @factory.post_generation
    def second_factor(user, create: bool, extracted, **kwargs) -> None:
        """Staff have an authenticator app (tests.mfa.TOTP_SECRET), as the staff pages require; False: none."""
        if create and user.is_staff and extracted is not False:
            from tests.mfa import give_totp

            give_totp(user)


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
    if role in (Role.ORGANIZATION_ADMIN, Role.MEMBER):  # roles in the organization, not in a program
        MembershipFactory(user=user, program=None, organization=program.organization, role=role)
    else:
        MembershipFactory(user=user, program=program, role=role)
    return user


class Survey:
    """A small questionnaire: a language requirement, learn/teach, a scale, and free text."""

    def __init__(self, program):
        self.program = program
        self.language = self._question(
            "multiple", "Which languages do you speak?", "require", ["English", "French"], reason_label="Languages"
        )
        self.skills = self._question(
            "multiple",
            "What would you like to learn?",
            "mapping",
            ["Public speaking", "Job applications", "Networking"],
            weight=3,
            mentor_text="What can you teach?",
            reason_label="Skills",
        )
        self.structure = Question.objects.create(
            program=program,
            order=3,
            kind="scale",
            rule="closeness",
            text="How structured do you like sessions?",
            weight=1,
            reason_label="Structure",
        )
        self.about = Question.objects.create(
            program=program, order=4, kind="text", text="Anything else?", required=False
        )

    def _question(self, kind, text, rule, labels, weight=1, **fields):
        question = Question.objects.create(
            program=self.program,
            order=Question.objects.count(),
            kind=kind,
            text=text,
            rule=rule,
            weight=weight,
            **fields,
        )
        for i, label in enumerate(labels):
            Option.objects.create(question=question, order=i, label=label)
        return question

    def option(self, question, label):
        return question.options.get(label=label).pk

    def answer(self, user, languages=("English",), skills=(), structure=3):
        membership = user.memberships.get(program=self.program)
        Answer.objects.create(
            membership=membership, question=self.language, value=[self.option(self.language, x) for x in languages]
        )
        if skills:
            Answer.objects.create(
                membership=membership, question=self.skills, value=[self.option(self.skills, x) for x in skills]
            )
        Answer.objects.create(membership=membership, question=self.structure, value=structure)
        return membership

    def person(self, role, complete_profile=True, full_name=None, email=None, **answers):
        profile = {"bio": "Hello", "languages": "English", "location": "Montréal"} if complete_profile else {}
        profile |= {k: v for k, v in (("full_name", full_name), ("email", email)) if v}
        user = member(self.program, role, **profile)
        self.answer(user, **answers)
        return user

import pytest

from matching.models import Answer, Option, Question
from organizations.models import Role
from tests.factories import ProgramFactory, member


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


@pytest.fixture
def survey(db):
    return Survey(ProgramFactory(default_capacity=1, max_capacity=3))


__all__ = ["Role", "Survey", "survey"]

"""A demo questionnaire, and answers to it that look like real people's.

``build_demo_questionnaire`` gives a program fifteen questions of every kind and
every matching rule. ``answer_demo_questionnaire`` answers them for demo mentors
and mentees the way real people would: each person has a field (of study for a
mentee, of work for a mentor) that drives what they want to learn or can teach,
their interests and how structured they like sessions; languages follow a
realistic mix (most people share English, some speak only French, a few
Spanish), and where people live follows their languages. So recommendations and
auto-pairing on demo data look sensible. ``fill_demo_profiles`` gives the same
people a profile (bio, languages, location) that agrees with their answers.

Everything is deterministic: a person's answers depend only on the seed, their
role and their email address.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db import transaction

from accounts.models import User
from matching.models import Answer, Audience, MatchRule, Option, Question, QuestionKind
from matching.services.answers import bump_matching_version
from matching.services.completion import completion_refresh
from mentorship import stamps
from organizations.models import Membership, Program, Role

LANGUAGES = ("English", "French", "Spanish")
SKILLS = (
    "Public speaking",
    "Job applications",
    "Networking",
    "Data skills",
    "Entrepreneurship",
    "Study choices",
    "Leadership",
    "Personal finance",
    "Digital marketing",
    "Software development",
)
MEETING_FORMATS = ("Online", "In person", "Either online or in person")
CITIES = ("London", "Paris", "Lyon", "Montréal", "Madrid", "Another city")
FREQUENCIES = ("Every week", "Every two weeks", "Once a month")
FREE_TIMES = ("Weekday mornings", "Weekday afternoons", "Weekday evenings", "Weekends")
INTERESTS = (
    "Sports",
    "Music",
    "Reading",
    "Travel",
    "Volunteering",
    "Gaming",
    "Cooking",
    "Art and design",
    "Technology",
    "Nature",
)
GOALS = (
    "Find an internship or a job",
    "Choose what to study",
    "Build my confidence",
    "Grow my network",
    "Start a business",
    "Learn new skills",
)
STAGES = ("Secondary school", "Undergraduate", "Postgraduate", "Early career", "Changing careers")


@dataclass(frozen=True)
class Discipline:
    """A field of study or work, and what people in it tend to want, offer and like."""

    skills: tuple[str, ...]  # the most typical first
    interests: tuple[str, ...]
    structure: int  # how structured they like sessions, 1-5
    mentees: int  # share among mentees
    mentors: int  # share among mentors


FIELDS: dict[str, Discipline] = {
    "Business": Discipline(
        skills=("Entrepreneurship", "Networking", "Personal finance", "Leadership", "Job applications"),
        interests=("Travel", "Sports"),
        structure=3,
        mentees=20,
        mentors=24,
    ),
    "Engineering and IT": Discipline(
        skills=("Software development", "Data skills", "Job applications", "Leadership"),
        interests=("Technology", "Gaming"),
        structure=4,
        mentees=20,
        mentors=22,
    ),
    "Health and care": Discipline(
        skills=("Study choices", "Public speaking", "Job applications", "Leadership"),
        interests=("Sports", "Volunteering"),
        structure=4,
        mentees=12,
        mentors=10,
    ),
    "Arts and media": Discipline(
        skills=("Digital marketing", "Networking", "Entrepreneurship", "Public speaking"),
        interests=("Art and design", "Music"),
        structure=2,
        mentees=10,
        mentors=9,
    ),
    "Social sciences": Discipline(
        skills=("Data skills", "Study choices", "Public speaking", "Networking"),
        interests=("Reading", "Volunteering"),
        structure=3,
        mentees=12,
        mentors=10,
    ),
    "Law and public service": Discipline(
        skills=("Public speaking", "Networking", "Job applications", "Leadership"),
        interests=("Reading", "Travel"),
        structure=4,
        mentees=8,
        mentors=9,
    ),
    "Natural sciences": Discipline(
        skills=("Data skills", "Study choices", "Software development", "Public speaking"),
        interests=("Nature", "Technology"),
        structure=4,
        mentees=10,
        mentors=8,
    ),
    "Education": Discipline(
        skills=("Public speaking", "Leadership", "Study choices", "Digital marketing"),
        interests=("Reading", "Cooking"),
        structure=3,
        mentees=8,
        mentors=8,
    ),
}


# --------------------------------------------------------------------- the questions


@dataclass(frozen=True)
class DemoQuestion:
    """One demo question; ``key`` names the Persona attribute that answers it (it is not stored)."""

    key: str
    text: str
    kind: str
    options: tuple[str, ...] = ()
    mentor_text: str = ""
    audience: str = Audience.BOTH
    rule: str = MatchRule.NONE
    weight: int = 1
    reason_label: str = ""
    required: bool = True
    min_value: int | None = None
    max_value: int | None = None
    also_met_by: tuple[tuple[str, tuple[str, ...]], ...] = ()  # mapping rule: wish -> other offers that meet it


DEMO_QUESTIONS: tuple[DemoQuestion, ...] = (
    DemoQuestion(
        "languages",
        "Which languages can you have your sessions in?",
        QuestionKind.MULTIPLE,
        LANGUAGES,
        rule=MatchRule.REQUIRE,
        reason_label="Languages",
    ),
    DemoQuestion(
        "skills",
        "What would you like to learn?",
        QuestionKind.MULTIPLE,
        SKILLS,
        mentor_text="What can you teach?",
        rule=MatchRule.MAPPING,
        weight=5,
        reason_label="Skills",
        also_met_by=(("Job applications", ("Networking",)), ("Data skills", ("Software development",))),
    ),
    DemoQuestion(
        "field",
        "What is your field of study?",
        QuestionKind.SINGLE,
        tuple(FIELDS),
        mentor_text="What is your field of work?",
        rule=MatchRule.SAME,
        weight=3,
        reason_label="Field",
    ),
    DemoQuestion(
        "meeting",
        "How would you like to meet?",
        QuestionKind.SINGLE,
        MEETING_FORMATS,
        rule=MatchRule.SAME,
        weight=2,
        reason_label="Meeting format",
    ),
    DemoQuestion(
        "city",
        "Where are you based?",
        QuestionKind.SINGLE,
        CITIES,
        rule=MatchRule.SAME,
        weight=1,
        reason_label="Based in",
    ),
    DemoQuestion(
        "frequency",
        "How often would you like to meet?",
        QuestionKind.SINGLE,
        FREQUENCIES,
        mentor_text="How often can you meet?",
        rule=MatchRule.SAME,
        weight=2,
        reason_label="How often",
    ),
    DemoQuestion(
        "free_times",
        "When are you usually free?",
        QuestionKind.MULTIPLE,
        FREE_TIMES,
        rule=MatchRule.OVERLAP,
        weight=1,
        reason_label="Free time",
    ),
    DemoQuestion(
        "interests",
        "What do you enjoy outside work or study?",
        QuestionKind.MULTIPLE,
        INTERESTS,
        rule=MatchRule.OVERLAP,
        weight=2,
        reason_label="Interests",
    ),
    DemoQuestion(
        "structure",
        "How structured do you like sessions? (1: a free conversation, 5: a clear agenda)",
        QuestionKind.SCALE,
        rule=MatchRule.CLOSENESS,
        weight=2,
        reason_label="Session structure",
        min_value=1,
        max_value=5,
    ),
    DemoQuestion(
        "feedback",
        "How direct do you like feedback? (1: gentle, 5: very direct)",
        QuestionKind.SCALE,
        mentor_text="How direct is your feedback? (1: gentle, 5: very direct)",
        rule=MatchRule.CLOSENESS,
        weight=1,
        reason_label="Feedback",
        min_value=1,
        max_value=5,
    ),
    DemoQuestion(
        "hours",
        "How many hours a month would you like to spend on mentoring?",
        QuestionKind.NUMBER,
        mentor_text="How many hours a month can you give to mentoring?",
        rule=MatchRule.CLOSENESS,
        weight=2,
        reason_label="Hours a month",
        min_value=1,
        max_value=20,
    ),
    DemoQuestion(
        "goals",
        "What do you hope to get from the program?",
        QuestionKind.MULTIPLE,
        GOALS,
        audience=Audience.MENTEE,
    ),
    DemoQuestion(
        "stage",
        "Where are you in your studies or career?",
        QuestionKind.SINGLE,
        STAGES,
        audience=Audience.MENTEE,
    ),
    DemoQuestion(
        "experience",
        "How many years of work experience do you have?",
        QuestionKind.NUMBER,
        audience=Audience.MENTOR,
        min_value=0,
        max_value=50,
    ),
    DemoQuestion(
        "about",
        "Is there anything your mentor should know about you?",
        QuestionKind.TEXT,
        mentor_text="Is there anything your mentees should know about you?",
        required=False,
    ),
)


@transaction.atomic
def build_demo_questionnaire(program: Program) -> list[Question]:
    """Give ``program`` the demo questionnaire; a program that already has questions keeps them (returned)."""
    existing = list(Question.objects.filter(program=program).order_by("order", "pk"))
    if existing:
        return existing
    questions = [_create_question(program, order, spec) for order, spec in enumerate(DEMO_QUESTIONS)]
    bump_matching_version(program)
    return questions


def _create_question(program: Program, order: int, spec: DemoQuestion) -> Question:
    question = Question.objects.create(
        program=program,
        order=order,
        kind=spec.kind,
        audience=spec.audience,
        text=spec.text,
        mentor_text=spec.mentor_text,
        reason_label=spec.reason_label,
        required=spec.required,
        rule=spec.rule,
        weight=spec.weight,
        min_value=spec.min_value,
        max_value=spec.max_value,
    )
    Option.objects.bulk_create(Option(question=question, order=i, label=label) for i, label in enumerate(spec.options))
    if spec.also_met_by:
        by_label = {option.label: option for option in Option.objects.filter(question=question)}
        for wish, offers in spec.also_met_by:
            # An option met by others must list itself too: an empty list alone means "itself".
            by_label[wish].satisfied_by.set([by_label[wish], *(by_label[offer] for offer in offers)])
    return question


# ------------------------------------------------------------------------- the people


@dataclass(frozen=True)
class Persona:
    """Who a demo person is; their answers and their profile follow from it.

    Attribute names are the DemoQuestion keys; a mentee's ``experience`` and a
    mentor's ``goals`` and ``stage`` are never asked.
    """

    role: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]  # wants to learn (mentee) or can teach (mentor)
    field: str
    meeting: str
    city: str
    frequency: str
    free_times: tuple[str, ...]
    interests: tuple[str, ...]
    structure: int
    feedback: int
    hours: int
    goals: tuple[str, ...]
    stage: str
    experience: int
    about: str
    capacity: int | None  # a mentor's own capacity; None keeps the program's default
    town: str  # for the profile: the city, or a real one for "Another city"


_LANGUAGE_MIX = {
    Role.MENTEE: {
        ("English",): 55,
        ("English", "French"): 18,
        ("French",): 14,
        ("English", "Spanish"): 8,
        ("Spanish",): 3,
        ("French", "Spanish"): 2,
    },
    Role.MENTOR: {
        ("English",): 42,
        ("English", "French"): 30,
        ("French",): 10,
        ("English", "Spanish"): 10,
        ("English", "French", "Spanish"): 8,
    },
}
_OTHER_TOWNS = {"English": ("Manchester", "Dublin"), "French": ("Bordeaux", "Brussels"), "Spanish": ("Barcelona",)}


def _weighted(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _sample(rng: random.Random, weights: dict[str, float], k: int) -> tuple[str, ...]:
    """``k`` distinct items drawn by weight, in the order of ``weights``."""
    pool, chosen = dict(weights), set()
    while pool and len(chosen) < k:
        item = _weighted(rng, pool)
        chosen.add(item)
        del pool[item]
    return tuple(item for item in weights if item in chosen)


def _city(rng: random.Random, languages: tuple[str, ...]) -> str:
    if languages == ("French",):
        return _weighted(rng, {"Paris": 5, "Lyon": 3, "Montréal": 2})
    if languages == ("Spanish",):
        return _weighted(rng, {"Madrid": 8, "Another city": 2})
    if "Spanish" in languages:
        return _weighted(rng, {"Madrid": 4, "London": 3, "Another city": 2})
    if "French" in languages:
        return _weighted(rng, {"Paris": 4, "Montréal": 3, "London": 2, "Lyon": 1})
    return _weighted(rng, {"London": 6, "Another city": 3, "Paris": 1})


def _skills(rng: random.Random, role: str, field: Discipline, experience: int) -> tuple[str, ...]:
    typical = {skill: len(field.skills) + 1 - i for i, skill in enumerate(field.skills)}
    if role == Role.MENTEE:
        wishes = set(_sample(rng, typical, _weighted(rng, {1: 3, 2: 4, 3: 2})))
        if rng.random() < 0.25:
            wishes.add("Job applications")
        return tuple(skill for skill in SKILLS if skill in wishes)
    offers = set(_sample(rng, typical, _weighted(rng, {2: 3, 3: 4, 4: 2})))
    if experience > 12 and rng.random() < 0.3:
        offers.add("Leadership")
    if rng.random() < 0.2:
        offers.add("Public speaking")
    return tuple(skill for skill in SKILLS if skill in offers)


def _goals(rng: random.Random, wishes: tuple[str, ...]) -> tuple[str, ...]:
    because = {
        "Job applications": "Find an internship or a job",
        "Study choices": "Choose what to study",
        "Public speaking": "Build my confidence",
        "Networking": "Grow my network",
        "Entrepreneurship": "Start a business",
    }
    goals = {because[w] for w in wishes if w in because}
    if not goals or rng.random() < 0.5:
        goals.add("Learn new skills")
    return tuple(goal for goal in GOALS if goal in goals)


def _about(rng: random.Random, role: str, field: str, skills: tuple[str, ...], experience: int) -> str:
    if rng.random() < 0.3:  # optional, and many leave it empty
        return ""
    topics = ", ".join(skill.lower() for skill in skills)
    if role == Role.MENTOR:
        return f"{experience} years in {field}. Happy to help with {topics}; ask me anything."
    return f"I'm in {field} and would love practical advice on {topics}."


def _persona(rng: random.Random, role: str) -> Persona:
    mentee = role == Role.MENTEE
    field_name = _weighted(rng, {name: f.mentees if mentee else f.mentors for name, f in FIELDS.items()})
    field = FIELDS[field_name]
    languages = _weighted(rng, _LANGUAGE_MIX[role])
    city = _city(rng, languages)
    experience = 0 if mentee else rng.randint(3, 35)
    skills = _skills(rng, role, field, experience)
    interest_weights = {interest: 4 if interest in field.interests else 1 for interest in INTERESTS}
    free_weights = dict(zip(FREE_TIMES, (1, 3, 3, 2) if mentee else (1, 1, 4, 3), strict=True))
    return Persona(
        role=role,
        languages=languages,
        skills=skills,
        field=field_name,
        meeting=_weighted(rng, dict(zip(MEETING_FORMATS, (45, 25, 30) if mentee else (35, 20, 45), strict=True))),
        city=city,
        frequency=_weighted(rng, dict(zip(FREQUENCIES, (25, 50, 25) if mentee else (15, 50, 35), strict=True))),
        free_times=_sample(rng, free_weights, rng.randint(1, 3)),
        interests=_sample(rng, interest_weights, rng.randint(2, 4)),
        structure=min(5, max(1, field.structure + rng.choice((-1, 0, 0, 1)))),
        feedback=_weighted(rng, {1: 1, 2: 2, 3: 3, 4: 3, 5: 1} if mentee else {1: 1, 2: 1, 3: 3, 4: 3, 5: 2}),
        hours=rng.randint(2, 8) if mentee else rng.choice((2, 3, 4, 4, 5, 6, 8)),
        goals=_goals(rng, skills) if mentee else (),
        stage=_weighted(rng, dict(zip(STAGES, (10, 40, 20, 22, 8), strict=True))) if mentee else "",
        experience=experience,
        about=_about(rng, role, field_name, skills, experience),
        capacity=None if mentee else _weighted(rng, {None: 6, 1: 1, 3: 3}),
        town=rng.choice(_OTHER_TOWNS[languages[0]]) if city == "Another city" else city,
    )


def demo_personas(memberships: Sequence[Membership], seed: int = 0) -> dict[int, Persona]:
    """A Persona for each mentor and mentee (by membership pk); needs ``membership.user``.

    A person's persona depends on the seed, their role and email only, except that
    when no mentor speaks one of the languages, the first mentors (by pk) learn it,
    so that even a small demo has a mentor for every mentee.
    """
    people = sorted((m for m in memberships if m.role in (Role.MENTOR, Role.MENTEE)), key=lambda m: m.pk)
    personas = {m.pk: _persona(random.Random(f"{seed}:{m.role}:{m.user.email}"), m.role) for m in people}
    mentors = [m.pk for m in people if m.role == Role.MENTOR]
    for language, pk in zip(LANGUAGES, mentors, strict=False):
        if not any(language in personas[other].languages for other in mentors):
            spoken = {*personas[pk].languages, language}
            personas[pk] = replace(personas[pk], languages=tuple(lang for lang in LANGUAGES if lang in spoken))
    return personas


def _participants(program: Program, memberships: Iterable[Membership]) -> list[Membership]:
    ids = [m.pk for m in memberships]
    return list(
        Membership.objects.filter(pk__in=ids, program=program, role__in=[Role.MENTOR, Role.MENTEE])
        .select_related("user")
        .order_by("pk")
    )


# ----------------------------------------------------------------------- the writes


@transaction.atomic
def answer_demo_questionnaire(program: Program, memberships: Iterable[Membership], seed: int = 0) -> int:
    """Answer the program's demo questions for each mentor and mentee who has no answer yet.

    Questions are recognised by their demo wording and options by their labels,
    so questions an admin added or reworded are left unanswered. Mentors also
    get their own capacity where their persona has one. Bumps the program's
    matching version when anything was written. Returns how many answers were written.
    """
    people = _participants(program, memberships)
    answered = set(
        Answer.objects.filter(membership__in=people, question__program=program).values_list("membership_id", flat=True)
    )
    newcomers = [m for m in people if m.pk not in answered]
    if not newcomers:
        return 0
    by_text = {q.text: q for q in Question.objects.filter(program=program).prefetch_related("options")}
    asked = [(spec, by_text[spec.text]) for spec in DEMO_QUESTIONS if spec.text in by_text]
    personas = demo_personas(people, seed)
    answers = []
    for membership in newcomers:
        persona = personas[membership.pk]
        for spec, question in asked:
            value = _stored_value(question, getattr(persona, spec.key)) if question.asks(membership.role) else None
            if value is not None:
                answers.append(Answer(membership=membership, question=question, value=value))
    Answer.objects.bulk_create(answers, batch_size=1000)
    completion_refresh(program_id=program.pk, membership_ids=[m.pk for m in newcomers])
    _set_capacities(program, newcomers, personas)
    bump_matching_version(program)
    return len(answers)


def _stored_value(question: Question, value: object) -> object:
    """A persona's value as Answer.value stores it (option ids, a number, text); None to leave it blank."""
    if question.is_choice:
        labels = value if isinstance(value, tuple) else (value,)
        ids = {option.label: option.pk for option in question.options.all()}
        chosen = [ids[label] for label in labels if label in ids]
        if not chosen:
            return None
        return chosen[:1] if question.kind == QuestionKind.SINGLE else chosen
    if question.kind == QuestionKind.TEXT:
        return value or None
    return value if isinstance(value, int) else None


def _set_capacities(program: Program, mentors: list[Membership], personas: dict[int, Persona]) -> None:
    changed = []
    for membership in mentors:
        capacity = personas[membership.pk].capacity
        if membership.role == Role.MENTOR and membership.capacity is None and capacity is not None:
            membership.capacity = min(capacity, program.max_capacity)
            changed.append(membership)
    Membership.objects.bulk_update(changed, ["capacity"])
    stamps.bump_programs([program.pk])


def fill_demo_profiles(program: Program, memberships: Iterable[Membership], seed: int = 0) -> int:
    """Give demo mentors and mentees a profile that agrees with their answers.

    Fills bio, languages and location where they are empty; returns how many people changed.
    """
    people = _participants(program, memberships)
    personas = demo_personas(people, seed)
    changed: dict[int, User] = {}
    for membership in people:
        user, persona = membership.user, personas[membership.pk]
        profile = {"bio": _bio(persona), "languages": ", ".join(persona.languages), "location": persona.town}
        blank = {name: value for name, value in profile.items() if not getattr(user, name)}
        for name, value in blank.items():
            setattr(user, name, value)
        if blank:
            changed[user.pk] = user
    User.objects.bulk_update(list(changed.values()), ["bio", "languages", "location"])
    stamps.bump_programs_of(Membership, "user_id", changed, "program")  # a bulk update: no signal
    return len(changed)


def _bio(persona: Persona) -> str:
    skills = ", ".join(skill.lower() for skill in persona.skills)
    interests = ", ".join(interest.lower() for interest in persona.interests)
    if persona.role == Role.MENTOR:
        return (
            f"{persona.experience} years of experience in {persona.field}. "
            f"I can help with {skills}. Away from work: {interests}."
        )
    return f"{persona.stage} ({persona.field}). I would like to get better at {skills}. I enjoy {interests}."

import numpy as np

from matching.engine import QuestionSpec, encode_answers, prepare_mentors
from matching.engine.unassigned import (
    ALL_FULL,
    AVAILABLE,
    NO_ANSWERS,
    NO_MENTORS,
    ONLY_EXCLUDED,
    REQUIREMENT_UNMET,
    REQUIREMENTS_UNMET_TOGETHER,
    UNANSWERED_REQUIREMENT,
    Why,
    why_unassigned,
)

QUESTIONS = [
    QuestionSpec("language", "multiple", "require", n_options=3),
    QuestionSpec("city", "single", "require", n_options=2),
    QuestionSpec("topic", "multiple", "overlap", n_options=3),
]


def reasons(mentees, mentors, room, exclusions=None):
    index = prepare_mentors(QUESTIONS, encode_answers(QUESTIONS, mentors))
    answers = encode_answers(QUESTIONS, mentees)
    return why_unassigned(answers, index, QUESTIONS, mentor_room=np.array(room), exclusions=exclusions)


def test_each_mentee_gets_the_first_true_reason():
    mentors = [{"language": [0], "city": 0, "topic": [0]}, {"language": [1], "city": 1}]
    mentees = [
        {},  # answered nothing
        {"topic": [0]},  # answered, but not the requirements
        {"language": [2], "city": 0},  # nobody speaks language 2
        {"language": [1], "city": 0},  # language 1 is in city 1 only
        {"language": [0], "city": 0},  # only mentor 0 fits, and mentor 0 declined them
        {"language": [1], "city": 1},  # only mentor 1 fits, and mentor 1 is full
        {"language": [0], "city": 0, "topic": [2]},  # mentor 0 fits and has room
    ]
    assert reasons(mentees, mentors, room=[1, 0], exclusions=[(4, 0)]) == [
        Why(NO_ANSWERS),
        Why(UNANSWERED_REQUIREMENT, ("language", "city")),
        Why(REQUIREMENT_UNMET, ("language",)),
        Why(REQUIREMENTS_UNMET_TOGETHER),
        Why(ONLY_EXCLUDED),
        Why(ALL_FULL),
        Why(AVAILABLE),
    ]


def test_a_requirement_met_only_by_full_mentors_says_full_not_unmet():
    assert reasons([{"language": [0], "city": 0}], [{"language": [0], "city": 0}], room=[0]) == [Why(ALL_FULL)]


def test_without_mentors_nobody_can_be_paired():
    index = prepare_mentors(QUESTIONS, encode_answers(QUESTIONS, []))
    answers = encode_answers(QUESTIONS, [{}, {"language": [0]}])
    assert why_unassigned(answers, index, QUESTIONS, mentor_room=np.zeros(0)) == [Why(NO_MENTORS)] * 2

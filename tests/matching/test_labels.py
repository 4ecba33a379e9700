import pytest

from matching.labels import short_label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Which subjects interest you?", "Subjects"),
        ("Which languages can you have your sessions in?", "Languages"),
        ("What is your field of study?", "Field of study"),
        ("How often would you like to meet?", "How often"),
        ("How structured do you like sessions? (1: free, 5: an agenda)", "How structured do you like sessions"),
        ("Quelles langues parlez-vous ?", "Langues"),
        ("Quel est votre domaine d’études ?", "Domaine d’études"),
        ("Languages", "Languages"),
    ],
)
def test_a_short_label_is_the_subject_of_the_question(text, label):
    assert short_label(text) == label

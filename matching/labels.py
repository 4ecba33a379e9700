"""A question's short name for match reasons, derived from its wording when the builder was given none.

"Which subjects interest you?: both Mathematics" reads like a form, "Subjects: both Mathematics" like a
person. The builder fills the short name with this suggestion when a question counts in matching (the
admin sees it and may change it); questions saved before keep their empty name and get the same
suggestion when a reason is worded. Only common English and French question shapes are recognised;
anything else keeps its wording, without the question mark.
"""

import re

_AUXILIARY = r"(?:do|does|did|would|could|can|are|is|were|should|will|interests?|matters?|suits?)"
_PATTERNS = [
    # "What is your field of study" -> "Field of study"; "Quelle est votre ville" -> "Ville"
    re.compile(r"^(?:what|which)\s+(?:is|are)\s+your\s+(?P<label>.+)$", re.IGNORECASE),
    re.compile(r"^(?:quel|quelle|quels|quelles)\s+(?:est|sont)\s+(?:votre|vos|ton|ta|tes)\s+(?P<label>.+)$", re.I),
    # "Which languages do you speak" -> "Languages"; "Which subjects interest you" -> "Subjects"
    re.compile(rf"^(?:what|which)\s+(?P<label>[\w-]+(?:\s[\w-]+)?)\s+{_AUXILIARY}\b", re.IGNORECASE),
    # "Quelles langues parlez-vous" -> "Langues"
    re.compile(r"^(?:quel|quelle|quels|quelles)\s+(?P<label>[\w-]+)\b", re.IGNORECASE),
    # "How often would you like to meet" -> "How often"; "How many hours a month ..." -> "How many hours"
    re.compile(r"^(?P<label>how\s+(?:often|long|much|many\s+[\w-]+))\b", re.IGNORECASE),
]
_PARENTHESES = re.compile(r"\([^)]*\)")
_MAX_LENGTH = 80  # Question.reason_label


def short_label(text: str) -> str:
    """A short name for a question worded ``text``: its subject when recognised, else the wording."""
    wording = _PARENTHESES.sub("", text).strip().rstrip("?:.!… ").strip()
    for pattern in _PATTERNS:
        match = pattern.match(wording)
        if match:
            label = match.group("label").strip()
            return (label[:1].upper() + label[1:])[:_MAX_LENGTH]
    return wording[:_MAX_LENGTH] or text[:_MAX_LENGTH]

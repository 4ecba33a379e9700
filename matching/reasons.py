"""Why a mentor is suggested, in the product's words: the engine's reasons for a pair turned into sentences."""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching import engine
from matching.engine import unassigned
from matching.models import Question
from matching.selectors import Questionnaire

# Two numbers are called close from three quarters of the similarity on: one step apart on a 1-5 scale.
CLOSE = 0.75


def _labels(options: list, indices) -> list[str]:
    return [options[i].label for i in indices if i < len(options)]


def reason_sentence(
    question: Question, reason: engine.Reason, mentor_name: str, options: list | None = None
) -> str | None:
    """One reason in the product's words, or None when it says nothing useful.

    ``options``: the question's options in order (``Questionnaire.options``), else read from the question.
    """
    if options is None:
        options = list(question.options.all())
    label = question.label()
    if reason.rule == "require":
        shared = ", ".join(_labels(options, reason.matched))
        return _("%(label)s: both %(shared)s") % {"label": label, "shared": shared} if shared else None
    if not reason.answered_both or not reason.similarity:
        return None
    if reason.rule == "mapping":
        wishes = _labels(options, sorted({wish for wish, _offer in reason.matched}))
        return _("Wants %(wishes)s; %(name)s can help with it") % {"wishes": ", ".join(wishes), "name": mentor_name}
    if reason.rule == "closeness":
        a, b = reason.values
        if a == b:
            return _("%(label)s: both %(value)g") % {"label": label, "value": a}
        if reason.similarity < CLOSE:  # it adds some points, but 1 and 4 on a scale are not "close"
            return _("%(label)s: %(a)g and %(b)g, some way apart") % {"label": label, "a": a, "b": b}
        return _("%(label)s: close (%(a)g and %(b)g)") % {"label": label, "a": a, "b": b}
    shared = ", ".join(_labels(options, reason.matched))
    return _("%(label)s: both %(shared)s") % {"label": label, "shared": shared}


def reason_sentences(questionnaire: Questionnaire, reasons: Iterable[engine.Reason], mentor_name: str) -> list[str]:
    """The sentences that explain a pair's score: hard requirements first, then the biggest contribution."""
    ordered = sorted(reasons, key=lambda r: (r.rule != "require", -r.contribution))
    sentences = []
    for reason in ordered:
        question = questionnaire.question(reason.key)
        sentences.append(reason_sentence(question, reason, mentor_name, questionnaire.options(question)))
    return [s for s in sentences if s]


# ------------------------------------------------------------------ why a mentee has no mentor

_CODE_LENGTH = 100  # AutoPairProposal.unassigned_reason


def unassigned_code(why: unassigned.Why) -> str:
    """A reason as stored in a preview's row: the code, then the question keys (``"requirement unmet:q4,q9"``)."""
    keys = list(why.keys)
    while keys and len(f"{why.code}:{','.join(keys)}") > _CODE_LENGTH:
        keys.pop()
    return f"{why.code}:{','.join(keys)}" if keys else why.code


def _quoted_labels(questionnaire: Questionnaire, keys: list[str]) -> tuple[str, int]:
    by_key = {q.key: q for q in questionnaire.questions}
    labels = [_("“%(label)s”") % {"label": by_key[key].label()} for key in keys if key in by_key]
    return ", ".join(labels), len(labels)


def unassigned_sentence(questionnaire: Questionnaire, code: str) -> str:
    """Why a mentee has no mentor, in words: the same sentence on the pairing page and in a preview."""
    name, _sep, keys = code.partition(":")
    labels, count = _quoted_labels(questionnaire, keys.split(",") if keys else [])
    if name == unassigned.UNANSWERED_REQUIREMENT and count:
        return _("Has not answered %(questions)s, which a mentor must share.") % {"questions": labels}
    if name == unassigned.REQUIREMENT_UNMET and count:
        return ngettext(
            "No mentor meets the requirement %(questions)s.", "No mentor meets the requirements %(questions)s.", count
        ) % {"questions": labels}
    return _sentence(name)


def _sentence(name: str) -> str:
    sentences = {
        unassigned.NO_MENTORS: _("The program has no mentor yet."),
        unassigned.NO_ANSWERS: _("Has not answered the questionnaire yet."),
        unassigned.UNANSWERED_REQUIREMENT: _("Has not answered a question that a mentor must share."),
        unassigned.REQUIREMENT_UNMET: _("No mentor meets one of their requirements."),
        unassigned.REQUIREMENTS_UNMET_TOGETHER: _("Each requirement is met by some mentor, but no mentor meets all."),
        unassigned.ONLY_EXCLUDED: _(
            "Every mentor who meets their requirements was paired with them before or declined them."
        ),
        unassigned.ALL_FULL: _("Every compatible mentor is full."),
        unassigned.AVAILABLE: _("No mentor with room has anything in common with their answers."),
        # Stored by previews computed before these reasons existed.
        "no mentor with room": _("Every compatible mentor is full."),
        "no compatible mentor": _("No mentor meets one of their requirements."),
    }
    return sentences.get(name, _("No mentor could be proposed."))

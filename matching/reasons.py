"""Why a mentor is suggested, in the product's words: the engine's reasons for a pair turned into sentences."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from matching import engine
from matching.models import Question
from matching.selectors import Questionnaire


def _labels(question: Question, indices) -> list[str]:
    options = list(question.options.all())
    return [options[i].label for i in indices if i < len(options)]


def reason_sentence(question: Question, reason: engine.Reason, mentor_name: str) -> str | None:
    """One reason in the product's words, or None when it says nothing useful."""
    label = question.label()
    if reason.rule == "require":
        shared = ", ".join(_labels(question, reason.matched))
        return _("%(label)s: both %(shared)s") % {"label": label, "shared": shared} if shared else None
    if not reason.answered_both or not reason.similarity:
        return None
    if reason.rule == "mapping":
        wishes = _labels(question, sorted({wish for wish, _offer in reason.matched}))
        return _("Wants %(wishes)s; %(name)s can help with it") % {"wishes": ", ".join(wishes), "name": mentor_name}
    if reason.rule == "closeness":
        a, b = reason.values
        if a == b:
            return _("%(label)s: both %(value)g") % {"label": label, "value": a}
        return _("%(label)s: close (%(a)g and %(b)g)") % {"label": label, "a": a, "b": b}
    shared = ", ".join(_labels(question, reason.matched))
    return _("%(label)s: both %(shared)s") % {"label": label, "shared": shared}


def reason_sentences(questionnaire: Questionnaire, reasons: Iterable[engine.Reason], mentor_name: str) -> list[str]:
    """The sentences that explain a pair's score: hard requirements first, then the biggest contribution."""
    ordered = sorted(reasons, key=lambda r: (r.rule != "require", -r.contribution))
    sentences = [reason_sentence(questionnaire.question(r.key), r, mentor_name) for r in ordered]
    return [s for s in sentences if s]

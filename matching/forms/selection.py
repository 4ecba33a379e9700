"""The mentee's ranking of their recommended mentors: a rank number per mentor (no JavaScript needed)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.widgets import LightSelect
from matching.matchmaking import Suggestion

FIELD_PREFIX = "rank_"


class MentorRankingForm(forms.Form):
    """One optional "Rank" choice (1..N) per recommended mentor; anything posted for another mentor is refused.

    ``ranked_ids`` is the chosen mentors' ids, best first, once the form is valid.
    """

    def __init__(self, data=None, *, suggestions: list[Suggestion], max_choices: int, initial_order=()) -> None:
        initial = {f"{FIELD_PREFIX}{pk}": str(rank) for rank, pk in enumerate(initial_order, start=1)}
        super().__init__(data, initial=initial)
        self.max_choices = max_choices
        self.suggestions = suggestions
        ranks = [("", _("Not chosen"))] + [(str(n), str(n)) for n in range(1, max_choices + 1)]
        for suggestion in suggestions:
            self.fields[f"{FIELD_PREFIX}{suggestion.mentor.pk}"] = forms.ChoiceField(
                label=_("Rank for %(name)s") % {"name": suggestion.mentor.user.full_name},
                choices=ranks,
                required=False,
                widget=LightSelect,  # Django's select renders a template for each of every mentor's ranks
            )

    def posted_strangers(self) -> list[str]:
        """Rank fields posted for mentors who are not recommended to this mentee."""
        if self.data is None:
            return []
        return [key for key in self.data if key.startswith(FIELD_PREFIX) and key not in self.fields and self.data[key]]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.posted_strangers():
            raise forms.ValidationError(NOT_RECOMMENDED)
        chosen = [(int(rank), int(name[len(FIELD_PREFIX) :])) for name, rank in cleaned.items() if rank]
        if not chosen:
            raise forms.ValidationError(_("Choose at least one mentor: give them rank 1."))
        ranks = [rank for rank, _pk in chosen]
        if len(ranks) != len(set(ranks)):
            raise forms.ValidationError(_("Give each chosen mentor a different rank."))
        self.ranked_ids = [pk for _rank, pk in sorted(chosen)]
        return cleaned


NOT_RECOMMENDED = gettext_lazy(
    "You can only choose among the mentors recommended to you: one of your choices is not (any more). "
    "Your other choices are kept."
)

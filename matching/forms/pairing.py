"""The pairing page's search and filters (a GET form: the page works without JavaScript)."""

from django import forms
from django.utils.translation import gettext_lazy as _

NO_ANSWERS = "no-answers"
HAS_SUGGESTIONS = "suggestions"
WAITING_LONGEST = "waiting"
NEWEST = "newest"
NAME = "name"


class PairingFilterForm(forms.Form):
    """Which unpaired mentees the pairing page lists, and in what order."""

    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=100)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Every unpaired mentee")),
            (NO_ANSWERS, _("No answers yet")),
            (HAS_SUGGESTIONS, _("Has suggestions")),
        ],
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(WAITING_LONGEST, _("Waiting longest first")), (NEWEST, _("Newest first")), (NAME, _("Name"))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> dict[str, str]:
        """The valid choices, with defaults for what is missing or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": (data.get("q") or "").strip(),
            "show": data.get("show") or "",
            "order": data.get("order") or WAITING_LONGEST,
        }

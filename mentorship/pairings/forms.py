from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.pairings.models import Message


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=Message.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text; links become clickable."),
    )

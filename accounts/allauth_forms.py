"""allauth's forms in the platform's words.

Apart from accounts.forms because allauth's forms module imports accounts.forms
(ACCOUNT_SIGNUP_FORM_CLASS) while it loads: importing it back from there would
be an import cycle.
"""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")

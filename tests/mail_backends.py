"""Email backends for tests: a provider that refuses some recipients."""

from smtplib import SMTPRecipientsRefused

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class RefusesDownExampleBackend(LocmemBackend):
    """Like the test backend (``mail.outbox``), but every message to an address at down.example fails."""

    def send_messages(self, messages):
        for message in messages:
            refused = [address for address in message.to if address.endswith("@down.example")]
            if refused:
                raise SMTPRecipientsRefused({address: (550, b"mailbox unavailable") for address in refused})
        return super().send_messages(messages)

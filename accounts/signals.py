"""Signals other apps answer without accounts importing them (imports point one way)."""

from django.dispatch import Signal

# Sent inside the erasing transaction with ``user`` (their address still on it), before the row is
# anonymised: each receiver removes the personal text that person left in its app's tables.
user_erasing = Signal()

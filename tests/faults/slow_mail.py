"""An email backend for the fault tests' worker processes: one file per message, a little slow, like a provider."""

import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, messages) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            time.sleep(0.02)
            name = f"{message.to[0]}-{time.monotonic_ns()}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return len(messages)

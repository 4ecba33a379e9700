"""Logging filters for the settings' LOGGING."""

import logging


class NoTracebackBelow500(logging.Filter):
    """Keep django.request's 4xx records to their one line.

    Django logs a PermissionDenied with its traceback; a 403 is an answer the
    code chose to give, not a crash, so the traceback is noise in the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True

"""Every write of sessions: ``sessions`` (create, edit, publish, cancel), ``bookings`` (seats), ``series``
(bulk duplicate), ``reminders``."""

import pytest

from tests import processes


@pytest.fixture
def redis():
    """A Redis of the test's own (the broker and the cache of its processes), which the test may stop and start."""
    server = processes.Redis()
    server.start()
    yield server
    server.stop()

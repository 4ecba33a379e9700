import pytest
from django.core.exceptions import ImproperlyConfigured

from mentorship.settings import env_bool


@pytest.mark.parametrize(
    ("raw", "expected"), [("True", True), ("true", True), ("FALSE", False), ("false", False), ("", None)]
)
def test_env_bool_reads_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=None) is expected


@pytest.mark.parametrize("raw", ["maybe", "1", "0", "yes", "no", "on", "off"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG", default=False)

"""Fixtures shared by test modules."""

import pytest

from monitor.store import Store


@pytest.fixture
def store(tmp_path):
    """An empty database of the current schema (a module may define its own ``store``)."""
    s = Store(tmp_path / "monitor.db")
    yield s
    s.close()

"""The lessons run as a learner's would: with the environment ``make notebooks`` sets (smoke mode, the
60,000-digit file, the course's data folder), not the unit tests' isolated one."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment():
    """Overrides tests/conftest.py's: keep GANLIB_SMOKE, GANLIB_MNIST_FILE and the data folder as given."""
    yield

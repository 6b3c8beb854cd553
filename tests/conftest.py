"""Shared test set-up: no network, no writes into the repository, a quiet TensorFlow."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory, monkeypatch):
    """Every test gets its own data folder and is offline unless it says otherwise."""
    monkeypatch.setenv("GANLIB_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("GANLIB_OFFLINE", "1")
    monkeypatch.delenv("GANLIB_SMOKE", raising=False)
    monkeypatch.delenv("GANLIB_MNIST_FILE", raising=False)


@pytest.fixture(scope="session")
def mnist():
    """The 5,000 bundled MNIST digits as ``(uint8 images, int labels)``, loaded once per session."""
    from ganlib import data

    return data.mnist._bundled_mnist()

import random

import numpy as np
import pytest

from ganlib import config


def test_smoke_flag_follows_environment(monkeypatch):
    monkeypatch.setenv("GANLIB_SMOKE", "1")
    assert config.smoke() is True
    monkeypatch.setenv("GANLIB_SMOKE", "0")
    assert config.smoke() is False
    monkeypatch.delenv("GANLIB_SMOKE")
    assert config.smoke() is False


def test_smoke_constant_is_read_at_import(monkeypatch):
    import importlib

    monkeypatch.setenv("GANLIB_SMOKE", "yes")
    try:
        assert importlib.reload(config).SMOKE is True
    finally:
        monkeypatch.delenv("GANLIB_SMOKE")
        importlib.reload(config)
    assert config.SMOKE is False


def test_data_dir_honours_environment(tmp_path, monkeypatch):
    target = tmp_path / "nested" / "cache"
    monkeypatch.setenv("GANLIB_DATA_DIR", str(target))
    assert config.data_dir() == target
    assert target.is_dir()


def test_data_dir_defaults_to_repository_data(monkeypatch):
    monkeypatch.delenv("GANLIB_DATA_DIR")
    path = config.data_dir()
    assert path.name == "data"
    assert (path.parent / "pyproject.toml").is_file()


def test_set_seed_gives_identical_draws_twice():
    import keras
    import tensorflow as tf

    def draws():
        return (
            random.random(),
            np.random.rand(3).tolist(),
            tf.random.normal((3,)).numpy().tolist(),
            keras.random.normal((3,)).numpy().tolist(),
        )

    config.set_seed(123)
    first = draws()
    config.set_seed(123)
    second = draws()
    config.set_seed(124)
    other = draws()
    assert first == second
    assert first[1] != other[1] and first[2] != other[2]


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_set_seed_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="seed"):
        config.set_seed(bad)


def test_describe_devices_mentions_versions_and_devices():
    import tensorflow as tf

    text = config.describe_devices()
    assert tf.__version__ in text
    assert "CPU cores" in text
    assert "GPU" in text

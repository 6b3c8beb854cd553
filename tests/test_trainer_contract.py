"""Trainers declare what identifies a run (``run_settings()``) and what a checkpoint holds
(``state_groups()``); ganlib.runs.identity and ganlib.checkpoints only call them. A made-up knob added to a
subclass is fingerprinted and checkpointed without touching either module."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from ganlib import checkpoints, models, runs, training
from ganlib.runs import identity


class WobblyGAN(training.GAN):
    """A GAN with a made-up knob (``wobble``) and a made-up piece of state (``wobble_state``)."""

    def __init__(self, *args, wobble: float = 0.5, **kwargs):
        super().__init__(*args, **kwargs)
        self.wobble = wobble
        self.wobble_state = keras.Variable(3.0, trainable=False, name="wobble_state")

    def run_settings(self):
        return {**super().run_settings(), "wobble": self.wobble}

    def state_groups(self):
        return {**super().state_groups(), "wobble_state": [self.wobble_state]}


def _wobbly(wobble=0.5):
    generator = models.build_mlp_generator(8, (16,), seed=0)
    discriminator = models.build_mlp_discriminator(hidden_units=(16,), dropout=0.0, seed=1)
    gan = WobblyGAN(generator, discriminator, seed=0, wobble=wobble)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def test_a_made_up_knob_is_part_of_the_runs_identity(tmp_path):
    settings = identity.settings_of(_wobbly(0.5))
    assert settings["wobble"] == 0.5 and settings["trainer"] == "WobblyGAN"
    assert settings["latent_dim"] == 8 and settings["loss_family"] == "non_saturating"  # the base's, kept
    assert identity.fingerprint(settings) != identity.fingerprint(identity.settings_of(_wobbly(0.7)))
    assert identity.fingerprint(settings) == identity.fingerprint(identity.settings_of(_wobbly(0.5)))
    with runs.open_run(tmp_path, _wobbly(0.5), None) as run:
        checkpoints.save_checkpoint(run.model, tmp_path)
    with pytest.raises(runs.OtherSettingsError, match="wobble"):
        runs.open_run(tmp_path, _wobbly(0.7), None)


def test_a_made_up_state_is_checkpointed_and_restored(tmp_path):
    gan = _wobbly()
    gan.wobble_state.assign(7.0)
    checkpoints.save_checkpoint(gan, tmp_path)
    fresh = _wobbly()
    assert float(fresh.wobble_state.numpy()) == 3.0
    checkpoints.restore_latest(fresh, tmp_path)
    assert float(fresh.wobble_state.numpy()) == 7.0
    saved = np.load(checkpoints.latest_checkpoint(tmp_path) / checkpoints.STATE)
    assert [key for key in saved.files if key.startswith("wobble_state.")] == ["wobble_state.0000"]


def test_each_trainer_declares_its_own_knobs_and_state(tiny_gan):
    gan = tiny_gan()
    assert set(gan.run_settings()) == {
        "loss_family", "label_smoothing", "ema_decay", "latent_dim", "noise_seed", "d_steps", "gradient_penalty_weight",
    }
    assert list(gan.state_groups()) == ["generator", "discriminator", "g_optimizer", "d_optimizer", "seed_generator"]
    with_ema = tiny_gan(ema_decay=0.9)
    assert "ema_generator" in with_ema.state_groups() and with_ema.run_settings()["ema_decay"] == 0.9

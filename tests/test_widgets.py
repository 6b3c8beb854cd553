"""The training panel, driven through its handlers as a learner's clicks would, without a browser."""

import numpy as np
import pytest

from ganlib import recipes, widgets


@pytest.fixture
def panel(mnist):
    return widgets.training_panel(mnist[0][:256], steps=4, seed=0, latent_dim=8, batch_size=32)


def _weights(model):
    return [w.copy() for w in model.get_weights()]


def _changed(before, model):
    return any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_panel_starts_from_the_recipe_with_overrides(panel):
    settings = panel.settings()
    assert settings["latent_dim"] == 8 and settings["batch_size"] == 32
    assert settings["g_lr"] == pytest.approx(recipes.MLP_GAN["g_lr"])
    assert panel.gan.latent_dim == 8
    assert set(panel.controls) == {"g_lr", "d_lr", "latent_dim", "batch_size", "d_steps", "loss", "label_smoothing"}


def test_train_click_trains_both_players_and_advances_the_dashboard(panel):
    g_before, d_before = _weights(panel.gan.generator), _weights(panel.gan.discriminator)
    panel.on_train_clicked(panel.train_button)
    assert panel.gan.step == 4
    assert len(panel.dashboard.history["d_loss"]) == 4
    assert _changed(g_before, panel.gan.generator) and _changed(d_before, panel.gan.discriminator)
    assert "Step 4" in panel.status.value
    assert not panel.train_button.disabled
    panel.on_train_clicked(panel.train_button)
    assert panel.gan.step == 8 and len(panel.dashboard.history["d_loss"]) == 8  # history carries on across clicks


def test_learning_rate_slider_reaches_the_optimizer(panel):
    panel.controls["d_lr"].value = 2e-3
    panel.train(2)
    assert float(panel.gan.d_optimizer.learning_rate.numpy()) == pytest.approx(2e-3, rel=1e-3)


def test_loss_and_d_steps_changes_recompile_without_losing_weights(panel):
    panel.train(2)
    g_before = _weights(panel.gan.generator)
    d_iterations = int(panel.gan.d_optimizer.iterations.numpy())
    panel.controls["loss"].value = "least_squares"
    panel.controls["d_steps"].value = 2
    panel.train(3)
    assert panel.gan.loss_family == "least_squares" and panel.gan.d_steps == 2
    assert int(panel.gan.d_optimizer.iterations.numpy()) == d_iterations + 6
    assert _changed(g_before, panel.gan.generator)
    assert "now using loss, d_steps" in panel.status.value


def test_the_panel_offers_only_the_losses_lesson_1_teaches(panel):
    assert panel.controls["loss"].options == ("non_saturating", "minimax", "least_squares")
    with pytest.raises(ValueError, match="loss"):
        widgets.training_panel(np.zeros((64, 28, 28), np.uint8), loss="wasserstein")


@pytest.mark.parametrize("loss", widgets.PANEL_LOSSES)
def test_every_offered_loss_trains_and_resets_with_the_largest_label_smoothing(panel, loss):
    panel.controls["label_smoothing"].value = panel.controls["label_smoothing"].max
    panel.controls["loss"].value = loss
    panel.controls["d_steps"].value = panel.controls["d_steps"].max
    panel.on_train_clicked(panel.train_button)
    assert panel.gan.loss_family == loss and panel.gan.label_smoothing == pytest.approx(0.3)
    assert "Step 4" in panel.status.value, panel.status.value
    panel.on_reset_clicked(panel.reset_button)
    assert "New GAN" in panel.status.value and panel.gan.loss_family == loss
    panel.on_train_clicked(panel.train_button)
    assert "Step 4" in panel.status.value, panel.status.value


def test_every_offered_latent_size_and_batch_size_trains(panel, monkeypatch):
    build = widgets.recipes.build_mlp_gan

    def eager_gan(*args, **kwargs):  # tracing a train function per latent size would cost minutes
        gan = build(*args, **kwargs)
        gan.run_eagerly = True
        return gan

    monkeypatch.setattr(widgets.recipes, "build_mlp_gan", eager_gan)
    panel.gan.run_eagerly = True
    for latent_dim in panel.controls["latent_dim"].options:
        panel.controls["latent_dim"].value = latent_dim
        panel.train(1)
        assert panel.gan.latent_dim == latent_dim
    for batch_size in panel.controls["batch_size"].options:
        panel.controls["batch_size"].value = batch_size
        panel.on_train_clicked(panel.train_button)
        assert "Step" in panel.status.value and "stopped" not in panel.status.value, panel.status.value


def test_latent_size_change_starts_a_new_gan(panel):
    panel.train(2)
    old = panel.gan
    panel.controls["latent_dim"].value = 2
    panel.train(2)
    assert panel.gan is not old and panel.gan.latent_dim == 2
    assert panel.gan.step == 2
    assert panel.samples(5).shape == (5, 28, 28, 1)


def test_reset_click_starts_over(panel):
    panel.train(2)
    old = panel.gan
    panel.on_reset_clicked(panel.reset_button)
    assert panel.gan is not old and panel.gan.step == 0 and panel.dashboard.history == {}


def test_a_failing_run_is_reported_in_the_status_line(panel, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(panel.gan, "fit", broken)
    panel.on_train_clicked(panel.train_button)
    assert "simulated failure" in panel.status.value
    assert not panel.train_button.disabled and not panel.reset_button.disabled


def test_a_failing_reset_is_reported_in_the_status_line(panel, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated build failure")

    monkeypatch.setattr(widgets.recipes, "build_mlp_gan", broken)
    panel.on_reset_clicked(panel.reset_button)
    assert "Reset failed" in panel.status.value and "simulated build failure" in panel.status.value

"""The training lab and its engine, driven through their handlers as a learner's clicks would, without a browser."""

import gc
import time

import numpy as np
import pytest

from ganlib import data, runs, storage, widgets
from ganlib.runs import lab_views, live

SMALL_GAN = {"g_hidden": (32,), "d_hidden": (32,), "latent_dim": 8, "batch_size": 32}


def _wait_for(condition, timeout=600.0):
    """Wait until ``condition()`` holds (polling); fail the test if it never does.

    The deadline only catches a hang: it is far above what the slowest wait takes on two busy cores (tracing a
    step and training a few), so how loaded the machine is never decides a result.
    """
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {condition}")
        time.sleep(0.01)


@pytest.fixture
def lab(mnist):
    lab = widgets.training_lab("gan", mnist[0][:256], seed=0, redraw_seconds=0.2, **SMALL_GAN)
    yield lab
    lab.close()


@pytest.fixture(scope="module")
def pairs():
    inputs, targets = data.load_pairs("digits-inpaint", "train", n=64, verbose=False)
    val_inputs, val_targets = data.load_pairs("digits-inpaint", "validation", n=4, verbose=False)
    return (inputs, targets), (val_inputs, val_targets)


# ---------------------------------------------------------------------------------------------- the engine


def test_format_value_writes_markers_as_a_learner_reads_them():
    assert live.format_value(5e-4) == "5e-04"
    assert live.format_value(0.1) == "0.1"
    assert live.format_value(100.0) == "100"
    assert live.format_value(3) == "3"
    assert live.format_value(None) == "off"
    # the optimizer stores 1e-2 as float32 0.0099999998: the marker "D lr 0.01 → 1e-03" must not say "1e-02"
    assert live.format_value(np.float32(0.01)) == "0.01"
    assert live.format_value(np.float32(5e-4)) == "5e-04"


def test_knobs_of_each_trainer(lab, pairs):
    assert live.knobs_of(lab.model) == ["g_lr", "d_lr", "label_smoothing", "d_steps", "gradient_penalty_weight", "r1_weight"]
    p2p = widgets.training_lab("pix2pix", pairs[0], validation=pairs[1], base_filters=8, d_base_filters=8)
    assert live.knobs_of(p2p.model) == ["g_lr", "d_lr", "label_smoothing", "l1_weight"]


def test_a_bad_value_raises_in_the_caller_and_changes_nothing(lab):
    with pytest.raises(ValueError, match="d_lr"):
        lab.live.change("d_lr", -1.0)
    with pytest.raises(ValueError, match="live knob"):
        lab.live.change("latent_dim", 4)
    assert lab.live.markers == []
    assert lab.live.value("d_lr") == pytest.approx(5e-4)


def test_start_trains_in_the_background_and_pause_stops_it(lab):
    lab.start()
    assert lab.live.running  # start returned at once: the thread trains
    _wait_for(lambda: lab.step >= 3)
    lab.pause()
    assert not lab.live.running
    stopped = lab.step
    time.sleep(0.3)
    assert lab.step == stopped  # nothing trains after pause returned
    assert lab.live.history["step"] == list(range(1, stopped + 1))  # one entry per step, by the model's step
    assert len(lab.live.history["d_loss"]) == stopped
    assert "Paused at step" in lab.status.value
    lab.start()  # Start continues the same run
    _wait_for(lambda: lab.step >= stopped + 3)
    lab.pause()
    assert lab.live.history["step"][: stopped + 3] == list(range(1, stopped + 4))


def test_a_learning_rate_change_while_training_reaches_the_optimizer_with_a_marker(lab):
    lab.start()
    _wait_for(lambda: lab.step >= 2)
    lab.controls["d_lr"].value = 5e-3  # what moving the slider does
    _wait_for(lambda: lab.live.markers)
    step, text = lab.live.markers[0]
    assert text == "D lr 5e-04 → 5e-03"
    assert step >= 2
    assert float(lab.model.d_optimizer.learning_rate.numpy()) == pytest.approx(5e-3, rel=1e-6)
    assert float(lab.model.g_optimizer.learning_rate.numpy()) == pytest.approx(5e-4, rel=1e-6)
    assert "D lr 5e-04 → 5e-03 at step" in lab.status.value
    lab.pause()


def test_d_steps_change_is_traced_into_the_running_step(lab):
    """After D steps 1 → 3 each step makes three discriminator updates: the new value reached the traced step."""
    lab.run_for(steps=2)
    lab.start()
    lab.controls["d_steps"].value = 3
    _wait_for(lambda: lab.live.markers and lab.step >= lab.live.markers[0][0] + 3)
    lab.pause()
    changed_at = lab.live.markers[0][0]
    d_updates = int(lab.model.d_optimizer.iterations.numpy())
    assert d_updates == changed_at * 1 + (lab.step - changed_at) * 3
    assert lab.live.markers[0][1] == "D steps 1 → 3"


def test_label_smoothing_change_reaches_the_loss(lab):
    """With smoothing s the discriminator's target for real images is 1 − s: the model trains with the new s."""
    lab.run_for(steps=2)
    lab.controls["label_smoothing"].value = 0.3  # paused: applied at once
    assert lab.model.label_smoothing == pytest.approx(0.3)
    assert lab.live.markers == [(lab.step, "label smoothing 0.1 → 0.3")]
    lab.run_for(steps=2)
    assert lab.model.label_smoothing == pytest.approx(0.3)


def test_lambda_change_reaches_the_pix2pix_step(pairs):
    lab = widgets.training_lab("pix2pix", pairs[0], validation=pairs[1], base_filters=8, d_base_filters=8, batch_size=16)
    try:
        lab.start()
        _wait_for(lambda: lab.step >= 2)
        traced = lab.model.train_function
        lab.controls["l1_weight"].value = 10.0  # while it trains
        _wait_for(lambda: lab.live.markers and lab.step >= lab.live.markers[0][0] + 2)
        lab.pause()
        changed_at, text = lab.live.markers[0]
        assert text == "λ 100 → 10"
        # λ is a variable the traced step reads: the same step function trains on (no re-trace), and λ reads back
        assert lab.model.train_function is traced
        assert lab.model.l1_weight == 10.0 and lab.settings()["l1_weight"] == 10.0
        history = lab.live.history
        # g_loss = gan_weight · g_gan + λ · g_l1, with λ = 100 up to the marker's step and 10 after it
        for step, g_loss, g_gan, g_l1 in zip(*(history[k] for k in ("step", "g_loss", "g_gan", "g_l1")), strict=True):
            weight = 100.0 if step <= changed_at else 10.0
            assert g_loss == pytest.approx(g_gan + weight * g_l1, rel=1e-5)
    finally:
        lab.close()


def test_structural_knobs_wait_for_reset(lab):
    lab.run_for(steps=2)
    lab.controls["latent_dim"].value = 16
    assert "Reset" in lab.status.value
    assert lab.model.latent_dim == 8  # the running game keeps its networks
    lab.on_reset_clicked()
    assert lab.model.latent_dim == 16 and lab.step == 0
    assert lab.live.history == {"step": []} and lab.live.markers == []
    lab.run_for(steps=2)
    assert lab.step >= 2


def test_an_exception_in_the_thread_shows_in_the_status_line_and_ends_training(lab):
    def broken(step):
        raise RuntimeError("the data went missing")

    lab.live._make_dataset = broken
    lab.on_start_clicked()
    assert lab.live.wait(timeout=600)  # the thread ended: the reason must already be on show
    assert not lab.live.running
    assert isinstance(lab.live.error, RuntimeError)
    assert "Training stopped at step 0: RuntimeError: the data went missing" in lab.status.value
    with pytest.raises(RuntimeError, match="data went missing"):
        lab.run_for(steps=1)


def test_a_thread_that_fails_before_start_returns_keeps_its_reason_on_show(lab, monkeypatch):
    """The worst order for the status line: the thread fails and ends before *Start*'s handler returns."""

    def broken(step):
        raise RuntimeError("the data went missing")

    lab.live._make_dataset = broken
    start = lab.live.start

    def start_then_fail_at_once():
        start()
        lab.live.wait(timeout=600)

    monkeypatch.setattr(lab.live, "start", start_then_fail_at_once)
    lab.on_start_clicked()
    assert not lab.live.running
    assert "Training stopped at step 0: RuntimeError: the data went missing" in lab.status.value


def test_close_joins_the_thread(lab):
    lab.start()
    _wait_for(lambda: lab.step >= 1)
    thread = lab.live._thread
    lab.close()
    assert not thread.is_alive()


def test_a_forgotten_lab_stops_training_when_collected(mnist):
    lab = widgets.training_lab("gan", mnist[0][:256], seed=0, **SMALL_GAN)
    lab.start()
    live = lab.live
    _wait_for(lambda: live.step >= 1)
    thread = live._thread
    del lab
    gc.collect()
    thread.join(60)
    assert not thread.is_alive()


def test_save_writes_a_run_the_cli_and_explorers_load(lab, tmp_path):
    from ganlib import checkpoints
    from ganlib.cli import main

    lab.run_for(steps=3)
    lab.controls["g_lr"].value = 1e-3
    lab.save_input.value = str(tmp_path / "lab")
    lab.on_save_clicked()
    assert "Saved step" in lab.status.value
    generator = storage.load_model(tmp_path / "lab" / "generator.keras")  # what an explorer loads
    assert generator.input_shape == (None, 8)
    assert main(["sample", str(tmp_path / "lab"), "--n", "4", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.load(tmp_path / "s.npy").shape[0] == 4
    recorded = runs.read_settings(tmp_path / "lab" / "checkpoints")
    assert recorded["settings"] == {"model": "gan", "seed": 0}
    assert recorded["g_optimizer"]["learning_rate"] == pytest.approx(1e-3)  # the run's settings when saved
    restored = widgets.training_lab("gan", np.zeros((64, 28, 28), np.uint8), g_lr=1e-3, **SMALL_GAN).model
    saved = checkpoints.restore_latest(restored, tmp_path / "lab" / "checkpoints")
    assert saved["step"] == lab.step
    assert saved["markers"] == [[lab.live.markers[0][0], "G lr 5e-04 → 1e-03"]]


def test_save_refuses_a_folder_of_another_run_in_the_status_line(lab, tmp_path):
    lab.run_for(steps=2)
    lab.save(tmp_path / "lab")
    lab.controls["latent_dim"].value = 16
    lab.reset()
    lab.run_for(steps=2)
    lab.save_input.value = str(tmp_path / "lab")
    lab.on_save_clicked()
    assert "Save failed: OtherSettingsError" in lab.status.value


def test_save_needs_a_folder(lab):
    lab.save_input.value = "  "
    lab.on_save_clicked()
    assert "Type a folder" in lab.status.value


def test_unknown_kind_and_unoffered_loss_are_refused(mnist):
    with pytest.raises(ValueError, match="kind"):
        widgets.training_lab("wgan", mnist[0][:64])
    with pytest.raises(ValueError, match="loss"):
        widgets.training_lab("gan", mnist[0][:64], loss="wasserstein")


# ---------------------------------------------------------------------------------------------- the views


def _marker_lines(fig):
    return [line for ax in fig.axes for line in ax.lines if line.get_color() == lab_views._MARKER_COLOR]


def test_the_view_draws_each_change_on_the_curves(lab):
    lab.run_for(steps=3)
    lab.controls["d_lr"].value = 1e-3
    lab.run_for(steps=2)
    fig = lab_views.figure("gan", lab.live, lab.fixed)
    assert len(_marker_lines(fig)) == 2  # on the loss plot and on the D-output plot
    assert {line.get_xdata()[0] for line in _marker_lines(fig)} == {lab.live.markers[0][0]}
    texts = [t.get_text().strip() for ax in fig.axes for t in ax.texts]
    assert texts.count("D lr 5e-04 → 1e-03") == 2
    assert lab.view.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_pix2pix_view_shows_the_patch_verdict(pairs):
    lab = widgets.training_lab("pix2pix", pairs[0], validation=pairs[1], base_filters=8, d_base_filters=8)
    outputs = lab_views.triplets(lab.model, *lab.fixed)[1]
    verdict = lab_views.patch_verdict(lab.model, lab.fixed[0], outputs)
    rows = lab.model.discriminator.output_shape[1]
    assert verdict.shape == (rows, rows) and ((verdict >= 0) & (verdict <= 1)).all()
    fig = lab_views.figure("pix2pix", lab.live, lab.fixed)
    assert any("PatchGAN" in ax.get_title() for ax in fig.axes)
    lab.close()


def test_trailing_smoothing_is_a_running_mean_without_look_ahead():
    from ganlib import viz

    assert viz.smooth_curve([1, 2, 3, 4], 2).tolist() == [1.0, 1.5, 2.5, 3.5]
    assert viz.smooth_curve([1, 2, 3], 1).tolist() == [1.0, 2.0, 3.0]


def test_drawing_from_the_training_thread_updates_the_image(lab):
    first = lab.view.value
    lab.run_for(steps=5)
    assert lab.view.value != first  # redrawn (at least when training stopped), from the thread


# ---------------------------------------------------------------------------------------------- every option works


def _structural_values(control):
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def _covering_builds(controls, names, largest_first=("batch_size", "d_base_filters")):
    """Settings that together use every offered value of every knob in ``names``: build ``i`` sets each knob to its
    ``i``-th value (wrapping round), so ``max(len(values))`` builds cover them all, instead of one build per value.

    The knobs in ``largest_first`` run through their values backwards, so the widest generator meets a small batch
    and the narrowest discriminator (one eager step of the 96-filter pix2pix on a batch of 128 pairs takes ~40 s)."""
    values = {name: _structural_values(controls[name])[:: -1 if name in largest_first else 1] for name in names}
    return [{name: offered[i % len(offered)] for name, offered in values.items()} for i in range(max(map(len, values.values())))]


def test_covering_builds_use_every_value_of_every_knob():
    class Control:  # a dropdown's options: plain values or (label, value) pairs
        def __init__(self, options):
            self.options = options

    controls = {"a": Control([1, 2, 3]), "b": Control([("off", None), ("on", True)]), "c": Control([4, 5])}
    assert _covering_builds(controls, ["a", "b", "c"], largest_first=("c",)) == [
        {"a": 1, "b": None, "c": 5},
        {"a": 2, "b": True, "c": 4},
        {"a": 3, "b": None, "c": 5},
    ]


@pytest.mark.parametrize("kind", ["gan", "dcgan", "pix2pix"])
def test_every_offered_structural_option_builds_and_trains(kind, mnist, pairs):
    """A knob does what it says: every option of every ⟳ knob builds at Reset, trains a step (eagerly: tracing a step
    per build would cost minutes) and is what the run's settings say. The builds set all ⟳ knobs at once
    (``_covering_builds``: 7 builds for the GAN and the DCGAN, 5 for pix2pix, instead of 15, 26 and 22 builds of
    one changed knob each), so options are also tried together."""
    if kind == "pix2pix":
        inputs, targets = data.load_pairs("digits-inpaint", "train", n=256, verbose=False)
        lab = widgets.training_lab(kind, (inputs, targets), validation=pairs[1], base_filters=16, d_base_filters=8)
    else:
        lab = widgets.training_lab(kind, mnist[0][:256], **({"g_hidden": (32,), "d_hidden": (32,)} if kind == "gan" else {}))
    try:
        for build in _covering_builds(lab.controls, widgets.LAB_KINDS[kind][2]):
            for name, value in build.items():
                lab.controls[name].value = value
            lab.on_reset_clicked()
            assert "New " in lab.status.value, (build, lab.status.value)
            lab.model.run_eagerly = True
            lab.run_for(steps=1)
            assert lab.step >= 1, build
            assert {name: lab.settings()[name] for name in build} == build
    finally:
        lab.close()


def test_a_failing_reset_is_reported_in_the_status_line(lab, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated build failure")

    monkeypatch.setattr("ganlib.recipes.build_mlp_gan", broken)
    lab.on_reset_clicked()
    assert "Reset failed" in lab.status.value and "simulated build failure" in lab.status.value

"""Lesson 7's players for 2-D points: small MLPs, with the discriminator's stabilisers as options.

* :func:`build_toy_generator` — ``z → (x, y)``: ReLU hidden layers and a linear output (the points are not in
  [-1, 1]).
* :func:`build_toy_discriminator` — ``(x, y) → one score``: LeakyReLU hidden layers, optionally with

  - **spectral normalisation** (Miyato et al. 2018): every layer is a
    :class:`~ganlib.models.stabilisers.SpectralDense`, whose weight matrix is divided by an estimate of its largest
    singular value, refreshed by one :func:`~ganlib.models.stabilisers.power_iteration` per call;
  - **minibatch standard deviation** (Karras et al. 2018): a :class:`~ganlib.models.stabilisers.MinibatchStdDev`
    layer before the last hidden layer.

Both work in units of ``scale`` (the mixture's standard deviation, say): the generator's last layer multiplies
its output by it and the discriminator's first divides its input by it, so the networks see coordinates of
size about 1 while the points keep the mixture's own units (Gulrajani et al.'s toy script divides its data by
its standard deviation, 2.828 for the grid, to the same end).

Every size is an argument and every initialiser is seeded.
"""

from __future__ import annotations

import keras

from ganlib import _checks
from ganlib.models.stabilisers import MinibatchStdDev, SpectralDense, power_iteration

__all__ = ["MinibatchStdDev", "SpectralDense", "build_toy_discriminator", "build_toy_generator", "power_iteration"]


def build_toy_generator(latent_dim: int = 2, hidden_units=(128, 128, 128), scale: float = 1.0,
                        seed: int | None = None) -> keras.Model:
    """The toy generator ``z → (x, y)``: ``Dense → ReLU`` per hidden layer, a linear ``Dense(2)``, times ``scale``.

    Args:
        latent_dim: size of the noise ``z``.
        hidden_units: widths of the hidden layers.
        scale: the output's unit (a ``Rescaling(scale)`` layer); 1: none.
        seed: seeds the Glorot-uniform initialisers (``seed``, ``seed + 1``, …).

    Returns:
        A ``keras.Model`` named ``"generator"``: ``(batch, latent_dim) -> (batch, 2)``.
    """
    _checks.positive_int("latent_dim", latent_dim)
    hidden_units = _checks.units("hidden_units", hidden_units)
    next_seed = _checks.seed_stream(seed)
    z = keras.Input(shape=(latent_dim,), name="z")
    x = z
    for units in hidden_units:
        x = keras.layers.Dense(units, activation="relu", kernel_initializer=keras.initializers.GlorotUniform(next_seed()))(x)
    points = keras.layers.Dense(2, kernel_initializer=keras.initializers.GlorotUniform(next_seed()))(x)
    points = keras.layers.Rescaling(_checks.positive_number("scale", scale), name="points")(points)
    return keras.Model(z, points, name="generator")


def build_toy_discriminator(hidden_units=(128, 128, 128), spectral_norm: bool = False, minibatch_std: int = 0,
                            scale: float = 1.0, seed: int | None = None, power_iteration_fn=None) -> keras.Model:
    """The toy discriminator ``(x, y) → score``: divided by ``scale``, ``Dense → LeakyReLU(0.2)`` per hidden layer,
    then ``Dense(1)``.

    Args:
        hidden_units: widths of the hidden layers.
        spectral_norm: every layer a :class:`SpectralDense` (Miyato et al. 2018).
        minibatch_std: group size of a :class:`MinibatchStdDev` layer before the last hidden layer (0: none).
        scale: the input's unit (a ``Rescaling(1 / scale)`` layer first); 1: none.
        seed: seeds the initialisers (``seed``, ``seed + 1``, …; a spectral layer's ``u`` takes the next).
        power_iteration_fn: the spectral layers' power iteration (default :func:`power_iteration`).

    Returns:
        A ``keras.Model`` named ``"discriminator"``: ``(batch, 2) -> (batch, 1)`` scores (logits).
    """
    hidden_units = _checks.units("hidden_units", hidden_units)
    if isinstance(minibatch_std, bool) or not isinstance(minibatch_std, int) or minibatch_std < 0:
        raise ValueError(f"Expected `minibatch_std` >= 0 (a group size; 0 for none). Received: minibatch_std={minibatch_std!r}")
    if power_iteration_fn is not None and not spectral_norm:
        raise ValueError("Expected `spectral_norm=True` with `power_iteration_fn`: only spectral layers use it.")
    next_seed = _checks.seed_stream(seed)

    def dense(units, name=None):
        if spectral_norm:
            layer_seed = next_seed()
            next_seed()  # the layer's u takes seed + 1
            return SpectralDense(units, seed=layer_seed, power_iteration_fn=power_iteration_fn, name=name)
        return keras.layers.Dense(units, kernel_initializer=keras.initializers.GlorotUniform(next_seed()), name=name)

    points = keras.Input(shape=(2,), name="points")
    x = keras.layers.Rescaling(1.0 / _checks.positive_number("scale", scale))(points)
    for index, units in enumerate(hidden_units):
        if minibatch_std and index == len(hidden_units) - 1:
            x = MinibatchStdDev(minibatch_std)(x)
        x = keras.layers.LeakyReLU(negative_slope=0.2)(dense(units)(x))
    scores = dense(1, name="scores")(x)
    return keras.Model(points, scores, name="discriminator")

"""Lesson 7's players for 2-D points: small MLPs, with the discriminator's stabilisers as options.

* :func:`build_toy_generator` — ``z → (x, y)``: ReLU hidden layers and a linear output (the points are not in
  [-1, 1]).
* :func:`build_toy_discriminator` — ``(x, y) → one score``: LeakyReLU hidden layers, optionally

Both work in units of ``scale`` (the mixture's standard deviation, say): the generator's last layer multiplies
its output by it and the discriminator's first divides its input by it, so the networks see coordinates of
size about 1 while the points keep the mixture's own units (Gulrajani et al.'s toy script divides its data by
its standard deviation, 2.828 for the grid, to the same end). The discriminator's options:

  - **spectral normalisation** (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial Networks",
    arXiv:1802.05957): every layer is a :class:`SpectralDense`, whose weight matrix is divided by an estimate of
    its largest singular value, refreshed by one :func:`power_iteration` per call in training mode;
  - **minibatch standard deviation** (Karras et al. 2018, "Progressive Growing of GANs", arXiv:1710.10196,
    section 3): a :class:`MinibatchStdDev` layer before the last hidden layer appends, to each example, how much
    its group of examples varies, so a discriminator can tell a collapsed batch (all samples alike) from real
    data.

Every size is an argument and every initialiser is seeded.
"""

from __future__ import annotations

import keras

from ganlib import _checks


def power_iteration(kernel, u):
    """One power iteration of spectral normalisation: the largest singular value of ``kernel`` and the next ``u``.

    With ``W`` the kernel reshaped to ``(fan_in, units)`` (Keras' layout: ``outputs = inputs · W``) and ``u`` a
    row ``(1, units)``, Miyato et al. 2018 (Algorithm 1, in this layout)::

        v ← u·Wᵀ / ‖u·Wᵀ‖,    u ← v·W / ‖v·W‖,    σ(W) ≈ v·W·uᵀ

    ``u`` and ``v`` are treated as constants (``stop_gradient``), so the gradient reaches ``W`` through
    ``σ = v·W·uᵀ`` only, ``∂σ/∂W = vᵀu``, as in the paper. Norms are floored at 1e-7, as in Keras.

    Args:
        kernel: the weights, ``(..., units)``.
        u: the current estimate of the first left singular vector, ``(1, units)``.

    Returns:
        ``(sigma, u)``: the scalar estimate ``σ(W)`` and the new ``u`` ``(1, units)``.
    """
    ops = keras.ops
    weights = ops.reshape(kernel, (-1, ops.shape(kernel)[-1]))
    v = ops.normalize(ops.matmul(u, ops.transpose(weights)), axis=None, epsilon=1e-7)
    u = ops.normalize(ops.matmul(v, weights), axis=None, epsilon=1e-7)
    u, v = ops.stop_gradient(u), ops.stop_gradient(v)
    sigma = ops.matmul(ops.matmul(v, weights), ops.transpose(u))[0, 0]
    return sigma, u


@keras.saving.register_keras_serializable(package="ganlib")
class SpectralDense(keras.layers.Layer):
    """A ``Dense`` layer whose weight matrix is spectrally normalised: ``outputs = inputs · (W / σ(W)) + b``.

    ``σ(W)`` comes from ``power_iteration_fn(kernel, u)`` (default :func:`power_iteration`; lesson 7 passes the
    learner's), called on every call; in training mode the new ``u`` is stored for the next call (one iteration
    per call, warm-started from the last ``u``, as in Miyato et al. 2018), in inference mode it is not. The
    gradient flows through ``W / σ(W)``, as in the paper (``keras.layers.SpectralNormalization`` instead
    overwrites the kernel with ``W / σ`` in training mode and differentiates the result, not ``σ``).

    Args:
        units: outputs.
        seed: seeds the kernel's Glorot-uniform initialiser (``seed``) and ``u``'s N(0, 1) start (``seed + 1``).
        power_iteration_fn: ``fn(kernel, u) -> (sigma, u)`` (not saved: a loaded layer uses ganlib's).
    """

    def __init__(self, units, seed=None, power_iteration_fn=None, **kwargs):
        super().__init__(**kwargs)
        self.units = _checks.positive_int("units", units)
        self.seed = seed
        self.power_iteration_fn = power_iteration_fn or power_iteration

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(
            shape=(fan_in, self.units), name="kernel",
            initializer=keras.initializers.GlorotUniform(seed=self.seed),
        )
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")
        self.u = self.add_weight(
            shape=(1, self.units), name="u", trainable=False,
            initializer=keras.initializers.RandomNormal(seed=None if self.seed is None else self.seed + 1),
        )

    def call(self, inputs, training=False):
        sigma, u = self.power_iteration_fn(self.kernel, self.u)
        if training:
            self.u.assign(keras.ops.convert_to_tensor(u, dtype=self.u.dtype))
        return keras.ops.matmul(inputs, self.kernel / sigma) + self.bias

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "seed": self.seed}


@keras.saving.register_keras_serializable(package="ganlib")
class MinibatchStdDev(keras.layers.Layer):
    """Karras et al. 2018's minibatch standard deviation: append one feature, how much the example's group varies.

    The batch is cut into groups of ``group_size`` consecutive examples; for each group, the standard deviation
    of every feature over the group (``sqrt(variance + 1e-8)``), averaged over the features, is appended to each
    of its examples as one more feature. Karras et al.'s code groups 4 examples (taking every
    ``batch / 4``-th example into a group); consecutive examples form the groups here, so that when
    ``tf.distribute`` hands each replica a contiguous shard of the batch, the groups are those of one device
    (each shard must then hold a multiple of ``group_size`` examples).

    Args:
        group_size: examples per group (the batch must be a multiple of it).
    """

    def __init__(self, group_size=4, **kwargs):
        super().__init__(**kwargs)
        self.group_size = _checks.positive_int("group_size", group_size)

    def call(self, inputs):
        ops = keras.ops
        features = ops.shape(inputs)[-1]
        groups = ops.reshape(inputs, (-1, self.group_size, features))
        deviation = ops.sqrt(ops.var(groups, axis=1) + 1e-8)  # (groups, features)
        statistic = ops.mean(deviation, axis=-1, keepdims=True)  # (groups, 1)
        statistic = ops.reshape(ops.repeat(statistic, self.group_size, axis=0), (-1, 1))
        return ops.concatenate([inputs, ops.cast(statistic, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}


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

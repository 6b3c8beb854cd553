"""What stabilises a discriminator, as layers any builder can use (lesson 7): spectral normalisation and the
minibatch standard deviation.

* :func:`power_iteration` — one step of the power method that estimates a weight matrix's largest singular value
  σ(W) (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial Networks", arXiv:1802.05957,
  Algorithm 1); :class:`SpectralDense` and :class:`SpectralConv2D` divide their kernel by it, so the kernel,
  reshaped to ``(fan_in, units)``, has spectral norm ≈ 1. For a Dense layer that makes it 1-Lipschitz up to the
  estimate (one power iteration per call estimates σ from below, so ``W/σ̂`` has norm ≥ 1, closing in on 1 as the
  iterations of successive calls converge). For a convolution the reshaped kernel's norm approximates, and does
  not bound, the layer's Lipschitz constant (a 3×3 all-ones kernel, one channel: reshaped norm 3, operator norm
  close to 9 on large images); Miyato et al. make the same approximation. The LeakyReLUs between the layers
  are 1-Lipschitz.
* :class:`MinibatchStdDev` — Karras et al. 2018 ("Progressive Growing of GANs", arXiv:1710.10196, section 3):
  appends to each example how much its group of examples varies, so the discriminator can tell a collapsed
  batch (all samples alike) from real data.

:mod:`ganlib.models.toy` (lesson 7's 2-D players) and :func:`ganlib.models.build_dcgan_discriminator` take them as
options.
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
        u: the current estimate of the singular vector of the largest singular value on the ``units`` side,
            ``(1, units)``: in Keras' ``(fan_in, units)`` layout, W's first *right* singular vector (the paper's
            first *left* one: its W is ``(units, fan_in)``, the transpose).

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


def _add_spectral_weights(layer, kernel_shape, kernel_initializer, outputs: int) -> None:
    """Give a spectral layer its kernel, a zero bias and the non-trainable ``u`` ``(1, outputs)``, N(0, 1) from
    ``layer.seed + 1``."""
    layer.kernel = layer.add_weight(shape=kernel_shape, name="kernel", initializer=kernel_initializer)
    layer.bias = layer.add_weight(shape=(outputs,), name="bias", initializer="zeros")
    layer.u = layer.add_weight(
        shape=(1, outputs), name="u", trainable=False,
        initializer=keras.initializers.RandomNormal(seed=None if layer.seed is None else layer.seed + 1),
    )


def _normalised_kernel(layer, training):
    """``W / σ(W)`` from one call of the layer's power iteration; in training mode the new ``u`` is kept."""
    sigma, u = layer.power_iteration_fn(layer.kernel, layer.u)
    if training:
        layer.u.assign(keras.ops.convert_to_tensor(u, dtype=layer.u.dtype))
    return layer.kernel / sigma


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
        _add_spectral_weights(self, (int(input_shape[-1]), self.units),
                              keras.initializers.GlorotUniform(seed=self.seed), self.units)

    def call(self, inputs, training=False):
        return keras.ops.matmul(inputs, _normalised_kernel(self, training)) + self.bias

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "seed": self.seed}


@keras.saving.register_keras_serializable(package="ganlib")
class SpectralConv2D(keras.layers.Layer):
    """A ``Conv2D`` layer whose kernel is spectrally normalised: the convolution with ``W / σ(W)``, plus a bias.

    As :class:`SpectralDense`, with the kernel ``(k, k, channels, filters)`` reshaped to ``(k·k·channels,
    filters)`` for the power iteration (as Miyato et al. and Keras do); ``padding="same"``.

    Args:
        filters, kernel_size, strides: as ``keras.layers.Conv2D``.
        seed: seeds the kernel's N(0, 0.02) initialiser (``seed``) and ``u``'s N(0, 1) start (``seed + 1``).
        power_iteration_fn: ``fn(kernel, u) -> (sigma, u)`` (not saved: a loaded layer uses ganlib's).
    """

    def __init__(self, filters, kernel_size, strides=1, seed=None, power_iteration_fn=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = _checks.positive_int("filters", filters)
        self.kernel_size = _checks.positive_int("kernel_size", kernel_size)
        self.strides = _checks.positive_int("strides", strides)
        self.seed = seed
        self.power_iteration_fn = power_iteration_fn or power_iteration

    def build(self, input_shape):
        shape = (self.kernel_size, self.kernel_size, int(input_shape[-1]), self.filters)
        _add_spectral_weights(self, shape, keras.initializers.RandomNormal(0.0, 0.02, seed=self.seed), self.filters)

    def call(self, inputs, training=False):
        kernel = _normalised_kernel(self, training)
        return keras.ops.conv(inputs, kernel, strides=self.strides, padding="same") + self.bias

    def compute_output_shape(self, input_shape):
        side = [None if s is None else -(-s // self.strides) for s in input_shape[1:3]]
        return (input_shape[0], *side, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "seed": self.seed}


@keras.saving.register_keras_serializable(package="ganlib")
class MinibatchStdDev(keras.layers.Layer):
    """Karras et al. 2018's minibatch standard deviation: append one feature, how much the example's group varies.

    The batch is cut into groups of ``group_size`` consecutive examples; for each group, the standard deviation
    of every feature over the group (``sqrt(variance + 1e-8)``), averaged over the features (and positions, for
    feature maps), is appended to each of its examples as one more feature (a constant extra channel for
    ``(batch, height, width, channels)`` maps). Karras et al.'s code groups 4 examples (taking every
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
        example_shape = ops.shape(inputs)[1:]
        groups = ops.reshape(inputs, (-1, self.group_size, *example_shape))
        deviation = ops.sqrt(ops.var(groups, axis=1) + 1e-8)  # (groups, *example_shape)
        statistic = ops.mean(ops.reshape(deviation, (ops.shape(deviation)[0], -1)), axis=-1)  # (groups,)
        statistic = ops.repeat(statistic, self.group_size, axis=0)  # (batch,)
        extra = ops.ones_like(inputs[..., :1]) * ops.reshape(statistic, (-1,) + (1,) * (len(inputs.shape) - 1))
        return ops.concatenate([inputs, ops.cast(extra, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}

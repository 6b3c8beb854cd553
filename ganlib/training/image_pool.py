"""A pool of past fakes for the discriminator (Shrivastava et al. 2017; used by CycleGAN, Zhu et al. 2017).

A discriminator trained only on the generator's latest fakes forgets what earlier fakes looked like, and
the generator can go back to them. The pool keeps ``pool_size`` fakes of earlier steps; the discriminator
is shown a mix of new and old ones. Per image, as in the CycleGAN code (``util/image_pool.py``): while the
pool is filling, the new fake is stored and shown; once full, with probability 1/2 a random stored fake is
shown instead and the new one takes its place, otherwise the new fake is shown and the pool is left as it is.

:func:`query_pool` is that rule, one batch at a time, with the random numbers given to it; :class:`ImagePool`
holds the pool's state, draws the random numbers and calls it (or a learner's function of the same
signature, lesson 5).

The pool runs inside ``train_step`` (TensorFlow graph). Under ``tf.distribute`` it is given the *global*
batch of fakes (every replica gathers all shards) and draws its random numbers from a seed state that is the
same on every replica, so every replica's pool holds the same images, as on one device. Its contents are not
part of a checkpoint: a resumed run starts with an empty pool and refills it within
``pool_size / batch_size`` steps.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganlib import _checks


def query_pool(stored, count, fake_images, coins, slots):
    """One query of the image pool: the fakes to show the discriminator, and the pool after it.

    For each new fake ``i`` in turn, as in the authors' code:

    * while the pool is filling (``count + i < pool_size``): show the fake and store it in the next free slot
      (``stored[count]``, ``stored[count + 1]``, …);
    * once it is full: if ``coins[i] < 0.5``, show the stored fake ``stored[slots[i]]`` and put the new fake
      in its place; else show the new fake and leave the pool as it is.

    Computed on the whole batch at once: first the fakes that fill free slots are stored, then the others swap
    with their slots of that pool. As the slots are distinct, this is the same as one fake at a time (a batch
    that fills the last slots offers its remaining fakes to the full pool). The authors draw each fake's slot
    on its own, so two fakes of a batch may meet the same slot; here the slots of one batch are distinct.

    Args:
        stored: ``(pool_size, H, W, C)``, the pool (slots ``count`` and above are empty).
        count: how many slots are filled, an int scalar.
        fake_images: ``(n, H, W, C)``, the generator's newest fakes (``n <= pool_size``).
        coins: ``(n,)`` floats uniform in [0, 1), one per fake.
        slots: ``(n,)`` ints in [0, pool_size), distinct: the stored fake each new fake may swap with.

    Returns:
        ``(shown, stored, count)``: the ``(n, H, W, C)`` fakes to show, the pool after the query and how many
        of its slots are filled.
    """
    stored = tf.convert_to_tensor(stored)
    fake_images = tf.cast(fake_images, stored.dtype)
    count = tf.cast(count, tf.int32)
    slots = tf.cast(slots, tf.int32)
    n = tf.shape(fake_images)[0]
    size = stored.shape[0] if stored.shape[0] is not None else tf.shape(stored)[0]
    position = count + tf.range(n)  # the free slot each fake would fill
    fills = position < size
    swap = tf.logical_and(tf.logical_not(fills), coins < 0.5)
    filled = tf.tensor_scatter_nd_update(
        stored, tf.boolean_mask(position, fills)[:, None], tf.boolean_mask(fake_images, fills)
    )
    shown = tf.where(swap[:, None, None, None], tf.gather(filled, slots), fake_images)
    updated = tf.tensor_scatter_nd_update(
        filled, tf.boolean_mask(slots, swap)[:, None], tf.boolean_mask(fake_images, swap)
    )
    return shown, updated, tf.minimum(count + n, size)


def _outside_the_graph(query_fn):
    """``query_fn`` (a learner's, in NumPy or eager TensorFlow) run as Python from the training graph."""

    def run(stored, count, fake_images, coins, slots):
        # copies: the function may write into its arrays
        shown, stored, count = query_fn(np.array(stored), int(count), np.array(fake_images), np.array(coins),
                                        np.array(slots))
        return np.asarray(shown, np.float32), np.asarray(stored, np.float32), np.asarray(count, np.int32)

    def query(stored, count, fake_images, coins, slots):
        shown, updated, new_count = tf.numpy_function(
            run, [stored, count, fake_images, coins, slots], [tf.float32, tf.float32, tf.int32], stateful=True
        )
        shown.set_shape(fake_images.shape)
        updated.set_shape(stored.shape)
        new_count.set_shape(())
        return shown, updated, new_count

    return query


class ImagePool(keras.layers.Layer):
    """A pool of ``pool_size`` past images of shape ``image_shape``.

    Args:
        pool_size: how many past fakes to keep (the paper: 50). Give at least the batch size, so one batch
            never swaps two of its images into the same slot.
        image_shape: ``(height, width, channels)`` of the images.
        query_fn: the rule of one query, with the signature of :func:`query_pool` (the default). Another
            function (a learner's, in NumPy or TensorFlow) runs as Python outside the graph
            (``tf.numpy_function``), on one device and without XLA.

    Call it as ``pool(fake_images, seed_generator=...)``: returns the images to show the discriminator, of the
    same shape, and updates the pool.
    """

    def __init__(self, pool_size: int, image_shape, query_fn=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _checks.positive_int("pool_size", pool_size)
        self.image_shape = _checks.image_shape(image_shape)
        if query_fn is not None and not callable(query_fn):
            raise ValueError(f"Expected `query_fn` to be a function. Received: query_fn={query_fn!r}")
        self.query_fn = query_pool if query_fn is None else query_fn
        self._query = query_pool if self.query_fn is query_pool else _outside_the_graph(self.query_fn)
        if self.query_fn is not query_pool:
            self.supports_jit = False  # tf.numpy_function
        # One value on every replica: assignments (identical everywhere) take the first replica's.
        self.images = self.add_weight(
            shape=(self.pool_size, *self.image_shape), initializer="zeros", trainable=False,
            aggregation="only_first_replica", name="images",
        )
        self.count = self.add_weight(
            shape=(), initializer="zeros", dtype="int32", trainable=False, aggregation="only_first_replica",
            name="count",
        )
        self.built = True  # its weights exist; `fit` under a strategy would otherwise try to build the model

    def call(self, fake_images, seed_generator):
        fake_images = tf.stop_gradient(tf.cast(fake_images, self.images.dtype))
        n = tf.shape(fake_images)[0]
        coins = keras.random.uniform((n,), seed=seed_generator)
        # a random order of the slots; the batch's i-th image may swap with slot order[i]
        order = tf.argsort(keras.random.uniform((self.pool_size,), seed=seed_generator))
        slots = tf.gather(order, tf.range(n) % self.pool_size)
        shown, updated, count = self._query(
            tf.convert_to_tensor(self.images), tf.convert_to_tensor(self.count), fake_images, coins, slots
        )
        self.images.assign(updated)
        self.count.assign(count)
        return shown

    def compute_output_shape(self, input_shape):
        return input_shape

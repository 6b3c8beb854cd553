"""A pool of past fakes for the discriminator (Shrivastava et al. 2017; used by CycleGAN, Zhu et al. 2017).

A discriminator trained only on the generator's latest fakes forgets what earlier fakes looked like, and
the generator can go back to them. The pool keeps ``pool_size`` fakes of earlier steps; the discriminator
is shown a mix of new and old ones. Per image, as in the CycleGAN code: while the pool is filling, the new
fake is stored and shown; once full, with probability 1/2 a random stored fake is shown instead and the new
one takes its place, otherwise the new fake is shown and the pool is left as it is.

The pool runs inside ``train_step`` (TensorFlow graph). Under ``tf.distribute`` it is given the *global*
batch of fakes (every replica gathers all shards) and draws its random numbers from a seed state that is the
same on every replica, so every replica's pool holds the same images, as on one device. Its contents are not
part of a checkpoint: a resumed run starts with an empty pool and refills it within
``pool_size / batch_size`` steps.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from ganlib import _checks


class ImagePool(keras.layers.Layer):
    """A pool of ``pool_size`` past images of shape ``image_shape``.

    Args:
        pool_size: how many past fakes to keep (the paper: 50). Give at least the batch size, so one batch
            never swaps two of its images into the same slot.
        image_shape: ``(height, width, channels)`` of the images.

    Call it as ``pool(fake_images, seed_generator=...)``: returns the images to show the discriminator, of the
    same shape, and updates the pool.
    """

    def __init__(self, pool_size: int, image_shape, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _checks.positive_int("pool_size", pool_size)
        self.image_shape = _checks.image_shape(image_shape)
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
        size = self.pool_size
        count = tf.convert_to_tensor(self.count)
        stored = tf.convert_to_tensor(self.images)
        full = count >= size
        coins = keras.random.uniform((n,), seed=seed_generator)
        # a random order of the slots; the batch's i-th image may swap with slot order[i]
        order = tf.argsort(keras.random.uniform((size,), seed=seed_generator))
        slots = tf.gather(order, tf.range(n) % size)
        swap = tf.logical_and(full, coins < 0.5)
        shown = tf.where(swap[:, None, None, None], tf.gather(stored, slots), fake_images)
        filling = count + tf.range(n)
        targets = tf.where(full, slots, filling)
        write = tf.where(full, swap, filling < size)
        updated = tf.tensor_scatter_nd_update(
            stored, tf.boolean_mask(targets, write)[:, None], tf.boolean_mask(fake_images, write)
        )
        self.images.assign(updated)
        self.count.assign(tf.minimum(count + n, size))
        return shown

    def compute_output_shape(self, input_shape):
        return input_shape

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


@pytest.fixture(scope="session")
def real_images(mnist):
    """64 real digits as float32 ``(64, 28, 28, 1)`` in [-1, 1]."""
    from ganlib import data

    return data.as_model_input(mnist[0][:64])


@pytest.fixture(scope="session")
def tiny_gan():
    """Build a compiled tiny GAN: ``tiny_gan(loss=..., seed=0, dropout=0.0, ema_decay=None, **compile_kwargs)``.

    The generator maps 8 noise values through one hidden layer of 16 units to 28×28×1 digits, the
    discriminator judges them with one hidden layer of 16; Adam(1e-3, beta_1=0.5) for both. Pass
    ``run_eagerly=True`` where graph tracing (about 2 s a model) is not what is under test.
    """
    import keras

    from ganlib import models, training

    def build(loss="non_saturating", seed=0, dropout=0.0, ema_decay=None, **compile_kwargs):
        generator = models.build_mlp_generator(8, (16,), seed=seed)
        discriminator = models.build_mlp_discriminator(hidden_units=(16,), dropout=dropout, seed=seed + 1)
        gan = training.GAN(generator, discriminator, seed=seed, ema_decay=ema_decay)
        gan.compile(
            d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
            g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
            loss=loss,
            **compile_kwargs,
        )
        return gan

    return build


#: The smallest pix2pix of the recipe: 16×16 digits, 4 filters in each network, 16-pixel patches.
TINY_PIX2PIX = {"base_filters": 4, "d_base_filters": 4, "receptive_field": 16}


@pytest.fixture(scope="session")
def tiny_pix2pix():
    """Build a compiled tiny pix2pix (``recipes.build_pix2pix`` on 16×16×1 inputs with :data:`TINY_PIX2PIX`):
    ``tiny_pix2pix(**overrides)`` takes any setting of ``recipes.PIX2PIX`` and ``image_shape``;
    ``tiny_pix2pix.settings`` holds the tiny settings."""
    from ganlib import recipes

    def build(image_shape=(16, 16, 1), **overrides):
        return recipes.build_pix2pix(
            "digits-inpaint", image_shape=image_shape, seed=0, **{**TINY_PIX2PIX, **overrides}
        )

    build.settings = dict(TINY_PIX2PIX)
    return build

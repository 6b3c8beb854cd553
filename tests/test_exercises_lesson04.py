"""Lesson 4's exercises: the checks of the three places where the label enters (G's label embedding, input
concatenation's label planes, the projection head), ganlib's references they fall back to, and the builders
that train whichever piece the lesson passes them (with ganlib's, the same weights and outputs as before)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from ganlib import data, exercises, recipes, runs, sampling, storage
from ganlib.exercises import lesson04
from ganlib.models import conditional as models

ROOT = Path(__file__).resolve().parents[1]


def _unattempted(*args, **kwargs):
    raise NotImplementedError


# ------------------------------------------------------------------------------------ learners' answers


def embedding_with_layers(z, labels, num_classes, embedding_dim, seed=None):
    table = keras.layers.Embedding(num_classes, embedding_dim,
                                   embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0, seed=seed))
    return keras.layers.Concatenate()([z, table(labels)])


def embedding_as_one_hot_times_a_matrix(z, labels, num_classes, embedding_dim, seed=None):
    """Another correct form: one_hot(y) @ E is row y of E."""
    one_hot = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot")(labels)
    rows = keras.layers.Dense(embedding_dim, use_bias=False,
                              kernel_initializer=keras.initializers.RandomNormal(stddev=1.0, seed=seed))(one_hot)
    return keras.ops.concatenate([z, rows], axis=-1)


def channels_with_ops(labels, height, width, num_classes):
    one_hot = keras.ops.one_hot(labels, num_classes)
    return keras.ops.tile(one_hot[:, None, None, :], (1, height, width, 1))


def channels_by_broadcasting(labels, height, width, num_classes):
    return keras.ops.one_hot(labels, num_classes)[:, None, None, :] * keras.ops.ones((1, height, width, 1))


@keras.saving.register_keras_serializable(package="test_lesson04")
class LearnersHead(keras.layers.Layer):
    """The notebook's solution: Dense(1) for ψ, an Embedding built once D is known, an inner product."""

    def __init__(self, num_classes, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.num_classes, self.seed = num_classes, seed
        self.psi = keras.layers.Dense(1, kernel_initializer=keras.initializers.RandomNormal(stddev=0.02, seed=seed))
        self.embed = None

    def build(self, input_shape):
        features_shape, _ = input_shape
        seed = None if self.seed is None else self.seed + 1
        self.embed = keras.layers.Embedding(self.num_classes, features_shape[-1],
                                            embeddings_initializer=keras.initializers.RandomNormal(stddev=0.02, seed=seed))

    def call(self, inputs):
        h, y = inputs
        return self.psi(h) + keras.ops.sum(self.embed(y) * h, axis=-1, keepdims=True)


@keras.saving.register_keras_serializable(package="test_lesson04")
class HeadWithOwnWeights(keras.layers.Layer):
    """Another correct form: add_weight and keras.ops.take instead of sublayers."""

    def __init__(self, num_classes, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.num_classes, self.seed = num_classes, seed

    def build(self, input_shape):
        dim = input_shape[0][-1]
        init = keras.initializers.RandomNormal(stddev=0.02, seed=self.seed)
        self.w = self.add_weight(shape=(dim,), initializer=init)
        self.b = self.add_weight(shape=(), initializer="zeros")
        self.vectors = self.add_weight(shape=(self.num_classes, dim), initializer=init)

    def call(self, inputs):
        h, y = inputs
        logit = keras.ops.sum(h * self.w, axis=-1) + self.b + keras.ops.sum(keras.ops.take(self.vectors, y, axis=0) * h, axis=-1)
        return logit[:, None]


def _head_variant(call_fn, registered=True, bias=True, seeded=True):
    """A head like LearnersHead whose ``call`` is ``call_fn(self, h, y)`` (for the usual mistakes)."""

    class Head(LearnersHead):
        def __init__(self, num_classes, seed=None, **kwargs):
            seed = seed if seeded else None
            super().__init__(num_classes, seed=seed, **kwargs)
            self.psi = keras.layers.Dense(1, use_bias=bias,
                                          kernel_initializer=keras.initializers.RandomNormal(stddev=0.02, seed=seed))

        def call(self, inputs):
            return call_fn(self, *inputs)

    return keras.saving.register_keras_serializable(package="test_lesson04_variant")(Head) if registered else Head


# ------------------------------------------------------------------------------------ the label embedding


def test_label_embedding_check_accepts_ganlibs_and_other_correct_forms(capsys):
    assert lesson04.check_label_embedding(models.label_embedding) is True
    assert lesson04.check_label_embedding(embedding_with_layers) is True
    assert lesson04.check_label_embedding(embedding_as_one_hot_times_a_matrix) is True
    assert capsys.readouterr().out.count("✅ Correct") == 3


def test_label_embedding_check_is_to_do_until_written(capsys):
    assert lesson04.check_label_embedding(_unattempted) is False
    assert lesson04.check_label_embedding(None) is False
    assert capsys.readouterr().out.count("Not attempted yet") == 2


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda z, y, n, e, seed=None: keras.layers.Concatenate()(
            [keras.layers.Embedding(n, e, embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0, seed=seed))(y), z]),
         "comes after z"),
        (lambda z, y, n, e, seed=None: keras.layers.Concatenate()([z, keras.layers.Embedding(n, e)(y)]), "Keras' default"),
        (lambda z, y, n, e, seed=None: embedding_with_layers(z, y, n, e, seed=None), "Seed the table"),
        (lambda z, y, n, e, seed=None: keras.layers.Concatenate()([z, keras.layers.CategoryEncoding(n, output_mode="one_hot")(y)]),
         "one-hot label"),
        (lambda z, y, n, e, seed=None: keras.layers.Multiply()([z, keras.layers.Embedding(n, z.shape[-1])(y)]),
         "multiplied"),
        (lambda z, y, n, e, seed=None: np.concatenate([z, np.eye(n)[y]], axis=1), "NumPy cannot compute"),
        (lambda z, y, n, e, seed=None: keras.layers.Lambda(lambda t: keras.ops.concatenate(t, axis=-1))(
            [z, keras.layers.Embedding(n, e, embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0, seed=seed))(y)]),
         "not a Lambda"),
    ],
    ids=["order", "default-init", "seed-ignored", "one-hot", "multiplied", "numpy", "lambda"],
)
def test_label_embedding_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson04.check_label_embedding(wrong)


def test_label_embedding_check_refuses_a_layer_class_the_saved_generator_would_need():
    class Joined(keras.layers.Layer):
        def __init__(self, num_classes, embedding_dim, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.table = keras.layers.Embedding(num_classes, embedding_dim,
                                                embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0, seed=seed))

        def call(self, inputs):
            z, y = inputs
            return keras.ops.concatenate([z, self.table(y)], axis=-1)

    with pytest.raises(AssertionError, match="your own layer class Joined"):
        lesson04.check_label_embedding(lambda z, y, n, e, seed=None: Joined(n, e, seed=seed)([z, y]))


# ------------------------------------------------------------------------------------ the label planes


def test_label_channels_check_accepts_layers_and_ops(capsys):
    for answer in (models.label_channels, channels_with_ops, channels_by_broadcasting):
        assert lesson04.check_label_channels(answer) is True
    assert lesson04.check_label_channels(_unattempted) is False
    assert "Not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, h, w, c: keras.ops.transpose(channels_with_ops(y, h, w, c), (0, 3, 1, 2)), "channels-last"),
        (lambda y, h, w, c: np.broadcast_to(np.eye(c, dtype=np.float32)[y][:, None, None, :], (len(y), h, w, c)),
         "NumPy cannot compute"),
        (lambda y, h, w, c: channels_with_ops(y, h, w, c)[..., ::-1], "reverse order"),
        (lambda y, h, w, c: keras.layers.Dense(c)(channels_with_ops(y, h, w, c)), "no weights"),
        (lambda y, h, w, c: keras.ops.ones_like(channels_with_ops(y, h, w, c)), "1 everywhere in its label's plane"),
    ],
    ids=["channels-first", "numpy", "reversed", "weights", "all-ones"],
)
def test_label_channels_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson04.check_label_channels(wrong)


# ------------------------------------------------------------------------------------ the projection head


def test_projection_head_check_accepts_ganlibs_and_other_correct_forms(capsys):
    for answer in (models.ProjectionHead, LearnersHead, HeadWithOwnWeights):
        assert lesson04.check_projection_head(answer) is True
    assert lesson04.check_projection_head(_unattempted) is False
    assert lesson04.check_projection_head(None) is False
    out = capsys.readouterr().out
    assert out.count("✅ Correct") == 3 and out.count("Not attempted yet") == 2


def test_projection_head_check_is_to_do_while_call_raises():
    assert lesson04.check_projection_head(_head_variant(lambda self, h, y: _unattempted())) is False


def _inner(self, h, y):
    return keras.ops.sum(self.embed(y) * h, axis=-1, keepdims=True)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_head_variant(lambda self, h, y: self.psi(h) + _inner(self, h, y), bias=False), "No bias b"),
        (_head_variant(lambda self, h, y: self.psi(h) + 0.0 * _inner(self, h, y)), "unconditional logit w·h \\+ b alone"),
        (_head_variant(lambda self, h, y: 0.0 * self.psi(h) + _inner(self, h, y)), "projection term alone"),
        (_head_variant(lambda self, h, y: self.psi(h) - _inner(self, h, y)), "subtracted"),
        (_head_variant(lambda self, h, y: self.psi(h)[:, 0] + _inner(self, h, y)[:, 0]), "keepdims"),
        (_head_variant(lambda self, h, y: self.psi(h) + _inner(self, h, y)[:, 0]),
         r"an N × N table: adding ψ\(h\), shape \(N, 1\), to a sum without keepdims"),
        (_head_variant(lambda self, h, y: self.psi(h) + keras.ops.matmul(h, keras.ops.transpose(self.embed(keras.ops.arange(self.num_classes))))),
         "One score per class"),
        (_head_variant(lambda self, h, y: self.psi(h) + _inner(self, h, keras.ops.arange(keras.ops.shape(y)[0]))),
         "first rows"),
        (_head_variant(lambda self, h, y: self.psi(h) + _inner(self, h, y), seeded=False), "pass `seed`"),
        (_head_variant(lambda self, h, y: self.psi(h) + _inner(self, h, y), registered=False), "register_keras_serializable"),
    ],
    ids=["no-bias", "unconditional-only", "projection-only", "sign", "no-keepdims", "broadcast", "every-class", "first-rows",
         "unseeded", "unregistered"],
)
def test_projection_head_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson04.check_projection_head(wrong)


@keras.saving.register_keras_serializable(package="test_lesson04_init")
class HeadWithKerasDefaults(LearnersHead):
    """Right numbers, seeded, but Keras' default initialisers: GlorotUniform for ψ, uniform ±0.05 for the table."""

    def __init__(self, num_classes, seed=None, kernel="glorot", **kwargs):
        super().__init__(num_classes, seed=seed, **kwargs)
        self.kernel = kernel
        if kernel == "glorot":
            self.psi = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=seed))

    def build(self, input_shape):
        self.embed = keras.layers.Embedding(self.num_classes, input_shape[0][-1],
                                            embeddings_initializer=keras.initializers.RandomUniform(seed=self.seed))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "seed": self.seed, "kernel": self.kernel}


def test_projection_head_check_asks_for_the_dcgan_initialisers():
    # GlorotUniform for Dense(256 → 1): uniform in ±√(6/257) = ±0.153, spread 0.153/√3 = 0.088.
    with pytest.raises(AssertionError, match=r"ψ's kernel w: a spread of 0\.08\d\d at the start .*N\(0, 0\.02\)"):
        lesson04.check_projection_head(HeadWithKerasDefaults)
    # RandomUniform(−0.05, 0.05): spread 0.05/√3 = 0.0289.
    with pytest.raises(AssertionError, match=r"The class vectors: a spread of 0\.02[89]\d at the start"):
        lesson04.check_projection_head(lambda num_classes, seed=None: HeadWithKerasDefaults(num_classes, seed, kernel="normal"))


class HeadWithATypo(LearnersHead):
    def build(self, input_shape):
        self.embed = keras.layers.Embedding(self.num_classes, input_shape[0][-1],
                                            embeddings_initializer=keras.initializers.RandomNormal(stddev=0.02, seed=seed))  # noqa: F821


def numpy_embedding(z, labels, num_classes, embedding_dim, seed=None):
    table = np.random.default_rng(seed).standard_normal((num_classes, embedding_dim)).astype("float32")
    return np.concatenate([z, table[labels]], axis=-1)


def test_a_failing_piece_shows_its_own_error_and_the_numpy_advice_only_for_symbolic_tensors():
    with pytest.raises(AssertionError) as raised:
        lesson04.check_projection_head(HeadWithATypo)
    message = str(raised.value)
    assert "NameError: name 'seed' is not defined (in `build`, line" in message
    assert "NumPy" not in message
    with pytest.raises(AssertionError, match="where NumPy cannot compute: use Keras layers or keras.ops"):
        lesson04.check_label_embedding(numpy_embedding)


def test_projection_head_hand_values():
    """ganlib's head with w = [1, −1, 0.5, 2], b = 0.25, class vectors V: logits [0.75, 6.25, 1.75] by hand."""
    head = models.ProjectionHead(3, seed=0)
    h, y = keras.Input((4,)), keras.Input((), dtype="int32")
    model = keras.Model([h, y], head([h, y]))
    assert model.count_params() == 4 + 1 + 3 * 4
    head.unconditional.kernel.assign([[1.0], [-1.0], [0.5], [2.0]])
    head.unconditional.bias.assign([0.25])
    head.class_embedding.embeddings.assign([[1, 0, 0, 1], [0, 2, -1, 0], [-1, 1, 1, 0.5]])
    features = np.array([[1, 0, 2, -1], [0.5, 1, 0, 2], [-1, 2, 1, 0]], np.float32)
    np.testing.assert_allclose(np.asarray(model([features, np.array([2, 0, 2])]))[:, 0], [0.75, 6.25, 1.75], rtol=1e-6)


# ------------------------------------------------------------------------------------ the builders train the pieces

# Computed with the builders as they were before they took pieces (commit c982dda), seeds 5 (G) and 6 (D), on
# z = N(0, 1) (4, 8) and x = U(−1, 1) (4, 28, 28, 1) from default_rng(0), labels [0, 3, 7, 9].
BEFORE_G = {
    "conv": (21249, 0.3348167886781539, [-7.86701450e-04, -8.88457289e-04, -2.12024606e-05, -4.55462083e-04]),
    "mlp": (13936, -0.08736885289147267, [-0.00577438, -0.00751336, -0.00832652, -0.00415466]),
}
BEFORE_D = {
    ("conv", "concat"): (4313, [-0.00249938, -0.00022588, 0.01565486, 0.00482537]),
    ("conv", "projection"): (10873, [0.00591245, -0.00137607, 0.0016905, 0.00051792]),
    ("conv", "acgan"): (10883, [-0.00690995, -0.00438959, 0.00189169, -0.00047989]),
    ("mlp", "concat"): (12737, [0.00248229, -0.04030432, -0.00237083, -0.00713567]),
    ("mlp", "projection"): (12737, [0.0071421, -0.04493446, 0.01219158, -0.04961147]),
    ("mlp", "acgan"): (12747, [0.02435314, 0.01464253, 0.00288206, 0.0362705]),
}


def _fixed_inputs():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 8)).astype("float32")
    x = rng.uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    return z, x, np.array([0, 3, 7, 9], np.int32)


@pytest.mark.parametrize("kind", models.KINDS)
def test_default_builds_give_the_weights_and_outputs_of_before(kind):
    z, x, y = _fixed_inputs()
    generator = models.build_conditional_generator(8, kind=kind, base_filters=8, hidden_units=(16,), seed=5)
    params, total, pixels = BEFORE_G[kind]
    images = np.asarray(generator([z, y], training=False), np.float64)
    assert generator.count_params() == params
    np.testing.assert_allclose(images.sum(), total, rtol=1e-5)
    np.testing.assert_allclose(images[:, 10, 10, 0], pixels, rtol=1e-5, atol=1e-9)
    for form in models.FORMS:
        discriminator = models.build_conditional_discriminator(form, kind=kind, base_filters=8, hidden_units=(16,), seed=6)
        params, logits = BEFORE_D[(kind, form)]
        got = np.asarray(discriminator(x if form == "acgan" else [x, y], training=False), np.float64)[:, 0]
        assert discriminator.count_params() == params
        np.testing.assert_allclose(got, logits, rtol=1e-5, atol=1e-8)


def test_lesson_recipe_starts_from_the_weights_of_before():
    gan = recipes.build_cgan(seed=0)
    sums = [float(np.sum([np.asarray(v, np.float64).sum() for v in model.weights])) for model in (gan.generator, gan.discriminator)]
    assert (gan.generator.count_params(), gan.discriminator.count_params()) == (634785, 25841)
    np.testing.assert_allclose(sums, [394.4841951575478, 67.44863103840652], rtol=1e-9)


def _small(form="projection", **pieces):
    return recipes.build_cgan(seed=0, form=form, base_filters=8, d_base_filters=8, latent_dim=8, **pieces)


LEARNERS = {"label_embedding": embedding_with_layers, "label_channels": channels_with_ops, "head": LearnersHead}


@pytest.mark.parametrize("form", models.FORMS)
def test_learners_pieces_build_the_same_players_and_train(form):
    reference, mine = _small(form), _small(form, **LEARNERS)
    for a, b in zip((reference.generator, reference.discriminator), (mine.generator, mine.discriminator), strict=True):  # correct pieces, same seeds: same weights
        assert [tuple(w.shape) for w in a.weights] == [tuple(w.shape) for w in b.weights]
        assert all(np.array_equal(np.asarray(u), np.asarray(v)) for u, v in zip(a.weights, b.weights, strict=True))
    if form == "projection":
        assert isinstance(mine.discriminator.layers[-1], LearnersHead)
    for gan in (reference, mine):  # Keras' fit under tf.distribute refuses a model with a layer left unbuilt
        assert [layer.name for layer in gan._flatten_layers() if not layer.built] == []
    before = [np.array(w) for w in mine.discriminator.trainable_weights]
    dataset = data.make_labelled_dataset(np.zeros((8, 28, 28), np.uint8), np.arange(8) % 10, 8, shuffle=False)
    mine.fit(dataset, epochs=1, verbose=0)
    after = mine.discriminator.trainable_weights
    assert all(not np.array_equal(b, np.asarray(a)) for b, a in zip(before, after, strict=True))


def test_a_run_with_the_learners_pieces_saves_models_that_load(tmp_path):
    """What the lesson says: generator.keras loads anywhere (Keras' own layers); discriminator.keras holds the
    learner's registered class, so it loads where that class is defined, and not in a fresh Python."""
    gan = _small(**LEARNERS)
    dataset = data.make_labelled_dataset(np.zeros((8, 28, 28), np.uint8), np.arange(8) % 10, 4, shuffle=False)
    runs.train(runs.open_run(tmp_path, gan, dataset.repeat()), steps=1)
    generator = storage.load_model(tmp_path / "generator.keras")
    assert sampling.num_classes_of(generator) == 10
    discriminator = storage.load_model(tmp_path / "discriminator.keras")
    assert type(discriminator.layers[-1]).__name__ == "LearnersHead"
    fresh = """
import sys
from ganlib import storage
for path in sys.argv[1:]:
    try:
        storage.load_model(path)
        print("loaded")
    except ValueError as error:
        print("refused:", error)
"""
    paths = [str(tmp_path / name) for name in ("generator.keras", "discriminator.keras")]
    result = subprocess.run([sys.executable, "-c", fresh, *paths], capture_output=True, text=True, cwd=ROOT, timeout=300)
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0] == "loaded", result.stdout + result.stderr[-1000:]
    assert lines[1].startswith("refused:") and "cannot rebuild" in lines[1]


def test_use_picks_the_learners_piece_or_ganlibs(capsys):
    assert exercises.use(LearnersHead, lesson04.check_projection_head, models.ProjectionHead) is LearnersHead
    assert exercises.use(_unattempted, lesson04.check_label_embedding, models.label_embedding) is models.label_embedding
    lines = capsys.readouterr().out.splitlines()
    assert "using your `LearnersHead`" in lines
    assert lines[-1] == "using ganlib's `models.conditional.label_embedding` (your exercise is not done yet)"


def test_builders_refuse_pieces_of_the_wrong_shape_in_one_line():
    with pytest.raises(ValueError, match=r"the projection `head`'s logits of shape \(batch, 1\)"):
        models.build_conditional_discriminator("projection", base_filters=8,
                                               head=_head_variant(lambda self, h, y: self.psi(h)[:, 0]))
    with pytest.raises(ValueError, match=r"`label_channels`' planes of shape \(batch, 28, 28, 10\)"):
        models.build_conditional_discriminator("concat", base_filters=8,
                                               label_channels=lambda y, h, w, c: channels_with_ops(y, h, w, 1))
    with pytest.raises(ValueError, match="`label_embedding` to return"):
        models.build_conditional_generator(8, label_embedding=lambda z, y, n, e, seed=None: keras.ops.expand_dims(z, 1))
    with pytest.raises(ValueError, match="`head` to be callable"):
        models.build_conditional_discriminator("projection", head="projection")


def test_num_classes_of_reads_an_embedding_of_any_name():
    generator = models.build_conditional_generator(8, num_classes=7, base_filters=8, label_embedding=embedding_with_layers)
    assert "label_embedding" not in [layer.name for layer in generator.layers]
    assert sampling.num_classes_of(generator) == 7

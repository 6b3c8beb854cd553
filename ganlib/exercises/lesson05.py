"""The checks of lesson 5 (CycleGAN)'s exercises (the contract: :mod:`ganlib.exercises`).

In the order the lesson teaches them: the MNIST-M blend (:func:`check_blend`), the cycle loss
(:func:`check_cycle_loss`), the identity loss (:func:`check_identity_loss`), the generators' total loss
(:func:`check_cyclegan_generator_loss`) and the image pool's query (:func:`check_pool_query`). The losses run
inside the training step's graph, so their checks also run them in a ``tf.function`` and look for a gradient;
the pool's query runs as Python (NumPy is fine there).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ganlib.data import unpaired
from ganlib.exercises.checking import ExerciseError, as_float, call, close, not_attempted, todo
from ganlib.training import image_pool

#: Two 2×2 grey pictures and their round trips (hand-checkable: multiples of ¼).
_REAL = np.array([[0.5, -1.0, 1.0, 0.0], [-0.5, 0.25, 0.75, -1.0]], np.float32).reshape(2, 2, 2, 1)
_CYCLED = np.array([[0.0, -1.0, 0.5, 0.5], [-0.25, 0.25, -0.25, -0.5]], np.float32).reshape(2, 2, 2, 1)

_GRAPH_HINT = (
    "Your function runs inside the training step, a TensorFlow graph that also differentiates it: write it with "
    "tf (tf.reduce_mean, tf.abs, tf.square) or keras.ops, not NumPy, float() or .numpy()."
)


def _in_graph(fn, tensors: list, wrt: list[int]):
    """Run ``fn(*tensors)`` inside a ``tf.function`` as the training step does; return its value and
    whether a gradient reaches each of ``tensors[i]``, ``i`` in ``wrt``."""
    tensors = [tf.constant(t, tf.float32) for t in tensors]

    @tf.function
    def run(*inputs):
        with tf.GradientTape() as tape:
            for i in wrt:
                tape.watch(inputs[i])
            value = tf.cast(fn(*inputs), tf.float32)
        return value, tape.gradient(value, [inputs[i] for i in wrt])

    try:
        value, gradients = run(*tensors)
    except Exception as error:  # NumPy on a graph tensor, float(), .numpy(), a Python `if` on a tensor …
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ExerciseError(f"{_GRAPH_HINT} ({type(error).__name__}: {first_line[:160]})") from None
    if any(gradient is None for gradient in gradients):
        raise ExerciseError("No gradient flows through your function: " + _GRAPH_HINT)
    return as_float(value)


def _scalar(got, name: str) -> float:
    shape = np.shape(np.asarray(got))
    if shape != ():
        raise ExerciseError(f"`{name}` must return one number (the mean over the whole batch); it returned shape {shape}.")
    return as_float(got)


def check_blend(fn) -> bool:
    """Exercise: ``fn(digits, crops)`` blends digits into photo crops as MNIST-M does (images in [-1, 1]):
    ``|crop − digit|`` per channel in [0, 1] terms, returned in [-1, 1]."""
    if not_attempted(fn):
        return todo("write `blend(digits, crops)` and run this cell again.")
    digits = np.array([-1.0, 1.0, 0.0, 0.5], dtype=np.float32).reshape(1, 1, 4, 1)
    crops = np.array([[0.2, -0.6, 1.0], [0.2, -0.6, 1.0], [-1.0, 0.0, 0.6], [0.5, 0.5, -0.5]], np.float32)
    crops = crops.reshape(1, 1, 4, 3)
    got = call(fn, digits, crops)
    if got is None:
        return todo("replace `raise NotImplementedError` in `blend` with your code.")
    got = np.asarray(got, dtype=np.float64)
    expected = unpaired.blend_with_photos(digits, crops)
    if got.shape == expected.shape and np.allclose(got, expected, atol=1e-5):
        print("✅ Correct: the photo shows where the digit is black, its colours inverted where the digit is white.")
        return True
    if got.shape == expected.shape and np.allclose(got, np.abs(crops - digits), atol=1e-5):
        raise ExerciseError("Take |crop − digit| on pixels in [0, 1] ((x + 1) / 2), then map back to [-1, 1].")
    if got.shape == expected.shape and np.allclose(got, (expected + 1) / 2, atol=1e-5):
        raise ExerciseError("Right blend, wrong range: map the [0, 1] result back to [-1, 1] (2·x − 1).")
    if got.shape != expected.shape:
        raise ExerciseError(f"Expected shape {expected.shape} (one colour per channel of the crop), got {got.shape}.")
    raise ExerciseError(f"Expected {expected.ravel().round(3).tolist()}, got {got.ravel().round(3).tolist()}.")


def check_cycle_loss(fn) -> bool:
    """Exercise: ``fn(real_images, cycled_images)`` is one direction's cycle loss, ``mean |cycled − real|``
    over every pixel of the batch (:func:`ganlib.losses.cycle_loss`)."""
    if not_attempted(fn):
        return todo("write `cycle_loss(real_images, cycled_images)` and run this cell again.")
    got = call(fn, _REAL, _CYCLED)
    if got is None:
        return todo("replace `raise NotImplementedError` in `cycle_loss` with your code.")
    # |cycled − real|: picture 1: 0.5, 0, 0.5, 0.5 (mean 0.375); picture 2: 0.25, 0, 1, 0.5 (mean 0.4375)
    want = 0.40625  # (1.5 + 1.75) / 8 pixels
    per_picture = np.array([0.375, 0.4375])
    if np.shape(np.asarray(got)) == per_picture.shape and np.allclose(np.asarray(got, np.float64), per_picture):
        raise ExerciseError("One loss per picture: average over the batch too, so the loss is one number.")
    got = _scalar(got, "cycle_loss")
    if close(got, 0.2578125):  # (0.25 + 0 + 0.25 + 0.25 + 0.0625 + 0 + 1 + 0.25) / 8
        raise ExerciseError("That is the squared (L2) error: CycleGAN uses the absolute error (L1), which blurs less.")
    if close(got, -0.09375) or close(got, 0.09375):  # mean of cycled − real without |·|
        raise ExerciseError("Take the absolute value of each difference before averaging: errors of opposite sign cancel.")
    if close(got, 3.25):
        raise ExerciseError("That is the sum over the pixels: take the mean, as the authors' code does (nn.L1Loss), so λ "
                            "means the same whatever the picture size.")
    if close(got, 0.8125):
        raise ExerciseError("You added the two pictures' means: average over the batch too.")
    if not close(got, want):
        raise ExerciseError(f"Expected {want:.5f}, got {got:.5f}. Hint: the mean of |cycled_images − real_images|.")
    graph = _in_graph(fn, [_REAL, _CYCLED], wrt=[1])
    if not close(graph, want):
        raise ExerciseError(f"In the training graph your function gave {graph:.5f}, not {want:.5f}. " + _GRAPH_HINT)
    print(f"✅ Correct: mean |F(G(x)) − x| = {got:.5f} on the test pictures (0.375 and 0.4375), in the graph too.")
    return True


# The identity check's generators: G halves a picture, F negates it (hand-computable, and not each other's
# inverse, so feeding one the other's domain gives another number).
def _halve(images, training=None):
    return 0.5 * images


def _negate(images, training=None):
    return -images


_IDENTITY_A = np.array([0.5, -1.0, 1.0, 0.0], np.float32).reshape(1, 2, 2, 1)  # mean |a| = 0.625
_IDENTITY_B = np.array([-0.5, 0.25, 0.75, 0.5], np.float32).reshape(1, 2, 2, 1)  # mean |b| = 0.5


def check_identity_loss(fn) -> bool:
    """Exercise: ``fn(generator_a2b, generator_b2a, real_a, real_b)`` is CycleGAN's identity loss,
    ``mean |F(a) − a| + mean |G(b) − b|`` with ``G = generator_a2b``, ``F = generator_b2a``
    (:func:`ganlib.losses.identity_loss`)."""
    if not_attempted(fn):
        return todo("write `identity_loss(generator_a2b, generator_b2a, real_a, real_b)` and run this cell again.")
    got = call(fn, _halve, _negate, _IDENTITY_A, _IDENTITY_B)
    if got is None:
        return todo("replace `raise NotImplementedError` in `identity_loss` with your code.")
    got = _scalar(got, "identity_loss")
    # G(x) = x / 2, F(x) = −x: mean |F(a) − a| = 2·mean|a| = 1.25; mean |G(b) − b| = ½·mean|b| = 0.25
    want = 1.5
    if close(got, 1.3125):  # mean |G(a) − a| + mean |F(b) − b| = 0.3125 + 1.0
        raise ExerciseError("Each generator gets a picture of its *target* domain: F (B → A) is given A pictures, "
                            "G (A → B) B pictures. You gave each generator its own input domain.")
    if close(got, 1.25) or close(got, 0.25):
        raise ExerciseError("Add both terms: mean |F(a) − a| (A pictures through F) and mean |G(b) − b|.")
    if close(got, 2.25 + 0.0703125):  # 4·mean(a²) + ¼·mean(b²)
        raise ExerciseError("That is the squared error: the identity loss is an absolute error (L1), like the cycle loss.")
    if close(got, 0.9375 + 0.75):  # mean |F(G(a)) − a| + mean |G(F(b)) − b|
        raise ExerciseError("That is the cycle loss (there and back): the identity loss passes a picture through one "
                            "generator, the one whose target domain it already is.")
    if close(got, 0.75) or close(got, 7.5):
        raise ExerciseError("Return the plain sum of the two terms: the generator loss weighs it (identity_weight), "
                            "not this function.")
    if not close(got, want):
        raise ExerciseError(f"Expected {want:.4f} for the test pictures, got {got:.4f}. "
                            "Hint: the mean of |generator_b2a(real_a) − real_a| + the same for B through generator_a2b.")
    graph = _in_graph(lambda a, b: fn(_halve, _negate, a, b), [_IDENTITY_A, _IDENTITY_B], wrt=[0, 1])
    if not close(graph, want):
        raise ExerciseError(f"In the training graph your function gave {graph:.4f}, not {want:.4f}. " + _GRAPH_HINT)
    print(f"✅ Correct: mean |F(a) − a| + mean |G(b) − b| = 1.25 + 0.25 = {got:.4f} for the test generators.")
    return True


_FAKE_B_LOGITS = np.array([0.5, 1.5], np.float32).reshape(2, 1, 1, 1)  # (D_B(G(a)) − 1)²: 0.25, 0.25 -> 0.25
_FAKE_A_LOGITS = np.array([0.0, 2.0, 1.0, 1.0], np.float32).reshape(1, 2, 2, 1)  # 1, 1, 0, 0 -> 0.5
_TERMS = (np.float32(0.2), np.float32(0.6), np.float32(0.3))  # cycle_a, cycle_b, identity


def _softplus(x):
    return np.log1p(np.exp(x))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def check_cyclegan_generator_loss(fn) -> bool:
    """Exercise: ``fn(fake_b_logits, fake_a_logits, cycle_a, cycle_b, identity, cycle_weight_a, cycle_weight_b,
    identity_weight)`` is the loss CycleGAN's generators minimise,
    ``mean (D_B(G(a)) − 1)² + mean (D_A(F(b)) − 1)² + λ_A·cycle_a + λ_B·cycle_b + λ_id·identity``
    (:func:`ganlib.losses.cyclegan_generator_loss`)."""
    if not_attempted(fn):
        return todo("write `generator_loss(fake_b_logits, fake_a_logits, cycle_a, cycle_b, identity, cycle_weight_a, "
                    "cycle_weight_b, identity_weight)` and run this cell again.")
    got = call(fn, _FAKE_B_LOGITS, _FAKE_A_LOGITS, *_TERMS, 3.0, 1.0, 5.0)
    if got is None:
        return todo("replace `raise NotImplementedError` in `generator_loss` with your code.")
    got = _scalar(got, "generator_loss")
    weighted = 3.0 * 0.2 + 1.0 * 0.6 + 5.0 * 0.3  # 0.6 + 0.6 + 1.5 = 2.7
    want = 0.25 + 0.5 + weighted  # 3.45
    fb, fa = _FAKE_B_LOGITS.astype(np.float64), _FAKE_A_LOGITS.astype(np.float64)
    mistakes = [
        (0.25 + 0.5 + 1.0 * 0.2 + 3.0 * 0.6 + 1.5,
         "λ_A and λ_B are swapped: cycle_weight_a weighs cycle_a (A → B → A), cycle_weight_b weighs cycle_b."),
        (0.25 + 0.5 + 3.0 * 0.8 + 1.5, "Each cycle has its own weight: cycle_weight_b (λ_B) for cycle_b."),
        ((0.25 + 0.5) / 2 + weighted, "No ½ here: CycleGAN's generators use mean (D(G(x)) − 1)², as the authors' code "
                                      "does (ganlib.losses.least_squares_generator_loss has LSGAN's ½)."),
        (1.25 + 1.5 + weighted, "The generators want D to answer 1 (real) for their fakes: (D(G(a)) − 1)², "
                                "not D(G(a))² (that is the discriminator's fake target)."),
        (np.mean((_sigmoid(fb) - 1) ** 2) + np.mean((_sigmoid(fa) - 1) ** 2) + weighted,
         "No sigmoid: the least-squares loss works on D's raw outputs."),
        (np.mean(_softplus(-fb)) + np.mean(_softplus(-fa)) + weighted,
         "That is the cross-entropy (non-saturating) loss: CycleGAN's adversarial terms are least squares, "
         "mean (D(G(x)) − 1)²."),
        (0.25 + weighted, "Add both adversarial terms: D_A judges F(b) too (fake_a_logits)."),
        (0.5 + weighted, "Add both adversarial terms: D_B judges G(a) too (fake_b_logits)."),
        (0.75 + 1.2, "The identity term is missing: + identity_weight · identity."),
        (0.75 + 1.2 + 3.0 * 5.0 * 0.3, "identity_weight is already the identity term's whole weight (the paper's "
                                       "0.5·λ is in it): do not multiply by λ again."),
        (0.75 + 1.2 + 0.5 * 3.0 * 0.3, "Weigh the identity term with identity_weight, as ganlib's trainer does (one "
                                       "weight for both terms; the authors' code uses 0.5·λ per domain)."),
        (0.75 + 0.8 + 0.3, "Weigh each term: cycle_weight_a · cycle_a + cycle_weight_b · cycle_b + identity_weight · identity."),
    ]
    for value, hint in mistakes:
        if close(got, float(value)) and not close(got, want):
            raise ExerciseError(hint)
    if not close(got, want):
        raise ExerciseError(f"Expected {want:.4f} for the test values, got {got:.4f}. Hint: 0.25 + 0.5 (adversarial) "
                            "+ 3·0.2 + 1·0.6 + 5·0.3.")
    other = call(fn, _FAKE_B_LOGITS, _FAKE_A_LOGITS, *_TERMS, 10.0, 10.0, 0.0)  # 0.75 + 2 + 6 + 0
    if not close(_scalar(other, "generator_loss"), 8.75):
        raise ExerciseError("Use the weights passed in (cycle_weight_a, cycle_weight_b, identity_weight), not fixed "
                            f"numbers: with 10, 10 and 0 the loss is 8.75, yours {as_float(other):.4f}.")
    graph = _in_graph(lambda b, a, ca, cb, i: fn(b, a, ca, cb, i, 3.0, 1.0, 5.0),
                      [_FAKE_B_LOGITS, _FAKE_A_LOGITS, *_TERMS], wrt=[0, 1, 2, 3, 4])
    if not close(graph, want):
        raise ExerciseError(f"In the training graph your function gave {graph:.4f}, not {want:.4f}. " + _GRAPH_HINT)
    print(f"✅ Correct: 0.25 + 0.5 (adversarial) + 3·0.2 + 1·0.6 + 5·0.3 = {got:.4f}.")
    return True


def _pool_case(fn, stored, count, fakes, coins, slots):
    """The learner's query on one case, as float arrays and an int (the pictures are 1×1 grey values)."""
    result = call(fn, np.array(stored, np.float32).reshape(-1, 1, 1, 1), int(count),
                  np.array(fakes, np.float32).reshape(-1, 1, 1, 1), np.array(coins, np.float32),
                  np.array(slots, np.int32))
    if result is None:
        return None
    try:
        shown, new_stored, new_count = result
    except (TypeError, ValueError):
        raise ExerciseError("Return three things: (shown, stored, count).") from None
    return (np.asarray(shown, np.float64).ravel().tolist(), np.asarray(new_stored, np.float64).ravel().tolist(),
            int(np.asarray(new_count)))


def check_pool_query(fn) -> bool:
    """Exercise: ``fn(stored, count, fake_images, coins, slots) -> (shown, stored, count)`` is one query of
    CycleGAN's image pool (:func:`ganlib.training.image_pool.query_pool`), one fake at a time: while the pool
    fills up, show the fake and store it in the next free slot; once full, a fake whose coin is below ½ is
    swapped for the stored fake in its slot (that one is shown, the new one stored there), the others are shown
    as they are.

    Checked on hand-made cases (the pictures are 1×1 grey values that name them), then on 30 seeded random
    batches against ganlib's pool."""
    if not_attempted(fn):
        return todo("write `pool_query(stored, count, fake_images, coins, slots)` and run this cell again.")
    # 1. an empty pool of 3 fills up: both fakes shown and stored in slots 0 and 1, whatever their coins
    filling = _pool_case(fn, [0, 0, 0], 0, [1, 2], [0.2, 0.9], [2, 0])
    if filling is None:
        return todo("replace `raise NotImplementedError` in `pool_query` with your code.")
    shown, stored, count = filling
    if shown != [1, 2]:
        raise ExerciseError(f"While the pool fills up, show every new fake as it is (no coin yet): expected [1, 2], "
                            f"shown {shown}.")
    if stored == [0, 0, 0]:
        raise ExerciseError("Nothing was stored: while the pool fills up (count < pool size), put each new fake in "
                            "the next free slot, stored[count], and count it.")
    if sorted(stored) == [0, 1, 2] and stored != [1, 2, 0]:
        raise ExerciseError(f"Fill the slots in order, stored[count], stored[count + 1], …: expected [1, 2, 0], "
                            f"got {stored} (the random slots are for a full pool).")
    if stored != [1, 2, 0]:
        raise ExerciseError(f"After storing fakes 1 and 2 in an empty pool of 3: expected [1, 2, 0], got {stored}.")
    if count != 2:
        raise ExerciseError(f"Return the new count: 2 slots are filled now, you returned {count}.")
    # 2. a full pool [10, 20, 30]: coins 0.2 and 0.4 swap (fakes 4 and 6 with slots 2 and 1), 0.7 does not
    full = _pool_case(fn, [10, 20, 30], 3, [4, 5, 6], [0.2, 0.7, 0.4], [2, 0, 1])
    if full is None:
        return todo("the pool fills up; now write what happens once it is full (it raises NotImplementedError).")
    shown, stored, count = full
    if shown == [4, 5, 6] and stored == [10, 6, 4]:
        raise ExerciseError(
            "Your pool is updated right ([10, 6, 4]), but the pictures shown are the new fakes [4, 5, 6], not the "
            "stored fakes [30, 5, 20]. In NumPy, stored[slots[i]] is a view into the pool, not a copy: once "
            "stored[slots[i]] = fake writes the new fake into that slot, what you kept shows the new fake too. "
            "Keep a copy of the stored fake before you overwrite its slot: stored[slots[i]].copy()."
        )
    if shown == [4, 5, 6]:
        raise ExerciseError("Once the pool is full, a fake whose coin is below ½ must be swapped for a stored one: "
                            "you showed only the new fakes.")
    if shown == [30, 10, 20]:
        raise ExerciseError("Flip the coin: only a fake whose coin is below ½ is swapped; the others are shown as they are.")
    if shown == [4, 10, 6]:
        raise ExerciseError("Swap when the coin is below ½ (coins[i] < 0.5), not above.")
    if shown == [10, 5, 30]:
        raise ExerciseError("Swap fake i with the stored fake in slots[i] (its random slot), not in slot i.")
    if shown != [30, 5, 20]:
        raise ExerciseError(f"Expected shown [30, 5, 20] (slot 2's fake for 4, 5 itself, slot 1's for 6), got {shown}.")
    if stored == [10, 20, 30]:
        raise ExerciseError("You showed stored fakes but kept them: put the new fake in the slot of the one you show "
                            "(stored[slots[i]] = new fake), so the pool stays fresh.")
    if 5 in stored:
        raise ExerciseError("A fake that is shown as it is (coin ≥ ½) is not stored: the pool is left as it was.")
    if stored != [10, 6, 4]:
        raise ExerciseError(f"Expected the pool [10, 6, 4] after the swaps, got {stored}.")
    if count != 3:
        raise ExerciseError(f"The count stops at the pool size: expected 3, got {count}.")
    # 3. the last free slot: fake 1 fills it; fake 2 then meets a full pool (coin 0.1: swap with slot 1), as in
    # the authors' code and ganlib's
    straddle = _pool_case(fn, [7, 8, 0], 2, [1, 2], [0.9, 0.1], [0, 1])
    if straddle == ([1, 2], [7, 8, 1], 3):
        raise ExerciseError("Pool [7, 8, _] with 2 slots filled, new fakes 1 and 2 (coins 0.9, 0.1; slots 0, 1): fake "
                            "1 takes the last free slot, so fake 2 meets a full pool and its coin 0.1 swaps it for "
                            "stored[1] = 8. Decide 'filling or full' for each fake in turn, with the count after the "
                            "fakes before it: expected shown [1, 8], pool [7, 2, 1].")
    if straddle != ([1, 8], [7, 2, 1], 3):
        raise ExerciseError(f"Pool [7, 8, _] with 2 slots filled, new fakes 1 and 2: fake 1 goes to the last free slot "
                            f"and is shown, fake 2 meets a full pool (coin 0.1: swap with slot 1); expected shown [1, 8], "
                            f"pool [7, 2, 1], count 3, got shown {straddle[0]}, pool {straddle[1]}, count {straddle[2]}.")
    # 4. 30 seeded batches of 2 through a pool of 4, with the random numbers ganlib's pool would draw
    rng = np.random.default_rng(0)
    mine_stored, mine_count = np.zeros((4, 1, 1, 1), np.float32), 0
    ref_stored, ref_count = np.zeros((4, 1, 1, 1), np.float32), 0
    swaps = 0
    for step in range(30):
        fakes = np.array([2 * step + 1, 2 * step + 2], np.float32).reshape(2, 1, 1, 1)
        coins = rng.uniform(size=2).astype(np.float32)
        slots = rng.permutation(4)[:2].astype(np.int32)
        want = image_pool.query_pool(ref_stored, ref_count, fakes, coins, slots)
        ref_stored, ref_count = np.asarray(want[1]), int(want[2])
        shown, stored, count = call(fn, mine_stored.copy(), mine_count, fakes.copy(), coins, slots)
        mine_stored, mine_count = np.asarray(stored, np.float32).reshape(4, 1, 1, 1), int(np.asarray(count))
        if not (np.allclose(np.asarray(shown, np.float64).ravel(), np.asarray(want[0]).ravel())
                and np.allclose(mine_stored, ref_stored) and mine_count == ref_count):
            raise ExerciseError(f"Seeded run, batch {step + 1} (fakes {fakes.ravel().tolist()}, coins "
                                f"{coins.round(2).tolist()}, slots {slots.tolist()}): expected shown "
                                f"{np.asarray(want[0]).ravel().tolist()}, pool {ref_stored.ravel().tolist()}; got "
                                f"{np.asarray(shown).ravel().tolist()}, {mine_stored.ravel().tolist()}.")
        swaps += int(np.sum(np.asarray(want[0]).ravel() != fakes.ravel()))
    print(f"✅ Correct: the hand-made cases, and 30 seeded batches as ganlib's pool ({swaps} of the 56 fakes after the "
          "pool filled were swapped for old ones).")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]

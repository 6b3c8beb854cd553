"""Each check accepts the reference solution, rejects the typical wrong answer with a hint, and treats an
unattempted exercise as 'to do' (printing, not failing)."""

import numpy as np
import pytest
import tensorflow as tf

from ganlib import exercises


def reference_g_loss(fake_logits):
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


def unattempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "check, right, wrong, hint",
    [
        (exercises.check_transposed_conv_size, lambda n, s: n * s, lambda n, s: (n - 1) * s + 4, "valid"),
        (
            exercises.check_conv_params,
            lambda k, c, f, bias: k * k * c * f + (f if bias else 0),
            lambda k, c, f, bias: k * k * f + (f if bias else 0),
            "in_channels",
        ),
        (
            exercises.check_conv_params,
            lambda k, c, f, bias: k * k * c * f + (f if bias else 0),
            lambda k, c, f, bias: k * k * c * f + f,
            "no bias",
        ),
        (
            exercises.check_linear_interpolation,
            lambda a, b, n: np.linspace(a, b, n),
            lambda a, b, n: np.linspace(a, b, n, endpoint=False),
            "end point",
        ),
    ],
)
def test_check_accepts_solution_and_rejects_typical_mistake(check, right, wrong, hint, capsys):
    assert check(right) is True
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=hint):
        check(wrong)


@pytest.mark.parametrize(
    "check",
    [
        exercises.check_transposed_conv_size,
        exercises.check_conv_params,
        exercises.check_linear_interpolation,
    ],
)
@pytest.mark.parametrize("answer", [None, ..., unattempted])
def test_unattempted_exercise_prints_what_to_do(check, answer, capsys):
    assert check(answer) is False
    assert "Not attempted yet" in capsys.readouterr().out


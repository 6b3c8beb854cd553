"""How a live run's change markers write a knob's value."""

import numpy as np

from ganlib.runs.live import format_value


def test_a_learning_rate_read_back_from_float32_is_written_as_it_was_set():
    # the optimizer stores 1e-2 as float32 0.0099999998: the marker "D lr 0.01 → 1e-03" must not say "1e-02"
    assert format_value(np.float32(0.01)) == format_value(0.01) == "0.01"
    assert format_value(np.float32(5e-4)) == format_value(5e-4) == "5e-04"
    assert format_value(100.0) == "100" and format_value(0.2) == "0.2" and format_value(3) == "3"

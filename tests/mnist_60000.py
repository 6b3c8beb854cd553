"""Write the online learner's data size offline: a Keras-layout ``mnist.npz`` of 60,000 training digits.

The 5,000 bundled digits, each shifted by up to two pixels in 12 ways (``x_test``: two more shifts, 10,000
digits). ``make notebooks`` runs every lesson in smoke mode on this file (through ``GANLIB_MNIST_FILE``), so
the lessons are checked at the epoch length and cadences most learners, who are online, get.

    python tests/mnist_60000.py PATH
"""

import sys

import numpy as np

SHIFTS = [(0, 0), (0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (-1, -1), (1, -1), (-1, 1), (0, 2), (2, 0), (0, -2)]


def write_60k_mnist(path) -> int:
    """Write the file; return the number of training digits (60,000)."""
    from ganlib.data import mnist

    images, labels = mnist._bundled_mnist()
    x_train = np.concatenate([np.roll(images, shift, axis=(1, 2)) for shift in SHIFTS])
    y_train = np.tile(labels, len(SHIFTS)).astype(np.uint8)
    x_test = np.concatenate([np.roll(images, shift, axis=(1, 2)) for shift in ((2, 2), (-2, -2))])
    y_test = np.tile(labels, 2).astype(np.uint8)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return len(x_train)


if __name__ == "__main__":
    print(f"Wrote {write_60k_mnist(sys.argv[1]):,} training digits to {sys.argv[1]}.")

"""Data for the lessons, one module a concept; this package re-exports their public names, so
``from ganlib import data; data.load_mnist()`` is all a lesson needs.

* :mod:`ganlib.data.downloads` — downloading a file with a timeout, a checksum and an atomic rename.
* :mod:`ganlib.data.mnist` — MNIST digits: the Keras download, ``GANLIB_MNIST_FILE``, or the bundled 5,000.
* :mod:`ganlib.data.pipelines` — pixels to [-1, 1] and back; the shuffled, batched ``tf.data`` pipeline.
* :mod:`ganlib.data.holes` — padded digits with square holes (the inputs of digit inpainting).
* :mod:`ganlib.data.lab` — Lab colour for the colourisers (one :data:`LAB_AB_SCALE`).
* :mod:`ganlib.data.facades` — the pix2pix facades archive.
* :mod:`ganlib.data.paired` — the paired datasets of lesson 3 and their augmented pipeline.
* :mod:`ganlib.data.labelled` — ``(images, labels)`` datasets, balanced subsets and a held-out split (lesson 4).
* :mod:`ganlib.data.unpaired` — the unpaired domains of lesson 5 (CycleGAN) and their pipeline.
* :mod:`ganlib.data.toy` — lesson 7's 2-D mixtures of Gaussians (ring, grid) and their pipeline.

To replace a function in a test, patch the module that defines it (``ganlib.data.mnist.load_mnist``):
the modules call each other there, not through this package.
"""

from ganlib.data.downloads import DownloadError, download, sha256sum
from ganlib.data.facades import FACADES_PAIRS, FACADES_SHA256_ENV, FACADES_URL
from ganlib.data.holes import (
    DIGIT_AREA,
    DIGIT_SIDE,
    TRAIN_HOLES,
    VALIDATION_HOLE,
    corrupt_digits,
    cut_holes,
    pad_digits,
)
from ganlib.data.labelled import balanced_subset, make_labelled_dataset, split_train_test
from ganlib.data.lab import LAB_AB_SCALE, lab_to_rgb, rgb_to_lab, to_grey
from ganlib.data.mnist import (
    MNIST_FILE_ENV,
    MNIST_SHA256,
    MNIST_URL,
    SOURCES,
    SPLITS,
    load_mnist,
    read_mnist_file,
)
from ganlib.data.paired import (
    BUNDLED_VALIDATION_DIGITS,
    DIGIT_DISTORTION,
    WRITER_DISTORTION,
    PAIR_SPLITS,
    PAIRED_DATASETS,
    PHOTOS,
    digits_of_pairs,
    labels_of_pairs,
    load_pairs,
    make_pair_dataset,
)
from ganlib.data.pipelines import as_model_input, make_image_dataset, scale_to_uint8, scale_to_unit
from ganlib.data.toy import TOY_MIXTURES, TOY_POINTS, make_toy_dataset, toy_centres, toy_mixture, toy_scale
from ganlib.data.unpaired import UNPAIRED_DATASETS, load_unpaired, make_unpaired_dataset

__all__ = [
    "BUNDLED_VALIDATION_DIGITS",
    "DIGIT_AREA",
    "DIGIT_DISTORTION",
    "WRITER_DISTORTION",
    "DIGIT_SIDE",
    "DownloadError",
    "FACADES_PAIRS",
    "FACADES_SHA256_ENV",
    "FACADES_URL",
    "LAB_AB_SCALE",
    "MNIST_FILE_ENV",
    "MNIST_SHA256",
    "MNIST_URL",
    "PAIRED_DATASETS",
    "PAIR_SPLITS",
    "PHOTOS",
    "UNPAIRED_DATASETS",
    "SOURCES",
    "SPLITS",
    "TOY_MIXTURES",
    "TOY_POINTS",
    "TRAIN_HOLES",
    "VALIDATION_HOLE",
    "as_model_input",
    "balanced_subset",
    "corrupt_digits",
    "cut_holes",
    "digits_of_pairs",
    "download",
    "labels_of_pairs",
    "lab_to_rgb",
    "load_mnist",
    "load_pairs",
    "load_unpaired",
    "make_image_dataset",
    "make_labelled_dataset",
    "make_pair_dataset",
    "make_toy_dataset",
    "make_unpaired_dataset",
    "pad_digits",
    "read_mnist_file",
    "rgb_to_lab",
    "scale_to_uint8",
    "scale_to_unit",
    "sha256sum",
    "split_train_test",
    "to_grey",
    "toy_centres",
    "toy_mixture",
    "toy_scale",
]

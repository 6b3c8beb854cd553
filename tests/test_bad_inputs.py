"""Bad input, as a new user types it: each gets one line on stderr, a non-zero exit, no traceback, and no
output file (whole or half-written). Issue 18's table, row by row, then the siblings found around it.

The CLI runs in-process (``cli.main``) on tiny saved generators; two cases run ``python -m ganlib`` in a
subprocess to show that the real stderr holds one line (TensorFlow's start-up lines kept off it).
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganlib import _checks, cli, data, models, storage, viz

# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run folders holding a tiny noise-to-image generator (``gan``), a tiny 32×32 pix2pix generator
    (``p2p``), a truncated copy of the latter and other broken model files."""
    root = tmp_path_factory.mktemp("runs")
    gan = models.build_mlp_generator(8, hidden_units=(16,), seed=0)
    storage.save_model_atomically(gan, root / "gan" / "generator.keras")
    p2p = models.build_unet_generator((32, 32, 1), 4, seed=0)
    storage.save_model_atomically(p2p, root / "p2p" / "generator.keras")
    whole = (root / "p2p" / "generator.keras").read_bytes()
    (root / "truncated").mkdir()
    (root / "truncated" / "generator.keras").write_bytes(whole[: len(whole) // 2])
    (root / "random").mkdir()
    (root / "random" / "generator.keras").write_bytes(np.random.default_rng(0).bytes(5000))
    (root / "notkeras").mkdir()
    with zipfile.ZipFile(root / "notkeras" / "generator.keras", "w") as archive:
        archive.writestr("notes.txt", "a zip archive, but no model in it")
    (root / "otherkind").mkdir()
    with zipfile.ZipFile(root / "p2p" / "generator.keras") as source, zipfile.ZipFile(
        root / "otherkind" / "generator.keras", "w"
    ) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "config.json":  # a model class that ganlib does not know
                config = json.loads(content)
                config.update(module="somelib.models", class_name="VariationalAutoEncoder")
                content = json.dumps(config)
            target.writestr(name, content)
    return root


@pytest.fixture
def work(tmp_path, monkeypatch):
    """An empty working folder (the current directory) for inputs and outputs."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _fails_in_one_line(argv, folder, capsys, *needles):
    """Run the CLI; assert exit 2, exactly one stderr line naming ``needles``, no traceback, and that
    nothing was added to ``folder`` (temporary files included). Return the line."""
    before = _listing(folder)
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert "error:" in lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert _listing(folder) == before
    return lines[0]


def _digits(shape, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, shape).astype(dtype) if dtype == np.uint8 else rng.uniform(-1, 1, shape).astype(dtype)


# ------------------------------------------------------------------------------------ the table


@pytest.mark.parametrize("minutes", ["inf", "-inf", "nan", "1e400"])
def test_train_minutes_not_finite(minutes, work, capsys):
    _fails_in_one_line(["train", "gan", f"--minutes={minutes}", "--out", "R"], work, capsys, "--minutes", "finite")


def test_train_pix2pix_size_larger_than_the_photographs(work, capsys):
    _fails_in_one_line(
        ["train", "pix2pix", "--dataset", "photos-colorize", "--size", "5000", "--out", "R"],
        work,
        capsys,
        "--size 5000",
        "<= 300",
    )


def test_sample_streams_in_chunks_and_matches_generate(runs, work, capsys, monkeypatch):
    from ganlib import training

    monkeypatch.setattr(cli, "SAMPLE_CHUNK", 4)
    written = []
    real = storage.write_npy_in_chunks

    def spy(path, shape, dtype, chunks):
        def counted():
            for chunk in chunks:
                written.append(len(chunk))
                yield chunk

        return real(path, shape, dtype, counted())

    monkeypatch.setattr(storage, "write_npy_in_chunks", spy)
    assert cli.main(["sample", str(runs / "gan"), "--n", "10", "--seed", "5", "--out", "s.npy"]) == 0
    assert written == [4, 4, 2]  # never more than a chunk in memory
    images = np.load(work / "s.npy")
    expected = training.generate(storage.load_model(runs / "gan" / "generator.keras"), 10, seed=5)
    assert images.shape == (10, 28, 28, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images, expected, atol=1e-5)  # the same noise as latent.noise(8, 10, seed=5)
    assert _listing(work) == ["s.npy", "s.png"]  # the samples and their PNG sheet


def test_sample_refuses_up_front_what_the_disk_cannot_hold(runs, work, capsys):
    _fails_in_one_line(
        ["sample", runs / "gan", "--n", "10000000000000", "--out", "s.npy"], work, capsys, "--n 10000000000000", "free"
    )


def test_sample_refuses_when_the_disk_is_nearly_full(runs, work, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_free_disk", lambda path: 1000 * 28 * 28 * 4)  # room for 1,000 images, no more
    _fails_in_one_line(["sample", runs / "gan", "--n", "1000", "--out", "s.npy"], work, capsys, "free")
    assert cli.main(["sample", str(runs / "gan"), "--n", "999", "--out", "s.npy"]) == 0


def test_sample_interrupted_leaves_no_file(runs, work, capsys, monkeypatch):
    monkeypatch.setattr(cli, "SAMPLE_CHUNK", 2)
    real_write = storage.write_npy_in_chunks

    def interrupted_after_two_chunks(path, shape, dtype, chunks):
        def two():
            for index, chunk in enumerate(chunks):
                if index == 2:
                    raise KeyboardInterrupt
                yield chunk

        return real_write(path, shape, dtype, two())

    monkeypatch.setattr(storage, "write_npy_in_chunks", interrupted_after_two_chunks)
    assert cli.main(["sample", str(runs / "gan"), "--n", "10", "--out", "s.npy"]) == 130
    assert _listing(work) == []  # not even the temporary file


def test_sample_a_pix2pix_run_says_use_translate(runs, work, capsys):
    _fails_in_one_line(["sample", runs / "p2p", "--n", "10", "--out", "s.npy"], work, capsys, "translate")


@pytest.mark.parametrize("shape", [(3, 5), (3, 5, 7)])
def test_translate_images_too_small(shape, runs, work, capsys):
    np.save(work / "x.npy", np.zeros(shape, dtype=np.float32))
    _fails_in_one_line(["translate", runs / "p2p", "x.npy", "--out", "o.npy"], work, capsys, "at least 8x8", str(shape))


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_translate_non_finite_values(value, runs, work, capsys):
    images = np.zeros((2, 32, 32), dtype=np.float32)
    images[1, 3, 4] = value
    np.save(work / "x.npy", images)
    _fails_in_one_line(["translate", runs / "p2p", "x.npy", "--out", "o.npy"], work, capsys, "finite", "1 of its 2,048")


def test_translate_upper_case_suffix_is_a_npy_batch(runs, work, capsys):
    batch = _digits((2, 28, 28))
    with open(work / "BATCH.NPY", "wb") as file:
        np.save(file, batch)
    assert cli.main(["translate", str(runs / "p2p"), "BATCH.NPY", "--out", "OUT.NPY"]) == 0
    assert np.load(work / "OUT.NPY").shape == (2, 28, 28)


@pytest.mark.parametrize(
    "run, needles",
    [
        ("truncated", ("truncated", "generator.keras")),
        ("random", ("not a Keras model archive",)),
        ("notkeras", ("not a Keras model", "config.json")),
        ("otherkind", ("somelib.models.VariationalAutoEncoder",)),
    ],
)
def test_translate_with_a_broken_model_file(run, needles, runs, work, capsys):
    np.save(work / "x.npy", _digits((2, 32, 32)))
    _fails_in_one_line(["translate", runs / run, "x.npy", "--out", "o.npy"], work, capsys, "Cannot load", *needles)


def test_random_bytes_saved_as_npy(runs, work, capsys):
    (work / "x.npy").write_bytes(np.random.default_rng(1).bytes(3000))
    _fails_in_one_line(["translate", runs / "p2p", "x.npy", "--out", "o.npy"], work, capsys, "not a NumPy .npy file")


def test_image_grid_of_no_images():
    with pytest.raises(ValueError, match="non-empty"):
        viz.image_grid(np.zeros((0, 28, 28)))


def test_make_image_dataset_takes_numpy_integers():
    dataset = data.make_image_dataset(np.zeros((10, 28, 28), np.uint8), batch_size=np.int64(4), seed=np.int32(1))
    assert [batch.shape[0] for batch in dataset] == [4, 4]


def test_load_pairs_photo_size_larger_than_the_photographs():
    with pytest.raises(ValueError, match=r"Expected `size` <= 400 for photos-colorize train.*size=5000"):
        data.load_pairs("photos-colorize", size=5000, n=1)


def _no_training(*args, **kwargs):
    raise AssertionError("training started")


def test_train_out_that_cannot_be_written_fails_before_training(work, capsys, monkeypatch):
    # a path under a regular file: no folder can be made there, even by root (a read-only chmod stops no root)
    (work / "somefile").write_text("a file, not a folder")
    monkeypatch.setattr(data, "load_mnist", _no_training)
    _fails_in_one_line(["train", "gan", "--epochs", "1", "--out", "somefile/run"], work, capsys, "somefile", "a file")


def test_train_out_on_a_read_only_file_system_fails_before_training(work, capsys, monkeypatch):
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    monkeypatch.setattr(data, "load_mnist", _no_training)
    _fails_in_one_line(["train", "gan", "--epochs", "1", "--out", "R"], work, capsys, "--out", "Read-only file system")


# ------------------------------------------------------------------------------------ siblings


@pytest.mark.parametrize(
    "argv, needles",
    [
        (["train", "gan", "--epochs", "-2", "--out", "R"], ("--epochs", "> 0")),
        (["train", "gan", "--epochs", "1.5", "--out", "R"], ("--epochs", "whole number")),
        (["train", "gan", "--batch-size", "0", "--out", "R"], ("--batch-size",)),
        (["train", "gan", "--seed", "-1", "--out", "R"], ("--seed",)),
        (["train", "gan", "--seed", "99999999999", "--out", "R"], ("--seed", "4294967295")),
        (["train", "gan", "--size", "64", "--out", "R"], ("--size", "pix2pix", "--data")),
        (["train", "gan", "--dataset", "facades", "--out", "R"], ("--dataset", "pix2pix")),
        (["train", "dcgan", "--data", "R", "--dataset", "facades", "--out", "R"], ("--dataset", "not with --data")),
        (["train", "pix2pix", "--dataset", "photos-colorize", "--size", "48", "--out", "R"], ("--size 48",)),
        (["train", "pix2pix", "--size", "64", "--out", "R"], ("--size 64", "32")),
        (["train", "pix2pix", "--dataset", "facades", "--out", "R"], ("facades", "offline")),
        (["sample", "R", "--n", "-5", "--out", "s.npy"], ("--n",)),
        (["sample", "R", "--n", "1e3", "--out", "s.npy"], ("--n", "whole number")),
        (["sample", "R", "--seed", "x", "--out", "s.npy"], ("--seed",)),
        (["sample", "no-such-run", "--out", "s.npy"], ("no generator.keras",)),
        (["translate", "no-such-run", "missing.png", "--out", "o.png"], ("no file missing.png",)),
        (["translate", "R", "x.gif", "--out", "o.png"], ("INPUT", ".png")),
        (["translate", "R"], ("--out",)),
    ],
)
def test_bad_arguments(argv, needles, work, capsys):
    (work / "R").mkdir()
    _fails_in_one_line(argv, work, capsys, *needles)


def test_train_batch_size_larger_than_the_pairs(work, capsys, monkeypatch):
    _fails_in_one_line(["train", "pix2pix", "--batch-size", "5000", "--out", "R"], work, capsys, "--batch-size 5000", "3000")


def test_sample_out_problems(runs, work, capsys):
    (work / "afile").write_text("x")
    (work / "folder.npy").mkdir()
    run = runs / "gan"
    _fails_in_one_line(["sample", run, "--out", "s.txt"], work, capsys, ".npy", ".png")
    _fails_in_one_line(["sample", run, "--out", "afile/s.npy"], work, capsys, "afile", "a file")
    _fails_in_one_line(["sample", run, "--out", "folder.npy"], work, capsys, "is a folder")
    _fails_in_one_line(["sample", run / "generator.keras", "--out", "s.npy"], work, capsys, "no generator.keras")


def test_translate_input_problems(runs, work, capsys):
    run = runs / "p2p"
    (work / "fake.png").write_text("not a picture")
    Image.fromarray(_digits((28, 28))).save(work / "digit.png")
    png = (work / "digit.png").read_bytes()
    (work / "cut.png").write_bytes(png[: len(png) // 2])
    np.save(work / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(work / "short.npy", _digits((4, 32, 32)))
    (work / "short.npy").write_bytes((work / "short.npy").read_bytes()[:-100])
    np.save(work / "ints.npy", _digits((2, 32, 32)).astype(np.int64))
    np.save(work / "big.npy", np.full((2, 32, 32), 3.0, np.float32))
    np.save(work / "rgb.npy", _digits((32, 32, 3)))
    np.save(work / "empty.npy", np.zeros((0, 32, 32), np.uint8))
    np.save(work / "rank5.npy", np.zeros((1, 2, 32, 32, 1), np.uint8))
    np.save(work / "batch.npy", _digits((2, 32, 32)))
    np.save(work / "complex.npy", np.zeros((2, 32, 32), np.complex64))
    cases = [
        ("fake.png", "o.png", ("Cannot read fake.png as an image",)),
        ("cut.png", "o.png", ("Cannot read cut.png as an image", "truncated")),
        ("objects.npy", "o.npy", ("pickled",)),
        ("short.npy", "o.npy", ("truncated",)),
        ("ints.npy", "o.npy", ("uint8", "int64")),
        ("big.npy", "o.npy", ("[-1, 1]",)),
        ("rgb.npy", "o.npy", ("1 channel", "to_grey")),
        ("empty.npy", "o.npy", ("non-empty",)),
        ("rank5.npy", "o.npy", ("(1, 2, 32, 32, 1)",)),
        ("complex.npy", "o.npy", ("dtype=complex64",)),
        ("batch.npy", "o.png", ("batch", ".npy")),
        ("digit.png", "digit.png", ("is the input file",)),
        ("digit.png", "o.txt", ("--out",)),
    ]
    for source, out, needles in cases:
        _fails_in_one_line(["translate", run, source, "--out", out], work, capsys, *needles)


def test_translate_a_gan_run_says_use_sample(runs, work, capsys):
    Image.fromarray(_digits((28, 28))).save(work / "digit.png")
    _fails_in_one_line(["translate", runs / "gan", "digit.png", "--out", "o.png"], work, capsys, "sample")


def test_load_model_says_what_is_wrong(runs, tmp_path):
    with pytest.raises(ValueError, match="truncated"):
        storage.load_model(runs / "truncated" / "generator.keras")
    with pytest.raises(ValueError, match="not a Keras model archive"):
        storage.load_model(runs / "random" / "generator.keras")
    with pytest.raises(FileNotFoundError, match="No saved model"):
        storage.load_model(tmp_path / "none.keras")


def test_load_array_says_what_is_wrong(tmp_path):
    np.save(tmp_path / "ok.npy", np.arange(6, dtype=np.uint8).reshape(2, 3))
    np.testing.assert_array_equal(storage.load_array(tmp_path / "ok.npy"), [[0, 1, 2], [3, 4, 5]])
    (tmp_path / "cut.npy").write_bytes((tmp_path / "ok.npy").read_bytes()[:-2])
    with pytest.raises(ValueError, match=r"truncated \(132 of the 134 bytes"):
        storage.load_array(tmp_path / "cut.npy")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: viz.image_grid(np.full((2, 28, 28), np.nan)), "finite"),
        (lambda: viz.image_grid(np.zeros((2, 28, 28)), ncols=0), "ncols"),
        (lambda: viz.image_grid(np.zeros((2, 28, 28)), scale=-1.0), "scale"),
        (lambda: viz.tile(np.zeros((2, 28, 28)), padding=-1), "padding"),
        (lambda: viz.tile(np.zeros((2, 28, 28, 2))), "channels"),
        (lambda: viz.tile(np.zeros((2, 28, 28), np.int64)), "dtype"),
        (lambda: viz.tile(np.zeros((28, 28))), "shape"),
        (lambda: data.make_image_dataset(np.zeros((10, 28, 28), np.uint8), batch_size=4.0), "batch_size"),
        (lambda: data.make_image_dataset(np.zeros((10, 28, 28), np.uint8), batch_size=True), "batch_size"),
        (lambda: data.make_image_dataset(np.zeros((10, 28, 28), np.uint8), batch_size=11), "batch_size"),
        (lambda: data.make_image_dataset(np.full((10, 28, 28), np.nan, np.float32), batch_size=2), "finite"),
        (lambda: data.make_image_dataset(np.zeros((10, 28, 28), np.uint8), 2, seed=-1), "seed"),
        (lambda: data.load_pairs("photos-colorize", "validation", size=301, n=1), "<= 300"),
        (lambda: data.load_pairs("digits-inpaint", n=0), "`n` > 0"),
        (lambda: data.load_pairs("digits-inpaint", seed=2**40), "seed"),
        (lambda: data.load_pairs("facades", timeout=float("nan")), "timeout"),
    ],
)
def test_library_argument_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_facades_size_that_cannot_fit_in_memory(monkeypatch):
    monkeypatch.setattr(_checks, "available_memory", lambda: 2**30)
    with pytest.raises(ValueError, match=r"fit in memory \(1.0 GiB available\).*size=512"):
        data.load_pairs("facades", size=512)


def test_checks_accept_numpy_scalars():
    assert _checks.positive_int("n", np.int16(3)) == 3
    assert _checks.seed(np.uint32(7)) == 7
    assert _checks.positive_number("scale", np.float32(0.5)) == 0.5
    assert _checks.finite_number("x", np.float64(-2.0), minimum=-3) == -2.0
    with pytest.raises(ValueError, match="finite"):
        _checks.finite_number("x", np.float64("nan"))
    with pytest.raises(ValueError, match="seed"):
        _checks.seed(2**32)


# ------------------------------------------------------------------------------------ the real stderr


def _python_m_ganlib(argv, cwd):
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "GANLIB_OFFLINE": "1", "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-m", "ganlib", *map(str, argv)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_real_stderr_is_one_line(runs, work):
    np.save(work / "x.npy", np.full((2, 32, 32), np.nan, np.float32))
    for argv in (["sample", runs / "p2p", "--out", "s.npy"], ["translate", runs / "p2p", "x.npy", "--out", "o.npy"]):
        result = _python_m_ganlib(argv, work)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("ganlib: error:")
    assert _listing(work) == ["x.npy"]

"""The command line's 2-D toys (lesson 7): ``train toy`` and what ``sample`` writes for a toy run.

    python -m ganlib train toy --dataset grid --minutes 2 --out runs/toy          # the lesson's recommended recipe
    python -m ganlib train toy --dataset ring --loss hinge --spectral-norm --out runs/sn
    python -m ganlib train toy --loss wasserstein --penalty gp --out runs/wgan-gp
    python -m ganlib sample runs/toy --n 2500 --out s.npy                         # (2500, 2) float32, + s.png

Without ``--loss``, ``--penalty``, ``--spectral-norm`` or ``--minibatch-std``, ``train toy`` trains
:data:`ganlib.recipes.TOY`, the lesson's recommended recipe. With any of them it trains the plain recipe
(:data:`ganlib.recipes.TOY_METHODS` ``["plain"]``: the same networks and optimizer, no stabiliser) with the loss
family and the stabilisers named, so what trains is what the command says. Training has ``train gan``'s
outputs, checkpoints and resuming (:func:`ganlib.cli.common.fit_and_save`); ``samples/`` gets a scatter of
2,500 samples over the mixture's modes every :data:`SCATTER_EVERY` steps, and the run ends with the modes
covered (:func:`ganlib.metrics.mode_coverage`).
"""

from __future__ import annotations

#: Steps between two scatters in ``samples/``.
SCATTER_EVERY = 1000
#: ``--penalty``: the recipe setting each one turns on, and its value without ``--penalty-weight``.
PENALTIES = {"gp": ("gradient_penalty_weight", 0.1), "r1": ("r1_weight", 0.1), "clip": ("clip_weights", 0.01)}
#: The options that choose a method (else: the recommended recipe).
METHOD_OPTIONS = ("loss", "penalty", "penalty_weight", "spectral_norm", "minibatch_std")


def toy_overrides(args) -> dict:
    """The recipe's settings for the method the command names: ``{}`` (the recommended recipe) or the plain
    recipe with the options given. Raises :class:`ganlib.cli.common.CLIError` for a combination that cannot
    train (a Wasserstein critic with nothing keeping it Lipschitz, a weight with no penalty)."""
    from ganlib import recipes
    from ganlib.cli.common import CLIError

    if not any(getattr(args, name, None) for name in METHOD_OPTIONS):
        return {}
    overrides = dict(recipes.TOY_METHODS["plain"])
    if args.loss:
        overrides["loss"] = args.loss
    if args.penalty_weight is not None and not args.penalty:
        raise CLIError("--penalty-weight needs --penalty gp|r1|clip (the weight of which penalty?)")
    if args.penalty:
        name, default = PENALTIES[args.penalty]
        overrides[name] = args.penalty_weight if args.penalty_weight is not None else default
        if args.penalty == "clip":
            overrides["optimizer"] = "rmsprop"  # as Arjovsky et al. 2017: momentum made the clipped critic unstable
    if args.spectral_norm:
        overrides["spectral_norm"] = True
    if args.minibatch_std:
        overrides["minibatch_std"] = 4
    lipschitz = args.penalty in ("gp", "clip") or args.spectral_norm
    if overrides.get("loss", recipes.TOY["loss"]) == "wasserstein" and not lipschitz:
        raise CLIError("--loss wasserstein needs a Lipschitz critic: add --penalty gp, --penalty clip or --spectral-norm")
    return overrides


def describe_method(overrides: dict) -> str:
    """A few words for the method of :func:`toy_overrides`: ``"the recommended recipe"``, ``"hinge, spectral norm"``."""
    from ganlib import recipes

    if not overrides:
        return "the recommended recipe"
    hp = recipes.settings(recipes.TOY, **overrides)
    words = [hp["loss"]]
    words += [f"{label} {hp[name]:g}" for name, label in (("gradient_penalty_weight", "GP λ"), ("r1_weight", "R1 γ"),
                                                          ("clip_weights", "clip")) if hp[name]]
    words += ["spectral norm"] * bool(hp["spectral_norm"]) + ["minibatch std"] * bool(hp["minibatch_std"])
    return ", ".join(words)


def train_toy(args) -> None:
    """``train toy``: lesson 7's GAN on the ring or the grid (``--dataset``, default grid)."""
    from ganlib import data, metrics, recipes
    from ganlib.cli.common import CLIError, check_split, fit_and_save

    name = args.dataset or "grid"
    overrides = toy_overrides(args)
    batch_size = args.batch_size or recipes.TOY["batch_size"]
    points, centres = data.toy_mixture(name, data.TOY_POINTS, seed=args.seed)
    if batch_size > len(points):
        raise CLIError(f"--batch-size {batch_size} is larger than the {len(points)} training points")
    check_split(batch_size, args.strategy)
    hp = recipes.settings(recipes.TOY, **overrides)
    if hp["minibatch_std"] and (batch_size // (args.strategy.num_replicas_in_sync if args.strategy else 1)) % hp["minibatch_std"]:
        raise CLIError(f"--minibatch-std groups {hp['minibatch_std']} points: use a --batch-size (per replica) that is a "
                       "multiple of it")
    model = recipes.build_toy_gan(name, seed=args.seed, strategy=args.strategy, **overrides)
    fit_and_save(
        args,
        model,
        data.make_toy_dataset(points, batch_size, seed=args.seed),
        len(points) // batch_size,
        scatter_recorder(args.out / "samples", name, seed=args.seed),
        default_minutes=2.0,
        what=f"the toy GAN on the {name} ({describe_method(overrides)}; batch {batch_size}, seed {args.seed})",
    )
    result = metrics.mode_coverage(model.generate(metrics.MODE_SAMPLES, seed=args.seed), centres, data.toy_centres(name)[1])
    print(f"{name}: {metrics.describe_coverage(result)} ({metrics.MODE_SAMPLES:,} samples)")


def is_points_generator(generator) -> bool:
    """Whether ``generator`` maps noise to 2-D points (a toy run's)."""
    inputs, outputs = generator.input_shape, generator.output_shape
    return not isinstance(inputs, list) and len(inputs) == 2 and not isinstance(outputs, list) and tuple(outputs[1:]) == (2,)


def mixture_of_run(run_dir):
    """The toy mixture a run folder was trained on (its recorded ``--dataset``), ``"grid"`` when not recorded."""
    from ganlib.runs import identity

    recorded = identity.read_settings(run_dir / "checkpoints") or {}
    return (recorded.get("settings") or {}).get("dataset") or "grid"


def write_scatter(points, name: str, path, title: str = "") -> None:
    """Save a PNG of ``points`` over the modes of the toy mixture ``name``."""
    from ganlib import data
    from ganlib.runs import lab_views

    centres, sigma = data.toy_centres(name)
    path.write_bytes(lab_views.toy_png(points, centres, sigma, title=title))


def scatter_recorder(folder, name: str, seed: int = 0, every: int = SCATTER_EVERY):
    """A Keras callback of ``train toy``: ``folder/step_NNNNNN.png``, 2,500 samples of fixed noise over the modes of
    the mixture ``name``, every ``every`` steps and when training ends."""
    import keras

    from ganlib import latent, metrics

    class ScatterRecorder(keras.callbacks.Callback):
        last = None

        def _draw(self):
            gan = self.model
            noise = latent.noise(gan.latent_dim, metrics.MODE_SAMPLES, seed)
            points = keras.ops.convert_to_numpy(gan.sampler(noise, training=False))
            folder.mkdir(parents=True, exist_ok=True)
            write_scatter(points, name, folder / f"step_{gan.step:06d}.png", title=f"step {gan.step}")
            self.last = gan.step

        def on_train_batch_end(self, batch, logs=None):
            if self.model.step % every == 0:
                self._draw()

        def on_train_end(self, logs=None):
            if self.last != self.model.step:
                self._draw()

    return ScatterRecorder()

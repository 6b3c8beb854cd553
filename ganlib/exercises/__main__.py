"""``python -m ganlib.exercises solved NOTEBOOK --out PATH``: the instructor's copy of a lesson."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ganlib.exercises", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    solved = commands.add_parser("solved", help="write NOTEBOOK with every exercise cell replaced by its solution")
    solved.add_argument("notebook", type=Path, help="a lesson, e.g. notebooks/01_gan_basics_mnist.ipynb")
    solved.add_argument("--out", type=Path, required=True, help="where to write the solved copy (.ipynb)")
    args = parser.parse_args(argv)
    from ganlib.exercises import notebook

    if args.out.resolve() == args.notebook.resolve():
        print("ganlib.exercises: error: --out is the lesson itself: write the solved copy elsewhere", file=sys.stderr)
        return 2
    try:
        written = notebook.write_solved(args.notebook, args.out)
    except (OSError, ValueError) as error:
        print(f"ganlib.exercises: error: {error}", file=sys.stderr)
        return 2
    count = len(notebook.exercise_cells(notebook.json.loads(args.notebook.read_text(encoding="utf-8"))))
    print(f"Wrote {written}: {count} exercise cell{'s' * (count != 1)} replaced by their solutions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

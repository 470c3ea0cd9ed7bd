"""``survey-kit generate-sample``: regenerate the synthetic sample data.

Writes the raw exports, planted-defect lists, illustrative population targets
and the README of ``sample_data/`` (byte for byte the committed files when
the default seed is used).

Example
-------
$ survey-kit generate-sample --out sample_data
"""

from __future__ import annotations

import argparse

NAME = "generate-sample"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        NAME,
        help="write the synthetic sample data (raw exports, defects, targets, README)",
        description="Regenerate the synthetic sample: raw panel exports of the two reference "
                    "surveys with planted quality defects, the list of planted defects, "
                    "illustrative population targets and a README. With the default seed "
                    "the output equals the committed sample_data/ byte for byte.",
    )
    p.add_argument("--out", default="sample_data", metavar="DIR",
                   help="folder to write into (created if needed; default: sample_data)")
    p.add_argument("--seed", type=int, default=None, metavar="N",
                   help="random seed (default: the seed of the committed sample)")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..sample.generator import DEFAULT_SEED, write_sample
    from . import out_folder

    seed = DEFAULT_SEED if args.seed is None else args.seed
    out_folder(args.out)
    for path in write_sample(args.out, seed=seed):
        print(path)
    return 0

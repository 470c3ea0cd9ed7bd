"""Time a banner table: 20 rows x 12 columns on 100,000 (and 1,000,000) respondents.

The rows are four single-choice questions with five options each (20 rows,
plus one net each), the banner three variables with four levels each (12
columns plus Total). Each table carries weighted percentages, the three bases,
design-based SEs and CIs, significance letters for every pair of columns
within a banner variable (Holm-adjusted) and a Rao-Scott F test for every
block and banner variable.

Run from the repository root::

    .venv/bin/python benchmarks/banner.py                 # 100k and 1M, weights + strata
    .venv/bin/python benchmarks/banner.py --n 100000 --designs weights strata rake

Designs: ``weights`` (weights only), ``strata`` (weights and 20 strata),
``cluster`` (weights, strata and 2,000 PSUs) and ``rake`` (weights raked to two
margins; calibration residuals in every variance). Every variance of a
categorical row goes through ``SurveyDesign.vcov_total_coded``, with one code per
(row category, banner level): per-stratum sums for weights-only and stratified
designs, per-PSU sums for clustered ones, per calibration cell for raked ones.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import survey_kit as sk


def make_data(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {}
    for k in range(4):
        probs = rng.dirichlet(np.ones(5) * 3)
        codes = rng.choice(5, size=n, p=probs)
        vals = pd.Categorical.from_codes(codes, categories=[f"q{k}_{i}" for i in range(5)])
        miss = rng.random(n) < 0.03
        data[f"q{k}"] = pd.Series(vals).where(~miss)
    for k in range(3):
        probs = rng.dirichlet(np.ones(4) * 4)
        codes = rng.choice(4, size=n, p=probs)
        data[f"b{k}"] = pd.Categorical.from_codes(codes, categories=[f"b{k}_{i}" for i in range(4)])
    data["stratum"] = rng.integers(0, 20, n)
    data["psu"] = rng.integers(0, 100, n)
    data["w"] = rng.lognormal(0, 0.5, n)
    return pd.DataFrame(data)


def build_design(frame: pd.DataFrame, kind: str):
    if kind == "weights":
        return sk.SurveyDesign(frame, weights="w")
    if kind == "strata":
        return sk.SurveyDesign(frame, weights="w", strata="stratum")
    if kind == "cluster":
        return sk.SurveyDesign(frame, weights="w", strata="stratum", cluster="psu")
    if kind == "rake":
        d = sk.SurveyDesign(frame, weights="w")
        n = len(frame)
        targets = {"b0": {f"b0_{i}": n * 10 / 4 for i in range(4)},
                   "b1": {f"b1_{i}": n * 10 / 4 for i in range(4)}}
        return d.rake(targets)
    raise SystemExit(f"unknown design {kind!r}")


def time_table(design, repeat: int) -> float:
    rows = ["q0", "q1", "q2", "q3"]
    cols = ["b0", "b1", "b2"]
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        tab = sk.crosstab(design, rows, cols)
        best = min(best, time.perf_counter() - t0)
    nrows = tab.cells.groupby(["block", "row_level"]).ngroups
    ncols = len(tab.columns) - 1
    assert nrows == 20 and ncols == 12, (nrows, ncols)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--designs", nargs="+", default=["weights", "strata"],
                    choices=["weights", "strata", "cluster", "rake"])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    # warm up imports (scipy, statsmodels) outside the timing
    small = make_data(2000)
    sk.crosstab(sk.SurveyDesign(small, weights="w"), ["q0"], ["b0"])
    print("banner: 4 questions x 5 options = 20 rows (+4 nets), 3 banner variables x 4 "
          "levels = 12 columns (+Total); letters, SEs, CIs, Rao-Scott tests")
    print(f"{'respondents':>12}  {'design':<8}  {'seconds':>8}")
    for n in args.n:
        frame = make_data(n)
        for kind in args.designs:
            design = build_design(frame, kind)
            sec = time_table(design, args.repeat)
            print(f"{n:>12,}  {kind:<8}  {sec:8.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

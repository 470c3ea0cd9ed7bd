"""Shared by the benchmark worker and every adapter: the synthetic survey and the tasks.

The data are generated once per size by ``run.py`` (seeded) and stored as a
``.npz`` of integer codes and float columns, so every tool, in every
subprocess, reads exactly the same respondents. ``frame()`` turns them into the
pandas DataFrame an analyst would hold (string-labelled Categoricals, one row
per respondent); adapters convert from there, outside the timed region, to
whatever their library wants.
"""

from __future__ import annotations

import numpy as np

# -- the survey -------------------------------------------------------------
SIZE = ["micro", "small", "medium", "large"]
SECTOR = [f"sector_{i:02d}" for i in range(1, 11)]
REGION = [f"region_{i}" for i in range(1, 9)]
OUTCOME = ["no", "yes"]
CAT4 = ["none", "low", "mid", "high"]                      # "reliance" (4 levels)
CAT5 = ["large_neg", "some_neg", "no_effect", "some_pos", "large_pos"]   # "impact" (5)
LIKERT = ["1", "2", "3", "4", "5"]
N_GRID = 30
GRID_ITEMS = [f"g{k // 10 + 1}_{k % 10 + 1:02d}" for k in range(N_GRID)]   # 3 grids x 10
ATTENTION = ["apple", "banana", "cherry", "grape"]

# population shares the sample is raked to (the sample over-represents large firms)
POP_SIZE = np.array([0.80, 0.14, 0.05, 0.01])
POP_SECTOR = np.array([0.18, 0.14, 0.12, 0.11, 0.10, 0.09, 0.08, 0.07, 0.06, 0.05])
POP_REGION = np.array([0.30, 0.18, 0.14, 0.10, 0.10, 0.08, 0.06, 0.04])
POP_TOTAL = 4_000_000.0     # firms in the population


def targets() -> dict[str, dict[str, float]]:
    """Population counts per level of the three raking margins."""
    return {"size_class": dict(zip(SIZE, (POP_SIZE * POP_TOTAL).tolist())),
            "sector": dict(zip(SECTOR, (POP_SECTOR * POP_TOTAL).tolist())),
            "region": dict(zip(REGION, (POP_REGION * POP_TOTAL).tolist()))}


def generate(n: int, seed: int = 20240705) -> dict[str, np.ndarray]:
    """The synthetic panel: integer codes per variable, a base weight, a duration.

    The association of the 4x5 table is scaled by 1/sqrt(n), so the Rao-Scott
    test has the same power at every size (p-values neither 1 nor 0, which
    makes the peers' p-values comparable).
    """
    rng = np.random.default_rng(seed)
    size = rng.choice(4, size=n, p=[0.45, 0.30, 0.17, 0.08]).astype(np.int8)
    sector = rng.choice(10, size=n, p=rng.dirichlet(np.full(10, 8.0))).astype(np.int8)
    # region depends a little on sector, so raking needs several sweeps
    region = ((rng.choice(8, size=n, p=rng.dirichlet(np.full(8, 6.0)))
               + (sector % 3) * (rng.random(n) < 0.3)) % 8).astype(np.int8)
    outcome = (rng.random(n) < 0.25 + 0.12 * size).astype(np.int8)
    cat4 = np.minimum(3, rng.binomial(3, 0.35 + 0.08 * size / 3)).astype(np.int8)
    # cat5 depends on cat4 with an effect that shrinks like 1/sqrt(n)
    shift = (cat4 - 1.5) * (6.0 / np.sqrt(n))
    latent = rng.normal(0.0, 1.0, n) + shift
    cat5 = np.digitize(latent, [-1.2, -0.4, 0.4, 1.2]).astype(np.int8)
    base_w = rng.lognormal(0.0, 0.45, n) * (1.0 + 2.0 * (size == 0))
    # 30 grid items: a per-respondent tendency plus noise; ~2% straightliners
    tendency = rng.normal(0.0, 0.8, n)
    grid = np.clip(np.rint(3 + tendency[:, None] + rng.normal(0.0, 0.9, (n, N_GRID))),
                   1, 5).astype(np.int8) - 1
    liner = rng.random(n) < 0.02
    grid[liner] = grid[liner, :1]
    duration = rng.lognormal(np.log(600.0), 0.45, n)
    duration[rng.random(n) < 0.03] *= 0.15                  # speeders
    attention = np.where(rng.random(n) < 0.96, 0, rng.integers(1, 4, n)).astype(np.int8)
    employees = np.rint(np.array([5.0, 25.0, 200.0, 2000.0])[size]
                        * rng.lognormal(0.0, 0.3, n))
    employees[rng.random(n) < 0.002] = -5.0                 # out of range
    return {"size_class": size, "sector": sector, "region": region, "outcome": outcome,
            "cat4": cat4, "cat5": cat5, "base_w": base_w, "grid": grid,
            "duration": duration, "attention": attention, "employees": employees}


LEVELS = {"size_class": SIZE, "sector": SECTOR, "region": REGION, "outcome": OUTCOME,
          "cat4": CAT4, "cat5": CAT5, "attention": ATTENTION}


def load(path: str) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def frame(data: dict[str, np.ndarray], grid: bool = False):
    """The respondents as a pandas DataFrame with string-labelled Categoricals.

    ``grid=True`` adds the 30 grid items (ordered Categoricals), ``attention``,
    ``employees`` and ``duration`` (the cleaning task's labelled frame).
    """
    import pandas as pd

    n = len(data["size_class"])
    cols = {}
    for var in ("size_class", "sector", "region", "outcome", "cat4", "cat5"):
        cols[var] = pd.Categorical.from_codes(data[var].astype(np.int64), LEVELS[var])
    cols["w"] = data["base_w"]
    if grid:
        for k, name in enumerate(GRID_ITEMS):
            cols[name] = pd.Categorical.from_codes(data["grid"][:, k].astype(np.int64),
                                                   LIKERT, ordered=True)
        cols["attention"] = pd.Categorical.from_codes(data["attention"].astype(np.int64),
                                                      ATTENTION)
        cols["employees"] = data["employees"]
        cols["duration"] = data["duration"]
    index = pd.Index([f"r{i}" for i in range(n)], name="respondent_id")
    return pd.DataFrame(cols, index=index)

#: repetitions asked for by run.py (self-timed adapters, e.g. R, repeat inside)
BENCH_REPS = 3
#: seconds after which self-timed adapters stop repeating
BENCH_BUDGET = 40.0

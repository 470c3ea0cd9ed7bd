"""Scale run: survey_kit's out-of-core engines on 10M and 100M respondents (Parquet).

Usage (from the repository root)::

    .venv/bin/python benchmarks/scale.py --sizes 10000000 --engines duckdb
    .venv/bin/python benchmarks/scale.py --sizes 10000000,100000000 --r-size 1000000

For each size a seeded synthetic panel is written as Parquet in chunks of
5,000,000 rows (never held in memory at once) under ``--data-dir`` (default:
the system temporary folder; the files are removed at the end unless
``--keep``). Columns: stratum (10), base weight, size class (3), sector (4),
region (5) -- the raking margins --, a 4-level and a 5-level item (the
Rao-Scott table) and a 20-level item (the banner rows; the banner is size,
sector and region: 3 + 4 + 5 = 12 columns).

Tasks, each in a fresh subprocess (``--worker``) so the peak RSS
(``VmHWM``, :mod:`peak`; the engine's threads included) is the task's own:

1. ``rake``: raking to the three margins (one grouped pass + the sweeps);
2. ``write``: the dataset written back whole with the raked weights as a Parquet column;
   ``write_weight``: only the stratum and the weight column (a sidecar, in row order);
3. ``chisq``: the 4 x 5 Rao-Scott F on the raked design (calibration-aware SEs);
4. ``banner``: the 20 x 12 banner table with letters and tests on the raked design;
5. ``calibrate``: linear (GREG) calibration to the same margins, then the 4 x 5 Rao-Scott
   F with the GREG residuals (time of both).

The time of tasks 2-4 is the task's own, on a raked design (raking is task 1);
each makes its own pass over the data (one grouped query, or the copy). The
peak memory is the whole process's, raking included.
With ``--r-size N``, R ``survey`` runs the same raking and ``svychisq`` on a
SQLite-backed design (``svydesign(dbtype = "SQLite")``) of the first N rows,
with a time limit (``--r-timeout``); what R does not finish is reported so.
Times are wall-clock seconds of one run (these are big runs: run once).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

CHUNK = 5_000_000
TASKS = ("rake", "write", "write_weight", "chisq", "banner", "calibrate")
MARGINS = {"size": ["s", "m", "l"], "sector": ["it", "mf", "rt", "sv"],
           "region": ["r1", "r2", "r3", "r4", "r5"]}


def targets(n: int) -> dict:
    """Illustrative population margins for ``n`` respondents (10 x the sample)."""
    shares = {"size": [0.5, 0.3, 0.2], "sector": [0.3, 0.3, 0.2, 0.2],
              "region": [0.24, 0.22, 0.2, 0.18, 0.16]}
    return {v: dict(zip(MARGINS[v], (np.array(shares[v]) * 10 * n).tolist())) for v in MARGINS}


def generate(n: int, folder: Path, seed: int = 1) -> float:
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    for i, lo in enumerate(range(0, n, CHUNK)):
        m = min(CHUNK, n - lo)
        frame = pd.DataFrame({
            "stratum": rng.integers(0, 10, m).astype(np.int16),
            "w": rng.uniform(1.0, 5.0, m),
            "size": pd.Categorical.from_codes(rng.choice(3, m, p=[.45, .35, .2]), MARGINS["size"]),
            "sector": pd.Categorical.from_codes(rng.integers(0, 4, m), MARGINS["sector"]),
            "region": pd.Categorical.from_codes(rng.integers(0, 5, m), MARGINS["region"]),
            "q4": rng.integers(1, 5, m).astype(np.int8),
            "q5": rng.integers(1, 6, m).astype(np.int8),
            "q20": pd.Categorical.from_codes(rng.integers(0, 20, m),
                                             [f"v{i:02d}" for i in range(1, 21)]),
        })
        for c in [*MARGINS, "q20"]:
            frame[c] = frame[c].astype(str)
        frame.to_parquet(folder / f"part-{i:04d}.parquet", index=False)
    return time.perf_counter() - start


def worker(task: str, folder: str, engine: str, n: int) -> dict:
    import survey_kit as sk

    start = time.perf_counter()
    d = sk.SurveyDesign.from_parquet(folder, weights="w", strata="stratum", engine=engine,
                                     **({"threads": 2, "memory_limit": "3GB"}
                                        if engine == "duckdb" else {}))
    raked = d.rake(targets(n))
    out: dict = {}
    if task == "rake":
        out["n"] = raked.n
    elif task.startswith("write"):
        start = time.perf_counter()          # the writing alone (raking is its own task)
        target = Path(tempfile.mkdtemp(dir=Path(folder).parent)) / "weighted.parquet"
        raked.write_weights(target, columns=["stratum"] if task == "write_weight" else None)
        out["bytes"] = sum(p.stat().st_size for p in ([target] if target.is_file()
                                                      else target.rglob("*.parquet")))
        secs = time.perf_counter() - start
        shutil.rmtree(target.parent)
        return {**out, "seconds": secs, "peak_mb": _peak_mb()}
    elif task == "chisq":
        start = time.perf_counter()          # on the raked design (raking is its own task)
        r = raked.chisq("q4", "q5")
        out.update(F=r.statistic, p=r.pvalue)
    elif task == "banner":
        start = time.perf_counter()
        t = sk.crosstab(raked, rows="q20", cols=["size", "sector", "region"])
        out["cells"] = len(t.cells)
    elif task == "calibrate":
        start = time.perf_counter()          # GREG to the same margins, then the 4 x 5 test
        cal = d.calibrate(targets(n), "linear")
        r = cal.chisq("q4", "q5")
        out.update(F=r.statistic, p=r.pvalue)
    return {**out, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _peak_mb() -> float:
    from peak import peak_mb        # this process's own peak (not its parent's)

    return peak_mb()


R_SCRIPT = r"""
suppressMessages({library(survey); library(RSQLite)})
args <- commandArgs(TRUE); csv <- args[1]; db <- args[2]; n <- as.numeric(args[3])
d <- read.csv(csv); con <- dbConnect(SQLite(), db); dbWriteTable(con, "resp", d); dbDisconnect(con)
rm(d); gc()
t0 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = "resp", dbtype = "SQLite",
                 dbname = db)
# postStratify() and so rake() are not implemented for database-backed designs in R survey;
# calibrate(calfun = "raking") reaches the same weights (the raking fixed point)
N <- 10 * n
pop <- c("(Intercept)" = N, sizem = .3 * N, sizes = .5 * N, sectormf = .3 * N,
         sectorrt = .2 * N, sectorsv = .2 * N, regionr2 = .22 * N, regionr3 = .2 * N,
         regionr4 = .18 * N, regionr5 = .16 * N)
des <- calibrate(des, ~size + sector + region, pop, calfun = "raking", epsilon = 1e-10,
                 maxit = 100)
t1 <- proc.time()[["elapsed"]]
x <- svychisq(~q4 + q5, des)
t2 <- proc.time()[["elapsed"]]
cat(sprintf('{"rake": %.3f, "chisq": %.3f, "F": %.10g, "p": %.10g}\n', t1 - t0, t2 - t1,
            x$statistic, x$p.value))
"""


def run_r(folder: Path, n: int, timeout: float) -> dict:
    frame = pd.concat([pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))])
    frame = frame.iloc[:n]
    work = Path(tempfile.mkdtemp(dir=folder.parent))
    try:
        frame.to_csv(work / "resp.csv", index=False)
        (work / "run.R").write_text(R_SCRIPT)
        done = subprocess.run(["Rscript", str(work / "run.R"), str(work / "resp.csv"),
                               str(work / "resp.db"), str(n)], capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode:
            return {"error": done.stderr.strip()[-300:]}
        return json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:g} s"}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000000")
    ap.add_argument("--engines", default="duckdb")
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--r-size", type=int, default=0)
    ap.add_argument("--r-timeout", type=float, default=900)
    ap.add_argument("--worker", nargs=4, metavar=("TASK", "FOLDER", "ENGINE", "N"))
    args = ap.parse_args()
    if args.worker:
        task, folder, engine, n = args.worker
        print(json.dumps(worker(task, folder, engine, int(n))))
        return
    root = Path(args.data_dir or tempfile.mkdtemp(prefix="survey_kit_scale_"))
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        folder = root / f"n{n}" / "data"
        secs = generate(n, folder)
        gb = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 1e9
        print(f"# {n:,} respondents: written in {secs:.1f} s ({gb:.2f} GB Parquet)", flush=True)
        for engine in args.engines.split(","):
            for task in args.tasks.split(","):
                done = subprocess.run([sys.executable, __file__, "--worker", task, str(folder),
                                       engine, str(n)], capture_output=True, text=True,
                                      env={**os.environ})
                res = (json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0
                       else {"error": done.stderr.strip()[-300:]})
                rows.append({"n": n, "engine": engine, "task": task, **res})
                print(json.dumps(rows[-1]), flush=True)
        if args.r_size:
            r = run_r(folder, min(args.r_size, n), args.r_timeout)
            rows.append({"n": min(args.r_size, n), "engine": "R survey (SQLite)", **r})
            print(json.dumps(rows[-1]), flush=True)
        if not args.keep:
            shutil.rmtree(folder.parent, ignore_errors=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()

"""Replicate variance at scale: a 4x5 Rao-Scott F on a design with 80 replicate weights.

The panel of ``benchmarks/run.py`` (``peers/_common.generate``, seeded) gets
the replicate weights a public-use file would ship: respondents sit in 160
PSUs (80 variance strata of 2), and replicate ``r`` multiplies the base weight
by 1.5 or 0.5 as its PSU is in or out of half-sample ``r`` (Fay's method,
rho = 0.5; the half-samples are drawn at random, seeded, not balanced: the
computation is what is measured). The 80 columns are the analysis weights
(``combined_weights``), scale 1/(80 (1 - 0.5)^2) = 4/80.

Timed, each in the same run, median of ``--reps``:

- survey_kit: ``sk.SurveyDesign(frame, weights="w", replicate_weights="rw",
  replicate_type="Fay", fay_rho=0.5)`` (reading the 80 columns and R's degf,
  the rank of the weights) and ``design.chisq("cat4", "cat5")`` (R's
  ``svychisq.svyrep.design``: the replicate covariance of the 20 cell shares);
- R survey: ``svrepdesign(..., type="Fay", rho=0.5)`` built untimed, then
  ``system.time(svychisq(~cat4 + cat5, des))`` inside R (the weights are
  rebuilt in R from the PSU of each respondent and the 160 x 80 multipliers,
  so no 80-column CSV is written);
- samplics (if installed, in its own environment: ``--samplics-python``):
  it has replicate-weight estimators (``ReplicateEstimator``) but no
  Rao-Scott test on replicate designs; the script reports that and times
  what it offers on the way there, the replicate proportions of the 20 cells.

Run: ``.venv/bin/python benchmarks/replicate.py --n 1000000 --samplics-python
.bench-venv/samplics-venv/bin/python`` (R needs ~4 GB at 1,000,000). Prints the
times, the ratios to survey_kit and F/p agreement with R.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peers import _common as c  # noqa: E402

R_REPS, N_PSU, RHO = 80, 160, 0.5


def panel(n: int, seed: int):
    """The benchmark frame with 80 replicate weight columns, PSUs and multipliers."""
    import pandas as pd

    data = c.generate(n, seed)
    frame = c.frame(data)[["cat4", "cat5", "w"]]
    rng = np.random.default_rng(seed + 1)
    psu = rng.integers(0, N_PSU, n)
    first = rng.random((N_PSU // 2, R_REPS)) < 0.5          # which PSU of the pair is in
    inside = np.empty((N_PSU, R_REPS), dtype=bool)
    inside[0::2], inside[1::2] = first, ~first
    M = np.where(inside, 2.0 - RHO, RHO)
    W = frame["w"].to_numpy()[:, None] * M[psu]
    reps = pd.DataFrame(W, index=frame.index, columns=[f"rw{r + 1}" for r in range(R_REPS)])
    return pd.concat([frame, reps], axis=1), psu, M


def sk_design(frame):
    import survey_kit as sk

    return sk.SurveyDesign(frame, weights="w", replicate_weights="rw", replicate_type="Fay",
                           fay_rho=RHO)


def time_survey_kit(frame, reps: int):
    import survey_kit as sk

    small = frame.iloc[:2000]                   # untimed warm-up: imports, caches
    sk.SurveyDesign(small, weights="w", replicate_weights="rw", replicate_type="Fay",
                    fay_rho=RHO).chisq("cat4", "cat5")
    build, test = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        d = sk.SurveyDesign(frame, weights="w", replicate_weights="rw", replicate_type="Fay",
                            fay_rho=RHO)
        t1 = time.perf_counter()
        r = d.chisq("cat4", "cat5")
        t2 = time.perf_counter()
        build.append(t1 - t0)
        test.append(t2 - t1)
    return statistics.median(build), statistics.median(test), r


def _r_script(tmp: str, reps: int) -> str:
    lev4 = ", ".join(f'"{x}"' for x in c.CAT4)
    lev5 = ", ".join(f'"{x}"' for x in c.CAT5)
    return f"""suppressMessages(library(survey))
d <- read.csv("{tmp}/data.csv", stringsAsFactors = FALSE)
d$cat4 <- factor(d$cat4, levels = c({lev4}))
d$cat5 <- factor(d$cat5, levels = c({lev5}))
M <- as.matrix(read.csv("{tmp}/mult.csv", header = FALSE))
rw <- d$w * M[d$psu + 1, ]
des <- svrepdesign(variables = d[, c("cat4", "cat5")], repweights = rw, weights = d$w,
                   type = "Fay", rho = {RHO}, combined.weights = TRUE)
times <- numeric({reps})
for (i in 1:{reps}) times[i] <- system.time(r <- svychisq(~cat4 + cat5, des))[["elapsed"]]
cat(sprintf("F=%.17g\\nndf=%.17g\\nddf=%.17g\\np=%.17g\\n", r$statistic, r$parameter[1],
            r$parameter[2], r$p.value))
cat("times=", paste(sprintf("%.6f", times), collapse = ","), "\\n", sep = "")
"""


def time_r(frame, psu, M, reps: int):
    rscript = os.environ.get("RSCRIPT", shutil.which("Rscript") or "Rscript")
    tmp = tempfile.mkdtemp(prefix="skbench_rep_")
    try:
        out = frame[["cat4", "cat5", "w"]].assign(psu=psu)
        out.to_csv(f"{tmp}/data.csv", index=False)
        np.savetxt(f"{tmp}/mult.csv", M, delimiter=",", fmt="%.17g")
        with open(f"{tmp}/run.R", "w") as fh:
            fh.write(_r_script(tmp, reps))
        res = subprocess.run([rscript, f"{tmp}/run.R"], capture_output=True, text=True,
                             check=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if res.returncode != 0:
        return None, f"R failed: {res.stderr.strip()[-300:]}"
    vals = dict(line.split("=", 1) for line in res.stdout.strip().splitlines() if "=" in line)
    times = [float(t) for t in vals["times"].split(",")]
    return (statistics.median(times), {k: float(vals[k]) for k in ("F", "ndf", "ddf", "p")}), ""


_SAMPLICS = """
import sys, time, warnings, numpy as np
warnings.simplefilter("ignore")
from samplics.estimation import ReplicateEstimator
from samplics.utils.types import PopParam, RepMethod
z = np.load(sys.argv[1])
cell, w, W = z["cell"].astype(str), z["w"], z["W"]
ts = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    est = ReplicateEstimator(RepMethod.brr, PopParam.prop, fay_coef=0.5).estimate(
        y=cell, samp_weight=w, rep_weights=W)
    ts.append(time.perf_counter() - t0)
print("times=" + ",".join(f"{t:.6f}" for t in ts))
print("se=" + ",".join(f"{est.stderror[str(k)]:.17g}" for k in range(20)))
"""


def time_samplics(python: str | None, frame, reps: int):
    if not python or not Path(python).exists():
        return None, "samplics: no environment given (--samplics-python); not measured"
    tmp = tempfile.mkdtemp(prefix="skbench_smp_")
    try:
        cell = frame["cat4"].cat.codes.to_numpy() * 5 + frame["cat5"].cat.codes.to_numpy()
        W = frame[[f"rw{r + 1}" for r in range(R_REPS)]].to_numpy()
        np.savez(f"{tmp}/d.npz", cell=cell, w=frame["w"].to_numpy(), W=W)
        with open(f"{tmp}/s.py", "w") as fh:
            fh.write(_SAMPLICS)
        res = subprocess.run([python, f"{tmp}/s.py", f"{tmp}/d.npz", str(reps)],
                             capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if res.returncode != 0:
        return None, f"samplics failed: {res.stderr.strip()[-300:]}"
    vals = dict(x.split("=", 1) for x in res.stdout.splitlines() if "=" in x)
    se = np.array([float(v) for v in vals["se"].split(",")])
    return (statistics.median(float(t) for t in vals["times"].split(",")), se), ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240705)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--samplics-python", default=os.environ.get("SAMPLICS_PYTHON"))
    a = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f}; n = {a.n:,}, {R_REPS} replicate weights "
          f"(Fay, rho {RHO}), 4x5 table; median of {a.reps}")
    frame, psu, M = panel(a.n, a.seed)
    build, test, r = time_survey_kit(frame, a.reps)
    print(f"survey_kit  design from 80 columns (incl. degf) {build:8.3f} s")
    print(f"survey_kit  svychisq F                          {test:8.3f} s   F = {r.statistic:.10g}"
          f", ndf = {r.df[0]:.8g}, ddf = {r.df[1]:.8g}, p = {r.pvalue:.6g}")
    if not a.no_r:
        rr, why = time_r(frame, psu, M, a.reps)
        if rr is None:
            print(f"R survey    {why}")
        else:
            t, v = rr
            agree = max(abs(v["F"] / r.statistic - 1), abs(v["ddf"] / r.df[1] - 1))
            print(f"R survey    svychisq F (system.time in R)       {t:8.3f} s   "
                  f"{t / test:7.1f}x survey_kit; F, ddf agree to {agree:.1e}, "
                  f"p to {abs(v['p'] / r.pvalue - 1):.1e} (relative)")
    res, why = time_samplics(a.samplics_python, frame, a.reps)
    if res is None:
        print(why)
    else:
        ts, se = res
        d = sk_design(frame)
        cell = frame["cat4"].cat.codes.to_numpy() * 5 + frame["cat5"].cat.codes.to_numpy()
        ours = np.sqrt(np.diag(d.replicates.cell_vcov(cell, 20, shares=True)))
        print(f"samplics    replicate proportions of the 20 cells {ts:6.3f} s   "
              f"{ts / test:7.1f}x survey_kit's whole test (samplics offers no Rao-Scott "
              "test on replicate weights); its cell SEs agree with survey_kit's to "
              f"{np.max(np.abs(se / ours - 1)):.1e} (relative)")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

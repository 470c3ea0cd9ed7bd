"""R's survey package (Lumley) through Rscript: ``svychisq`` on the same data.

The data go to a temporary CSV (untimed); R reads it, builds the design (and,
for the raked task, ``rake()``s it to the three margins), then times
``svychisq(~cat4 + cat5, design)`` alone with ``system.time`` for each
repetition: the times reported are R's, not the Rscript start-up or CSV read.
Peak memory is that of the Rscript process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from . import _common as c

NAME = "R survey"
SELF_TIMED = True
NOTES = {
    "chisq_fixed": "svychisq(~cat4+cat5, svydesign(ids=~1, weights=~w)); system.time in R",
    "chisq_raked": "svychisq on rake(svydesign(ids=~1, weights=~1), 3 margins, "
                   "epsilon=1e-6); system.time in R",
}
RSCRIPT = os.environ.get("RSCRIPT", shutil.which("Rscript") or "/usr/bin/Rscript")


def version() -> str:
    code = ("cat(R.version$major, R.version$minor, "
            "as.character(packageVersion('survey')), sep=' ')")
    out = subprocess.run([RSCRIPT, "-e", code], check=False,
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"R survey unavailable: {out.stderr.strip()[:200]}")
    major, minor, surv = out.stdout.split()
    return f"survey {surv} (R {major}.{minor})"


def _levels(name, levels):
    quoted = ", ".join(f'"{x}"' for x in levels)
    return f'd${name} <- factor(d${name}, levels = c({quoted}))\n'


def _script(csv: str, raked: bool, reps: int, budget: float) -> str:
    s = "suppressMessages(library(survey))\n"
    s += f'd <- read.csv("{csv}", stringsAsFactors = FALSE)\n'
    for name, lev in (("cat4", c.CAT4), ("cat5", c.CAT5), ("size_class", c.SIZE),
                      ("sector", c.SECTOR), ("region", c.REGION)):
        s += _levels(name, lev)
    if raked:
        tg = c.targets()
        s += "d$one <- 1\ndes0 <- svydesign(ids = ~1, weights = ~one, data = d)\n"
        pops = []
        for v in ("size_class", "sector", "region"):
            keys = ", ".join(f'"{k}"' for k in tg[v])
            vals = ", ".join(repr(float(x)) for x in tg[v].values())
            pops.append(f"data.frame({v} = factor(c({keys}), levels = levels(d${v})), "
                        f"Freq = c({vals}))")
        s += ("des <- rake(des0, list(~size_class, ~sector, ~region), list("
              + ", ".join(pops) + "), control = list(maxit = 1000, epsilon = 1e-6, "
              "verbose = FALSE))\n")
    else:
        s += "des <- svydesign(ids = ~1, weights = ~w, data = d)\n"
    s += f"times <- numeric({reps})\n"
    s += (f"for (i in 1:{reps}) {{ times[i] <- system.time(r <- svychisq(~cat4 + cat5, des))"
          f'[["elapsed"]]; if (sum(times) > {budget:.1f}) {{ times <- times[1:i]; break }} }}\n')
    s += ('cat(sprintf("F=%.17g\\nndf=%.17g\\nddf=%.17g\\np=%.17g\\n", r$statistic, '
          'r$parameter[1], r$parameter[2], r$p.value))\n')
    s += 'cat("times=", paste(sprintf("%.6f", times), collapse = ","), "\\n", sep = "")\n'
    return s


def _setup(data, raked: bool):
    tmp = tempfile.mkdtemp(prefix="skbench_r_")
    csv = os.path.join(tmp, "data.csv")
    frame = c.frame(data)[["cat4", "cat5", "w", "size_class", "sector", "region"]]
    frame.to_csv(csv, index=False)
    script = os.path.join(tmp, "run.R")
    with open(script, "w") as fh:
        fh.write(_script(csv, raked, max(1, c.BENCH_REPS), c.BENCH_BUDGET))

    def run():
        try:
            out = subprocess.run([RSCRIPT, script], check=False, capture_output=True, text=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if out.returncode != 0:
            raise RuntimeError("Rscript failed: " + out.stderr.strip()[-400:])
        return out.stdout

    def extract(stdout: str):
        vals = dict(line.split("=", 1) for line in stdout.strip().splitlines() if "=" in line)
        return {"F": float(vals["F"]), "ndf": float(vals["ndf"]), "ddf": float(vals["ddf"]),
                "p": float(vals["p"]),
                "times": [float(t) for t in vals["times"].split(",")]}

    return run, extract


def setup_chisq_fixed(data):
    return _setup(data, raked=False)


def setup_chisq_raked(data):
    return _setup(data, raked=True)


TASKS = {"chisq_fixed": setup_chisq_fixed, "chisq_raked": setup_chisq_raked}


"""survey_kit against its peers, side by side, in one run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/run.py                          # 10,000 and 100,000
    .venv/bin/python benchmarks/run.py --sizes 10000,100000,1000000 --reps 5
    .venv/bin/python benchmarks/run.py --peer-python .bench-venv/bin/python

Tasks, on one seeded synthetic panel per size (size class 4 levels, sector 10,
region 8, a binary outcome, two categorical variables of 4 and 5 levels, 30
grid items):

1. ``rake``: raking to the three margins to a max relative margin error of
   1e-8 -- survey_kit, samplics, svy, balance, weightipy, ipfn, numpy floor;
2. ``chisq_fixed`` / ``chisq_raked``: the 4 x 5 table with the Rao-Scott
   second-order F test on fixed weights and on a raked design (calibration-
   aware SEs) -- survey_kit, samplics, svy, R ``survey`` (Rscript), numpy floor;
3. ``clean``: ``sk.clean`` with every default rule on the 30-item grid data;
4. ``banner``: a 20 x 12 banner table (``sk.crosstab``);

plus ``survey-kit --help`` start-up time and a far-tail p-value check.

Every (tool, task, size) runs in a fresh subprocess (``--worker``), so the peak
RSS (``resource.getrusage``) is that task's own; times are the median of
``--reps`` repetitions after one untimed warm-up on 2,000 rows (imports, caches).
Each peer's answer is checked against survey_kit's (weights to 1e-6 relative,
F and p to 1e-6 relative); disagreements, failures, non-convergence, missing
packages and timeouts are reported in the table, never dropped. Results go to
``--out`` as CSV (one row per tool, task and size) and the printed report.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

#: tool -> (adapter module in peers/, which interpreter runs it[, prefix of its task names])
TOOLS = {
    "survey_kit": ("surveykit", "main"),
    "numpy floor": ("floor", "main"),
    "samplics": ("samplics", "samplics"),
    "svy": ("svy", "peer"),
    "balance": ("balance", "peer"),
    "weightipy": ("weightipy", "peer"),
    "ipfn": ("ipfn", "peer"),
    "ipfn-df": ("ipfn", "peer", "df_"),
    "R survey": ("r_survey", "main"),
}
#: peers whose adapter does part of the work by hand (ipfn: the aggregation of the
#: respondents to the count array and the mapping back are numpy code in the adapter)
HAND_BUILT = {"ipfn"}
#: task -> tools, in the order they are run and printed
TASKS = {
    "rake": ["survey_kit", "numpy floor", "samplics", "svy", "balance", "weightipy", "ipfn",
             "ipfn-df"],
    "chisq_fixed": ["survey_kit", "numpy floor", "samplics", "svy", "R survey"],
    "chisq_raked": ["survey_kit", "numpy floor", "samplics", "svy", "R survey"],
    "clean": ["survey_kit"],
    "banner": ["survey_kit"],
}
TASK_LABEL = {
    "rake": "raking, 3 margins, 1e-8",
    "chisq_fixed": "4x5 Rao-Scott F, fixed weights",
    "chisq_raked": "4x5 Rao-Scott F, raked design",
    "clean": "cleaning, all default rules",
    "banner": "banner 20 x 12",
}
AGREE_TOL = 1e-6
WARMUP_ROWS = 2000


# ---------------------------------------------------------------------------
# worker: one (tool, task, size) in a fresh process
# ---------------------------------------------------------------------------

def _maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0      # KiB on Linux


def worker(tool: str, task: str, data_path: str, out_path: str, reps: int,
           budget: float) -> int:
    """Run one task with one tool; write a JSON record (never raises)."""
    import importlib

    rec: dict = {"tool": tool, "task": task, "status": "ok", "times": [], "note": ""}
    t_start = time.perf_counter()
    try:
        import numpy as np
        from peers import _common as c

        c.BENCH_REPS = reps
        c.BENCH_BUDGET = budget
        try:
            mod = importlib.import_module(f"peers.{TOOLS[tool][0]}")
            rec["version"] = mod.version()
            setup = mod.TASKS[(TOOLS[tool][2] if len(TOOLS[tool]) > 2 else "") + task]
        except Exception as exc:                            # noqa: BLE001
            rec.update(status="import failed", error=f"{type(exc).__name__}: {exc}"[:400])
            return _write(rec, out_path)
        rec["settings"] = getattr(mod, "NOTES", {}).get(
            (TOOLS[tool][2] if len(TOOLS[tool]) > 2 else "") + task, "")
        data = c.load(data_path)
        self_timed = getattr(mod, "SELF_TIMED", False)
        if not self_timed:                                  # warm-up: imports, caches
            small = {k: v[:WARMUP_ROWS] for k, v in data.items()}
            run, extract = setup(small)
            extract(run())
        run, extract = setup(data)
        rec["rss_before_mb"] = _maxrss_mb(resource.RUSAGE_SELF)
        out = None
        t0 = time.perf_counter()
        for _ in range(1 if self_timed else reps):
            t = time.perf_counter()
            out = run()
            rec["times"].append(time.perf_counter() - t)
            if time.perf_counter() - t0 > budget:
                break
        result = extract(out)
        if "times" in result:                               # timed inside the tool (R)
            rec["times"] = result.pop("times")
        weights = result.pop("weights", None)
        if weights is not None:
            wpath = out_path[:-5] + ".weights.npy"
            np.save(wpath, np.asarray(weights, dtype=float))
            rec["weights_file"] = wpath
        rec["result"] = {k: (v if isinstance(v, (int, float, str, bool)) else str(v))
                         for k, v in result.items()}
    except MemoryError:
        rec.update(status="failed", error="MemoryError")
    except Exception as exc:                                # noqa: BLE001
        rec.update(status="failed", error=(f"{type(exc).__name__}: {exc}"[:400]),
                   trace=traceback.format_exc()[-1500:])
    from peak import peak_mb        # this worker's own peak (ru_maxrss keeps the parent's)

    rec["peak_rss_mb"] = max(peak_mb(), _maxrss_mb(resource.RUSAGE_CHILDREN))
    rec["wall_s"] = time.perf_counter() - t_start
    return _write(rec, out_path)


def _write(rec: dict, path: str) -> int:
    with open(path, "w") as fh:
        json.dump(rec, fh)
    return 0


# ---------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------

def _median(xs):
    return statistics.median(xs) if xs else float("nan")


def _fmt_s(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.4f}" if x < 10 else f"{x:.1f}"


def _ratio(a: float, b: float) -> str:
    if math.isnan(a) or math.isnan(b) or b <= 0:
        return "-"
    r = a / b
    return f"{r:.1f}x" if r < 100 else f"{r:.0f}x"


def _interp(kind: str, args) -> str:
    if kind == "main":
        return sys.executable
    if kind == "samplics" and args.tool_python.get("samplics"):
        return args.tool_python["samplics"]
    if kind == "samplics":
        cand = ROOT / ".bench-venv" / "samplics-venv" / "bin" / "python"
        if cand.exists():
            return str(cand)
    return args.peer_python


def _run_worker(tool, task, data_path, tmp, args) -> dict:
    out = os.path.join(tmp, f"{task}__{tool.replace(' ', '_')}.json")
    python = args.tool_python.get(tool) or _interp(TOOLS[tool][1], args)
    cmd = [python, str(Path(__file__).resolve()), "--worker", tool, task, data_path, out,
           "--reps", str(args.reps), "--budget", str(args.timeout / 3)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True,
                              timeout=args.timeout,
                              env=env, cwd=str(ROOT))
    except subprocess.TimeoutExpired:
        return {"tool": tool, "task": task, "status": "timeout", "times": [],
                "error": f"no answer within {args.timeout:g} s (whole subprocess)",
                "wall_s": time.perf_counter() - t}
    except OSError as exc:
        return {"tool": tool, "task": task, "status": "import failed", "times": [],
                "error": f"cannot start {python}: {exc}"}
    if not os.path.exists(out):
        return {"tool": tool, "task": task, "status": "failed", "times": [],
                "error": f"worker exited {proc.returncode}: {proc.stderr.strip()[-400:]}"}
    with open(out) as fh:
        rec = json.load(fh)
    rec["python"] = python
    return rec


def _margin_error(weights, data, targets) -> float:
    import numpy as np
    from peers import _common as c

    worst = 0.0
    for var, tg in targets.items():
        ach = np.bincount(data[var].astype(np.int64), weights=weights,
                          minlength=len(c.LEVELS[var]))
        t = np.array([tg[k] for k in c.LEVELS[var]])
        worst = max(worst, float(np.max(np.abs(ach / t - 1.0))))
    return worst


def _check(rec: dict, ref: dict | None, data, targets) -> str:
    """Agreement of one record with survey_kit's; fills rec['agree'] (bool or None)."""
    import numpy as np

    rec["agree"] = None
    if rec.get("status") != "ok":
        return ""
    task = rec["task"]
    if task == "rake":
        w = np.load(rec["weights_file"])
        err = _margin_error(w, data, targets)
        rec["margin_error"] = err
        msg = f"margin err {err:.1e}"
        if ref is not None and ref.get("status") == "ok" and rec["tool"] != "survey_kit":
            wr = np.load(ref["weights_file"])
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = float(np.max(np.abs(w / wr - 1.0)))
            rec["max_rel_diff"] = rel
            rec["agree"] = bool(rel <= AGREE_TOL and err <= AGREE_TOL)
            msg += f"; weights rel diff {rel:.1e}"
        elif rec["tool"] == "survey_kit":
            rec["agree"] = bool(err <= 1e-8)
        return msg
    if task.startswith("chisq"):
        r = rec.get("result", {})
        msg = f"F {r.get('F', float('nan')):.6g}, p {r.get('p', float('nan')):.4g}"
        if ref is not None and ref.get("status") == "ok" and rec["tool"] != "survey_kit":
            q = ref["result"]
            relF = abs(r["F"] / q["F"] - 1.0)
            relp = abs(r["p"] / q["p"] - 1.0) if q["p"] > 0 else abs(r["p"])
            rec["max_rel_diff"] = max(relF, relp)
            rec["agree"] = bool(relF <= AGREE_TOL and relp <= AGREE_TOL)
            msg += f"; rel diff F {relF:.1e}, p {relp:.1e}"
        elif rec["tool"] == "survey_kit":
            rec["agree"] = True
        return msg
    rec["agree"] = True
    return ", ".join(f"{k} {v}" for k, v in rec.get("result", {}).items())


def _cli_help_time(n: int = 5) -> tuple[float, str]:
    exe = Path(sys.executable).parent / "survey-kit"
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "survey_kit",
                                                       "--help"]
    times = []
    for _ in range(n):
        t = time.perf_counter()
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=str(ROOT))
        times.append(time.perf_counter() - t)
        if proc.returncode != 0:
            return float("nan"), f"failed: {proc.stderr.strip()[-200:]}"
    return _median(times), " ".join(cmd[-2:] if exe.exists() else cmd[1:])


def _tail_check(rscript: str | None) -> dict:
    """A 4x5 table whose Rao-Scott p is about 1e-30: survey_kit's p against R's."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    import survey_kit as sk

    rng = np.random.default_rng(7)
    n = 4000
    a = rng.integers(0, 4, n)
    noise = rng.normal(size=n)
    w = rng.lognormal(0.0, 0.4, n)

    def make(effect):
        b = np.digitize(noise + effect * (a - 1.5), [-1.2, -0.4, 0.4, 1.2])
        return pd.DataFrame({"a": pd.Categorical.from_codes(a, list("ABCD")),
                             "b": pd.Categorical.from_codes(b, list("vwxyz")), "w": w})

    lo, hi = 0.0, 1.0
    for _ in range(60):                           # effect giving p = 1e-30
        mid = (lo + hi) / 2
        p = sk.svychisq(sk.SurveyDesign(make(mid), weights="w"), "a", "b").pvalue
        lo, hi = (mid, hi) if p > 1e-30 else (lo, mid)
    frame = make((lo + hi) / 2)
    res = sk.svychisq(sk.SurveyDesign(frame, weights="w"), "a", "b")
    out = {"F": res.statistic, "ndf": res.df[0], "ddf": res.df[1], "p": res.pvalue,
           "one_minus_cdf": float(1.0 - stats.f.cdf(res.statistic, *res.df)),
           "p_r": None}
    if rscript:
        tmp = tempfile.mkdtemp(prefix="skbench_tail_")
        path = os.path.join(tmp, "tail.csv")
        frame.to_csv(path, index=False)
        code = (f'suppressMessages(library(survey)); d <- read.csv("{path}", '
                'stringsAsFactors=TRUE); r <- svychisq(~a+b, svydesign(ids=~1, weights=~w, '
                'data=d)); cat(sprintf("%.17g %.17g", r$statistic, r$p.value))')
        try:
            proc = subprocess.run([rscript, "-e", code], check=False, capture_output=True,
                                  text=True,
                                  timeout=120)
            if proc.returncode == 0:
                fr, pr = map(float, proc.stdout.split())
                out.update(F_r=fr, p_r=pr)
            else:
                out["r_error"] = proc.stderr.strip()[-200:]
        except (OSError, subprocess.TimeoutExpired) as exc:
            out["r_error"] = str(exc)
    return out


def _which_rscript() -> str | None:
    import shutil

    return os.environ.get("RSCRIPT") or shutil.which("Rscript") or (
        "/usr/bin/Rscript" if os.path.exists("/usr/bin/Rscript") else None)


def _prepare_args(args: argparse.Namespace) -> list[int]:
    """The sizes to run; ``--tool-python`` as a dict and the peers' interpreter resolved."""
    tp = {}
    for item in args.tool_python:
        name, _, path = item.partition("=")
        tp[name.strip()] = path.strip()
    args.tool_python = tp
    if args.peer_python is None:
        cand = ROOT / ".bench-venv" / "bin" / "python"
        args.peer_python = str(cand) if cand.exists() else sys.executable
    return [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000",
                    help="comma-separated numbers of respondents (default 10000,100000)")
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions (median reported)")
    ap.add_argument("--out", default=str(HERE / "results"), help="folder for the CSV results")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds per (tool, task, size) subprocess; a tool that times out "
                         "is skipped at larger sizes")
    ap.add_argument("--peer-python", default=None,
                    help="interpreter with the peers installed (default .bench-venv/bin/python "
                         "if present, else this one)")
    ap.add_argument("--tool-python", action="append", default=[], metavar="TOOL=PATH",
                    help="interpreter for one tool, e.g. samplics=.bench-venv/samplics-venv/"
                         "bin/python (samplics' tables need polars < 2, svy polars >= 2)")
    ap.add_argument("--tools", default=None, help="comma-separated subset of tools")
    ap.add_argument("--tasks", default=None, help="comma-separated subset of tasks")
    ap.add_argument("--seed", type=int, default=20240705)
    ap.add_argument("--worker", nargs=4, metavar=("TOOL", "TASK", "DATA", "OUT"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--budget", type=float, default=40.0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(*args.worker, reps=args.reps, budget=args.budget)

    import numpy as np
    from peers import _common as c

    sizes = _prepare_args(args)
    want_tools = set(args.tools.split(",")) if args.tools else set(TOOLS)
    want_tasks = [t for t in TASKS if not args.tasks or t in args.tasks.split(",")]
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        report.append(line)

    rscript = _which_rscript()
    say(f"survey_kit benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
    say(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; load average at start {os.getloadavg()[0]:.2f} "
        f"(1 min) {os.getloadavg()[1]:.2f} (5 min)")
    say(f"python {platform.python_version()} ({sys.executable}); numpy {np.__version__}")
    say(f"peers: {args.peer_python}; samplics: {_interp('samplics', args)}; "
        f"R: {rscript or 'not found'}")
    say(f"sizes {sizes}; median of {args.reps} repetitions after a warm-up on "
        f"{WARMUP_ROWS} rows; timeout {args.timeout:g} s per (tool, task, size)")
    say()

    rows: list[dict] = []
    gave_up: dict[tuple[str, str], str] = {}
    last_time: dict[tuple[str, str], tuple[int, float]] = {}
    targets = c.targets()
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="skbench_") as tmp:
        for n in sizes:
            t_gen = time.perf_counter()
            data = c.generate(n, seed=args.seed)
            data_path = os.path.join(tmp, f"data_{n}.npz")
            np.savez(data_path, **data)
            say(f"== {n:,} respondents (data generated in {time.perf_counter() - t_gen:.1f} s;"
                f" load {os.getloadavg()[0]:.2f})")
            hdr = (f"{'task':<30} {'tool':<12} {'median s':>9} {'reps':>4} {'peer/sk':>8} "
                   f"{'sk/floor':>8} {'peak MB':>8}  {'agrees':<6} check / note")
            say(hdr)
            say("-" * len(hdr))
            for task in want_tasks:
                ref = None
                floor_t = float("nan")
                task_rows = []
                for tool in TASKS[task]:
                    if tool not in want_tools:
                        continue
                    rec = _not_run(tool, task, n, rscript, gave_up, last_time, args.timeout)
                    if rec is None:
                        rec = _run_worker(tool, task, data_path, tmp, args)
                    rec["n"] = n
                    rec["median_s"] = _median(rec.get("times", []))
                    if rec.get("status") == "ok":
                        last_time[(tool, task)] = (n, rec["median_s"])
                    elif rec.get("status") in ("timeout",):
                        gave_up[(tool, task)] = f"timed out at {n:,} rows"
                    if tool == "survey_kit":
                        ref = rec
                    if tool == "numpy floor" and rec.get("status") == "ok":
                        floor_t = rec["median_s"]
                    rec["check"] = _check(rec, ref, data, targets)
                    task_rows.append(rec)
                sk_t = ref["median_s"] if ref and ref.get("status") == "ok" else float("nan")
                for rec in task_rows:
                    tool = rec["tool"]
                    rec["peer_over_sk"] = (rec["median_s"] / sk_t
                                           if tool not in ("survey_kit", "numpy floor") else None)
                    rec["sk_over_floor"] = sk_t / floor_t if tool == "survey_kit" else None
                    status = rec.get("status")
                    agrees = ("yes" if rec.get("agree") else "NO") if status == "ok" else status
                    note = rec.get("check", "") if status == "ok" else rec.get("error", "")
                    if status == "ok" and rec.get("result", {}).get("converged") is False:
                        note += "; reports NOT converged"
                    ptxt = (_ratio(rec["median_s"], sk_t) if rec["peer_over_sk"] is not None
                            else "")
                    ftxt = _ratio(sk_t, floor_t) if tool == "survey_kit" else ""
                    say(f"{TASK_LABEL[task]:<30} {tool:<12} {_fmt_s(rec['median_s']):>9} "
                        f"{len(rec.get('times', [])):>4} {ptxt:>8} {ftxt:>8} "
                        f"{rec.get('peak_rss_mb', float('nan')):>8.0f}  {agrees:<6} {note}")
                    rows.append(rec)
            say()
        say(f"load average at end {os.getloadavg()[0]:.2f}; total wall time "
            f"{time.perf_counter() - t_all:.0f} s")
        say()

    # start-up time and far-tail p-value
    cli_t, cli_cmd = _cli_help_time()
    say(f"`{cli_cmd}`: {_fmt_s(cli_t)} s (median of 5 runs, fresh processes)")
    tail = _tail_check(rscript)
    say(f"far-tail p-value: F = {tail['F']:.6g} on ({tail['ndf']:.4g}, {tail['ddf']:.4g}) df: "
        f"survey_kit p = {tail['p']:.6e}; 1 - cdf would give {tail['one_minus_cdf']:.3g}"
        + (f"; R svychisq p = {tail['p_r']:.6e} (rel diff "
           f"{abs(tail['p'] / tail['p_r'] - 1):.1e})" if tail.get("p_r") else
           f"; R: {tail.get('r_error', 'not run')}"))
    say()

    # the targets, at the largest size run
    say(_targets(rows, max(sizes), cli_t, tail))

    # the results, as CSV
    fields = ["n", "task", "tool", "version", "status", "median_s", "reps", "times",
              "peer_over_sk", "sk_over_floor", "peak_rss_mb", "rss_before_mb", "agree",
              "max_rel_diff", "margin_error", "F", "ndf", "ddf", "p", "settings", "error",
              "python"]
    csv_path = out_dir / f"results-{stamp}.csv"
    with open(csv_path, "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        wr.writeheader()
        for rec in rows:
            res = rec.get("result", {})
            wr.writerow({**rec, "reps": len(rec.get("times", [])),
                         "times": ";".join(f"{t:.6f}" for t in rec.get("times", [])),
                         "F": res.get("F"), "ndf": res.get("ndf"), "ddf": res.get("ddf"),
                         "p": res.get("p")})
    (out_dir / f"report-{stamp}.txt").write_text("\n".join(report) + "\n")
    print(f"\nwrote {csv_path} and {out_dir / f'report-{stamp}.txt'}")
    return 0


def _not_run(tool: str, task: str, n: int, rscript: str | None, gave_up: dict,
             last_time: dict, timeout: float) -> dict | None:
    """The record of a (tool, task) that is not run at size ``n``, and why; None to run it."""
    if tool == "R survey" and not rscript:
        return {"tool": tool, "task": task, "status": "not installed", "times": [],
                "error": "Rscript not found"}
    if (tool, task) in gave_up:
        return {"tool": tool, "task": task, "status": "skipped", "times": [],
                "error": gave_up[(tool, task)]}
    prev = last_time.get((tool, task))
    if prev and prev[1] * n / prev[0] > timeout:
        return {"tool": tool, "task": task, "status": "skipped", "times": [],
                "error": f"predicted {prev[1] * n / prev[0]:.0f} s from {prev[0]:,} rows "
                         "> timeout"}
    return None


def _own_row(at: list[dict], task: str) -> dict | None:
    """survey_kit's successful result of ``task`` among the rows ``at``."""
    return next((r for r in at if r["task"] == task and r["tool"] == "survey_kit"
                 and r.get("status") == "ok"), None)


def _fastest_peer(at: list[dict], task: str, own_api_only: bool = False) -> dict | None:
    """The fastest peer with a correct answer to ``task`` (through its own API only)."""
    ok = [r for r in at if r["task"] == task and r["tool"] not in ("survey_kit", "numpy floor")
          and r.get("status") == "ok" and r.get("agree")
          and not (own_api_only and r["tool"] in HAND_BUILT)]
    return min(ok, key=lambda r: r["median_s"], default=None)


def _targets(rows: list[dict], n: int, cli_t: float, tail: dict) -> str:
    """Each target of the issue, met or missed, at size n."""
    at = [r for r in rows if r["n"] == n]

    def sk(task):
        return _own_row(at, task)

    def fastest_peer(task, own_api_only=False):
        return _fastest_peer(at, task, own_api_only)

    lines = [f"Targets (defined at 1,000,000 respondents; evaluated at {n:,}):"]

    def line(ok, text):
        lines.append(f"  [{'met' if ok else 'MISSED'}] {text}")

    for task, limit in (("rake", 0.1), ("chisq_fixed", 0.1), ("chisq_raked", 0.3)):
        r = sk(task)
        if r is None:
            line(False, f"{TASK_LABEL[task]}: survey_kit did not run")
            continue
        line(r["median_s"] < limit, f"{TASK_LABEL[task]}: {r['median_s']:.4f} s < {limit} s")
        p = fastest_peer(task)
        if p is None:
            line(True, f"{TASK_LABEL[task]}: no peer gave a correct answer to compare with")
        else:
            ratio = p["median_s"] / r["median_s"]
            line(ratio >= 5, f"{TASK_LABEL[task]}: {ratio:.1f}x faster than the fastest correct "
                             f"peer ({p['tool']}, {p['median_s']:.4f} s); target 5x")
            if p["tool"] in HAND_BUILT:
                q = fastest_peer(task, own_api_only=True)
                if q is not None:
                    ratio = q["median_s"] / r["median_s"]
                    line(ratio >= 5, f"{TASK_LABEL[task]}: {ratio:.1f}x faster than the fastest "
                                     f"correct peer used through its own API ({q['tool']}, "
                                     f"{q['median_s']:.4f} s); target 5x")
    for task, limit in (("clean", 5.0), ("banner", 1.0)):
        r = sk(task)
        if r is None:
            line(False, f"{TASK_LABEL[task]}: survey_kit did not run or failed")
        else:
            line(r["median_s"] < limit, f"{TASK_LABEL[task]}: {r['median_s']:.3f} s < {limit} s")
    peaks = [r.get("peak_rss_mb", 0) for r in at if r["tool"] == "survey_kit"]
    if peaks:
        line(max(peaks) < 2048, f"peak memory of survey_kit's tasks: {max(peaks):.0f} MB < 2 GB")
    ok_tail = tail["p"] > 0 and (tail.get("p_r") is None
                                 or abs(tail["p"] / tail["p_r"] - 1) < 1e-6)
    line(ok_tail, f"far-tail p-value kept: {tail['p']:.3e} (not 0)")
    line(cli_t < 0.5, f"`survey-kit --help`: {cli_t:.3f} s < 0.5 s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

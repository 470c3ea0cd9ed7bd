"""Cleaning at scale: the questionnaire's rules out of core (DuckDB) against in memory.

Usage (from the repository root)::

    .venv/bin/python benchmarks/clean_scale.py --sizes 1000000,10000000 --memory-size 1000000

The bundled firm export (700 respondents) is tiled by DuckDB into a Parquet
file of N rows, each copy with its own respondent id and device fingerprint
(so that the duplicate rules see copies as different respondents, as the
original's own repeats stay repeats within each copy). Every rule that runs
out of core is applied (the four that need every respondent in memory are
switched off, in both paths). Each run is a fresh process, so the peak RSS
(``VmHWM``, :mod:`peak`) is its own:

- ``duckdb``: ``survey_kit.clean_parquet`` (flagged and kept
  Parquet files written, streamed; 2 threads, 3 GB memory limit);
- ``memory`` (the peer, at ``--memory-size`` rows): ``sk.read_responses`` of
  the same Parquet file and ``sk.clean``, the in-memory path of ``survey-kit
  clean``; the two exclusion flows are checked to be equal.

Times are wall-clock seconds of one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
EXPORT = ROOT / "sample_data" / "japan_digital_services_2024_raw.csv"
OFF = {f"{rule}_action": "off" for rule in ("near_duplicate", "gibberish", "mahalanobis",
                                            "even_odd")}


def tile(n: int, path: Path) -> None:
    """``n`` rows of the bundled export, copy k with ids and fingerprints suffixed ``-k``."""
    import duckdb

    from survey_kit.io.formats import read_raw

    base = read_raw(EXPORT).frame
    seed = path.with_suffix(".seed.parquet")
    base.to_parquet(seed, index=False)
    copies = -(-n // len(base))
    con = duckdb.connect(config={"threads": 2, "memory_limit": "3GB"})
    con.execute(
        f"COPY (SELECT * REPLACE (respondent_id || '-' || k AS respondent_id, "
        f"device_fingerprint || '-' || k AS device_fingerprint) FROM range({copies}) t(k), "
        f"read_parquet('{seed}') ORDER BY k LIMIT {n}) TO '{path}' (FORMAT parquet)")
    seed.unlink()


def worker(mode: str, path: str, out: str) -> dict:
    from peak import peak_mb        # this process's own peak (not its parent's)

    start = time.perf_counter()
    if mode == "duckdb":
        from survey_kit.engine.cleaning import clean_parquet

        res = clean_parquet(path, QUESTIONNAIRE, out, overrides=OFF, threads=2,
                            memory_limit="3GB")
        flow = res.flow
    else:
        import survey_kit as sk

        q = sk.load_questionnaire(QUESTIONNAIRE)
        raw = sk.read_responses(path, q, duplicate_ids="keep")
        flow = sk.clean(raw, q, **OFF).flow
    return {"seconds": time.perf_counter() - start,
            "peak_mb": peak_mb(),
            "removed": [int(x) for x in flow["n_removed"]]}


def _run(mode: str, path: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", mode, str(path), str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--memory-size", type=int, default=1_000_000,
                    help="rows of the in-memory peer run (0: none)")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--worker", nargs=3, metavar=("MODE", "PATH", "OUT"))
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    folder = Path(tempfile.mkdtemp(dir=args.data_dir, prefix="sk_clean_scale_"))
    try:
        print(f"{'rows':>12} {'path':>8} {'seconds':>9} {'peak GB':>8}  note")
        for n in (int(x) for x in args.sizes.split(",")):
            path = folder / f"export_{n}.parquet"
            t0 = time.perf_counter()
            tile(n, path)
            made = time.perf_counter() - t0
            res = {"duckdb": _run("duckdb", path, folder / "out")}
            if n == args.memory_size:
                res["memory"] = _run("memory", path, folder / "out")
            for mode, r in res.items():
                if "error" in r:
                    print(f"{n:>12,} {mode:>8} {'-':>9} {'-':>8}  failed: {r['error']}")
                    continue
                note = f"data made in {made:.1f} s"
                if mode == "memory":
                    same = r["removed"] == res["duckdb"].get("removed")
                    ratio = r["seconds"] / res["duckdb"]["seconds"]
                    note = (f"same flow as duckdb: {same}; in memory / duckdb = {ratio:.2f}x "
                            f"time, {r['peak_mb'] / res['duckdb']['peak_mb']:.2f}x memory")
                print(f"{n:>12,} {mode:>8} {r['seconds']:>9.2f} {r['peak_mb'] / 1024:>8.2f}  "
                      f"{note}", flush=True)
            path.unlink()
            shutil.rmtree(folder / "out", ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

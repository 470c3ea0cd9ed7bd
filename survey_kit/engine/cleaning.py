"""Cleaning rules out of core: row-local and grouped rules over a Parquet dataset.

The rules are those a panel's quality checks use that need no respondent-level
model: speeders (duration under a fraction of the median), failed attention
traps, values outside limits, repeated respondent ids and repeated device
fingerprints (every occurrence after the first, in file order). Each rule adds
a boolean flag column (``flag_speeder``, ``flag_trap``, ...); a respondent is
excluded when any flag is set, and
the exclusion record (:attr:`OutOfCoreCleaning.flow`) counts, rule by rule in
order, the respondents each rule excludes that no earlier rule did, so the
flow adds up to the raw total. Nothing is dropped: the flagged dataset is
written whole, with ``excluded`` and ``exclusion_reason`` columns.

The same rules run on DuckDB (SQL with window functions, streamed to
Parquet) and on pandas (the reference), with the same results.

Example
-------
>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> pd.DataFrame({"id": [1, 2, 2, 3], "secs": [300, 20, 400, 350],
...               "trap": ["b", "b", "b", "a"]}).to_parquet(d / "raw.parquet")
>>> rules = Rules(id="id", duration="secs", speeder_fraction=0.3, traps={"trap": "b"})
>>> res = clean_parquet(d / "raw.parquet", rules, d / "flagged.parquet", engine="duckdb")
>>> res.flow[["rule", "excluded"]].values.tolist()
[['speeder', 1], ['trap', 1], ['duplicate_id', 1], ['kept', 1]]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import atomic_write
from ..errors import CleaningError
from .duck import quote, sql_literal
from .source import parquet_files

__all__ = ["OutOfCoreCleaning", "Rules", "clean_parquet"]


@dataclass(frozen=True)
class Rules:
    """The rules to apply (each optional).

    Attributes
    ----------
    id : str, optional
        Respondent id column: repeats after the first are flagged ``duplicate_id``.
    duration : str, optional
        Interview duration column; ``speeder`` when below ``speeder_fraction`` x median.
    speeder_fraction : float
    traps : mapping column -> expected value
        ``trap`` when any trap column differs from its expected answer (or is missing).
    limits : mapping column -> (low, high)
        ``limit`` when a value lies outside [low, high] (missing values pass).
    fingerprint : str, optional
        Device fingerprint column: repeats after the first are flagged ``duplicate_fingerprint``.
    """

    id: str | None = None
    duration: str | None = None
    speeder_fraction: float = 0.3
    traps: Mapping[str, Any] = field(default_factory=dict)
    limits: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    fingerprint: str | None = None

    def names(self) -> list[str]:
        """The flags, in the order the exclusion record counts them."""
        out = []
        if self.duration:
            out.append("speeder")
        if self.traps:
            out.append("trap")
        if self.limits:
            out.append("limit")
        if self.id:
            out.append("duplicate_id")
        if self.fingerprint:
            out.append("duplicate_fingerprint")
        return out

    def columns(self) -> list[str]:
        return [c for c in (self.id, self.duration, self.fingerprint) if c] + \
            list(self.traps) + list(self.limits)


@dataclass(frozen=True)
class OutOfCoreCleaning:
    """Where the flagged dataset went, and the exclusion record."""

    path: Path
    flow: pd.DataFrame
    n: int


def _flags_sql(rules: Rules) -> dict[str, str]:
    out = {}
    if rules.duration:
        d = quote(rules.duration)
        out["speeder"] = (f"coalesce({d} < {float(rules.speeder_fraction)!r} * "
                          f"(median({d}) OVER ()), false)")
    if rules.traps:
        out["trap"] = " OR ".join(f"({quote(c)} IS NULL OR {quote(c)} <> {sql_literal(v)})"
                                  for c, v in rules.traps.items())
    if rules.limits:
        out["limit"] = " OR ".join(
            f"coalesce({quote(c)} < {float(lo)!r} OR {quote(c)} > {float(hi)!r}, false)"
            for c, (lo, hi) in rules.limits.items())
    order = "ORDER BY __file, __row"
    for name, col in (("duplicate_id", rules.id), ("duplicate_fingerprint", rules.fingerprint)):
        if col:
            out[name] = (f"({quote(col)} IS NOT NULL AND row_number() OVER "
                         f"(PARTITION BY {quote(col)} {order}) > 1)")
    return out


def _flags_pandas(frame: pd.DataFrame, rules: Rules) -> dict[str, np.ndarray]:
    out = {}
    if rules.duration:
        d = pd.to_numeric(frame[rules.duration], errors="coerce")
        out["speeder"] = (d < rules.speeder_fraction * d.median()).to_numpy()
    if rules.traps:
        bad = np.zeros(len(frame), dtype=bool)
        for c, v in rules.traps.items():
            bad |= (frame[c].isna() | (frame[c] != v)).to_numpy()
        out["trap"] = bad
    if rules.limits:
        bad = np.zeros(len(frame), dtype=bool)
        for c, (lo, hi) in rules.limits.items():
            x = pd.to_numeric(frame[c], errors="coerce")
            bad |= ((x < lo) | (x > hi)).fillna(False).to_numpy(dtype=bool)
        out["limit"] = bad
    for name, col in (("duplicate_id", rules.id), ("duplicate_fingerprint", rules.fingerprint)):
        if col:
            out[name] = (frame[col].notna() & frame[col].duplicated(keep="first")).to_numpy()
    return out


def _flow(flags: pd.DataFrame, names: list[str], n: int) -> pd.DataFrame:
    """Rule by rule, respondents newly excluded; then the kept ones."""
    taken = np.zeros(len(flags), dtype=bool) if len(flags) else np.zeros(0, dtype=bool)
    rows = []
    for nm in names:
        f = flags[nm].to_numpy(dtype=bool)
        rows.append({"rule": nm, "flagged": int(f.sum()), "excluded": int((f & ~taken).sum())})
        taken |= f
    rows.append({"rule": "kept", "flagged": 0, "excluded": n - int(taken.sum())})
    return pd.DataFrame(rows)


def clean_parquet(source: Any, rules: Rules, out: str | Path,
                  engine: str = "duckdb") -> OutOfCoreCleaning:
    """Apply ``rules`` to a Parquet dataset and write it whole to ``out`` with one flag
    column per rule, ``excluded`` and ``exclusion_reason`` (the first rule that flags).

    ``engine`` is ``"duckdb"`` (streamed; the grouped rules use window functions) or
    ``"pandas"`` (in memory). Returns the path and the exclusion record.
    """
    files = parquet_files(source)
    names = rules.names()
    if not names:
        raise CleaningError("no cleaning rule given; name an id, a duration, traps, limits "
                            "or a fingerprint column")
    out = Path(out)
    if engine == "pandas":
        frame = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
        _check(list(frame.columns), rules)
        flags = pd.DataFrame(_flags_pandas(frame, rules))
        full = pd.concat([frame, flags.add_prefix("flag_")], axis=1)
        _finish_columns(full, names)
        with atomic_write(out) as tmp:
            full.to_parquet(tmp, index=False)
        return OutOfCoreCleaning(out, _flow(flags, names, len(frame)), len(frame))
    if engine != "duckdb":
        raise CleaningError(f"out-of-core cleaning runs on 'duckdb' or 'pandas'; got {engine!r}")
    from .duck import DuckDBEngine

    eng = DuckDBEngine(files)
    _check(eng.columns, rules)
    listed = ", ".join(sql_literal(str(p)) for p in eng.files)
    src = (f"(SELECT *, filename AS __file, file_row_number AS __row FROM read_parquet("
           f"[{listed}], union_by_name = true, filename = true, file_row_number = true))")
    exprs = _flags_sql(rules)
    flag_cols = ", ".join(f"{e} AS {quote('flag_' + k)}" for k, e in exprs.items())
    keep = ", ".join(quote(c) for c in eng.columns)
    fl = [quote("flag_" + k) for k in names]
    reason = " ".join(f"WHEN {f} THEN {sql_literal(k)}" for f, k in zip(fl, names))
    inner = f"SELECT {keep}, __file, __row, {flag_cols} FROM {src}"
    sql = (f"SELECT {keep}, {', '.join(fl)}, ({' OR '.join(fl)}) AS excluded, "
           f"CASE {reason} ELSE NULL END AS exclusion_reason FROM ({inner}) ORDER BY __file, __row")
    with atomic_write(out) as tmp:
        eng.con.execute(f"COPY ({sql}) TO {sql_literal(str(tmp))} (FORMAT parquet)")
    counts = _flow_sql(eng, out, names)
    return OutOfCoreCleaning(out, counts, int(counts["excluded"].sum()))



def _flow_sql(eng: Any, out: Path, names: list[str]) -> pd.DataFrame:
    """The exclusion record from the written flags, by one grouped query."""
    cols = ", ".join(quote("flag_" + k) for k in names)
    combos = eng.con.execute(f"SELECT {cols}, count(*) AS n FROM read_parquet("
                             f"{sql_literal(str(out))}) GROUP BY ALL").df()
    reps = combos
    n = int(reps["n"].sum())
    rows, taken = [], np.zeros(len(reps), dtype=bool)
    w = reps["n"].to_numpy()
    for nm in names:
        f = reps["flag_" + nm].to_numpy(dtype=bool)
        rows.append({"rule": nm, "flagged": int(w[f].sum()), "excluded": int(w[f & ~taken].sum())})
        taken |= f
    rows.append({"rule": "kept", "flagged": 0, "excluded": n - int(w[taken].sum())})
    return pd.DataFrame(rows)


def _finish_columns(full: pd.DataFrame, names: list[str]) -> None:
    F = full[["flag_" + k for k in names]].to_numpy(dtype=bool)
    full["excluded"] = F.any(axis=1)
    first = np.where(F.any(axis=1), F.argmax(axis=1), -1)
    full["exclusion_reason"] = pd.Series(
        [names[i] if i >= 0 else None for i in first], dtype=object)


def _check(columns: list[str], rules: Rules) -> None:
    missing = [c for c in rules.columns() if c not in columns]
    if missing:
        raise CleaningError("the cleaning rule's column is not in the data", column=missing[0])

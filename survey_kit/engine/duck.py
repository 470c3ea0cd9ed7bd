"""The DuckDB engine: grouped sums over Parquet files, out of core, in one SQL pass.

DuckDB (embedded, no server) reads the Parquet files lazily, runs the grouped
sums on all cores and spills to disk past its memory limit; the result is the
small table of :meth:`~survey_kit.engine.base.Engine.moments`. Weights are
written back by ``COPY (SELECT *, w * factor ...) TO`` with the factor looked
up by a ``CASE`` on each key: a streaming projection, no join, rows in order.
Chosen over a hand-written chunked reader: DuckDB is maintained, fast on
Parquet and adds one wheel with no dependencies.

Example
-------
>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "d.parquet"
>>> pd.DataFrame({"g": ["a", "b", "a"], "w": [1.0, 2.0, 3.0]}).to_parquet(path)
>>> eng = DuckDBEngine([path])
>>> eng.moments(["g"], "w").sort_values("g")[["g", "__n", "__s1", "__s2"]].values.tolist()
[['a', 2, 4.0, 10.0], ['b', 1, 2.0, 4.0]]
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import atomic_write
from ..errors import DataError, UsageError
from ..io.sql import engine_message, quote, sql_literal

__all__ = ["DuckDBEngine", "quote", "sql_literal"]


class DuckDBEngine:
    """DuckDB over a list of Parquet files, or over a DuckDB relation.

    Parameters
    ----------
    files : list of paths
    relation : duckdb.DuckDBPyRelation, optional
        Instead of files: a table, view or query of the caller's connection
        (``con.table("survey")``, ``con.sql("SELECT ... FROM ... WHERE ...")``); it is
        read through its own connection, never copied.
    threads : int, optional
        Worker threads (default: DuckDB's, one per core).
    memory_limit : str, optional
        E.g. ``"3GB"``; DuckDB spills to a temporary folder past it.
    """

    name = "duckdb"

    def __init__(self, files: Sequence[Path] = (), threads: int | None = None,
                 memory_limit: str | None = None, *, relation: Any = None) -> None:
        import duckdb

        self.files = [Path(p) for p in files]
        self.relation = relation
        if relation is not None:
            if threads or memory_limit:
                raise DataError("threads and memory_limit are the settings of the relation's "
                                "own connection; set them there")
            self.source = "__survey_kit_source"
            try:
                self.columns = [str(c) for c in relation.columns]
            except duckdb.Error as exc:
                raise DataError(f"DuckDB cannot read the relation: {engine_message(exc)}") \
                    from None
            return
        config: dict[str, Any] = {"temp_directory": os.path.join(tempfile.gettempdir(),
                                                                 "survey_kit_duckdb")}
        if threads:
            config["threads"] = int(threads)
        if memory_limit:
            config["memory_limit"] = memory_limit
        try:
            self.con = duckdb.connect(config=config)
        except duckdb.Error as exc:
            raise UsageError(f"DuckDB refused its settings (threads={threads!r}, "
                             f"memory_limit={memory_limit!r}): {engine_message(exc)}; give e.g. "
                             "memory_limit='3GB'") from None
        # survey_kit reports its own progress (one line per step); DuckDB's bar would
        # interleave with it on the terminal
        self.con.execute("SET enable_progress_bar = false")
        listed = ", ".join(sql_literal(str(p)) for p in self.files)
        self.source = f"read_parquet([{listed}], union_by_name = true)"
        try:
            desc = self.con.execute(f"DESCRIBE SELECT * FROM {self.source}").fetchall()
        except duckdb.Error as exc:
            raise DataError(f"DuckDB cannot read the Parquet dataset ({engine_message(exc)}); "
                            "the file is damaged or not Parquet: export it again",
                            file=str(self.files[0])) from None
        self.columns = [str(r[0]) for r in desc]

    def _weight(self, weight: str | None) -> str:
        # TRY_CAST: a value that is not a number is missing, as pd.to_numeric(errors=
        # "coerce") makes it on the pandas and Dask engines (a missing weight is refused)
        return "1.0" if weight is None else f"TRY_CAST({quote(weight)} AS DOUBLE)"

    def moments(self, keys: Sequence[str], weight: str | None,
                numeric: Sequence[str] = ()) -> pd.DataFrame:
        w = self._weight(weight)
        ok = f"(isfinite({w}) AND {w} >= 0)"
        wz = f"(CASE WHEN {ok} THEN {w} ELSE 0.0 END)"
        parts = [quote(k) for k in keys]
        parts += ["count(*) AS __n", f"count(*) FILTER (WHERE {wz} <> 0) AS __nz",
                  f"count(*) FILTER (WHERE NOT {ok} OR {w} IS NULL) AS __bad",
                  f"coalesce(sum({wz}), 0.0) AS __s1", f"coalesce(sum({wz} * {wz}), 0.0) AS __s2"]
        for y in numeric:
            v = f"TRY_CAST({quote(y)} AS DOUBLE)"
            have = f"({v} IS NOT NULL AND NOT isnan({v}))"
            parts += [
                f"count(*) FILTER (WHERE {have}) AS {quote('c:' + y)}",
                f"count(*) FILTER (WHERE {have} AND {wz} <> 0) AS {quote('cz:' + y)}",
                *(f"coalesce(sum({expr}) FILTER (WHERE {have}), 0.0) AS {quote(nm + ':' + y)}"
                  for nm, expr in (("s1", wz), ("s2", f"{wz} * {wz}"),
                                   ("swy", f"{wz} * {v}"), ("swyy", f"{wz} * {v} * {v}"),
                                   ("sw2y", f"{wz} * {wz} * {v}"),
                                   ("sw2yy", f"{wz} * {wz} * {v} * {v}"))),
                f"coalesce(sum({v}) FILTER (WHERE {have} AND {wz} <> 0), 0.0) "
                f"AS {quote('sy:' + y)}"]
        group = f" GROUP BY {', '.join(quote(k) for k in keys)}" if keys else ""
        sql = f"SELECT {', '.join(parts)} FROM {self.source}{group}"
        frame = self._frame(sql)
        for c in ("__n", "__nz", "__bad") + tuple(f"{p}:{y}" for y in numeric
                                                   for p in ("c", "cz")):
            frame[c] = frame[c].astype(np.int64)
        return frame

    def _replicate_exprs(self, weight: str | None, replicates: Sequence[str],
                         multiply: bool) -> tuple[list[str], str]:
        """The weights as SQL (full sample first) and a condition true for a bad row."""
        w = self._weight(weight)
        ws = [w] + [f"TRY_CAST({quote(r)} AS DOUBLE)" + (f" * {w}" if multiply else "")
                    for r in replicates]
        bad = " OR ".join(f"NOT coalesce(isfinite({e}) AND {e} >= 0, false)" for e in ws)
        return ws, bad

    def replicate_sums(self, keys: Sequence[str], weight: str | None,
                       replicates: Sequence[str], numeric: Sequence[str] = (),
                       multiply: bool = False) -> pd.DataFrame:
        """As :func:`~survey_kit.engine.base.partition_replicate_sums`, in one SQL pass."""
        ws, bad = self._replicate_exprs(weight, replicates, multiply)
        ok = f"NOT ({bad})"
        parts = [quote(k) for k in keys]
        parts += ["count(*) AS __n", f"count(*) FILTER (WHERE {ok} AND {ws[0]} <> 0) AS __nz",
                  f"count(*) FILTER (WHERE {bad}) AS __bad"]
        parts += [f"coalesce(sum({e}) FILTER (WHERE {ok}), 0.0) AS {quote(f's1#{j}')}"
                  for j, e in enumerate(ws)]
        for y in numeric:
            v = f"TRY_CAST({quote(y)} AS DOUBLE)"
            have = f"({ok} AND {v} IS NOT NULL AND NOT isnan({v}))"
            parts += [f"count(*) FILTER (WHERE {v} IS NOT NULL AND NOT isnan({v})) "
                      f"AS {quote('c:' + y)}",
                      f"count(*) FILTER (WHERE {have} AND {ws[0]} <> 0) AS {quote('cz:' + y)}",
                      f"coalesce(sum({ws[0]} * {v} * {v}) FILTER (WHERE {have}), 0.0) "
                      f"AS {quote('swyy#0:' + y)}"]
            for j, e in enumerate(ws):
                parts += [f"coalesce(sum({e}) FILTER (WHERE {have}), 0.0) "
                          f"AS {quote(f's1#{j}:{y}')}",
                          f"coalesce(sum({e} * {v}) FILTER (WHERE {have}), 0.0) "
                          f"AS {quote(f'swy#{j}:{y}')}"]
        group = f" GROUP BY {', '.join(quote(k) for k in keys)}" if keys else ""
        frame = self._frame(f"SELECT {', '.join(parts)} FROM {self.source}{group}")
        for c in ["__n", "__nz", "__bad"] + [f"{p}:{y}" for y in numeric for p in ("c", "cz")]:
            frame[c] = frame[c].astype(np.int64)
        return frame

    def sketch(self, weight: str | None, replicates: Sequence[str], multiply: bool,
               k: int) -> np.ndarray:
        """A (k, R) count sketch of the replicate weights: bucket and sign from a hash of
        the row's replicate weights (rows alike go together, which keeps the rank)."""
        ws, _ = self._replicate_exprs(weight, replicates, multiply)
        h = f"hash({', '.join(ws[1:])})"
        sums = ", ".join(f"sum(CASE WHEN ({h} >> 40) & 1 = 1 THEN -1.0 ELSE 1.0 END * {e}) "
                         f"AS {quote(f'r{j}')}" for j, e in enumerate(ws[1:]))
        frame = self._frame(f"SELECT ({h} % {int(k)})::BIGINT AS __b, {sums} FROM "
                            f"{self.source} GROUP BY ALL")
        out = np.zeros((k, len(replicates)))
        out[frame["__b"].to_numpy(dtype=np.int64)] = \
            frame[[f"r{j}" for j in range(len(replicates))]].to_numpy(dtype=float)
        return out

    def factor_sql(self, weight: str | None, lookup: pd.DataFrame, keys: Sequence[str]) -> str:
        """``weight * factor`` as a SQL expression: each key's level as an integer by a
        ``CASE``, the combination's factor from a list literal."""
        keys = list(keys)
        codes, radix = [], []
        for k in keys:
            levels = pd.unique(lookup[k])
            whens = []
            for i, lv in enumerate(levels):
                if pd.isna(lv):
                    whens.append(f"WHEN {quote(k)} IS NULL THEN {i}")
                else:
                    whens.append(f"WHEN {quote(k)} = {sql_literal(lv)} THEN {i}")
            codes.append(f"(CASE {' '.join(whens)} END)")
            radix.append((k, levels))
        size = int(np.prod([len(lv) for _, lv in radix], dtype=np.int64)) if keys else 1
        table = np.full(size, np.nan)
        index = np.zeros(len(lookup), dtype=np.int64)
        for k, levels in radix:
            pos = pd.Index(levels).get_indexer(lookup[k])
            index = index * len(levels) + pos
        table[index] = lookup["factor"].to_numpy(dtype=float)
        combined = "0"
        for code, (_, levels) in zip(codes, radix):
            combined = f"({combined}) * {len(levels)} + {code}"
        values = ", ".join(repr(float(x)) if np.isfinite(x) else "NULL" for x in table)
        return f"({self._weight(weight)} * ([{values}]::DOUBLE[])[({combined}) + 1])"

    def write_factor(self, out: Path, weight: str | None, lookup: pd.DataFrame,
                     keys: Sequence[str], name: str,
                     columns: Sequence[str] | None = None) -> None:
        expr = self.factor_sql(weight, lookup, keys)
        keep = ", ".join(quote(c) for c in (self.columns if columns is None else columns)
                         if c != name)
        keep = keep + ", " if keep else ""
        select = f"SELECT {keep}{expr} AS {quote(name)} FROM {self.source}"
        import duckdb

        with atomic_write(Path(out)) as tmp:
            try:
                if self.relation is not None:
                    self._query(select).write_parquet(str(tmp))
                else:
                    self.con.execute(f"COPY ({select}) TO {sql_literal(str(tmp))} "
                                     "(FORMAT parquet)")
            except duckdb.Error as exc:
                raise DataError(f"DuckDB could not write the weights ({engine_message(exc)}); "
                                "check the folder is writable and has room", file=str(out)) \
                    from None

    def _query(self, sql: str) -> Any:
        """``sql`` (which reads ``self.source``) as a DuckDB relation."""
        if self.relation is not None:
            return self.relation.query(self.source, sql)
        return self.con.sql(sql)

    def _frame(self, sql: str) -> pd.DataFrame:
        """The result of ``sql`` as a DataFrame; a DuckDB error is a DataError naming the
        dataset."""
        import duckdb

        try:
            return self._query(sql).df()
        except duckdb.Error as exc:
            raise DataError(f"DuckDB could not read the columns in play ({engine_message(exc)})"
                            "; check that the weights and numeric variables hold numbers and "
                            "the variables exist in every part",
                            file=str(self.files[0]) if self.files else None) from None

"""Cleaning out of core: the questionnaire's rules over a Parquet dataset, in DuckDB.

:func:`clean_parquet` runs the rule plan of :func:`survey_kit.clean` -- the same
rules, parameters (``quality.overrides``, then the call's overrides), order and
first-rule attribution -- on a Parquet dataset (a file, a folder or a glob)
without holding the respondents. Each rule's out-of-core form sits beside its
in-memory form (``sql_<rule>`` in :mod:`survey_kit.cleaning.rules`) and gives
its flags as a SQL expression over the labelled frame as SQL
(:mod:`survey_kit.io.sql`: the export's codes decoded as
:func:`survey_kit.read_responses` decodes them). Grouped rules use window
functions (duplicate ids and fingerprints: every occurrence after the first in
file order) or one aggregate query (the speeders' median of completes). Rules
that need all respondents in memory (near-duplicates, gibberish, Mahalanobis
D2, even-odd consistency) are refused by name unless switched off.

It writes, each atomically:

* ``<stem>_flagged.parquet``: every raw row in file order, with
  ``flag_<rule>`` for each applied rule, ``excluded`` and ``exclusion_reason``
  (the first exclude rule that fired);
* ``<stem>_kept.parquet``: the rows kept, as the labelled frame of
  :func:`survey_kit.read_responses` (variables and option keys, the index as
  the column ``respondent_id``), ready for :meth:`SurveyDesign.from_parquet
  <survey_kit.SurveyDesign.from_parquet>` and ``survey-kit weight/crosstab --engine``.

The flow table (:attr:`OutOfCoreCleaning.flow`) is the in-memory one.

Example
-------
>>> import tempfile
>>> import pandas as pd
>>> import survey_kit as sk
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = pd.read_csv("sample_data/japan_digital_services_2024_raw.csv", dtype={"Q16": str})
>>> raw.to_parquet(d / "raw.parquet")
>>> off = {f"{r}_action": "off" for r in ("near_duplicate", "gibberish", "mahalanobis",
...                                       "even_odd")}
>>> res = clean_parquet(d / "raw.parquet", q, d, overrides=off)
>>> res.n, res.n_kept, res.flagged.name
(700, 607, 'raw_flagged.parquet')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import atomic_write
from ..cleaning.flow import apply_rules
from ..cleaning.outofcore import flow_from_patterns, sql_plan
from ..cleaning.parameters import resolve_parameters
from ..cleaning.result import flow_display
from ..cleaning.sql_context import SqlContext
from ..errors import DataError, UsageError
from ..instrument.questionnaire import as_questionnaire
from ..io.frame import INDEX_NAME, RAW_ID
from ..io.sql import SqlFrame, engine_message, quote, sql_literal
from .source import parquet_files

__all__ = ["OutOfCoreCleaning", "clean_parquet"]

#: rows per file in the position key (file index x this + row number)
_FILE_STRIDE = 2 ** 40


@dataclass(frozen=True)
class OutOfCoreCleaning:
    """Where the flagged and kept datasets went, the exclusion flow, and the audit."""

    flagged: Path
    kept: Path
    flow: pd.DataFrame
    n: int
    params: dict = field(default_factory=dict)
    param_sources: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    survey: str = ""

    @property
    def n_kept(self) -> int:
        return int(self.flow["n_remaining"].iloc[-1])

    def __str__(self) -> str:
        text = (f"Exclusion flow{': ' + self.survey if self.survey else ''} - {self.n:,} raw "
                f"respondents, {self.n - self.n_kept:,} excluded, {self.n_kept:,} kept "
                "(out of core)\n" + flow_display(self.flow).to_string(index=False))
        if self.warnings:
            text += "\nWarnings:\n" + "\n".join(f"  - {w}" for w in self.warnings)
        return text


def clean_parquet(source: Any, questionnaire: Any, out: str | Path, *,
                  stem: str | None = None, overrides: dict | None = None,
                  engine: str = "duckdb", missing_columns: str = "error",
                  progress: Callable[[str], None] | None = None, threads: int | None = None,
                  memory_limit: str | None = None) -> OutOfCoreCleaning:
    """Apply the questionnaire's cleaning rules to a Parquet dataset, out of core.

    Parameters
    ----------
    source : a Parquet file, a folder of them, a glob or a list of files
    questionnaire : Questionnaire or the path of its YAML
    out : folder of the outputs (``<stem>_flagged.parquet``, ``<stem>_kept.parquet``)
    stem : name stem of the outputs (default: the source's)
    overrides : cleaning parameters, as ``sk.clean(..., **overrides)``
    engine : ``"duckdb"`` (the only out-of-core engine for cleaning)
    missing_columns : ``"error"`` or ``"allow"``, as :func:`survey_kit.read_responses`
    progress : a callable given one line per long step
    threads, memory_limit : DuckDB's settings (default: one thread per core, and DuckDB's
        own limit); past ``memory_limit`` (e.g. ``"3GB"``) the sorts and windows spill to disk

    Raises
    ------
    UsageError
        A rule switched on that needs the respondents in memory; an engine other than
        DuckDB; an output name that clashes with a column of the dataset.
    DataError, CleaningError
        As :func:`survey_kit.read_responses` and :func:`survey_kit.clean` would.
    """
    if engine != "duckdb":
        raise UsageError(f"out-of-core cleaning runs on DuckDB; --engine {engine} is not "
                         "offered for clean (use --engine duckdb or --engine pandas)")
    say = progress or (lambda _msg: None)
    q = as_questionnaire(questionnaire)
    files = parquet_files(source)
    params, sources = resolve_parameters(q, overrides)
    sql_plan(q, params)                      # rules that cannot run out of core: before reading
    run = _Run(files, str(source), threads, memory_limit)
    say(f"reading {len(files)} Parquet file(s): {run.n:,} rows")
    frame = SqlFrame(q, run.types, run.distinct_raw, str(source), missing_columns)
    run.check(frame)
    run.con.execute(f"CREATE TEMP VIEW __decoded AS {frame.view_sql('__src')}")
    ctx = SqlContext(frame, q, params, run.n, run.scalar, run.distinct)
    plan = sql_plan(q, params, ctx)
    runs = apply_rules(ctx, plan, out_of_core=True, progress=say)
    columns = {r.name: f"flag_{r.name}" for r in runs if r.outcome.status == "applied"}
    clash = sorted(set(columns.values()) | {"excluded", "exclusion_reason"}
                   & set(run.columns))
    clash = [c for c in clash if c in run.columns]
    if clash:
        raise UsageError(f"the dataset already has column(s) {clash}, which cleaning adds; "
                         "rename them first", column=clash[0])
    out = Path(out)
    stem = stem or _stem(source)
    flagged, kept = out / f"{stem}_flagged.parquet", out / f"{stem}_kept.parquet"
    say(f"writing {flagged.name}")
    run.write_flagged(flagged, runs, columns)
    say(f"writing {kept.name}")
    run.write_kept(frame, flagged, kept)
    cols = list(columns.values())
    patterns = run.con.execute(
        f"SELECT {', '.join(quote(c) for c in cols) + ', ' if cols else ''}count(*) AS n "
        f"FROM read_parquet({sql_literal(str(flagged))}) GROUP BY ALL").df() if run.n else \
        pd.DataFrame({"n": []})
    flow = flow_from_patterns(runs, patterns, columns)
    return OutOfCoreCleaning(flagged, kept, flow, run.n, dict(params), dict(sources),
                             list(ctx.warnings), q.survey.id)


def _stem(source: Any) -> str:
    if isinstance(source, (list, tuple)):
        source = source[0] if source else "responses"
    return Path(str(source).rstrip("/*")).stem.replace("*", "") or "responses"


class _Run:
    """One DuckDB connection over the dataset: ``__src`` (the rows, in file order, with
    their position ``__pos``) and the queries the rules ask."""

    def __init__(self, files: list[Path], source: str, threads: int | None = None,
                 memory_limit: str | None = None) -> None:
        import duckdb

        from .duck import DuckDBEngine

        self.source = source
        self.con = DuckDBEngine(files, threads, memory_limit).con
        listed = ", ".join(sql_literal(str(p)) for p in files)
        read = f"read_parquet([{listed}], union_by_name = true)"
        try:
            desc = self.con.execute(f"DESCRIBE SELECT * FROM {read}").fetchall()
        except duckdb.Error as exc:
            raise DataError(f"DuckDB cannot read the Parquet dataset ({engine_message(exc)}); "
                            "the file is damaged or not Parquet: export it again",
                            file=str(files[0])) from None
        self.types = {str(r[0]): str(r[1]) for r in desc}
        self.columns = list(self.types)
        for c in ("filename", "file_row_number", "__pos", "__file", "__row"):
            if c in self.types:
                raise UsageError(f"the dataset has a column {c!r}, a name out-of-core "
                                 "cleaning uses; rename it", column=c)
        blank = " AND ".join(
            f"({quote(c)} IS NULL" + (f" OR isnan({quote(c)}))" if t.upper() in ("DOUBLE",
                                                                                "FLOAT")
                                       else ")") for c, t in self.types.items())
        self.con.execute(
            "CREATE TEMP VIEW __src AS SELECT * EXCLUDE (filename, file_row_number), "
            f"list_position([{listed}], filename) AS __file, file_row_number AS __row, "
            f"list_position([{listed}], filename) * {_FILE_STRIDE} + file_row_number AS __pos "
            f"FROM read_parquet([{listed}], union_by_name = true, filename = true, "
            f"file_row_number = true)" + (f" WHERE NOT ({blank})" if blank else ""))
        self.n = int(self.con.execute("SELECT count(*) FROM __src").fetchone()[0])

    def distinct_raw(self, exprs: dict[str, str]) -> dict[str, list]:
        """The distinct values of each expression over the raw rows (one scan)."""
        keys = list(exprs)
        sel = ", ".join(f"list(DISTINCT {e})" for e in exprs.values())
        row = self.con.execute(f"SELECT {sel} FROM __src").fetchone()
        return {k: list(v or []) for k, v in zip(keys, row)}

    def check(self, frame: SqlFrame) -> None:
        """Cells the reader would refuse (infinite numbers, blank ids): a DataError."""
        if not frame.checks:
            return
        sel = ", ".join(f"count(*) FILTER (WHERE {cond}), any_value(CAST({quote(col)} AS "
                        f"VARCHAR)) FILTER (WHERE {cond})" for cond, col, _ in frame.checks)
        row = self.con.execute(f"SELECT {sel} FROM __src").fetchone()
        for i, (_, col, message) in enumerate(frame.checks):
            if row[2 * i]:
                raise DataError(f"column {col!r}: {row[2 * i]} {message}", file=self.source,
                                column=col, value=row[2 * i + 1])

    def scalar(self, select: str) -> tuple:
        return self.con.execute(f"SELECT {select} FROM __decoded").fetchone()

    def distinct(self, expr: str) -> list:
        return [r[0] for r in self.con.execute(f"SELECT DISTINCT {expr} FROM __decoded")
                .fetchall()]

    def _windows_first(self, runs: list, columns: dict[str, str]) -> dict[str, str]:
        """Each applied rule's flag as SQL; a flag computed by a window function (repeated
        ids and fingerprints) is computed first on the narrow columns it reads and kept as
        the positions it flags, so that the wide write does not sort every column by the
        window's partition (at 2,000,000 rows: 0.3 s per window instead of 3 s)."""
        out = {}
        for i, r in enumerate(runs):
            if r.name not in columns:
                continue
            expr = r.outcome.flagged
            if " OVER (" in expr:
                table = f"__flagged_{i}"
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT __pos FROM "
                                 f"(SELECT __pos, ({expr}) AS f FROM __decoded) WHERE f")
                expr = f"(__pos IN (SELECT __pos FROM {table}))"
            out[r.name] = expr
        return out

    def write_flagged(self, path: Path, runs: list, columns: dict[str, str]) -> None:
        raw = ", ".join(quote(c) for c in self.columns)
        exprs = self._windows_first(runs, columns)
        flags = "".join(f", ({exprs[r.name]}) AS {quote(columns[r.name])}"
                        for r in runs if r.name in columns)
        exclude = [r.name for r in runs if r.name in columns and r.action == "exclude"]
        excluded = " OR ".join(quote(columns[n]) for n in exclude) or "false"
        reason = ("CASE " + " ".join(f"WHEN {quote(columns[n])} THEN {sql_literal(n)}"
                                     for n in exclude) + " ELSE NULL END") if exclude else "NULL"
        listed = "".join(f", {quote(columns[r.name])}" for r in runs if r.name in columns)
        sql = (f"SELECT {raw}{listed}, ({excluded}) AS excluded, CAST({reason} AS VARCHAR) AS "
               f"exclusion_reason FROM (SELECT {raw}, __pos{flags} FROM __decoded) "
               "ORDER BY __pos")
        with atomic_write(path) as tmp:
            self.con.execute(f"COPY ({sql}) TO {sql_literal(str(tmp))} (FORMAT parquet)")
        self.excluded = " OR ".join(f"({exprs[n]})" for n in exclude) or "false"

    def write_kept(self, frame: SqlFrame, flagged: Path, path: Path) -> None:
        """The kept rows as the labelled frame (:meth:`SqlFrame.labelled_columns`), its
        index first as the column ``respondent_id`` (a repeated id as ``<id>~2``, ...).

        Decoded from the flagged file (in file order, ``excluded`` at hand), a scan that
        keeps its order; only when repeated ids are kept is the occurrence number joined
        back, and the rows sorted again."""
        rid = quote("v:" + RAW_ID)
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE __repeat AS SELECT __pos, rn FROM (SELECT __pos, "
            f"row_number() OVER (PARTITION BY {rid} ORDER BY __pos) AS rn FROM __decoded) "
            "WHERE rn > 1")
        kept_repeats = self.con.execute(
            f"SELECT count(*) FROM __decoded WHERE __pos IN (SELECT __pos FROM __repeat) AND "
            f"NOT ({self.excluded})").fetchone()[0] if self.con.execute(
            "SELECT count(*) FROM __repeat").fetchone()[0] else 0
        cols = ", ".join(f"{e} AS {quote(n)}" for n, e in frame.labelled_columns())
        if kept_repeats:
            index = f"{rid} || coalesce('~' || CAST(__repeat.rn AS VARCHAR), '')"
            sql = (f"SELECT {index} AS {quote(INDEX_NAME)}, {cols} FROM __decoded LEFT JOIN "
                   f"__repeat USING (__pos) WHERE NOT ({self.excluded}) ORDER BY __pos")
        else:
            self.con.execute(
                "CREATE OR REPLACE TEMP VIEW __kept AS SELECT *, file_row_number AS __pos FROM "
                f"read_parquet({sql_literal(str(flagged))}, file_row_number = true) "
                "WHERE NOT excluded")
            sql = (f"SELECT {rid} AS {quote(INDEX_NAME)}, {cols} FROM "
                   f"({frame.view_sql('__kept')})")
        with atomic_write(path) as tmp:
            self.con.execute(f"COPY ({sql}) TO {sql_literal(str(tmp))} (FORMAT parquet)")

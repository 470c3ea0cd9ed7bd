"""The labelled frame of a Parquet dataset as SQL: each variable an expression over the
export columns, decoded as :func:`~survey_kit.io.read.read_responses` decodes it.

Out of core (:mod:`survey_kit.engine.cleaning`) the respondents are never in
memory, so the labelled frame is a SQL view. The decoding is not written a
second time: the *distinct* values of each coded column (a few codes per
column) are decoded in memory by the reader's own functions
(:func:`~survey_kit.io.decode.choice_cells`,
:func:`~survey_kit.io.decode.multi_cells`, :func:`~survey_kit.io.cells.numeric`,
:func:`~survey_kit.io.cells.durations`), and each column becomes a ``CASE`` on
its values. A code the questionnaire does not know, a cell that is not a
number, a blank respondent id and a missing column are errors as in memory.
What cannot be decoded this way is refused by name (:attr:`SqlFrame.unsupported`):
numbers stored as text with very many distinct values, a duration computed from
start and end times, open answers stored as numbers.

View columns: ``v:<var>`` the variable (option variables as the 0-based
position of the option, -1 blank or a missing code; numbers as DOUBLE; text as
VARCHAR) and ``m:<var>`` the key of its missing code (NULL when none).

Example
-------
>>> quote('a"b'), sql_literal("it's"), sql_literal(2), sql_literal(True)
('"a""b"', "'it''s'", '2', 'true')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, UsageError
from ..instrument.schema import Question
from .cells import code_numbers, durations, numeric
from .decode import choice_cells, multi_cells, multi_problem
from .frame import INDEX_NAME, MISSING_SUFFIX, RAW_ID, export_columns
from .problems import Problems

__all__ = ["MAX_DISTINCT", "SqlFrame", "blank_sql", "engine_message", "quote", "sql_literal",
           "strip_sql"]

#: a numeric column stored as text is decoded by its distinct values up to this many
MAX_DISTINCT = 100_000

#: the characters Python's ``str.strip()`` removes (RE2 syntax)
_WS = (r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}"
       r"\x{2029}\x{202f}\x{205f}\x{3000}]")
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN")

Distinct = Callable[[dict[str, str]], dict[str, list]]


def quote(name: str) -> str:
    """A SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def sql_literal(value: Any) -> str:
    """A SQL literal for a key value (text, number, boolean)."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, pd.Timestamp):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    return "'" + str(value).replace("'", "''") + "'"


def engine_message(exc: BaseException) -> str:
    """The first line of a DuckDB error (the lines after it quote the SQL), for messages
    that name the file and say what to do.

    >>> engine_message(ValueError("Invalid Input Error: no magic bytes\\nLINE 1: SELECT"))
    'Invalid Input Error: no magic bytes'
    """
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def strip_sql(expr: str) -> str:
    """``expr`` (VARCHAR) without surrounding whitespace, as ``str.strip()``."""
    return f"regexp_replace({expr}, '^{_WS}+|{_WS}+$', '', 'g')"


def blank_sql(expr: str) -> str:
    """``expr`` (VARCHAR) is NULL or only whitespace."""
    return f"({expr} IS NULL OR regexp_full_match({expr}, '{_WS}*'))"


def _is_numeric(sql_type: str) -> bool:
    return sql_type.upper().split("(")[0] in _NUMERIC


def _case(col: str, values: list, results: list, default: str = "NULL") -> str:
    """``CASE col WHEN value THEN result ... ELSE default END`` (NaN and NULL values left out)."""
    whens = [f"WHEN {sql_literal(v)} THEN {r}" for v, r in zip(values, results)
             if v is not None and not (isinstance(v, float) and np.isnan(v)) and r != default]
    if not whens:
        return default
    return f"(CASE {quote(col)} {' '.join(whens)} ELSE {default} END)"


class SqlFrame:
    """The labelled frame of a dataset as view columns (see the module's docstring).

    Parameters
    ----------
    q : Questionnaire
    types : export column -> DuckDB type
    distinct : ``{key: SQL expression}`` -> ``{key: distinct values}`` over the dataset
    source : the dataset as named in messages
    missing_columns : "error" or "allow", as :func:`~survey_kit.io.read.read_responses`
    """

    def __init__(self, q, types: dict[str, str], distinct: Distinct, source: str,
                 missing_columns: str = "error") -> None:
        self.q = q
        self.types = types
        self.source = source
        self.level1: dict[str, str] = {}        # cell decodes over the export columns
        self.columns: dict[str, str] = {}       # view column -> expression over level1
        self.top: dict[str, str] = {}           # view columns over the variables (bands)
        self.kinds: dict[str, str] = {}         # variable -> code, number, text
        self.unsupported: dict[str, str] = {}   # variable -> why it cannot be read out of core
        self.checks: list[tuple[str, str, str]] = []   # (condition, column, message): errors
        self.warnings: list[str] = []
        self._absent(missing_columns)
        wanted = {}
        for qq in q.questions:
            for c in self._coded_columns(qq):
                if c in types:
                    wanted[c] = quote(c)
        self._values = distinct(wanted) if wanted else {}
        self._probs = Problems(source, np.zeros(0, dtype=np.int64))
        for qq in q.questions:
            self._question(qq)
        self._raise_problems()
        self._raw_id()

    # -- what is read ---------------------------------------------------------

    def _absent(self, missing_columns: str) -> None:
        absent = [(c, qq.id) for qq in self.q.questions for c in export_columns(qq)
                  if c not in self.types]
        start = self.q.meta_column("start_time")
        dur = self.q.meta_column("duration")
        if absent and missing_columns == "error":
            shown = ", ".join(f"{c!r} ({qid})" for c, qid in absent[:12])
            more = f" and {len(absent) - 12} more" if len(absent) > 12 else ""
            raise DataError(f"{len(absent)} column(s) the questionnaire names are not in the "
                            f"dataset: {shown}{more}. Check the export and the 'column' entries "
                            "of the questionnaire; to read it anyway with these variables left "
                            "empty, give --missing-columns allow (missing_columns='allow')",
                            file=self.source, column=absent[0][0])
        for c, qid in absent:
            if qid == dur and start is not None:
                self.unsupported[qid] = ("the duration would be computed from the start and "
                                         "end times, which is done in memory only")
            self.warnings.append(f"column {c!r} ({qid}) is not in the file; its variable is "
                                 "left empty")

    def _coded_columns(self, qq: Question) -> list[str]:
        """Export columns decoded by their distinct values."""
        if qq.type in ("single", "likert", "grid", "multi"):
            return export_columns(qq)
        if (qq.type == "numeric" or (qq.type == "meta" and qq.role == "duration")) and \
                qq.column in self.types and not _is_numeric(self.types[qq.column]):
            return [qq.column]
        return []

    def _series(self, col: str) -> pd.Series:
        """The distinct values of ``col`` as pandas reads such a Parquet column."""
        vals = list(self._values.get(col) or [])
        self._probs.rows = np.arange(len(vals), dtype=np.int64) + 1   # no row numbers here
        t = self.types[col].upper()
        if t == "BOOLEAN":
            return pd.Series(vals, dtype=bool if None not in vals else object)
        if _is_numeric(t):
            return pd.Series([np.nan if v is None else float(v) for v in vals], dtype=float)
        if len(vals) > MAX_DISTINCT:
            raise UsageError(f"column {col!r} holds numbers as text with more than "
                             f"{MAX_DISTINCT:,} distinct values; out of core, store it as a "
                             "numeric Parquet column, or use --engine pandas", column=col)
        return pd.Series(vals, dtype=object)

    def _question(self, qq: Question) -> None:
        if qq.type in ("single", "likert", "grid"):
            items = [(qq.id, qq.column)] if qq.type != "grid" else \
                [(it.id, it.column) for it in qq.items]
            for var, col in items:
                self._choice(qq, var, col)
        elif qq.type == "multi":
            self._multi(qq)
        elif qq.type == "numeric":
            self._numeric(qq)
        elif qq.type == "open":
            self._text(qq.id, qq.column, strip=False)
        elif qq.role == "duration":
            if qq.id not in self.unsupported:
                self._number(qq.id, qq.column, durations, [])
        elif qq.role in ("start_time", "end_time"):
            self.unsupported[qq.id] = "dates and times are read in memory only"
            self._set(qq.id, "NULL", "text")
        else:
            self._text(qq.id, qq.column, strip=True)

    def _set(self, var: str, expr: str, kind: str, missing: str | None = None) -> None:
        self.columns["v:" + var] = expr
        self.kinds[var] = kind
        if missing is not None:
            self.columns["m:" + var] = missing

    def _choice(self, qq: Question, var: str, col: str) -> None:
        keys = [m.key for m in qq.missing]
        if col not in self.types:
            self._set(var, "-1", "code", "NULL::VARCHAR" if keys else None)
            return
        s = self._series(col)
        pos, mpos = choice_cells(s, qq, col, self._probs)
        self.level1["c:" + col] = _case(col, s.tolist(), pos.tolist(), "-1")
        mexpr = _case(col, s.tolist(), [sql_literal(keys[i]) if i >= 0 else "NULL"
                                        for i in mpos], "NULL") if keys else None
        if mexpr is not None:
            self.level1["k:" + col] = mexpr
        self._set(var, quote("c:" + col), "code",
                  f"{quote('k:' + col)}::VARCHAR" if keys else None)

    def _multi(self, qq: Question) -> None:
        mcodes = code_numbers(qq.missing)
        keys = [m.key for m in qq.missing]
        present = [o for o in qq.options if o.column in self.types]
        for o in present:
            s = self._series(o.column)
            sel, unsel, mpos, unknown = multi_cells(s, o, mcodes, qq)
            what, todo = multi_problem(o, mcodes, qq)
            self._probs.add(unknown, o.column, s, what, todo)
            state = ["1.0" if a else "0.0" if b else "NULL" for a, b in zip(sel, unsel)]
            self.level1["s:" + o.column] = _case(o.column, s.tolist(), state)
            self.level1["r:" + o.column] = _case(o.column, s.tolist(),
                                                 [str(i) if i >= 0 else "NULL" for i in mpos])
        reason = ("coalesce(" + ", ".join(quote("r:" + o.column) for o in present) + ")"
                  if present else "NULL")
        answered = (" OR ".join(f"{quote('s:' + o.column)} IS NOT NULL" for o in present)
                    if present else "false")
        if present:
            self.level1["r:" + qq.id] = reason
            self.level1["a:" + qq.id] = f"({answered})"
        for o in qq.options:
            expr = "NULL::DOUBLE"
            if o in present:
                expr = (f"(CASE WHEN {quote('r:' + qq.id)} IS NOT NULL THEN NULL WHEN "
                        f"{quote('a:' + qq.id)} THEN coalesce({quote('s:' + o.column)}, 0.0) "
                        "ELSE NULL END)::DOUBLE")
            self._set(f"{qq.id}_{o.key}", expr, "number")
        if keys:
            miss = _key_case(quote("r:" + qq.id), keys) if present else "NULL::VARCHAR"
            self.columns["m:" + qq.id] = miss

    def _numeric(self, qq: Question) -> None:
        self._number(qq.id, qq.column, None, qq.missing)
        if qq.bands is not None:
            x = quote("v:" + qq.id)
            expr = "-1"
            for i, b in enumerate(qq.bands.levels):       # the last band below x, if x fits it
                expr = (f"(CASE WHEN {x} >= {float(b.min)!r} THEN (CASE WHEN {x} <= "
                        f"{float(b.max)!r} THEN {i} ELSE -1 END) ELSE {expr} END)")
            self.top["v:" + qq.bands.id] = expr
            self.kinds[qq.bands.id] = "code"

    def _number(self, var: str, col: str, convert, missing: list) -> None:
        keys = [m.key for m in missing]
        if col not in self.types:
            self._set(var, "NULL::DOUBLE", "number", "NULL::VARCHAR" if keys else None)
            return
        mcodes = code_numbers(missing)
        if _is_numeric(self.types[col]):
            x = f"CAST({quote(col)} AS DOUBLE)"
            self.checks.append((f"isinf({x})", col, "value(s) that are not a number"
                                if convert is None else "value(s) that are not a duration"))
            hits = [(c, keys[j]) for j, c in enumerate(mcodes) if not np.isnan(c)]
            mexpr = ("(CASE " + " ".join(f"WHEN {x} = {c!r} THEN {sql_literal(k)}"
                                         for c, k in hits) + " END)") if hits else "NULL"
            drop = " OR ".join([f"isnan({x})", f"isinf({x})"] + [f"{x} = {c!r}" for c, _ in hits])
            self.level1["n:" + col] = f"(CASE WHEN {drop} THEN NULL ELSE {x} END)"
            if keys:
                self.level1["k:" + col] = f"{mexpr}::VARCHAR"
        else:
            s = self._series(col)
            if convert is None:
                vals, mpos = _numbers(s, missing, col, var, self._probs)
            else:
                vals, mpos = convert(s, col, self._probs), np.full(len(s), -1)
            self.level1["n:" + col] = _case(col, s.tolist(), [repr(float(v)) if not np.isnan(v)
                                                             else "NULL" for v in vals], "NULL")
            if keys:
                self.level1["k:" + col] = _case(col, s.tolist(), [
                    sql_literal(keys[i]) if i >= 0 else "NULL" for i in mpos], "NULL")
        self._set(var, f"{quote('n:' + col)}::DOUBLE", "number",
                  f"{quote('k:' + col)}::VARCHAR" if keys else None)

    def _text(self, var: str, col: str, strip: bool) -> None:
        if col not in self.types:
            self._set(var, "NULL::VARCHAR", "text")
            return
        raw = quote(col)
        if _is_numeric(self.types[col]):
            if self.types[col].upper() == "BOOLEAN":
                self.unsupported[var] = f"column {col!r} holds booleans where text is expected"
                self._set(var, "NULL::VARCHAR", "text")
                return
            x = f"CAST({raw} AS DOUBLE)"
            expr = (f"(CASE WHEN isnan({x}) THEN NULL WHEN {x} = trunc({x}) AND abs({x}) < "
                    f"9007199254740992 THEN CAST(CAST({x} AS BIGINT) AS VARCHAR) ELSE "
                    f"CAST({x} AS VARCHAR) END)")
        else:
            text = f"CAST({raw} AS VARCHAR)"
            expr = (f"(CASE WHEN {blank_sql(text)} THEN NULL ELSE "
                    f"{strip_sql(text) if strip else text} END)")
        self._set(var, expr, "text")

    def _raw_id(self) -> None:
        """``_raw_id``: every row's respondent id as exported (blank ids are errors)."""
        col = self.q.survey.respondent_id
        if col is None:
            self._set(RAW_ID, "CAST(__pos AS VARCHAR)", "text")
            return
        if col not in self.types:
            raise DataError(f"the respondent id column {col!r} is missing; rename the id "
                            "column of the export, or set survey.respondent_id in the "
                            "questionnaire to its name", file=self.source, column=col)
        self._text(RAW_ID, col, strip=True)
        self.checks.append((f"{self.columns['v:' + RAW_ID]} IS NULL", col,
                            "blank respondent id(s): every response needs an id: fill it in "
                            "or remove the row"))

    def _raise_problems(self) -> None:
        if not self._probs.groups:
            return
        g = self._probs.groups[0]
        shown = ", ".join(repr(v) for _, v in g["cells"])
        raise DataError(f"column {g['column']!r}: {g['problem']} (values: {shown}); "
                        f"{g['advice']}", file=self.source, column=g["column"],
                        value=g["cells"][0][1])

    # -- the labelled frame -----------------------------------------------------

    def labelled_columns(self) -> list[tuple[str, str]]:
        """``(name, SQL over the view)`` of each column of the labelled frame, in the order
        :func:`~survey_kit.io.read.read_responses` gives them (:mod:`survey_kit.io.frame`):
        ``_raw_id``, each question's variables (option keys as text, numbers, text, the
        ``<var>__missing`` keys, bands), then the export columns the questionnaire does not
        name. Start and end times are the export's values as timestamps (``TRY_CAST``)."""
        out = [(RAW_ID, quote("v:" + RAW_ID))]
        for qq in self.q.questions:
            out += self._labelled(qq)
        named = {c for qq in self.q.questions for c in export_columns(qq)}
        named |= {self.q.survey.respondent_id, INDEX_NAME} | {n for n, _ in out}
        out += [(c, quote(c)) for c in self.types if c not in named]
        return out

    def _missing_of(self, var: str) -> list[tuple[str, str]]:
        key = "m:" + var
        return [(var + MISSING_SUFFIX, quote(key))] if key in self.columns else []

    def _labelled(self, qq: Question) -> list[tuple[str, str]]:
        if qq.type in ("single", "likert", "grid"):
            keys = [o.key for o in qq.options]
            names = [qq.id] if qq.type != "grid" else [it.id for it in qq.items]
            return [c for v in names for c in [(v, _key_case(quote("v:" + v), keys))]
                    + self._missing_of(v)]
        if qq.type == "multi":
            return [(f"{qq.id}_{o.key}", quote(f"v:{qq.id}_{o.key}")) for o in qq.options] \
                + self._missing_of(qq.id)
        if qq.type == "meta" and qq.role in ("start_time", "end_time"):
            col = qq.column
            expr = (f"TRY_CAST({quote(col)} AS TIMESTAMP)" if col in self.types
                    else "NULL::TIMESTAMP")
            return [(qq.id, expr)]
        out = [(qq.id, quote("v:" + qq.id))] + self._missing_of(qq.id)
        if qq.type == "numeric" and qq.bands is not None:
            out.append((qq.bands.id, _key_case(quote("v:" + qq.bands.id),
                                               [b.key for b in qq.bands.levels])))
        return out

    # -- the view ---------------------------------------------------------------

    def view_sql(self, source: str) -> str:
        """``SELECT`` of the source's columns and every view column (two levels)."""
        one = ", ".join(f"{e} AS {quote(k)}" for k, e in self.level1.items())
        inner = f"SELECT *{', ' + one if one else ''} FROM {source}"
        mid = ", ".join(f"{e} AS {quote(k)}" for k, e in self.columns.items())
        middle = f"SELECT *{', ' + mid if mid else ''} FROM ({inner})"
        if not self.top:
            return middle
        top = ", ".join(f"{e} AS {quote(k)}" for k, e in self.top.items())
        return f"SELECT *, {top} FROM ({middle})"


def _key_case(expr: str, keys: list[str]) -> str:
    whens = " ".join(f"WHEN {i} THEN {sql_literal(k)}" for i, k in enumerate(keys))
    return f"(CASE {expr} {whens} END)::VARCHAR"


def _numbers(s: pd.Series, missing: list, col: str, qid: str, probs: Problems
             ) -> tuple[np.ndarray, np.ndarray]:
    """Numbers and missing positions of distinct text cells, as the reader decodes them."""
    from .cells import lookup, match_text, texts_of

    num = numeric(s)
    mpos = lookup(num.values, code_numbers(missing))
    bad = num.bad.copy()
    if bad.any() and missing:
        mhit = match_text(num.text, texts_of(missing))
        mpos[mhit.index.to_numpy()] = mhit.to_numpy(dtype=np.int64)
        bad[mhit.index.to_numpy()] = False
    probs.add(bad, col, s, f"non-numeric value(s) for numeric question {qid!r}",
              "enter numbers in numeric columns, leave unanswered cells blank, or use a "
              "missing code.")
    return np.where(mpos >= 0, np.nan, num.values), mpos

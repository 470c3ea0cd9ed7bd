"""Columns as SPSS and Stata can hold them: legal names, display formats, dates and times.

:mod:`survey_kit.io.spss_stata` writes a table through :func:`stat_table`, which
makes three things right before pyreadstat sees the data:

* **Names.** SPSS names start with a letter and hold letters, digits, ``_``,
  ``.``, ``@``, ``#`` or ``$`` (at most 64 bytes; not one of the reserved words
  ALL, AND, BY, EQ, GE, GT, LE, LT, NE, NOT, OR, TO, WITH); Stata names hold
  letters, digits and ``_`` (at most 32 characters). A name that breaks the rule
  is renamed, never refused: every other character becomes ``_``, leading
  underscores go (the internal ``_raw_id`` becomes ``raw_id``), a name that does
  not start with a letter gets the prefix ``v``, a reserved word the suffix
  ``_``, the name is cut to the limit and made unique with ``_2``, ``_3``, ...
  The original name becomes the variable label of a column that has none, so
  nothing is lost (IBM SPSS Statistics, *Command Syntax Reference*, "Variable
  names"; StataCorp, *Stata User's Guide*, 11.3 "Naming conventions").
* **Display formats.** A format the source file declared (``F8.2``,
  ``EDATE10``, ``%td``) is kept when it fits the column's values; otherwise
  whole numbers (codes, counts) get an integer format -- ``F8.0`` in SPSS,
  ``%9.0f`` in Stata -- wider when the numbers need it, and other numbers in
  SPSS as many decimals as they need, at least 2 and at most 6 (``F8.2`` for
  1.25 and 0.5, ``F10.6`` for 1.123456).
* **Dates and times.** A column that a reader turned into text
  (``"2018-05-06"``) but that its file declared as a date or a time
  (``EDATE10``, ``TIME8``, ``%td``) is written as a date or time again --
  only when every value parses, so no value is ever lost.

Example
-------
>>> import pandas as pd
>>> table = pd.DataFrame({"_raw_id": ["a", "b"], "Q1": [1.0, 2.0], "w": [1.25, 0.5],
...                       "Duration (in seconds)": [61.0, 90.0]})
>>> df, spec = stat_table(table, ExportSpec(), "sav")
>>> df.columns.tolist()
['raw_id', 'Q1', 'w', 'Duration_in_seconds']
>>> spec.column_labels["Duration_in_seconds"], spec.formats["Q1"], spec.formats["w"]
('Duration (in seconds)', 'F8.0', 'F8.2')
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .raw import ExportSpec

__all__ = ["legal_name", "stat_table"]

_SAV_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO",
                 "WITH"}
_DTA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int",
                 "long", "_n", "_N", "_pi", "_pred", "_rc", "_skip", "str", "strL", "using",
                 "with"}
_SAV_OK = re.compile(r"^[^\W\d_][\w.@#$]*$")
_DTA_OK = re.compile(r"^[^\W\d][\w]*$")
_SAV_DATE = re.compile(r"^(DATE|ADATE|EDATE|JDATE|SDATE)\d*$")
_SAV_TIME = re.compile(r"^(TIME|DTIME)\d+(\.\d+)?$")
_SAV_DATETIME = re.compile(r"^(DATETIME|YMDHMS)\d+(\.\d+)?$")
_SAV_NUMBER = re.compile(r"^(F|COMMA|DOT|DOLLAR|PCT|E|N)\d+(\.\d+)?$")
_DTA_NUMBER = re.compile(r"^%-?\d+(\.\d+)?[fgec]c?$")


def legal_name(name: str, fmt: str) -> str:
    """``name`` as SPSS (``fmt="sav"``) or Stata (``"dta"``) can hold it (module rules).

    >>> legal_name("_raw_id", "sav"), legal_name("2nd wave", "sav"), legal_name("BY", "sav")
    ('raw_id', 'v2nd_wave', 'BY_')
    """
    limit, ok, reserved = ((64, _SAV_OK, _SAV_RESERVED) if fmt == "sav" else
                           (32, _DTA_OK, _DTA_RESERVED))
    if _fits(name, fmt) and ok.match(name) and name.upper() not in {
            r.upper() for r in reserved}:
        return name
    out = re.sub(r"\W+", "_", str(name)).strip("_") or "v"
    if not out[0].isalpha():
        out = "v" + out
    if out.upper() in {r.upper() for r in reserved}:
        out += "_"
    return _cut(out, limit, fmt)


def _fits(name: str, fmt: str) -> bool:
    return len(name.encode("utf-8")) <= 64 if fmt == "sav" else len(name) <= 32


def _cut(name: str, limit: int, fmt: str) -> str:
    if fmt == "dta":
        return name[:limit]
    raw = name.encode("utf-8")[:limit]
    return raw.decode("utf-8", errors="ignore")


def _renames(columns: list[str], fmt: str) -> dict[str, str]:
    """Old -> new name of every column that needs a legal or a unique name (names are
    compared without case, as SPSS does); a legal name keeps itself, first come first."""
    limit = 64 if fmt == "sav" else 32
    taken: set[str] = set()
    keep: set[int] = set()
    for j, c in enumerate(columns):
        if legal_name(c, fmt) == c and c.lower() not in taken:
            taken.add(c.lower())
            keep.add(j)
    out: dict[str, str] = {}
    for j, c in enumerate(columns):
        if j in keep:
            continue
        base = new = legal_name(c, fmt)
        k = 2
        while new.lower() in taken:
            suffix = f"_{k}"
            new = _cut(base, limit - len(suffix), fmt) + suffix
            k += 1
        taken.add(new.lower())
        out[c] = new
    return out


def stat_table(table: pd.DataFrame, spec: ExportSpec, fmt: str
               ) -> tuple[pd.DataFrame, ExportSpec]:
    """The table with legal names and pyreadstat-ready columns, and ``spec`` under the new
    names with a variable label for every renamed column (its original name, when it has
    no label) and a display format for every numeric, date and time column."""
    renames = _renames([str(c) for c in table.columns], fmt)

    def keyed(d: Mapping[str, Any]) -> dict[str, Any]:
        return {renames.get(k, k): v for k, v in d.items()}

    out = ExportSpec(column_labels=keyed(spec.column_labels),
                     value_labels=keyed(spec.value_labels),
                     missing_codes=keyed(spec.missing_codes), measure=keyed(spec.measure),
                     import_ids=keyed(spec.import_ids), file_label=spec.file_label,
                     missing_ranges=keyed(spec.missing_ranges), formats={})
    cols: dict[str, Any] = {}
    for c in table.columns:
        name = renames.get(c, c)
        declared = spec.formats.get(c)
        cols[name] = _column(_restored(table[c], declared, fmt))
        if c in renames and not out.column_labels.get(name):
            out.column_labels[name] = str(c)
        f = _format(cols[name], declared, fmt)
        if f:
            out.formats[name] = f
    return pd.DataFrame(cols, index=range(len(table))), out


def _column(s: pd.Series) -> pd.Series:
    """A column as pyreadstat writes it: float numbers, object text, naive datetimes."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(s.astype(float).to_numpy())
    if pd.api.types.is_numeric_dtype(s.dtype):
        return pd.Series(s.to_numpy(dtype=float, na_value=np.nan))
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.reset_index(drop=True)
    return pd.Series(s.astype(object).where(s.notna(), None).to_numpy(), dtype=object)


def _kind(fmt_name: str | None, fmt: str) -> str | None:
    """'date', 'time', 'datetime' or 'number' for a declared display format."""
    if not fmt_name:
        return None
    f = fmt_name.upper() if fmt == "sav" else fmt_name
    if fmt == "sav":
        for kind, pat in (("date", _SAV_DATE), ("time", _SAV_TIME),
                          ("datetime", _SAV_DATETIME), ("number", _SAV_NUMBER)):
            if pat.match(f):
                return kind
        return None
    if f.startswith("%td"):
        return "date"
    if f.startswith("%tc") or f.startswith("%tC"):
        return "time" if f[3:].upper() in ("HH:MM:SS", "HH:MM") else "datetime"
    return "number" if _DTA_NUMBER.match(f) else None


def _restored(s: pd.Series, declared: str | None, fmt: str) -> pd.Series:
    """A text column its file declared as dates or times, as dates or times again (only
    when every value parses)."""
    kind = _kind(declared, fmt)
    if kind not in ("date", "time") or pd.api.types.is_numeric_dtype(s.dtype) or \
            pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    given = s.notna()
    if not given.any() or not pd.api.types.is_string_dtype(s.dtype):
        return s
    pattern = "%Y-%m-%d" if kind == "date" else "%H:%M:%S"
    parsed = pd.to_datetime(s, format=pattern, errors="coerce")
    if parsed[given].isna().any():
        return s
    vals = parsed.dt.date if kind == "date" else parsed.dt.time
    return vals.astype(object).where(given, None)


def _format(s: pd.Series, declared: str | None, fmt: str) -> str | None:
    """The display format of a written column (module rules); None lets pyreadstat choose."""
    kind = _kind(declared, fmt)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return declared if kind == "datetime" else None
    if s.dtype == object:
        first = next((v for v in s if v is not None), None)
        if isinstance(first, _dt.date) and not isinstance(first, _dt.datetime):
            return declared if kind == "date" and fmt == "sav" else None
        if isinstance(first, _dt.time):
            return declared if kind == "time" and fmt == "sav" else None
        return None
    if kind == "number":
        return declared
    return _number_format(s.to_numpy(dtype=float), fmt)


def _number_format(vals: np.ndarray, fmt: str) -> str | None:
    """Integer formats for whole numbers; in SPSS, the decimals other numbers need (<= 6)."""
    ok = vals[np.isfinite(vals)]
    if not len(ok):
        return "F8.0" if fmt == "sav" else None
    big = float(np.abs(ok).max())
    digits = len(f"{big:.0f}") + int((ok < 0).any())
    if big < 1e15 and (np.mod(ok, 1) == 0).all():
        return f"F{min(40, max(8, digits))}.0" if fmt == "sav" else f"%{max(9, digits)}.0f"
    if fmt != "sav":
        return None
    decimals = 6
    for d in range(1, 7):
        if np.allclose(np.round(ok, d), ok, rtol=0, atol=1e-9 * max(1.0, big)):
            decimals = max(d, 2)
            break
    return f"F{min(40, max(8, digits + decimals + 1))}.{decimals}"

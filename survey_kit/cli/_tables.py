"""The audit tables a command writes (``clean``, ``weight``): CSV files and one workbook.

Both go through :func:`survey_kit._formulas.escape_frame` first, so an open
answer, a respondent id or a label beginning with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is written with a leading apostrophe and a
spreadsheet does not run it (``--no-escape-formulas`` turns this off). A
table's index, when written, is escaped like any other column.

The workbook is written by :func:`survey_kit.tables.doc_xlsx.write_workbook`
(one sheet per table, a fixed document date: the same tables give the same
file). XLSX cells cannot hold text longer than 32,767 characters nor control
characters other than tab, line feed and carriage return: such text is cut, or
the characters replaced by U+FFFD, and :func:`write_workbook` returns a
warning for each column affected (the CSV files keep the text whole).

Example
-------
>>> import tempfile
>>> import pandas as pd
>>> from pathlib import Path
>>> frame = pd.DataFrame({"comments": ["=1+1", "fine"]},
...                      index=pd.Index(["@r1", "r2"], name="respondent_id"))
>>> path = write_csv(frame, Path(tempfile.mkdtemp()) / "kept.csv", index=True)
>>> print(path.read_text(), end="")
respondent_id,comments
'@r1,'=1+1
r2,fine
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .._files import atomic_write
from .._formulas import XLSX_ILLEGAL, XLSX_MAX_TEXT, csv_quoting, escape_frame


def _flat(frame: pd.DataFrame, index: bool) -> pd.DataFrame:
    """The index (when written) as leading columns, an unnamed level headed ""."""
    if not index:
        return frame.reset_index(drop=True)
    names = ["" if name is None else name for name in frame.index.names]
    out = frame.reset_index(allow_duplicates=True)
    out.columns = names + list(out.columns[len(names):])
    return out




def write_csv(frame: pd.DataFrame, path: str | os.PathLike, *, index: bool) -> Path:
    """Write ``frame`` as CSV atomically, formula-leading text escaped.

    Lines end with a line feed; Python's csv writer then leaves a field holding
    a bare carriage return unquoted, and a reader (a spreadsheet) would start a
    new row there -- one beginning with whatever follows the carriage return.
    A table with such text is written with every text field quoted.
    """
    table = escape_frame(_flat(frame, index))
    quoting = csv_quoting(table)
    with atomic_write(path) as tmp:
        table.to_csv(tmp, index=False, quoting=quoting)
    return Path(path)


def _text_columns(frame: pd.DataFrame) -> list[int]:
    """Positions of the object and string columns (names may repeat)."""
    return [j for j, dtype in enumerate(frame.dtypes)
            if dtype.kind == "O" or isinstance(dtype, pd.StringDtype)]


def _cell_safe(frame: pd.DataFrame, sheet: str, warnings: list[str]) -> pd.DataFrame:
    """Text an XLSX cell can hold: control characters replaced, over-long text cut."""
    out = frame
    for j in _text_columns(frame):
        series, col = frame.iloc[:, j], frame.columns[j]
        is_text = series.map(lambda v: isinstance(v, str)).astype(bool)
        if not is_text.any():
            continue
        text = series[is_text].astype(str)
        illegal = text.str.contains(XLSX_ILLEGAL)
        long = text.str.len() > XLSX_MAX_TEXT
        if not (illegal.any() or long.any()):
            continue
        if out is frame:
            out = frame.copy()
        fixed = text.str.replace(XLSX_ILLEGAL, "\ufffd", regex=True).str.slice(0, XLSX_MAX_TEXT)
        column = series.astype(object)
        column[is_text] = fixed.astype(object)
        out.isetitem(j, column)
        if illegal.any():
            warnings.append(f"sheet {sheet!r}, column {col!r}: {int(illegal.sum())} cell(s) "
                            "hold control characters an XLSX file cannot store; they were "
                            "replaced by U+FFFD (CSV output keeps them)")
        if long.any():
            warnings.append(f"sheet {sheet!r}, column {col!r}: {int(long.sum())} cell(s) are "
                            f"longer than Excel's limit of {XLSX_MAX_TEXT:,} characters and "
                            "were cut in the workbook (write CSV to keep the whole text)")
    if any(isinstance(c, str) and (XLSX_ILLEGAL.search(c) or len(c) > XLSX_MAX_TEXT)
           for c in out.columns):
        out = out.copy() if out is frame else out
        out.columns = [XLSX_ILLEGAL.sub("\ufffd", c)[:XLSX_MAX_TEXT] if isinstance(c, str) else c
                       for c in out.columns]
        warnings.append(f"sheet {sheet!r}: a column name an XLSX file cannot store was "
                        "shortened or had control characters replaced")
    return out


def setting_values(values: list) -> pd.Series:
    """A key/value table's values for a sheet: numbers stay numbers (a workbook stores them
    as numbers, not as the text "0.0"), anything else becomes its text.

    >>> setting_values([0, 2.5e-11, True, None, "rake", ("a", "b")]).tolist()
    [0, 2.5e-11, 'True', '', 'rake', "('a', 'b')"]
    """
    import numbers

    return pd.Series([v if isinstance(v, numbers.Real) and not isinstance(v, bool)
                      else ("" if v is None else str(v)) for v in values], dtype=object)


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot hold time-zone-aware datetimes; write them as local times."""
    out = frame
    for j, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, pd.DatetimeTZDtype):
            if out is frame:
                out = frame.copy()
            out.isetitem(j, frame.iloc[:, j].dt.tz_localize(None))
    return out


def write_workbook(path: str | os.PathLike,
                   sheets: Mapping[str, tuple[pd.DataFrame, bool]]) -> tuple[Path, list[str]]:
    """Write ``{sheet: (frame, write_index)}`` as one XLSX workbook, atomically.

    Returns the path and the warnings about cells the workbook could not hold
    as they are (cut or with characters replaced).
    """
    from ..tables.doc_xlsx import write_workbook as _write

    warnings: list[str] = []
    tables = {}
    for name, (frame, index) in sheets.items():
        flat = escape_frame(_excel_safe(_flat(frame, index)))
        tables[name] = _cell_safe(flat, name, warnings)
    return _write(path, tables), warnings

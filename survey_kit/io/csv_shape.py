"""The shape of a CSV: every row as wide as the header, no quoted cell left open.

A parser fills the cells missing from a short row with blanks, so a row cut in
the middle (a damaged copy, a file truncated mid-row) would read as a respondent
who did not answer the last questions; a long row has cells that belong to no
column. Before the table is read, :func:`check_shape` counts the cells of every
row (the ``csv`` module; quoted cells may hold commas and line breaks) and
raises a :class:`~survey_kit.errors.DataError` naming the row as a spreadsheet
shows it (header = row 1), the cells expected and the cells found:

* a row with fewer or more cells than the header (entirely empty lines are
  blank rows, skipped later with a warning);
* the last row short: the file looks truncated;
* a quoted cell never closed: the file ends inside it.

Cells missing at the end of a row are accepted only where the header's own
trailing names are blank (a header with trailing empty columns, whose data rows
stop before them).

Example
-------
>>> from pathlib import Path
>>> check_shape("id,Q1,Q2\\nR1,1,2\\n\\nR2,3,4\\n", ",", 3, 3, Path("ok.csv"))
>>> check_shape("id,Q1,Q2\\nR1,1\\nR2,3,4\\n", ",", 3, 3, Path("x.csv"))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
survey_kit.errors.DataError: x.csv, row 2: row 2 has 2 cells where the header has 3; ...
"""

from __future__ import annotations

import csv
import io as _io
import re
from pathlib import Path

import numpy as np

from ..errors import DataError

__all__ = ["check_shape"]

SHOW_ROWS = 5
_LINE_END = re.compile(r"\r\n|\r|\n")


def _widths(text: str, sep: str) -> np.ndarray:
    """The number of cells of every record (0 for an empty line), header included."""
    if '"' not in text:             # no quoted cell: a record is a line
        lines = _LINE_END.split(text)
        if lines and lines[-1] == "":
            lines.pop()
        return np.fromiter((line.count(sep) + 1 if line else 0 for line in lines),
                           dtype=np.int64, count=len(lines))
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    try:
        return np.fromiter(map(len, reader), dtype=np.int64)
    except csv.Error:
        # a NUL byte or a stray line break of an old Mac file: pandas reports those
        return np.zeros(0, dtype=np.int64)


def _open_quote(text: str, sep: str) -> tuple[int, int] | None:
    """(record index, line) of a quoted cell the file ends inside, if any."""
    if text.count('"') % 2 == 0:
        return None
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep, strict=True)
    n = 0
    try:
        for _ in reader:
            n += 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return n, reader.line_num
    return None


def _blank_rows(text: str, sep: str, rows: np.ndarray) -> set[int]:
    """Indices among ``rows`` of records whose cells are all blank (whitespace)."""
    wanted = set(rows.tolist())
    blank = set()
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    for i, cells in enumerate(reader):
        if i in wanted and not any(c.strip() for c in cells):
            blank.add(i)
        if i >= rows[-1]:
            break
    return blank


def check_shape(text: str, sep: str, min_width: int, width: int, path: Path) -> None:
    """A DataError for the first row that is not as wide as the header, or an open quote.

    ``width`` is the number of cells of the header; rows may stop after ``min_width``
    cells when the header's names after that are blank.
    """
    opened = _open_quote(text, sep)
    if opened is not None:
        index, line = opened
        raise DataError(f"row {index + 1} opens a quoted cell that is never closed: the file "
                        f"ends inside it (at line {line}), so it looks truncated or a closing "
                        "quote is missing; copy or export the file again", file=path,
                        row=index + 1)
    widths = _widths(text, sep)
    if len(widths) < 2:
        return
    body = widths[1:]
    odd = np.flatnonzero((body != 0) & ((body < min_width) | (body > width))) + 1
    if not len(odd):
        return
    short = body[odd - 1] < min_width
    if short.any():                 # a line holding only spaces is a blank row, not short
        blank = _blank_rows(text, sep, odd[short])
        odd = np.array([i for i in odd.tolist() if i not in blank], dtype=np.int64)
        if not len(odd):
            return
    _raise_for(odd, widths, width, len(widths) - 1, path)


def _raise_for(odd: np.ndarray, widths: np.ndarray, width: int, last: int, path: Path) -> None:
    i = int(odd[0])
    found = int(widths[i])
    others = odd[1:]
    more = ""
    if len(others):
        shown = ", ".join(str(int(r) + 1) for r in others[:SHOW_ROWS])
        more = (f" ({len(others)} other row(s) differ too: {shown}"
                f"{' ...' if len(others) > SHOW_ROWS else ''})")
    if found > width:
        raise DataError(f"row {i + 1} has {found} cells where the header has {width}{more}: "
                        "the extra cells belong to no column. Often an open answer with a comma "
                        "or a line break is not quoted; export the file again with quoted text "
                        "fields, or remove the extra cells", file=path, row=i + 1)
    if i == last and not len(others):
        raise DataError(f"the last row (row {i + 1}) has {found} of the header's {width} cells: "
                        "the file looks truncated (cut off in the middle of a row); copy or "
                        "export it again", file=path, row=i + 1)
    raise DataError(f"row {i + 1} has {found} cells where the header has {width}{more}; its "
                    "missing cells would read as unanswered questions. Every row needs one "
                    "cell per column (empty answers still need their separators): repair the "
                    "row or export the file again", file=path, row=i + 1)

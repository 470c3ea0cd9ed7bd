"""The raw table: a response file as read, before the questionnaire gives it meaning.

Every format module reads a file into a :class:`RawTable` (the file's own column
names, the row numbers a user sees, the labels the file declares) and writes one
back from a plain table and an :class:`ExportSpec` (labels and missing codes by
column). :func:`as_text` gives a raw column one text form whatever the format
stored: a spreadsheet's 1024.0 is the id ``'1024'`` a person typed.

Example
-------
>>> import pandas as pd
>>> as_text(pd.Series([1024.0, 2.5, None])).tolist()
['1024', '2.5', nan]
>>> as_text(pd.Series(["  R001 ", "   "]), strip=True).tolist()
['R001', nan]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "TEXT_DTYPE",
    "ExportSpec",
    "RawTable",
    "as_text",
    "bad_file",
    "check_header",
    "blank_named_columns",
    "column_letter",
    "column_place",
    "finish",
    "import_id_of",
    "is_qualtrics",
]

# the dtype of text columns: pandas >= 3 has a dedicated string dtype with NaN as missing
TEXT_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object

_QUALTRICS_MARK = ('"importid"', "'importid'")   # JSON, or the 2016 exports' Python-style


@dataclass
class RawTable:
    """A response file as read, before any mapping onto the questionnaire.

    Attributes
    ----------
    frame : DataFrame with the file's column names, one row per data row
    first_row : the row number a user sees for ``frame.iloc[0]``
    format : one of ``READ_FORMATS``
    file : the path read
    encoding : text encoding used (CSV only)
    value_labels : column -> {code: label} declared in SPSS/Stata files
    question_text : column -> question text (Qualtrics second header row)
    skipped_rows : user-visible numbers of entirely empty rows left out
    rows : user-visible row number of every row of ``frame``
    warnings : what the reader left out or repaired (blank-named empty columns)
    qualtrics : the Qualtrics header layout, ``"three-row"`` or ``"legacy"``; None for
        any other file (see :mod:`survey_kit.io.qualtrics`)
    column_meta : column -> what an SPSS/Stata file declares about it besides its values
        (``label``, ``values``, ``missing``, ``measure``, ``format``; see
        :mod:`survey_kit.io.frame`), so a writer can give it back
    import_ids : column -> Qualtrics ImportId (third header row)
    file_meta : what else an SPSS/Stata file declares: ``missing`` (column -> user-missing
        codes), ``missing_ranges`` (column -> [(lo, hi)]), ``measure``, ``mr_sets``,
        ``file_label``; ``legacy_qualtrics`` for a pre-2017 Qualtrics export
    """

    frame: pd.DataFrame
    first_row: int
    format: str
    file: Path
    encoding: str | None = None
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    question_text: dict[str, str] = field(default_factory=dict)
    skipped_rows: list[int] = field(default_factory=list)
    rows: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)
    qualtrics: str | None = None
    column_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    import_ids: dict[str, str] = field(default_factory=dict)
    file_meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows is None:
            self.rows = np.arange(len(self.frame), dtype=np.int64) + self.first_row


@dataclass
class ExportSpec:
    """What a writer needs besides the table: labels and missing codes by column.

    ``missing_ranges`` holds SPSS user-missing declarations as a file gave them
    (values and ``{"lo": .., "hi": ..}`` ranges), for columns the questionnaire does not
    describe; ``formats`` the display format a file declared (``F8.0``, ``EDATE10``,
    ``%td``), in the writer's own format family.
    """

    column_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    missing_codes: dict[str, list[float]] = field(default_factory=dict)
    measure: dict[str, str] = field(default_factory=dict)
    import_ids: dict[str, dict[str, str]] = field(default_factory=dict)
    file_label: str = ""
    missing_ranges: dict[str, list[Any]] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)


def as_text(s: pd.Series, strip: bool = False) -> pd.Series:
    """Text version of a raw column: NaN for missing or blank, integers without '.0'.

    Numbers read from spreadsheets (an id 1024 stored as 1024.0) are shown as
    a person typed them; blank or whitespace-only cells become NaN. With
    ``strip=True`` surrounding whitespace is removed too.
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(object)
    if pd.api.types.is_numeric_dtype(s.dtype):
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(vals)
        out = np.full(len(s), np.nan, dtype=object)
        integral = ok & (np.mod(np.where(ok, vals, 0), 1) == 0) & (np.abs(vals) < 2**53)
        if integral.any():
            out[integral] = vals[integral].astype(np.int64).astype(str)
        other = ok & ~integral
        if other.any():
            out[other] = vals[other].astype(str)
        return pd.Series(out, index=s.index, dtype=TEXT_DTYPE)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d %H:%M:%S").astype(TEXT_DTYPE)
    if s.dtype == object:
        # a column of a sheet may mix numbers and text: write numbers as typed
        kinds = s.map(type)
        isnum = kinds.isin([float, int, np.float64, np.int64]).to_numpy()
        t = s.where(s.notna(), None).astype(TEXT_DTYPE)
        if isnum.any():
            nums = as_text(pd.Series(s[isnum].to_numpy(dtype=float)))
            t = t.copy()
            t.iloc[np.flatnonzero(isnum)] = nums.to_numpy()
    else:
        t = s.astype(TEXT_DTYPE)
    stripped = t.str.strip()
    blank = (stripped == "").fillna(False).to_numpy(dtype=bool)
    out = stripped if strip else t
    if blank.any():
        out = out.mask(blank)
    return out.astype(TEXT_DTYPE)


# ---------------------------------------------------------------------------
# what every reader does


def is_qualtrics(rows: list[list[str]]) -> bool:
    """Row 3 of a Qualtrics export holds ``{"ImportId": ...}`` JSON in its cells."""
    if len(rows) < 3:
        return False
    cells = [c.strip() for c in rows[2] if c and c.strip()]
    if not cells:
        return False
    marked = sum(1 for c in cells if c.startswith("{")
                 and any(m in c.lower() for m in _QUALTRICS_MARK))
    return marked * 2 >= len(cells)


def import_id_of(cell: str) -> str | None:
    """The ImportId of a third-header-row cell: ``{"ImportId":"QID1"}`` -> ``QID1``."""
    import re

    m = re.search(r"""["']importid["']\s*:\s*["']([^"']*)["']""", cell, re.I)
    return m.group(1) if m else None


def column_letter(j: int) -> str:
    """The spreadsheet letter of the 0-based column ``j``: 0 -> 'A', 26 -> 'AA'."""
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def column_place(j: int) -> str:
    """Column ``j`` (0-based) as a user finds it: 'column 3 (C)'."""
    return f"column {j + 1} ({column_letter(j)})"


def check_header(names: list[str], path: Path, first_row: int = 1) -> None:
    """A DataError naming every column name that appears more than once in the header."""
    places: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        key = str(name).strip()
        if key:
            places.setdefault(key, []).append(j)
    dups = [(name, js) for name, js in places.items() if len(js) > 1]
    if not dups:
        return
    shown = "; ".join(f"{name!r} as columns " + " and ".join(
        f"{j + 1} ({column_letter(j)})" for j in js) for name, js in dups[:5])
    more = f"; and {len(dups) - 5} more repeated names" if len(dups) > 5 else ""
    first, js = dups[0]
    raise DataError(f"column name {first!r} appears {_times(len(js))} in the header "
                    f"({len(dups)} repeated name(s): {shown}{more}); every column needs a "
                    "unique name, so rename or remove the repeats", file=path, row=first_row,
                    column=first)


def _times(n: int) -> str:
    return {2: "twice", 3: "three times"}.get(n, f"{n} times")


def blank_named_columns(frame: pd.DataFrame, names: list[str], path: Path,
                        header_row: int | None, rows: np.ndarray
                        ) -> tuple[pd.DataFrame, list[str]]:
    """Drop columns with a blank name and no data (a spreadsheet's trailing empty columns).

    ``frame`` has one column per entry of ``names`` (positionally); a column whose name is
    blank but which holds data is a DataError naming its position and the first cell.
    Returns the frame with the kept columns named ``names`` and the warnings to record.
    """
    blank = [j for j, n in enumerate(names) if not str(n).strip()]
    keep = [j for j in range(len(names)) if j not in set(blank)]
    for j in blank:
        cells = as_text(frame.iloc[:, j])
        filled = cells.notna().to_numpy()
        if filled.any():
            i = int(np.flatnonzero(filled)[0])
            where = f"row {header_row}" if header_row is not None else "the file"
            raise DataError(f"{column_place(j)} has no name in the header ({where}) but holds "
                            f"data in {int(filled.sum())} row(s), first in row {int(rows[i])}; "
                            "give the column a name in the header, or delete it if it is not "
                            "part of the responses", file=path, row=int(rows[i]),
                            column=column_letter(j), value=cells.iloc[i])
    out = (frame.iloc[:, keep] if blank else frame).set_axis(
        [str(names[j]).strip() for j in keep], axis=1)
    if not blank:
        return out, []
    shown = ", ".join(column_letter(j) for j in blank[:10]) + (" ..." if len(blank) > 10 else "")
    return out, [f"{len(blank)} column(s) with a blank name and no data left out "
                 f"(spreadsheet column(s) {shown})"]


def finish(frame: pd.DataFrame, first_row: int, fmt: str, path: Path, *,
           names: list[str] | None = None, header_row: int | None = None, **kw: Any
           ) -> RawTable:
    """Drop blank-named empty columns and entirely empty rows (they are no respondent);
    keep the row numbers a user sees.

    ``names`` are the column names as the file gives them (default: ``frame.columns``);
    ``header_row`` is the row holding them, if the format has one.
    """
    rows = np.arange(len(frame), dtype=np.int64) + first_row
    names = [str(c) for c in frame.columns] if names is None else list(names)
    check_header(names, path, header_row if header_row is not None else 1)
    frame, warnings = blank_named_columns(frame, names, path, header_row, rows)
    skipped: list[int] = []
    if frame.shape[1] and len(frame):
        empty = frame.isna().all(axis=1).to_numpy()
        if empty.any():
            skipped = rows[empty].tolist()
            frame = frame.loc[~empty].reset_index(drop=True)
            rows = rows[~empty]
    return RawTable(frame, first_row, fmt, path, skipped_rows=skipped, rows=rows,
                    warnings=warnings, **kw)


def bad_file(path: Path, kind: str, exc: BaseException) -> DataError:
    """The error for a file that cannot be read as ``kind`` (damaged or misnamed)."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DataError(f"cannot be read as {kind} ({detail}); the file is damaged or of another "
                     "kind: export it again, or check that the extension matches the content",
                     file=path)

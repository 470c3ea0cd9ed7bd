"""Appendix tables as an XLSX workbook: :func:`write_workbook`, the one workbook writer.

A sheet holds a :class:`~survey_kit.tables.document.Table` (titled layout), a
DataFrame (as data, or titled when given a title, notes or formats), or any
object that writes its own sheet -- one with a ``_write_xlsx_sheet(ws)``
method, as :class:`~survey_kit.tables.result.Crosstab` (the sheet protocol:
the writer never imports what it writes). ``Crosstab.to_excel`` and
``Appendix.to_excel`` both use it.

Example
-------
>>> sheet_names(["a/b", "A/B", "x" * 40])
['a_b', 'A_B~2', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import atomic_write
from .._formulas import escape_text
from ..errors import ReportError
from .document import (
    FORMATS,
    Table,
    column_format,
    display_frame,
    format_value,
    header_rows,
    header_spans,
    is_missing,
    row_format,
)
from .xlsx_cells import excel_value, put

__all__ = ["sheet_names", "write_sheet", "write_workbook"]


def sheet_names(names: Iterable[str]) -> list[str]:
    """Excel-safe, unique sheet names (max 31 chars, no []:*?/\\, no quote at either end)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'")[:31] or "Sheet"
        cand, k = base, 2
        while cand.lower() in seen:
            suffix = f"~{k}"
            cand = base[: 31 - len(suffix)] + suffix
            k += 1
        seen.add(cand.lower())
        out.append(cand)
    return out


def _table_sheet(ws: Any, table: Table) -> None:
    """A titled table: bold title, multi-row header with merged groups, formats, notes."""
    from openpyxl.styles import Border, Font, Side
    from openpyxl.utils import get_column_letter

    frame = display_frame(table)
    heads = header_rows(frame)
    ncol = frame.shape[1]
    put(ws, 1, 1, table.title).font = Font(bold=True, size=12)
    first = _sheet_header(ws, heads, 3, ncol)
    widths = [max(len(h[j]) for h in heads) for j in range(ncol)]
    fmts = [column_format(table, c) for c in frame.columns]
    for i in range(len(frame)):
        for j in range(ncol):
            v = frame.iat[i, j]
            if not is_missing(v):
                shown = _sheet_value(ws, first + i, j + 1, v, row_format(fmts[j], i))
                widths[j] = max(widths[j], shown)
    last = first + len(frame) - 1
    if len(frame):
        for j in range(1, ncol + 1):
            ws.cell(row=last, column=j).border = Border(bottom=Side(style="medium"))
    for k, note in enumerate(table.notes):
        put(ws, last + 2 + k, 1, note).font = Font(italic=True, size=9)
    for j, wdt in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(6, min(wdt + 2, 62))
    ws.freeze_panes = ws.cell(row=first, column=1)


def _sheet_header(ws: Any, heads: list[list[str]], r0: int, ncol: int) -> int:
    """The header rows from row ``r0`` (equal adjacent cells merged), ruled above and
    below; returns the first body row."""
    from openpyxl.styles import Alignment, Border, Font, Side

    parents: list[str] | None = None
    for level, row in enumerate(heads):
        col = 1
        for text, span in header_spans(row, parents):
            c = put(ws, r0 + level, col, text or None)
            c.font = Font(bold=True)
            c.alignment = Alignment(horizontal="center" if span > 1 else "general",
                                    wrap_text=True, vertical="bottom")
            if span > 1:
                ws.merge_cells(start_row=r0 + level, start_column=col,
                               end_row=r0 + level, end_column=col + span - 1)
            col += span
        parents = ["\x1f".join(r[j] for r in heads[: level + 1]) for j in range(len(row))]
    thin, thick = Side(style="thin"), Side(style="medium")
    hdr_last = r0 + len(heads) - 1
    for j in range(1, ncol + 1):
        ws.cell(row=r0, column=j).border = Border(top=thick)
        ws.cell(row=hdr_last, column=j).border = Border(
            bottom=thin, top=thick if hdr_last == r0 else None)
    return hdr_last + 1


def _sheet_value(ws: Any, row: int, column: int, v: Any, fmt: str | None) -> int:
    """Store ``v`` in a cell with its Excel number format; returns its shown width."""
    from openpyxl.styles import Alignment

    v = excel_value(v)
    c = put(ws, row, column, v)
    if isinstance(v, float):
        c.number_format = FORMATS.get(fmt or "f1", FORMATS["f1"])[1]
    elif isinstance(v, int) and not isinstance(v, bool):
        c.number_format = FORMATS["count" if fmt == "count" else "int"][1]
    if isinstance(v, str) and len(v) > 60:
        c.alignment = Alignment(wrap_text=True, vertical="top")
    return min(len(format_value(v, fmt)), 60)


def _data_sheet(ws: Any, frame: pd.DataFrame) -> None:
    """An untitled frame as data: bold header in row 1 (frozen), values as they are."""
    from openpyxl.styles import Font

    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
        frame = frame.reset_index()
    for j, name in enumerate(frame.columns, start=1):
        put(ws, 1, j, str(name)).font = Font(bold=True)
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            if not is_missing(v):
                put(ws, i, j, v)
    ws.freeze_panes = "A2"


def write_sheet(ws: Any, table: Any, *, title: str | None = None, notes: Sequence[str] = (),
                formats: Mapping[str, str] | None = None) -> None:
    """Fill one openpyxl worksheet with a table.

    Parameters
    ----------
    ws : openpyxl Worksheet
        An empty sheet.
    table : Crosstab, Table, pandas.DataFrame or an object that writes its own sheet
        An object with a ``_write_xlsx_sheet(ws)`` method fills the sheet
        itself (a :class:`~survey_kit.tables.result.Crosstab`: the banner
        layout, its own title and notes). A :class:`Table`, or a DataFrame
        with a ``title`` or ``notes``, gets the titled layout: bold title,
        multi-row header with merged group cells, Excel number formats
        (``formats``, as in :class:`Table`), notes below, frozen header,
        fitted widths. A bare DataFrame is written as data: bold header in
        row 1 (frozen), a non-default index as leading columns, values
        unformatted.
    title, notes, formats
        For a DataFrame: the caption, the lines under the table and the
        per-column formats.

    Raises
    ------
    ReportError
        ``table`` is none of these.
    """
    if isinstance(table, Table):
        _table_sheet(ws, table)
    elif isinstance(table, pd.DataFrame):
        if title is None and not notes and not formats:
            _data_sheet(ws, table)
        else:
            _table_sheet(ws, Table(ws.title, ws.title if title is None else title, table,
                                   tuple(notes), dict(formats or {})))
    elif callable(getattr(table, "_write_xlsx_sheet", None)):
        table._write_xlsx_sheet(ws)
    else:
        raise ReportError(f"table {ws.title!r} is a {type(table).__name__}; give a Crosstab, "
                          "a pandas DataFrame or a survey_kit.tables.document.Table")


def write_workbook(path: str | Path, tables: Mapping[str, Any] | Sequence[Table], *,
                   titles: Mapping[str, str] | None = None,
                   notes: Mapping[str, Sequence[str]] | None = None,
                   formats: Mapping[str, Mapping[str, str]] | None = None) -> Path:
    """Write several tables to one XLSX workbook, one formatted sheet per table.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file, written atomically.
    tables : mapping of sheet name -> Crosstab, DataFrame or Table; or a sequence of Table
        One sheet each, in order (see :func:`write_sheet` for the layouts; any
        object with a ``_write_xlsx_sheet(ws)`` method writes its own sheet).
        Sheet names are made Excel-safe (31 characters, no ``[]:*?/\\``) and
        unique; a sequence of :class:`Table` is named by ``Table.name``.
    titles, notes, formats : mapping keyed like ``tables``, optional
        Caption, notes and per-column formats of the DataFrames (a Crosstab
        carries its own title and notes).

    Returns
    -------
    Path

    Raises
    ------
    ReportError
        No tables, or a table that is not a Crosstab, DataFrame or Table; a
        text longer than an XLSX cell holds (32,767 characters; titles and
        notes too -- they are refused, never cut), or with a control
        character XLSX cannot store (the message names the file, sheet and
        cell).

    Notes
    -----
    The workbook properties and the members of its zip archive carry a fixed
    date, so the same tables give a byte-identical file on every run.

    Every text cell -- data, headers, titles, labels and notes -- goes through
    :func:`survey_kit.tables.xlsx_cells.put`: text that a spreadsheet would run
    as a formula (beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return) is written with a leading apostrophe (OWASP; turned off by
    ``sk.formula_escaping(False)`` for trusted data). A sheet written by an
    object's own ``_write_xlsx_sheet`` is checked the same way for formulas.

    Examples
    --------
    >>> import tempfile
    >>> from openpyxl import load_workbook
    >>> df = pd.DataFrame({"level": ["a", "b"], "share": [0.25, 0.75]})
    >>> path = write_workbook(Path(tempfile.mkdtemp()) / "tables.xlsx",
    ...                       {"shares": df, "data": df}, titles={"shares": "Shares"})
    >>> wb = load_workbook(path)
    >>> wb.sheetnames, wb["shares"]["A1"].value, wb["data"]["A1"].value
    (['shares', 'data'], 'Shares', 'level')
    """
    from openpyxl import Workbook

    if isinstance(tables, Mapping):
        items = list(tables.items())
    elif isinstance(tables, Sequence) and not isinstance(tables, str) and all(
            isinstance(t, Table) for t in tables):
        items = [(t.name, t) for t in tables]
    else:
        raise ReportError("give the tables as a mapping {sheet name: Crosstab or DataFrame} "
                          "or a list of survey_kit.tables.document.Table", file=path)
    if not items:
        raise ReportError("no tables to write to the workbook", file=path)
    titles, notes, formats = titles or {}, notes or {}, formats or {}
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "survey_kit"
    for sheet, (name, table) in zip(sheet_names(name for name, _ in items), items):
        ws = wb.create_sheet(sheet)
        try:
            write_sheet(ws, table, title=titles.get(name), notes=notes.get(name, ()),
                        formats=formats.get(name))
        except ReportError as exc:
            if exc.file is not None:
                raise
            raise ReportError(exc.message, file=path, value=exc.value) from None
        _no_formulas(ws)
    with atomic_write(path) as tmp:
        _save(wb, tmp)
    return Path(path)


def _no_formulas(ws: Any) -> None:
    """Escape any formula a sheet writer stored without :func:`put` (a backstop)."""
    for cell in list(getattr(ws, "_cells", {}).values()):
        if cell.data_type == "f" and isinstance(cell.value, str):
            cell.value = escape_text(cell.value)


#: the date in the workbook properties and on every member of the zip archive
_FIXED = (2000, 1, 1, 0, 0, 0)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose members all carry :data:`_FIXED` (not the time of the run)."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(str(zinfo_or_arcname), date_time=_FIXED)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        with open(filename, "rb") as fh:
            data = fh.read()
        self.writestr(arcname if arcname is not None else Path(filename).name, data)


def _save(wb: Any, target: Path) -> None:
    """Save ``wb`` to ``target`` byte for byte the same on every run: fixed document dates
    (openpyxl's ``save`` stamps the time of the run) and fixed zip member times."""
    from openpyxl.writer.excel import ExcelWriter

    fixed = _dt.datetime(*_FIXED)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    archive = _FixedTimeZip(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(wb, archive).save()
    finally:
        archive.close()

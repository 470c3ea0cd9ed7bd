"""A banner table on a sheet of an XLSX workbook (openpyxl), drawn from the shared layout.

Bold title and headers (banner groups merged), letters in a sub-row, bases in
italics, columns with a low base in grey, tests and notes below.
:meth:`Crosstab._write_xlsx_sheet` calls :func:`write_crosstab_sheet`;
workbooks are written by :func:`survey_kit.tables.doc_xlsx.write_workbook`.

Every value is a number with an Excel number format, never text: percentages
on the 0-100 scale with the format ``0.0`` (the convention of every sheet the
toolkit writes, :data:`survey_kit.tables.document.FORMATS`), bases ``#,##0``,
means ``0.00``; a confidence interval takes two rows, its lower and its upper
bound, each bound a number in the column of its estimate.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> from openpyxl import Workbook
>>> tab = sk.crosstab(pd.DataFrame({"a": list("xyxy") * 5, "g": list("pqpq") * 5}), "a", "g",
...                   ci=True)
>>> ws = Workbook().active
>>> write_crosstab_sheet(ws, tab)
>>> ws["A1"].value, ws["C5"].value, ws["C7"].value, ws["C7"].number_format, ws["D7"].value
('a by g', '(A)', 100.0, '0.0', 0.0)
>>> [(ws.cell(row=r, column=1).value, round(ws.cell(row=r, column=2).value, 1))
...  for r in (7, 8, 9)]        # 50.0% in the Total column, its CI as two numbers
[('x', 50.0), ('CI lower bound', 29.9), ('CI upper bound', 70.1)]
"""

from __future__ import annotations

from typing import Any

from ..instrument.labels import words as label_words
from .layout import Layout, Line, Section, layout
from .xlsx_cells import put

__all__ = ["XLSX_DASH", "write_crosstab_sheet"]

_XLFMT = {"pct": "0.0", "count": "#,##0", "mean": "0.00", "se": "(0.00)", "int": "#,##0",
          "float": "#,##0"}
_GREY = "FF808080"
#: a cell with no respondents: an en dash, as the text renderers' "-" would be
#: formula-leading text (escaped, it would show its apostrophe)
XLSX_DASH = "\u2013"


def write_crosstab_sheet(ws: Any, ct: Any) -> None:
    """Fill an empty openpyxl worksheet with a banner table.

    Bold title and headers (banner groups merged), percentages as Excel
    percentages, letters in a sub-row, bases in italics, columns with a low
    base in grey, tests and notes below.
    """
    from openpyxl.styles import Font

    lay = layout(ct)
    put(ws, 1, 1, lay.title).font = Font(bold=True, size=12)
    r = _header(ws, lay, 3)
    ws.freeze_panes = ws.cell(row=r, column=2)
    bound_labels = tuple(label_words(getattr(ct, "lang", "en"), "table")[k]
                         for k in ("ci_low", "ci_high"))
    for sec in lay.sections:
        r = _section(ws, sec, r, ct.letters, bound_labels)
    _footer(ws, lay, r, ct.min_base)
    _widths(ws, lay)


def _header(ws: Any, lay: Layout, r: int) -> int:
    """Banner groups (merged), column labels and letters from row ``r``; the next row."""
    from openpyxl.styles import Alignment, Border, Font, Side

    bold = Font(bold=True)
    if lay.groups:
        for label, start, span in lay.groups:
            c = put(ws, r, start + 2, label)
            c.font = bold
            c.alignment = Alignment(horizontal="center", wrap_text=True)
            if span > 1:
                ws.merge_cells(start_row=r, start_column=start + 2, end_row=r,
                               end_column=start + span + 1)
        r += 1
    for j, lab in enumerate(lay.col_labels):
        c = put(ws, r, j + 2, lab)
        c.font = bold
        c.alignment = Alignment(horizontal="center", wrap_text=True, vertical="bottom")
    r += 1
    for j, lt in enumerate(lay.col_letters):
        if lt:
            c = put(ws, r, j + 2, lt)
            c.font = bold
            c.alignment = Alignment(horizontal="center")
    for j in range(len(lay.col_labels) + 1):
        ws.cell(row=r, column=j + 1).border = Border(bottom=Side(style="thin"))
    return r + 1


def _section(ws: Any, sec: Section, r: int, letters: bool,
             bound_labels: tuple[str, str]) -> int:
    """One block from row ``r``: its title, lines (letters in a sub-row) and tests."""
    from openpyxl.styles import Alignment, Font

    put(ws, r, 1, sec.title).font = Font(bold=True)
    r += 1
    for ln in sec.lines:
        if ln.kind == "ci":
            r = _ci_rows(ws, ln, sec, r, bound_labels)
            continue
        lab = put(ws, r, 1, ln.label)
        lab.alignment = Alignment(indent=1)
        if ln.kind.startswith("base"):
            lab.font = Font(italic=True)
        _line_values(ws, ln, sec, r)
        r += 1
        if ln.kind == "row" and letters and any(ln.letters):
            for j, lt in enumerate(ln.letters):
                if lt:
                    c = put(ws, r, j + 2, lt)
                    c.font = Font(size=8, color="FF1F4E79")
                    c.alignment = Alignment(horizontal="right")
            ws.cell(row=r, column=1).value = None
            r += 1
    for t in sec.tests:
        put(ws, r, 1, t).font = Font(size=9)
        r += 1
    return r + 1


def _ci_rows(ws: Any, ln: Line, sec: Section, r: int, labels: tuple[str, str]) -> int:
    """The lower bounds in row ``r``, the upper bounds below, as numbers; the next row."""
    from openpyxl.styles import Alignment, Font

    for k, label in enumerate(labels):
        put(ws, r + k, 1, label).alignment = Alignment(indent=2)
        for j, b in enumerate(ln.bounds):
            if b is None:
                continue
            c = put(ws, r + k, j + 2, b[k])
            c.number_format = _XLFMT.get(ln.bound_fmt, "General")
            c.alignment = Alignment(horizontal="right")
            c.font = Font(size=9, color=_GREY if sec.low[j] else None)
    return r + 2


def _cell_value(ln: Line, j: int) -> Any:
    """What goes in the cell: a number (a percentage on the 0-100 scale) or a dash."""
    v = ln.values[j]
    if v is None:
        return XLSX_DASH if ln.kind == "row" else None
    return v


def _line_values(ws: Any, ln: Line, sec: Section, r: int) -> None:
    """The values of one line in row ``r``, formatted and greyed where the base is low."""
    from openpyxl.styles import Alignment, Font

    base = ln.kind.startswith("base")
    for j in range(len(ln.values)):
        val = _cell_value(ln, j)
        if val is None:
            continue
        c = put(ws, r, j + 2, val)
        c.alignment = Alignment(horizontal="right")
        if isinstance(val, float):
            c.number_format = _XLFMT.get(ln.fmt, "General")
        color = _GREY if sec.low[j] else None
        c.font = Font(italic=base, color=color, bold=base and ln.kind == "base_u"
                      and bool(sec.low[j]))


def _footer(ws: Any, lay: Layout, r: int, min_base: int) -> None:
    """A rule over the last row, then the notes, warnings and the grey-column key."""
    from openpyxl.styles import Border, Font, Side

    for j in range(len(lay.col_labels) + 1):
        ws.cell(row=r - 1, column=j + 1).border = Border(top=Side(style="thin"))
    for note in lay.notes + [f"Warning: {w}" for w in lay.warnings]:
        # the text renderers bracket an interval; on the sheet its bounds have rows
        note = note.replace("confidence intervals in brackets",
                            "confidence intervals in the two rows under each estimate")
        put(ws, r, 1, note).font = Font(italic=True, size=9)
        r += 1
    if any(sec.low.any() for sec in lay.sections):
        put(ws, r, 1, f"Grey: unweighted base below {min_base}.").font = \
            Font(italic=True, size=9, color=_GREY)


def _widths(ws: Any, lay: Layout) -> None:
    """Column widths fitted to the labels."""
    from openpyxl.utils import get_column_letter

    lab_w = max([len(lay.title) // 3, 12] + [min(60, len(ln.label) + 2)
                                              for s in lay.sections for ln in s.lines]
                + [min(60, len(s.title)) for s in lay.sections])
    ws.column_dimensions["A"].width = lab_w
    for j, label in enumerate(lay.col_labels):
        ws.column_dimensions[get_column_letter(j + 2)].width = max(10, min(24, len(label) + 2))

"""Excel workbooks (.xlsx, .xlsm): read one sheet, write a ``responses`` sheet.

The first row of the sheet is the header, so the first respondent is row 2, or
row 4 when the sheet carries Qualtrics' question-text and ImportId rows (row 3
under the label row of a legacy Qualtrics export).

Reading refuses a sheet holding formulas without a saved result: a workbook
written by a program (openpyxl, a script) and never opened in a spreadsheet
keeps only the formula text, and would read as blank cells. Open such a file
in Excel or LibreOffice and save it again, or export the sheet as CSV.

Writing neutralises formula-leading text (:mod:`survey_kit._formulas`), refuses
a cell longer than Excel's 32,767 characters (rather than cutting it) and
characters a workbook cannot hold, naming the row and column; the document
dates and the dates inside the zip are fixed (1 January 2000, 00:00), so two
writes of the same table give identical bytes.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> import pandas as pd
>>> path = Path(tempfile.mkdtemp()) / "export.xlsx"
>>> write_xlsx(pd.DataFrame({"id": ["R1", "R2"], "Q1": [1, 2]}), path, path)
>>> raw = read_xlsx(path, None)
>>> raw.first_row, raw.frame["Q1"].tolist()
(2, [1, 2])
"""

from __future__ import annotations

import io as _io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from .._formulas import XLSX_ILLEGAL, XLSX_MAX_TEXT, escape_frame
from ..errors import DataError
from .qualtrics import is_legacy
from .raw import RawTable, bad_file, column_letter, finish, is_qualtrics

__all__ = ["FIXED_DATE", "check_cells", "fix_zip_dates", "read_xlsx",
           "uncached_formulas", "write_xlsx"]

#: the date written into a workbook's properties and zip entries
FIXED_DATE = (2000, 1, 1, 0, 0, 0)
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def read_xlsx(path: Path, sheet: str | int | None) -> RawTable:
    """Read a sheet (name or 0-based position; the first by default) of a workbook."""
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None,
                              keep_default_na=False, na_values=[""], engine="openpyxl")
    except ValueError as exc:
        msg = str(exc).lower()
        if sheet is not None and ("not found" in msg or "worksheet" in msg):
            raise DataError(f"sheet {sheet!r} not found; the workbook has sheets "
                            f"{', '.join(map(repr, _sheet_names(path))) or '(none)'}",
                            file=path) from None
        raise bad_file(path, "an Excel workbook (.xlsx)", exc) from None
    except Exception as exc:  # noqa: BLE001 - zipfile, XML and openpyxl errors of a bad file
        raise bad_file(path, "an Excel workbook (.xlsx)", exc) from None
    _refuse_uncached(path, sheet)
    if frame.empty:
        raise DataError("the sheet is empty; export the responses again", file=path)
    header = ["" if pd.isna(h) else (str(int(h)) if isinstance(h, float) and h.is_integer()
                                     else str(h)) for h in frame.iloc[0].tolist()]
    rows = [header] + [["" if pd.isna(v) else str(v) for v in frame.iloc[i].tolist()]
                       for i in range(1, min(3, len(frame)))]
    qualtrics = is_qualtrics(rows)
    legacy = not qualtrics and is_legacy(rows)
    skip = 3 if qualtrics else 2 if legacy else 1
    body = frame.iloc[skip:].reset_index(drop=True)
    names = [h.strip() for h in header]
    body = body.infer_objects()
    question_text = ({n: t for n, t in zip(names, rows[1]) if n} if qualtrics or legacy
                     else {})
    return finish(body, skip + 1, "xlsx", path, question_text=question_text, names=names,
                  header_row=1, qualtrics="three-row" if qualtrics else "legacy" if legacy
                  else None)


def _sheet_names(path: Path) -> list[str]:
    try:
        import openpyxl

        return openpyxl.load_workbook(path, read_only=True).sheetnames
    except Exception:  # noqa: BLE001 - only for the hint
        return []


# ---------------------------------------------------------------------------
# formulas without a saved result


def _worksheet_parts(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip part) of every worksheet, in workbook order."""
    def rels(part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        root = ElementTree.fromstring(z.read(posixpath.join(folder, "_rels", name + ".rels")))
        out = {}
        for r in root:
            target = r.get("Target", "")
            full = (target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target)))
            out[r.get("Id", "")] = (r.get("Type", ""), full)
        return out

    book = next(p for t, p in rels("").values() if t.endswith("/officeDocument"))
    targets = rels(book)
    sheets = []
    for el in ElementTree.fromstring(z.read(book)).iter():
        if el.tag.rsplit("}", 1)[-1] == "sheet":
            kind, part = targets.get(el.get(_REL, ""), ("", ""))
            if kind.endswith("/worksheet"):
                sheets.append((el.get("name", ""), part))
    return sheets


def _has_formula(z: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's XML holds an ``<f>`` element (read in chunks, no parsing)."""
    tail = b""
    with z.open(part) as fh:
        while chunk := fh.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def uncached_formulas(path: Path, sheet: str | int | None) -> tuple[str, list[str]]:
    """The sheet's name and the cells (``'B2'``) holding a formula without a saved result.

    Best effort: a workbook whose parts cannot be found this way gives no cells.
    """
    try:
        with zipfile.ZipFile(path) as z:
            sheets = _worksheet_parts(z)
            if isinstance(sheet, str):
                name, part = next((s for s in sheets if s[0] == sheet), sheets[0])
            else:
                name, part = sheets[sheet or 0]
            if not _has_formula(z, part):
                return name, []
            with z.open(part) as fh:
                return name, _scan_cells(fh)
    except (KeyError, IndexError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile,
            OSError):
        return "", []


def _scan_cells(fh) -> list[str]:
    found = []
    for _, el in ElementTree.iterparse(fh, events=("end",)):
        if el.tag.rsplit("}", 1)[-1] != "c":
            continue
        kids = {k.tag.rsplit("}", 1)[-1]: k for k in el}
        if "f" in kids:
            v = kids.get("v")
            if v is None or (not v.text and el.get("t") not in ("str", "inlineStr")):
                found.append(el.get("r", "?"))
        el.clear()
    return found


def _refuse_uncached(path: Path, sheet: str | int | None) -> None:
    name, cells = uncached_formulas(path, sheet)
    if not cells:
        return
    first = cells[0]
    m = re.fullmatch(r"([A-Z]+)(\d+)", first)
    shown = ", ".join(cells[:5]) + (" ..." if len(cells) > 5 else "")
    raise DataError(f"sheet {name!r}: {len(cells)} cell(s) hold a formula without a saved "
                    f"result ({shown}), which would read as blank: the workbook was written by a "
                    "program and never opened in a spreadsheet. Open it in Excel or LibreOffice "
                    "and save it again (that computes the formulas), or export the sheet as CSV",
                    file=path, row=int(m.group(2)) if m else None,
                    column=m.group(1) if m else None)


# ---------------------------------------------------------------------------
# writing


def check_cells(table: pd.DataFrame, path: Path) -> None:
    """Refuse text an Excel cell cannot hold: too long, or control characters.

    A DataError names the row of the sheet (header = row 1) and the column; call it on the
    table exactly as it will be written (after escaping, which adds a character).
    """
    for j, c in enumerate(table.columns):
        s = table[c]
        if not (s.dtype == object or isinstance(s.dtype, (pd.StringDtype,
                                                          pd.CategoricalDtype))):
            continue
        obj = s.astype(object)
        text = obj.where(obj.map(lambda v: isinstance(v, str)).astype(bool), None).astype(
            "string")
        long = (text.str.len() > XLSX_MAX_TEXT).fillna(False).to_numpy(dtype=bool)
        if long.any():
            i = int(np.flatnonzero(long)[0])
            raise DataError(
                f"row {i + 2} of the sheet, column {str(c)!r} ({column_letter(j)}) holds "
                f"{len(text.iloc[i]):,} characters, more than the {XLSX_MAX_TEXT:,} an Excel cell "
                f"can hold ({int(long.sum())} such cell(s)); write CSV or Parquet instead, "
                "which keep the whole text", file=path, row=i + 2, column=str(c))
        bad = text.str.contains(XLSX_ILLEGAL.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            ch = XLSX_ILLEGAL.search(text.iloc[i]).group()
            raise DataError(f"row {i + 2} of the sheet, column {str(c)!r} ({column_letter(j)}) "
                            f"holds the control character {ch!r}, which a workbook cannot "
                            "store; remove control characters from the text or write CSV "
                            "instead", file=path, row=i + 2, column=str(c))


def write_xlsx(table: pd.DataFrame, tmp: Path, path: Path) -> None:
    """Write ``table`` to the workbook ``tmp``; errors name ``path``, the file it becomes.

    Formula-leading text (cells and column names) is escaped first.
    """
    table = escape_frame(table)
    check_cells(table, path)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            table.to_excel(writer, index=False, sheet_name="responses")
    except Exception as exc:  # noqa: BLE001 - openpyxl IllegalCharacterError and friends
        raise DataError(f"cannot write the workbook: {exc}; remove control characters from "
                        "text answers or write CSV instead", file=path) from None
    fix_zip_dates(tmp)


def fix_zip_dates(path: Path) -> None:
    """Set the document dates and every zip entry's date of an OOXML file to FIXED_DATE."""
    y, mo, d, h, mi, sec = FIXED_DATE
    stamp = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}Z"
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info)) for info in z.infolist()]
    buf = _io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m.group(1) + stamp.encode() + m.group(3), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            fixed.create_system = 3
            out.writestr(fixed, data)
    path.write_bytes(buf.getvalue())

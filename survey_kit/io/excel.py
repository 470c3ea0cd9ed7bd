"""Excel workbooks (.xlsx, .xlsm): read one sheet, write a ``responses`` sheet.

The first row of the sheet is the header, so the first respondent is row 2, or
row 4 when the sheet carries Qualtrics' question-text and ImportId rows.

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

from pathlib import Path

import pandas as pd

from ..errors import DataError
from .raw import RawTable, bad_file, check_header, finish, is_qualtrics

__all__ = ["read_xlsx", "write_xlsx"]


def read_xlsx(path: Path, sheet: str | int | None) -> RawTable:
    """Read a sheet (name or 0-based position; the first by default) of a workbook."""
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None,
                              keep_default_na=False, na_values=[""], engine="openpyxl")
    except ValueError as exc:
        msg = str(exc).lower()
        if sheet is not None and ("not found" in msg or "worksheet" in msg):
            try:
                import openpyxl

                names = openpyxl.load_workbook(path, read_only=True).sheetnames
            except Exception:  # noqa: BLE001 - only for the hint
                names = []
            raise DataError(f"sheet {sheet!r} not found; the workbook has sheets "
                            f"{', '.join(map(repr, names)) or '(none)'}", file=path) from None
        raise bad_file(path, "an Excel workbook (.xlsx)", exc) from None
    except Exception as exc:  # noqa: BLE001 - zipfile, XML and openpyxl errors of a bad file
        raise bad_file(path, "an Excel workbook (.xlsx)", exc) from None
    if frame.empty:
        raise DataError("the sheet is empty; export the responses again", file=path)
    header = ["" if pd.isna(h) else (str(int(h)) if isinstance(h, float) and h.is_integer()
                                     else str(h)) for h in frame.iloc[0].tolist()]
    check_header(header, path)
    rows = [header] + [["" if pd.isna(v) else str(v) for v in frame.iloc[i].tolist()]
                       for i in range(1, min(3, len(frame)))]
    qualtrics = is_qualtrics(rows)
    skip = 3 if qualtrics else 1
    body = frame.iloc[skip:].reset_index(drop=True)
    names = [h.strip() or f"Unnamed: {j}" for j, h in enumerate(header)]
    body.columns = names
    body = body.infer_objects()
    question_text = {n: t for n, t in zip(names, rows[1])} if qualtrics else {}
    return finish(body, skip + 1, "xlsx", path, question_text=question_text)


def write_xlsx(table: pd.DataFrame, tmp: Path, path: Path) -> None:
    """Write ``table`` to the workbook ``tmp``; errors name ``path``, the file it becomes."""
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            table.to_excel(writer, index=False, sheet_name="responses")
    except Exception as exc:  # noqa: BLE001 - openpyxl IllegalCharacterError and friends
        raise DataError(f"cannot write the workbook: {exc}; remove control characters from "
                        "text answers or write CSV instead", file=path) from None

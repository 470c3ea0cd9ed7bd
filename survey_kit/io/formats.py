"""File formats of raw survey exports: which one a file is, and the reader or writer for it.

This module picks the format and hands the file to the module that knows it
(:mod:`~survey_kit.io.csv_format`, :mod:`~survey_kit.io.excel`,
:mod:`~survey_kit.io.spss_stata`, :mod:`~survey_kit.io.parquet`); none of them
knows questionnaires. :mod:`survey_kit.io.read` maps the raw table onto the
instrument (codes -> labelled categoricals), :mod:`survey_kit.io.write` goes back.

Formats (chosen from the file extension, or given as ``format=``):

============  ==========================================  ===================
format        extensions                                  first data row
============  ==========================================  ===================
``csv``       .csv, .txt (tab-separated .txt detected)    row 2 (header = 1)
``tsv``       .tsv                                        row 2
``qualtrics`` CSV with three header rows (detected)       row 4
              CSV, legacy V1.. over labels (detected)     row 3
``xlsx``      .xlsx, .xlsm                                row 2 (row 4 if the
                                                          sheet has Qualtrics
                                                          header rows, 3 under
                                                          a legacy one)
``sav``       .sav, .zsav (SPSS)                          case 1
``dta``       .dta (Stata)                                observation 1
``parquet``   .parquet, .pq                               record 1
============  ==========================================  ===================

Row numbers in error messages are the rows a user sees: in a CSV or a sheet
the header is row 1, so the first respondent is row 2 (row 4 under the three
header rows of a Qualtrics export, row 3 under a legacy one); SPSS, Stata and
Parquet files have no header row, so the first respondent is row 1 there.

How CSV text is decoded is told in :mod:`~survey_kit.io.csv_format`.

Example
-------
>>> format_of("export.SAV"), format_of("export.txt"), format_of("x", "excel")
('sav', 'csv', 'xlsx')
>>> raw = read_raw("sample_data/japan_creators_2024_raw.csv")
>>> raw.first_row, raw.encoding, len(raw.frame)
(2, 'utf-8', 140)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .._files import atomic_write
from ..errors import DataError, ReportError, UsageError
from . import csv_format, excel, parquet, spss_stata
from .raw import ExportSpec, RawTable

__all__ = ["FORMATS", "READ_FORMATS", "WRITE_FORMATS", "format_of", "read_raw", "write_raw"]

# extension -> format
FORMATS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".sav": "sav", ".zsav": "sav",
    ".dta": "dta",
    ".parquet": "parquet", ".pq": "parquet",
}
READ_FORMATS = ("csv", "tsv", "qualtrics", "xlsx", "sav", "dta", "parquet")
WRITE_FORMATS = ("csv", "tsv", "qualtrics", "xlsx", "sav", "dta", "parquet")


def format_of(path: str | Path, format: str | None = None) -> str:
    """The file format, from ``format`` or else from the file extension."""
    if format is not None:
        fmt = str(format).lower().lstrip(".")
        fmt = {"excel": "xlsx", "spss": "sav", "stata": "dta", "pq": "parquet"}.get(fmt, fmt)
        if fmt not in READ_FORMATS:
            raise UsageError(f"unknown format {format!r}; use one of {', '.join(READ_FORMATS)}")
        return fmt
    p = Path(path)
    ext = p.suffix.lower()
    if ext in FORMATS:
        return FORMATS[ext]
    known = ", ".join(sorted(FORMATS))
    raise DataError(f"unsupported file extension {ext or '(none)'!r}; response files must end "
                    f"in one of {known}, or pass format= (csv, xlsx, sav, dta, parquet)",
                    file=p)


def read_raw(path: str | Path, format: str | None = None, *, encoding: str | None = None,
             sheet: str | int | None = None, text_columns: Iterable[str] = ()) -> RawTable:
    """Read a response file into a :class:`RawTable` (no mapping, no conversion).

    Parameters
    ----------
    path : the file (for Parquet, also a folder, a glob or a list of parts)
    format : force a format instead of guessing it from the extension
    encoding : text encoding of a CSV (default: detected)
    sheet : sheet name or 0-based position in a workbook (default: the first)
    text_columns : columns to keep as text in a CSV (ids with leading zeros, open answers)

    Raises
    ------
    DataError
        The file is missing, empty, of an unknown kind, not decodable, or malformed.
    """
    if format in (None, "parquet", "pq") and (isinstance(path, (list, tuple)) or (
            parquet.is_parquet_source(path) and not Path(path).is_file())):
        return parquet.read_parquet(path)          # a folder, a glob or a list of parts
    path = Path(path)
    fmt = format_of(path, format)
    if not path.exists():
        raise DataError("file not found; check the path of the response file", file=path)
    if path.is_dir():
        raise DataError("this is a folder, not a response file", file=path)
    if fmt in ("csv", "tsv", "qualtrics"):
        return csv_format.read_csv(path, fmt, encoding, set(text_columns))
    if encoding is not None and fmt not in ("sav", "dta"):
        raise UsageError(f"encoding= applies to CSV, SPSS and Stata files, not to {fmt} files")
    if fmt == "xlsx":
        return excel.read_xlsx(path, sheet)
    if fmt in ("sav", "dta"):
        return spss_stata.read_stat(path, fmt, encoding)
    return parquet.read_parquet(path)


def write_raw(table: pd.DataFrame, path: str | Path, fmt: str, spec: ExportSpec | None = None,
              *, encoding: str = "utf-8") -> Path:
    """Write a raw table (export layout, index ignored) atomically in ``fmt``.

    CSV, TSV, Qualtrics CSV and XLSX writers escape formula-leading text; SPSS, Stata
    and Parquet are no spreadsheets and are written as they are.
    """
    path = Path(path)
    spec = spec or ExportSpec()
    if fmt not in WRITE_FORMATS:
        raise UsageError(f"cannot write format {fmt!r}; use one of {', '.join(WRITE_FORMATS)}")
    if path.is_dir():
        raise UsageError("this is a folder; give the path of the file to write", file=path)
    try:
        return _write(table, path, fmt, spec, encoding)
    except OSError as exc:
        raise ReportError(f"cannot write the file ({exc.strerror or exc}); choose a writable "
                          "location", file=path) from None


def _write(table: pd.DataFrame, path: Path, fmt: str, spec: ExportSpec, encoding: str) -> Path:
    if fmt in ("csv", "tsv", "qualtrics"):
        return csv_format.write_csv(table, path, fmt, spec, encoding)
    with atomic_write(path) as tmp:
        if fmt == "xlsx":
            excel.write_xlsx(table, tmp, path)
        elif fmt == "parquet":
            parquet.write_parquet(table, tmp, path)
        elif fmt == "sav":
            spss_stata.write_sav(table, tmp, path, spec)
        else:
            spss_stata.write_dta(table, tmp, path, spec)
    return path

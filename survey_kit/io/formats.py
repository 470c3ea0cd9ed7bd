"""File formats of raw survey exports: read a file into a raw table, write one back.

This module knows bytes, encodings, sheets and header rows; it knows nothing
of questionnaires. :mod:`survey_kit.io.responses` maps the raw table it returns onto the
instrument (codes -> labelled categoricals) and back.

Formats (chosen from the file extension, or given as ``format=``):

============  ==========================================  ===================
format        extensions                                  first data row
============  ==========================================  ===================
``csv``       .csv, .txt (tab-separated .txt detected)    row 2 (header = 1)
``tsv``       .tsv                                        row 2
``qualtrics`` CSV with three header rows (detected)       row 4
``xlsx``      .xlsx, .xlsm                                row 2 (row 4 if the
                                                          sheet has Qualtrics
                                                          header rows)
``sav``       .sav, .zsav (SPSS)                          case 1
``dta``       .dta (Stata)                                observation 1
``parquet``   .parquet, .pq                               record 1
============  ==========================================  ===================

Row numbers in error messages are the rows a user sees: in a CSV or a sheet
the header is row 1, so the first respondent is row 2 (row 4 under the three
header rows of a Qualtrics export); SPSS, Stata and Parquet files have no
header row, so the first respondent is row 1 there.

CSV text is decoded as UTF-8 (with or without a byte-order mark), UTF-16
with a byte-order mark, or CP932 (Windows Shift_JIS), tried in that order
unless ``encoding=`` declares one.

Example
-------
>>> from survey_kit.io.formats import read_raw   # doctest: +SKIP
>>> raw = read_raw("export.csv")                  # doctest: +SKIP
>>> raw.first_row, raw.encoding                   # doctest: +SKIP
(2, 'utf-8')
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import atomic_write
from ..errors import DataError, UsageError

__all__ = [
    "FORMATS",
    "TEXT_DTYPE",
    "RawTable",
    "as_text",
    "format_of",
    "read_raw",
    "write_raw",
]

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

# the dtype of text columns: pandas >= 3 has a dedicated string dtype with NaN as missing
TEXT_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object

_QUALTRICS_MARK = '"importid"'


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

    def __post_init__(self) -> None:
        if self.rows is None:
            self.rows = np.arange(len(self.frame), dtype=np.int64) + self.first_row


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
# reading


def read_raw(path: str | Path, format: str | None = None, *, encoding: str | None = None,
             sheet: str | int | None = None, text_columns: Iterable[str] = ()) -> RawTable:
    """Read a response file into a :class:`RawTable` (no mapping, no conversion).

    Parameters
    ----------
    path : the file
    format : force a format instead of guessing it from the extension
    encoding : text encoding of a CSV (default: detected)
    sheet : sheet name or 0-based position in a workbook (default: the first)
    text_columns : columns to keep as text in a CSV (ids with leading zeros, open answers)

    Raises
    ------
    DataError
        The file is missing, empty, of an unknown kind, not decodable, or malformed.
    """
    path = Path(path)
    fmt = format_of(path, format)
    if not path.exists():
        raise DataError("file not found; check the path of the response file", file=path)
    if path.is_dir():
        raise DataError("this is a folder, not a response file", file=path)
    if fmt in ("csv", "tsv", "qualtrics"):
        return _read_csv(path, fmt, encoding, set(text_columns))
    if encoding is not None and fmt not in ("sav", "dta"):
        raise UsageError(f"encoding= applies to CSV, SPSS and Stata files, not to {fmt} files")
    if fmt == "xlsx":
        return _read_xlsx(path, sheet)
    if fmt in ("sav", "dta"):
        return _read_stat(path, fmt, encoding)
    return _read_parquet(path)


def _normalise_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise UsageError(f"unknown encoding {encoding!r}; use 'utf-8', 'utf-8-sig', 'cp932' "
                         "(Windows Japanese) or 'shift_jis'") from None


def _decode_failure(data: bytes, exc: UnicodeDecodeError, enc: str, path: Path,
                    declared: bool, sep: str) -> DataError:
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    bad = data[exc.start:exc.end]
    head_end = data.find(b"\n")
    header = data[: head_end if head_end >= 0 else len(data)].decode(enc, errors="replace")
    prefix = data[line_start:exc.start].decode(enc, errors="replace")
    column = None
    try:
        names = next(csv.reader([header.lstrip("\ufeff").rstrip("\r")], delimiter=sep))
        pos = len(next(csv.reader([prefix], delimiter=sep))) - 1 if prefix else 0
        if line > 1 and 0 <= pos < len(names) and len(names[pos]) <= 64:
            column = names[pos]
    except (csv.Error, StopIteration):  # pragma: no cover - best effort only
        pass
    if declared:
        other = "utf-8" if enc == "cp932" else "cp932"    # cp932 extends shift_jis
        hint = (f"the file is not {enc} text; check the encoding (Japanese Windows "
                f"exports are usually cp932): try encoding='{other}', or leave encoding "
                "out to detect it")
    else:
        hint = ("the file is neither UTF-8 nor CP932 (Shift_JIS) text; if it is a workbook or "
                "an SPSS/Stata file give it the right extension (.xlsx, .sav, .dta), otherwise "
                "pass encoding= or save it again as UTF-8 CSV")
    return DataError(f"cannot decode byte(s) {bad!r} at line {line}: {hint}", file=path,
                     row=line, column=column)


def _decode(data: bytes, path: Path, encoding: str | None, sep: str) -> tuple[str, str]:
    """Decode CSV bytes; return (text, encoding used)."""
    if encoding is not None:
        enc = _normalise_encoding(encoding)
        if enc == "utf-8" and data.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        if enc in ("cp932", "shift_jis", "euc_jp", "iso2022_jp", "shift_jis_2004") and \
                not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise DataError(f"encoding {encoding!r} was declared but the file is UTF-8 text "
                                "(its Japanese characters decode as UTF-8); pass "
                                "encoding='utf-8' or leave encoding out", file=path)
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            raise _decode_failure(data, exc, enc, path, True, sep) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _decode_failure(data, exc, "utf-8", path, False, sep) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _decode_failure(data, exc, "utf-16", path, False, sep) from None
    if b"\x00" in data[:65536]:
        raise DataError("this is a binary file, not CSV text (it contains NUL bytes); if it is "
                        "a workbook or an SPSS/Stata/Parquet file give it the right extension "
                        "(.xlsx, .sav, .dta, .parquet)", file=path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as first:
        try:
            return data.decode("cp932"), "cp932"
        except UnicodeDecodeError:
            raise _decode_failure(data, first, "utf-8", path, False, sep) from None


def _is_qualtrics(rows: list[list[str]]) -> bool:
    """Row 3 of a Qualtrics export holds ``{"ImportId": ...}`` JSON in its cells."""
    if len(rows) < 3:
        return False
    cells = [c.strip() for c in rows[2] if c and c.strip()]
    if not cells:
        return False
    marked = sum(1 for c in cells if c.startswith("{") and _QUALTRICS_MARK in c.lower())
    return marked * 2 >= len(cells)


def _header_rows(text: str, sep: str, n: int = 3) -> list[list[str]]:
    reader = csv.reader(_io.StringIO(text[:4_000_000]), delimiter=sep)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= n:
                break
    except csv.Error:
        pass
    return rows


def _check_header(names: list[str], path: Path, first_row: int = 1) -> None:
    seen: dict[str, int] = {}
    dups = []
    for j, name in enumerate(names):
        key = name.strip()
        if key == "":
            continue
        if key in seen:
            dups.append((key, seen[key] + 1, j + 1))
        else:
            seen[key] = j
    if dups:
        name, a, b = dups[0]
        more = f" (and {len(dups) - 1} more repeated names)" if len(dups) > 1 else ""
        raise DataError(f"column name {name!r} appears twice in the header, as columns {a} and "
                        f"{b}{more}; every column needs a unique name, so rename or remove one",
                        file=path, row=first_row, column=name)


def _finish(frame: pd.DataFrame, first_row: int, fmt: str, path: Path, **kw: Any) -> RawTable:
    """Drop entirely empty rows (they are no respondent) and keep user row numbers."""
    rows = np.arange(len(frame), dtype=np.int64) + first_row
    skipped: list[int] = []
    if frame.shape[1] and len(frame):
        empty = frame.isna().all(axis=1).to_numpy()
        if empty.any():
            skipped = rows[empty].tolist()
            frame = frame.loc[~empty].reset_index(drop=True)
            rows = rows[~empty]
    return RawTable(frame, first_row, fmt, path, skipped_rows=skipped, rows=rows, **kw)


def _read_csv(path: Path, fmt: str, encoding: str | None, text_columns: set[str]) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror}); check its permissions",
                        file=path) from None
    sep = "\t" if fmt == "tsv" else ","
    text, used = _decode(data, path, encoding, sep)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DataError("the file is empty; export the responses again", file=path)
    rows = _header_rows(text, sep)
    if (fmt == "csv" and path.suffix.lower() == ".txt" and rows and len(rows[0]) == 1
            and "\t" in rows[0][0]):
        sep = "\t"                      # a tab-separated .txt (e.g. Excel's "Unicode text")
        rows = _header_rows(text, sep)
    header = rows[0] if rows else []
    _check_header(header, path)
    qualtrics = _is_qualtrics(rows)
    if fmt == "qualtrics" and not qualtrics:
        raise DataError("format='qualtrics' was given but row 3 of the file does not hold "
                        'Qualtrics ImportId cells ({"ImportId": ...}); read it as a plain CSV',
                        file=path, row=3)
    first_row = 4 if qualtrics else 2
    names = [h.strip() for h in header]
    dtype = {c: str for c in header if c.strip() in text_columns}
    try:
        frame = pd.read_csv(_io.StringIO(text), sep=sep, header=0,
                            skiprows=[1, 2] if qualtrics else None, dtype=dtype or None,
                            keep_default_na=False, na_values=[""], skip_blank_lines=False,
                            low_memory=False)
    except pd.errors.EmptyDataError:
        raise DataError("the file has no header row; export the responses again",
                        file=path) from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        msg = str(exc).strip().splitlines()[-1]
        raise DataError(f"malformed CSV ({msg}); a row has more cells than the header, often "
                        "because an open answer with a comma or line break is not quoted. "
                        "Export the file again with quoted text fields", file=path) from None
    frame.columns = names[: frame.shape[1]] + [str(c) for c in frame.columns[len(names):]]
    question_text: dict[str, str] = {}
    if qualtrics and len(rows) > 1:
        question_text = {n: t for n, t in zip(names, rows[1])}
    return _finish(frame, first_row, "qualtrics" if qualtrics else fmt, path, encoding=used,
                   question_text=question_text)


def _read_xlsx(path: Path, sheet: str | int | None) -> RawTable:
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
        raise _bad_file(path, "an Excel workbook (.xlsx)", exc) from None
    except Exception as exc:  # noqa: BLE001 - zipfile, XML and openpyxl errors of a bad file
        raise _bad_file(path, "an Excel workbook (.xlsx)", exc) from None
    if frame.empty:
        raise DataError("the sheet is empty; export the responses again", file=path)
    header = ["" if pd.isna(h) else (str(int(h)) if isinstance(h, float) and h.is_integer()
                                     else str(h)) for h in frame.iloc[0].tolist()]
    _check_header(header, path)
    rows = [header] + [["" if pd.isna(v) else str(v) for v in frame.iloc[i].tolist()]
                       for i in range(1, min(3, len(frame)))]
    qualtrics = _is_qualtrics(rows)
    skip = 3 if qualtrics else 1
    body = frame.iloc[skip:].reset_index(drop=True)
    names = [h.strip() or f"Unnamed: {j}" for j, h in enumerate(header)]
    body.columns = names
    body = body.infer_objects()
    question_text = {n: t for n, t in zip(names, rows[1])} if qualtrics else {}
    return _finish(body, skip + 1, "xlsx", path, question_text=question_text)


def _bad_file(path: Path, kind: str, exc: BaseException) -> DataError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DataError(f"cannot be read as {kind} ({detail}); the file is damaged or of another "
                     "kind: export it again, or check that the extension matches the content",
                     file=path)


def _read_stat(path: Path, fmt: str, encoding: str | None) -> RawTable:
    import pyreadstat

    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    kind = "an SPSS file (.sav)" if fmt == "sav" else "a Stata file (.dta)"
    try:
        frame, meta = reader(str(path), apply_value_formats=False, user_missing=True,
                             encoding=encoding)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises several private types
        raise _bad_file(path, kind, exc) from None
    labels = {k: dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    texts = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    return _finish(frame, 1, fmt, path, value_labels=labels, question_text=texts)


def _read_parquet(path: Path) -> RawTable:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a bad file
        raise _bad_file(path, "a Parquet file", exc) from None
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame.columns = [str(c) for c in frame.columns]
    return _finish(frame.reset_index(drop=True), 1, "parquet", path)


# ---------------------------------------------------------------------------
# writing


@dataclass
class ExportSpec:
    """What a writer needs besides the table: labels and missing codes by column."""

    column_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    missing_codes: dict[str, list[float]] = field(default_factory=dict)
    measure: dict[str, str] = field(default_factory=dict)
    import_ids: dict[str, dict[str, str]] = field(default_factory=dict)
    file_label: str = ""


def write_raw(table: pd.DataFrame, path: str | Path, fmt: str, spec: ExportSpec | None = None,
              *, encoding: str = "utf-8") -> Path:
    """Write a raw table (export layout, index ignored) atomically in ``fmt``."""
    path = Path(path)
    spec = spec or ExportSpec()
    if fmt not in WRITE_FORMATS:
        raise UsageError(f"cannot write format {fmt!r}; use one of {', '.join(WRITE_FORMATS)}")
    if fmt in ("csv", "tsv", "qualtrics"):
        return _write_csv(table, path, fmt, spec, encoding)
    with atomic_write(path) as tmp:
        if fmt == "xlsx":
            _write_xlsx(table, tmp, path)
        elif fmt == "parquet":
            try:
                table.to_parquet(tmp, index=False)
            except Exception as exc:  # noqa: BLE001 - pyarrow conversion errors
                raise DataError(f"cannot write Parquet: {exc}; give each column one type "
                                "(numbers or text)", file=path) from None
        elif fmt == "sav":
            _write_sav(table, tmp, path, spec)
        else:
            _write_dta(table, tmp, path, spec)
    return path


def _write_csv(table: pd.DataFrame, path: Path, fmt: str, spec: ExportSpec, encoding: str) -> Path:
    enc = _normalise_encoding(encoding)
    sep = "\t" if fmt == "tsv" else ","
    buf = _io.StringIO()
    if fmt == "qualtrics":
        w = csv.writer(buf, lineterminator="\n")
        cols = [str(c) for c in table.columns]
        w.writerow(cols)
        w.writerow([spec.column_labels.get(c, c) for c in cols])
        w.writerow([json.dumps(spec.import_ids.get(c, {"ImportId": c}), ensure_ascii=False)
                    for c in cols])
        table.to_csv(buf, index=False, header=False, lineterminator="\n")
    else:
        table.to_csv(buf, index=False, sep=sep, lineterminator="\n")
    text = buf.getvalue()
    try:
        data = text.encode(enc)
    except UnicodeEncodeError as exc:
        ch = exc.object[exc.start:exc.end]
        line = exc.object.count("\n", 0, exc.start) + 1
        raise DataError(f"character {ch!r} (line {line} of the output) cannot be written in "
                        f"{enc}; write UTF-8 instead (encoding='utf-8' or 'utf-8-sig' for Excel)",
                        file=path, row=line, value=ch) from None
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
    return path


def _write_xlsx(table: pd.DataFrame, tmp: Path, path: Path) -> None:
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            table.to_excel(writer, index=False, sheet_name="responses")
    except Exception as exc:  # noqa: BLE001 - openpyxl IllegalCharacterError and friends
        raise DataError(f"cannot write the workbook: {exc}; remove control characters from "
                        "text answers or write CSV instead", file=path) from None


def _utf8_cut(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", errors="ignore")


def _stat_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Columns as pyreadstat writes them: float numbers, object text, naive datetimes."""
    out = {}
    for c in table.columns:
        s = table[c]
        if pd.api.types.is_bool_dtype(s.dtype):
            out[c] = s.astype(float)
        elif pd.api.types.is_numeric_dtype(s.dtype):
            out[c] = s.to_numpy(dtype=float, na_value=np.nan)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[c] = s
        else:
            out[c] = s.astype(object).where(s.notna(), None)
    return pd.DataFrame(out, index=range(len(table)))


def _sav_missing(codes: list[float]) -> list[Any]:
    codes = sorted(set(codes))
    if len(codes) <= 3:
        return codes
    # SPSS allows one range plus one discrete value
    return [{"lo": codes[0], "hi": codes[-2]}, codes[-1]]


def _write_sav(table: pd.DataFrame, tmp: Path, path: Path, spec: ExportSpec) -> None:
    import pyreadstat

    df = _stat_frame(table)
    cols = set(df.columns)
    labels = {c: _utf8_cut(spec.column_labels[c], 255) for c in df.columns
              if c in spec.column_labels}
    value_labels = {c: {float(k): _utf8_cut(v, 120) for k, v in lab.items()}
                    for c, lab in spec.value_labels.items() if c in cols}
    missing = {c: _sav_missing(v) for c, v in spec.missing_codes.items() if c in cols and v}
    measure = {c: m for c, m in spec.measure.items() if c in cols}
    try:
        pyreadstat.write_sav(df, str(tmp), file_label=_utf8_cut(spec.file_label, 64),
                             column_labels=labels or None,
                             variable_value_labels=value_labels or None,
                             missing_ranges=missing or None, variable_measure=measure or None)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises several private types
        raise DataError(f"cannot write the SPSS file: {exc}; SPSS variable names must start "
                        "with a letter and hold letters, digits or _ (64 bytes at most)",
                        file=path) from None


def _write_dta(table: pd.DataFrame, tmp: Path, path: Path, spec: ExportSpec) -> None:
    import pyreadstat

    df = _stat_frame(table)
    cols = set(df.columns)
    labels = {c: _utf8_cut(spec.column_labels[c], 80) for c in df.columns
              if c in spec.column_labels}
    value_labels = {c: {int(k): _utf8_cut(v, 80) for k, v in lab.items() if float(k).is_integer()}
                    for c, lab in spec.value_labels.items() if c in cols}
    try:
        pyreadstat.write_dta(df, str(tmp), file_label=_utf8_cut(spec.file_label, 80),
                             column_labels=labels or None,
                             variable_value_labels=value_labels or None)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises several private types
        raise DataError(f"cannot write the Stata file: {exc}; Stata variable names hold at most "
                        "32 letters, digits or _", file=path) from None

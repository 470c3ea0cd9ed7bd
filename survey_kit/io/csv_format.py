"""CSV exports: decoding the bytes, the Qualtrics three-header layout, writing back.

Text is decoded as UTF-8 (with or without a byte-order mark), UTF-16 with a
byte-order mark, or CP932 (Windows Shift_JIS), tried in that order unless
``encoding=`` declares one. A ``.txt`` file whose header holds tabs is read as
tab-separated (Excel's "Unicode text"). A Qualtrics export is recognised by the
``{"ImportId": ...}`` cells of its third row; its first respondent is row 4. A legacy
(pre-2017) Qualtrics export is recognised by its ``V1, V2, ...`` header over a row of
labels naming ``ResponseID``: that label row is a header, never data, and the first
respondent is row 3; row 2 is kept as the columns' labels (``question_text``), which
name the ``V`` columns (:mod:`survey_kit.io.qualtrics`).

Example
-------
>>> from pathlib import Path
>>> decode("日本の企業".encode("cp932"), Path("export.csv"), None, ",")
('日本の企業', 'cp932')
>>> raw = read_csv(Path("sample_data/japan_creators_2024_raw.csv"), "csv", None, set())
>>> raw.format, raw.encoding, raw.first_row, raw.frame.shape
('csv', 'utf-8', 2, (140, 23))
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import json
import re
from pathlib import Path

import pandas as pd

from .._files import atomic_write
from .._formulas import csv_quoting, escape_frame, escape_text
from ..errors import DataError, UsageError
from .csv_shape import check_shape
from .qualtrics import is_legacy, legacy_names
from .raw import ExportSpec, RawTable, check_header, finish, import_id_of, is_qualtrics

__all__ = ["decode", "normalise_encoding", "read_csv", "write_csv"]


def normalise_encoding(encoding: str) -> str:
    """The codec's canonical name (``'UTF8'`` -> ``'utf-8'``), or a UsageError."""
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


def _cut_character(exc: UnicodeDecodeError, path: Path) -> None:
    """A DataError when UTF-8 text ends inside a character: the file was cut short."""
    text = exc.object      # the bytes decoded (after a byte-order mark)
    if exc.end == len(text) and "unexpected end of data" in str(exc.reason):
        line = text.count(b"\n", 0, exc.start) + 1
        raise DataError(f"the file ends in the middle of a character (line {line} of the text): "
                        "it looks truncated; copy or export it again", file=path)


def decode(data: bytes, path: Path, encoding: str | None, sep: str) -> tuple[str, str]:
    """Decode CSV bytes; return (text, encoding used)."""
    if encoding is not None:
        enc = normalise_encoding(encoding)
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
            if enc in ("utf-8", "utf-8-sig"):
                _cut_character(exc, path)
            raise _decode_failure(data, exc, enc, path, True, sep) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            _cut_character(exc, path)
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
        _cut_character(first, path)
        try:
            return data.decode("cp932"), "cp932"
        except UnicodeDecodeError:
            raise _decode_failure(data, first, "utf-8", path, False, sep) from None


def _header_rows(text: str, sep: str, n: int = 3) -> list[list[str]]:
    """The first ``n`` rows as cells (enough to see a Qualtrics header)."""
    reader = csv.reader(_io.StringIO(text[:4_000_000], newline=""), delimiter=sep)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= n:
                break
    except csv.Error:
        pass
    return rows


def read_csv(path: Path, fmt: str, encoding: str | None, text_columns: set[str]) -> RawTable:
    """Read a CSV, TSV or Qualtrics export; ``text_columns`` stay text (ids, open answers)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror}); check its permissions",
                        file=path) from None
    sep = "\t" if fmt == "tsv" else ","
    text, used = decode(data, path, encoding, sep)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DataError("the file is empty; export the responses again", file=path)
    rows = _header_rows(text, sep)
    if (fmt == "csv" and path.suffix.lower() == ".txt" and rows and len(rows[0]) == 1
            and "\t" in rows[0][0]):
        sep = "\t"                      # a tab-separated .txt (e.g. Excel's "Unicode text")
        rows = _header_rows(text, sep)
    header = rows[0] if rows else []
    _check_header_row(header, sep, path)
    check_header(header, path)
    qualtrics = is_qualtrics(rows)
    legacy = not qualtrics and is_legacy(rows)
    if fmt == "qualtrics" and not (qualtrics or legacy):
        raise DataError("format='qualtrics' was given but row 3 of the file does not hold "
                        'Qualtrics ImportId cells ({"ImportId": ...}) and rows 1-2 are not a '
                        "legacy Qualtrics header (V1, V2, ... over ResponseID, ...); read it "
                        "as a plain CSV", file=path, row=3)
    labels_rows = 2 if qualtrics else 1 if legacy else 0
    first_row = 2 + labels_rows
    names = [h.strip() for h in header]
    named = max((j + 1 for j, n in enumerate(names) if n), default=0)
    check_shape(text, sep, max(named, 1), len(header), path)
    if legacy:          # the questionnaire may name a V column by its row-2 label
        labelled = dict(zip(legacy_names(names, rows[1]), names))
        text_columns = text_columns | {labelled[c] for c in text_columns if c in labelled}
    dtype = {c: str for c in header if c.strip() in text_columns}
    try:
        frame = pd.read_csv(_io.StringIO(text), sep=sep, header=0,
                            skiprows=list(range(1, 1 + labels_rows)) or None,
                            dtype=dtype or None,
                            keep_default_na=False, na_values=[""], skip_blank_lines=False,
                            low_memory=False, index_col=False)
    except pd.errors.EmptyDataError:
        raise DataError("the file has no header row; export the responses again",
                        file=path) from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        msg = str(exc).strip().splitlines()[-1]
        raise DataError(f"malformed CSV ({msg}); a row has more cells than the header, often "
                        "because an open answer with a comma or line break is not quoted. "
                        "Export the file again with quoted text fields", file=path) from None
    question_text: dict[str, str] = {}
    if labels_rows and len(rows) > 1:
        question_text = {n: t for n, t in zip(names, rows[1]) if n}
    import_ids: dict[str, str] = {}
    if qualtrics:
        import_ids = {n: i for n, c in zip(names, rows[2]) if n and (i := import_id_of(c))}
    kind = "three-row" if qualtrics else "legacy" if legacy else None
    return finish(frame, first_row, "qualtrics" if kind else fmt, path, encoding=used,
                  question_text=question_text, names=names, header_row=1, qualtrics=kind,
                  import_ids=import_ids, file_meta={"legacy_qualtrics": legacy})


def _check_header_row(header: list[str], sep: str, path: Path) -> None:
    """The first row must hold the column names, split by ``sep``."""
    if not any(h.strip() for h in header):
        raise DataError("row 1 holds no column names; the header must be the first row of the "
                        "file: remove the empty lines above it", file=path, row=1)
    line = sep.join(header).strip()
    if len(header) <= 2 and re.fullmatch(r"sep=.?", line, re.IGNORECASE):
        raise DataError(f"row 1 is Excel's {line!r} line, not the header; delete that line so "
                        "that the column names are the first row", file=path, row=1)
    if len(header) == 1:
        other = next((c for c in (";", "\t", "|") if c != sep and c in header[0]), None)
        if other is not None:
            shown = {"\t": "tabs"}.get(other, repr(other))
            hint = ("give the file the extension .tsv (or pass format='tsv')" if other == "\t"
                    else "save it again as comma-separated CSV")
            raise DataError(f"the header is a single cell holding {shown}: the file seems "
                            f"separated by {shown}, not by {'tabs' if sep == chr(9) else 'commas'}"
                            f"; {hint}", file=path, row=1)


def write_csv(table: pd.DataFrame, path: Path, fmt: str, spec: ExportSpec, encoding: str) -> Path:
    """Write CSV or TSV atomically; ``qualtrics`` adds the question-text and ImportId rows.

    Formula-leading text (cells, column names, question texts) is escaped first
    (:mod:`survey_kit._formulas`), so a spreadsheet opening the file evaluates nothing.
    """
    enc = normalise_encoding(encoding)
    sep = "\t" if fmt == "tsv" else ","
    cols = [str(c) for c in table.columns]
    table = escape_frame(table)
    labels = [escape_text(spec.column_labels.get(c, c)) for c in cols]
    # the csv writer quotes a cell holding "\n" but not one holding a lone "\r", which
    # readers (and spreadsheets) take for the end of the row: quote every cell then
    quoting = csv_quoting(table, labels)
    buf = _io.StringIO()
    if fmt == "qualtrics":
        w = csv.writer(buf, lineterminator="\n", quoting=quoting)
        w.writerow([escape_text(c) for c in cols])
        w.writerow(labels)
        w.writerow([json.dumps(spec.import_ids.get(c, {"ImportId": c}), ensure_ascii=False)
                    for c in cols])
        table.to_csv(buf, index=False, header=False, lineterminator="\n", quoting=quoting)
    else:
        table.to_csv(buf, index=False, sep=sep, lineterminator="\n", quoting=quoting)
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

"""SPSS (.sav, .zsav) and Stata (.dta) files, through pyreadstat.

Reading keeps the codes (value labels are not applied) and user-missing codes
as values, and returns the file's value labels and variable labels beside the
table. Writing stores variable labels (cut to 255 bytes in SPSS, 80 in Stata),
value labels and, in SPSS, the missing codes as user-missing values: at most
three discrete values, or one range plus one value, per variable (IBM SPSS
Statistics, *Command Syntax Reference*: MISSING VALUES).

Text is written as it is: formula escaping (:mod:`survey_kit._formulas`)
applies to spreadsheets and CSV only, and SPSS and Stata evaluate no formulas.

Both formats store a creation time in their header, which would make two
writes of the same data differ. After pyreadstat writes, the time is set to a
fixed value, 1 January 2000 00:00:00 (the date :mod:`survey_kit.io.excel`
gives workbooks), so identical data give identical bytes:

* SPSS (``$FL2``/``$FL3`` header): the 9-byte ``creation_date`` ``"01 Jan 00"``
  at byte offset 92 and the 8-byte ``creation_time`` ``"00:00:00"`` at offset
  101 (after the 4-byte record type, the 60-byte product name, five 4-byte
  integers and the 8-byte compression bias; IBM SPSS Statistics, *SPSS system
  file format*, "File Header Record");
* Stata 117-119: the 17 characters of ``<timestamp>`` (after its one-byte
  length) become ``"01 Jan 2000 00:00"`` (StataCorp, *Stata file formats*,
  ``dta`` 117+ header: ``<timestamp>``, "dd Mon yyyy hh:mm").

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> import pandas as pd
>>> path = Path(tempfile.mkdtemp()) / "export.sav"
>>> spec = ExportSpec(value_labels={"Q1": {1.0: "Yes", 2.0: "No", 9.0: "Refused"}},
...                   missing_codes={"Q1": [9.0]})
>>> write_sav(pd.DataFrame({"id": ["R1", "R2"], "Q1": [1, 9]}), path, path, spec)
>>> raw = read_stat(path, "sav", None)
>>> raw.frame["Q1"].tolist(), raw.value_labels["Q1"][9.0]
([1.0, 9.0], 'Refused')
>>> sav_missing([97.0, 98.0, 99.0, -1.0])
[{'lo': -1.0, 'hi': 98.0}, 99.0]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .raw import ExportSpec, RawTable, bad_file, finish
from .stat_columns import stat_table

__all__ = ["fix_dta_time", "fix_sav_time", "read_stat", "sav_missing", "write_dta",
           "write_sav"]


def read_stat(path: Path, fmt: str, encoding: str | None) -> RawTable:
    """Read an SPSS (``fmt="sav"``) or Stata (``"dta"``) file with its labels."""
    import pyreadstat

    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    kind = "an SPSS file (.sav)" if fmt == "sav" else "a Stata file (.dta)"
    try:
        frame, meta = reader(str(path), apply_value_formats=False, user_missing=True,
                             encoding=encoding)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises several private types
        raise bad_file(path, kind, exc) from None
    labels = {k: dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    texts = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    return finish(frame, 1, fmt, path, value_labels=labels, question_text=texts,
                  column_meta=_column_meta(meta, labels, texts),
                  file_meta=_file_meta(meta))


def _column_meta(meta: Any, labels: dict, texts: dict) -> dict[str, dict[str, Any]]:
    """What the file declares about each column: variable and value labels, user-missing
    values, measurement level, display format."""
    missing = meta.missing_ranges or {}
    measure = {k: v for k, v in (meta.variable_measure or {}).items() if v != "unknown"}
    formats = meta.original_variable_types or {}
    out: dict[str, dict[str, Any]] = {}
    for c in meta.column_names:
        m = {"label": texts.get(c), "values": labels.get(c), "measure": measure.get(c),
             "format": formats.get(c),
             "missing": [r["lo"] if r["lo"] == r["hi"] else dict(r) for r in missing.get(c, [])]}
        out[c] = {k: v for k, v in m.items() if v}
    return out



def _file_meta(meta: Any) -> dict[str, Any]:
    """User-missing codes and ranges, measurement levels, multiple-response sets and the
    file label that pyreadstat reports (what :mod:`survey_kit.io.describe` drafts from)."""
    missing: dict[str, list[Any]] = {k: list(v) for k, v in
                                     (getattr(meta, "missing_user_values", None) or {}).items()}
    ranges: dict[str, list[tuple[Any, Any]]] = {}
    for col, spans in (getattr(meta, "missing_ranges", None) or {}).items():
        for span in spans:
            lo, hi = span["lo"], span["hi"]
            if lo == hi:
                missing.setdefault(col, []).append(lo)
            else:
                ranges.setdefault(col, []).append((lo, hi))
    return {"missing": missing, "missing_ranges": ranges,
            "measure": dict(getattr(meta, "variable_measure", None) or {}),
            "mr_sets": dict(getattr(meta, "mr_sets", None) or {}),
            "file_label": getattr(meta, "file_label", None) or None}


def _utf8_cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", errors="ignore")


def sav_missing(codes: list[float]) -> list[Any]:
    """Missing codes as SPSS can declare them: three values, or a range plus one value."""
    if any(isinstance(c, str) for c in codes):     # text codes: discrete values only
        return sorted({str(c) for c in codes})[:3]
    codes = sorted(set(codes))
    if len(codes) <= 3:
        return codes
    # SPSS allows one range plus one discrete value
    return [{"lo": codes[0], "hi": codes[-2]}, codes[-1]]


def write_sav(table: pd.DataFrame, tmp: Path, path: Path, spec: ExportSpec) -> None:
    """Write an SPSS file to ``tmp`` with the labels, user-missing codes and display formats
    of ``spec`` (names made legal, whole numbers with integer formats: see
    :mod:`~survey_kit.io.stat_columns`)."""
    import pyreadstat

    df, spec = stat_table(table, spec, "sav")
    cols = set(df.columns)
    labels = {c: _utf8_cut(spec.column_labels[c], 255) for c in df.columns
              if spec.column_labels.get(c)}
    value_labels = {c: _sav_value_labels(df[c], lab) for c, lab in spec.value_labels.items()
                    if c in cols and lab}
    value_labels = {c: lab for c, lab in value_labels.items() if lab}
    missing = {c: sav_missing(v) for c, v in spec.missing_codes.items() if c in cols and v}
    missing.update({c: v for c, v in spec.missing_ranges.items()
                    if c in cols and v and c not in missing and _same_kind(df[c], v)})
    measure = {c: m for c, m in spec.measure.items()
               if c in cols and m in ("nominal", "ordinal", "scale")}
    try:
        pyreadstat.write_sav(df, str(tmp), file_label=_utf8_cut(spec.file_label, 64),
                             column_labels=labels or None,
                             variable_value_labels=value_labels or None,
                             missing_ranges=missing or None, variable_measure=measure or None,
                             variable_format=spec.formats or None)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises several private types
        raise DataError(f"cannot write the SPSS file: {exc}", file=path) from None
    fix_sav_time(tmp)


def _sav_value_labels(s: pd.Series, labels: dict) -> dict:
    """Value labels that fit the column: numeric codes on a numeric column, text codes
    (region codes such as ``UKC``) on a text column."""
    numeric = pd.api.types.is_numeric_dtype(s.dtype)
    out = {}
    for k, v in labels.items():
        is_num = isinstance(k, (int, float, np.integer, np.floating)) and not isinstance(k, bool)
        if is_num and numeric:
            out[float(k)] = _utf8_cut(str(v), 120)
        elif isinstance(k, str) and not numeric:
            out[k] = _utf8_cut(str(v), 120)
    return out


def _same_kind(s: pd.Series, missing: list) -> bool:
    """User-missing values fit the column: numbers (or ranges) on a numeric one, text on a
    text one (an id read as a number and written as text loses them)."""
    numeric = pd.api.types.is_numeric_dtype(s.dtype)
    return all((isinstance(m, dict) or not isinstance(m, str)) == numeric for m in missing)


def write_dta(table: pd.DataFrame, tmp: Path, path: Path, spec: ExportSpec) -> None:
    """Write a Stata file to ``tmp`` with the labels of ``spec`` (integer codes only) and
    display formats (names made legal: see :mod:`~survey_kit.io.stat_columns`)."""
    import pyreadstat

    df, spec = stat_table(table, spec, "dta")
    cols = set(df.columns)
    labels = {c: _utf8_cut(spec.column_labels[c], 80) for c in df.columns
              if spec.column_labels.get(c)}
    value_labels = {c: {int(k): _utf8_cut(v, 80) for k, v in lab.items()
                        if isinstance(k, (int, float, np.integer, np.floating))
                        and float(k).is_integer()}
                    for c, lab in spec.value_labels.items() if c in cols and lab}
    value_labels = {c: lab for c, lab in value_labels.items() if lab}
    try:
        pyreadstat.write_dta(df, str(tmp), file_label=_utf8_cut(spec.file_label, 80),
                             column_labels=labels or None,
                             variable_value_labels=value_labels or None,
                             variable_format=spec.formats or None)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises several private types
        raise DataError(f"cannot write the Stata file: {exc}", file=path) from None
    fix_dta_time(tmp)


#: creation date and time written into SPSS and Stata headers
SAV_DATE, SAV_TIME = b"01 Jan 00", b"00:00:00"
DTA_TIMESTAMP = b"01 Jan 2000 00:00"
_SAV_DATE_AT, _SAV_TIME_AT = 92, 101


def fix_sav_time(path: Path) -> None:
    """Overwrite the creation date and time of an SPSS file's header with fixed values."""
    with open(path, "r+b") as fh:
        head = fh.read(_SAV_TIME_AT + len(SAV_TIME))
        if head[:4] not in (b"$FL2", b"$FL3") or len(head) < _SAV_TIME_AT + len(SAV_TIME):
            return
        fh.seek(_SAV_DATE_AT)
        fh.write(SAV_DATE)
        fh.seek(_SAV_TIME_AT)
        fh.write(SAV_TIME)


def fix_dta_time(path: Path) -> None:
    """Overwrite the ``<timestamp>`` of a Stata 117-119 file's header with a fixed value."""
    with open(path, "r+b") as fh:
        head = fh.read(4096)
        at = head.find(b"<timestamp>")
        if not head.startswith(b"<stata_dta>") or at < 0:
            return
        start = at + len(b"<timestamp>")
        if head[start] != len(DTA_TIMESTAMP) or \
                head[start + 1 + len(DTA_TIMESTAMP):].find(b"</timestamp>") != 0:
            return
        fh.seek(start + 1)
        fh.write(DTA_TIMESTAMP)

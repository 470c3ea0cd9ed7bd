"""SPSS (.sav, .zsav) and Stata (.dta) files, through pyreadstat.

Reading keeps the codes (value labels are not applied) and user-missing codes
as values, and returns the file's value labels and variable labels beside the
table. Writing stores variable labels (cut to 255 bytes in SPSS, 80 in Stata),
value labels and, in SPSS, the missing codes as user-missing values: at most
three discrete values, or one range plus one value, per variable (IBM SPSS
Statistics, *Command Syntax Reference*: MISSING VALUES).

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

__all__ = ["read_stat", "sav_missing", "write_dta", "write_sav"]


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
    return finish(frame, 1, fmt, path, value_labels=labels, question_text=texts)


def _utf8_cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
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


def sav_missing(codes: list[float]) -> list[Any]:
    """Missing codes as SPSS can declare them: three values, or a range plus one value."""
    codes = sorted(set(codes))
    if len(codes) <= 3:
        return codes
    # SPSS allows one range plus one discrete value
    return [{"lo": codes[0], "hi": codes[-2]}, codes[-1]]


def write_sav(table: pd.DataFrame, tmp: Path, path: Path, spec: ExportSpec) -> None:
    """Write an SPSS file to ``tmp`` with the labels and user-missing codes of ``spec``."""
    import pyreadstat

    df = _stat_frame(table)
    cols = set(df.columns)
    labels = {c: _utf8_cut(spec.column_labels[c], 255) for c in df.columns
              if c in spec.column_labels}
    value_labels = {c: {float(k): _utf8_cut(v, 120) for k, v in lab.items()}
                    for c, lab in spec.value_labels.items() if c in cols}
    missing = {c: sav_missing(v) for c, v in spec.missing_codes.items() if c in cols and v}
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


def write_dta(table: pd.DataFrame, tmp: Path, path: Path, spec: ExportSpec) -> None:
    """Write a Stata file to ``tmp`` with the labels of ``spec`` (integer codes only)."""
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

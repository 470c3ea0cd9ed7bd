"""Parquet files: a typed table, no header row (the first respondent is record 1).

Text is written as it is: Parquet is no spreadsheet, so formula escaping
(:mod:`survey_kit._formulas`) does not apply.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> import pandas as pd
>>> path = Path(tempfile.mkdtemp()) / "export.parquet"
>>> write_parquet(pd.DataFrame({"id": ["R1", "R2"], "Q1": [1, 2]}), path, path)
>>> raw = read_parquet(path)
>>> raw.first_row, raw.frame["Q1"].tolist()
(1, [1, 2])
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import DataError
from .raw import RawTable, bad_file, finish

__all__ = ["read_parquet", "write_parquet"]


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file; a named index becomes the first column."""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a bad file
        raise bad_file(path, "a Parquet file", exc) from None
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame.columns = [str(c) for c in frame.columns]
    return finish(frame.reset_index(drop=True), 1, "parquet", path)


def write_parquet(table: pd.DataFrame, tmp: Path, path: Path) -> None:
    """Write ``table`` to ``tmp`` without its index; errors name ``path``."""
    try:
        table.to_parquet(tmp, index=False)
    except Exception as exc:  # noqa: BLE001 - pyarrow conversion errors
        raise DataError(f"cannot write Parquet: {exc}; give each column one type "
                        "(numbers or text)", file=path) from None

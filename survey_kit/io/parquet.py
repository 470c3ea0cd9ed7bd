"""Parquet files: a typed table, no header row (the first respondent is record 1).

A Parquet *dataset* is one file, a folder of them (searched recursively), a
glob or a list (:func:`parquet_files`), as a query engine writes its parts;
:func:`read_parquet` reads all of them in order, one table.

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

import glob as globbing
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, UsageError
from .raw import RawTable, bad_file, finish

__all__ = ["is_parquet_source", "parquet_files", "read_parquet", "write_parquet"]

_GLOB_CHARS = set("*?[")


def is_parquet_source(source: Any) -> bool:
    """Whether ``source`` names a Parquet dataset (a ``.parquet`` file, a folder of them,
    a glob, or a list of files).

    >>> is_parquet_source("parts/*.parquet"), is_parquet_source("export.csv")
    (True, False)
    """
    if isinstance(source, (list, tuple)):
        return bool(source) and all(is_parquet_source(s) for s in source)
    if not isinstance(source, (str, Path)):
        return False
    text = str(source)
    if _GLOB_CHARS & set(text):
        return text.endswith((".parquet", ".pq", "*"))
    path = Path(text)
    return path.suffix.lower() in (".parquet", ".pq") or path.is_dir()


def parquet_files(source: Any) -> list[Path]:
    """The Parquet files of ``source`` (a file, a folder searched recursively, a glob or a
    list of them), sorted; raises :class:`~survey_kit.errors.DataError` when there are none.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"a": [1, 2]}).to_parquet(d / "part-0.parquet")
    >>> pd.DataFrame({"a": [3]}).to_parquet(d / "part-1.parquet")
    >>> [p.name for p in parquet_files(d)] == [p.name for p in parquet_files(f"{d}/*.parquet")]
    True
    """
    if isinstance(source, (list, tuple)):
        files: list[Path] = []
        for s in source:
            files += parquet_files(s)
        return files
    if not isinstance(source, (str, Path)):
        raise UsageError("a Parquet dataset is a path (file, folder or glob) or a list of "
                         f"paths; got {type(source).__name__}")
    text = str(source)
    if _GLOB_CHARS & set(text):
        files = sorted(Path(p) for p in globbing.glob(text, recursive=True) if Path(p).is_file())
        what = "no file matches the glob"
    elif Path(text).is_dir():
        files = sorted(p for p in Path(text).rglob("*") if p.is_file()
                       and p.suffix.lower() in (".parquet", ".pq"))
        what = ("this is a folder, not a response file, and it holds no .parquet file (a "
                "folder is read as a dataset of Parquet parts); give the path of the file")
    elif Path(text).is_file():
        files = [Path(text)]
        what = ""
    else:
        raise DataError("the Parquet dataset does not exist; give a file, a folder or a glob",
                        file=text)
    if not files:
        raise DataError(what, file=text)
    return files


def read_parquet(path: Any) -> RawTable:
    """Read a Parquet file, or every file of a dataset (:func:`parquet_files`) in path order as
    one table (columns matched by name; a column some parts lack is empty there); a named
    index becomes the first column."""
    files = parquet_files(path)
    frames = []
    for f in files:
        try:
            frame = pd.read_parquet(f)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a bad file
            raise bad_file(f, "a Parquet file", exc) from None
        if not isinstance(frame.index, pd.RangeIndex):
            frame = frame.reset_index()
        frame.columns = [str(c) for c in frame.columns]
        frames.append(frame)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if len(files) == 1:
        named = files[0]
    elif isinstance(path, (list, tuple)):           # the parts' common folder
        named = Path(os.path.commonpath([str(f) for f in files]))
    else:
        named = Path(str(path))
    return finish(frame.reset_index(drop=True), 1, "parquet", named)


def write_parquet(table: pd.DataFrame, tmp: Path, path: Path) -> None:
    """Write ``table`` to ``tmp`` without its index; errors name ``path``."""
    try:
        table.to_parquet(tmp, index=False)
    except Exception as exc:  # noqa: BLE001 - pyarrow conversion errors
        raise DataError(f"cannot write Parquet: {exc}; give each column one type "
                        "(numbers or text)", file=path) from None

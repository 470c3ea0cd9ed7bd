"""A Parquet dataset named by a file, a folder or a glob: its files and its size.

Example
-------
>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> pd.DataFrame({"a": [1, 2]}).to_parquet(d / "part-0.parquet")
>>> pd.DataFrame({"a": [3]}).to_parquet(d / "part-1.parquet")
>>> [p.name for p in parquet_files(d)]
['part-0.parquet', 'part-1.parquet']
>>> [p.name for p in parquet_files(str(d / "part-*.parquet"))]
['part-0.parquet', 'part-1.parquet']
"""

from __future__ import annotations

import glob as globbing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import DataError, UsageError

__all__ = ["ENGINES", "SIZE_THRESHOLD", "choose_engine", "dataset_bytes", "is_parquet_source",
           "parquet_files"]

#: engine names accepted by ``engine=`` and the CLI's ``--engine``
ENGINES = ("auto", "pandas", "duckdb", "dask")

#: datasets larger than this (bytes on disk) go to DuckDB under ``engine="auto"``
SIZE_THRESHOLD = 256 * 1024 ** 2

_GLOB_CHARS = set("*?[")


def is_parquet_source(source: Any) -> bool:
    """Whether ``source`` names a Parquet dataset (a ``.parquet`` file, a folder of them,
    a glob, or a list of files)."""
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
    list of them), sorted; raises :class:`~survey_kit.errors.DataError` when there are none."""
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
        what = "the folder holds no .parquet file"
    elif Path(text).is_file():
        files = [Path(text)]
        what = ""
    else:
        raise DataError("the Parquet dataset does not exist; give a file, a folder or a glob",
                        file=text)
    if not files:
        raise DataError(what, file=text)
    return files


def dataset_bytes(files: Sequence[Path]) -> int:
    """Total size on disk of ``files``."""
    return sum(p.stat().st_size for p in files)


def choose_engine(engine: str, files: Sequence[Path], threshold: int = SIZE_THRESHOLD) -> str:
    """The engine to use: ``engine`` itself, or for ``"auto"`` pandas below ``threshold``
    bytes on disk and DuckDB above.

    >>> choose_engine("dask", [])
    'dask'
    >>> choose_engine("auto", [])
    'pandas'
    """
    if engine not in ENGINES:
        raise UsageError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if engine != "auto":
        return engine
    return "duckdb" if dataset_bytes(files) > threshold else "pandas"

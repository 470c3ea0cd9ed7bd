"""Which engine reads a Parquet dataset (a file, a folder or a glob; named by
:func:`survey_kit.io.parquet.parquet_files`): its size decides under ``auto``.

Example
-------
>>> choose_engine("auto", []), choose_engine("duckdb", [])
('pandas', 'duckdb')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ..io.parquet import is_parquet_source, parquet_files

__all__ = ["ENGINES", "SIZE_THRESHOLD", "choose_engine", "dataset_bytes", "is_parquet_source",
           "parquet_files"]

#: engine names accepted by ``engine=`` and the CLI's ``--engine``
ENGINES = ("auto", "pandas", "duckdb", "dask")

#: datasets larger than this (bytes on disk) go to DuckDB under ``engine="auto"``
SIZE_THRESHOLD = 256 * 1024 ** 2

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

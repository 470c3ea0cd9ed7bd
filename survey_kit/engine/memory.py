"""The pandas engine: the dataset read into memory, the reference for the others.

Example
-------
>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "d.parquet"
>>> pd.DataFrame({"g": ["a", "b", "a"], "w": [1.0, 2.0, 3.0]}).to_parquet(path)
>>> eng = PandasEngine([path])
>>> eng.moments(["g"], "w")[["g", "__n", "__s1"]].values.tolist()
[['a', 2, 4.0], ['b', 1, 2.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import atomic_write
from .base import (
    lookup_factor,
    partition_moments,
    partition_replicate_sums,
    partition_sketch,
    sketch_matrix,
)

__all__ = ["PandasEngine"]


class PandasEngine:
    """The dataset as one pandas DataFrame (read once, on first use)."""

    name = "pandas"

    def __init__(self, files: Sequence[Path] | pd.DataFrame) -> None:
        if isinstance(files, pd.DataFrame):
            self._frame: pd.DataFrame | None = files
            self.files: list[Path] = []
        else:
            self._frame = None
            self.files = list(files)

    @property
    def frame(self) -> pd.DataFrame:
        """The respondents in memory."""
        if self._frame is None:
            self._frame = pd.concat([pd.read_parquet(p) for p in self.files],
                                    ignore_index=True)
        return self._frame

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def moments(self, keys: Sequence[str], weight: str | None,
                numeric: Sequence[str] = ()) -> pd.DataFrame:
        return partition_moments(self.frame, keys, weight, numeric)

    def replicate_sums(self, keys: Sequence[str], weight: str | None,
                       replicates: Sequence[str], numeric: Sequence[str] = (),
                       multiply: bool = False) -> pd.DataFrame:
        return partition_replicate_sums(self.frame, keys, weight, replicates, numeric, multiply)

    def sketch(self, weight: str | None, replicates: Sequence[str], multiply: bool,
               k: int) -> np.ndarray:
        return sketch_matrix(partition_sketch(self.frame, weight, replicates, multiply, k),
                             len(replicates), k)

    def write_factor(self, out: Path, weight: str | None, lookup: pd.DataFrame,
                     keys: Sequence[str], name: str,
                     columns: Sequence[str] | None = None) -> None:
        frame = self.frame.copy(deep=False)
        if columns is not None:
            frame = frame[[c for c in columns if c != name]]
        frame[name] = lookup_factor(self.frame, weight, lookup, keys)
        with atomic_write(Path(out)) as tmp:
            frame.to_parquet(tmp, index=False)

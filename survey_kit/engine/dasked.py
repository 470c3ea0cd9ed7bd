"""The Dask engine: the same grouped sums over a ``dask.dataframe``, on a cluster.

Each partition is reduced in pandas (:func:`~survey_kit.engine.base.partition_moments`)
where it lives; only the small per-partition tables travel to the client,
which adds them up. The computation runs on the active
``distributed.Client`` if there is one (a ``LocalCluster`` or a remote
scheduler: ``Client("tcp://scheduler:8786")``), else on Dask's local threads.

Example
-------
>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "d.parquet"
>>> pd.DataFrame({"g": ["a", "b", "a"], "w": [1.0, 2.0, 3.0]}).to_parquet(path)
>>> eng = DaskEngine([path])
>>> eng.moments(["g"], "w").sort_values("g")[["g", "__n", "__s1"]].values.tolist()
[['a', 2, 4.0], ['b', 1, 2.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import atomic_write
from .base import (
    combine_moments,
    lookup_factor,
    partition_moments,
    partition_replicate_sums,
    partition_sketch,
    sketch_matrix,
)

__all__ = ["DaskEngine"]


def _weights_part(part: pd.DataFrame, weight: str | None, lookup: pd.DataFrame,
                  keys: list[str], name: str, columns: list[str] | None) -> pd.DataFrame:
    out = part.copy(deep=False) if columns is None else part[columns].copy()
    out[name] = lookup_factor(part, weight, lookup, keys)
    return out


class DaskEngine:
    """``dask.dataframe.read_parquet`` over the files (or a given Dask DataFrame)."""

    name = "dask"

    def __init__(self, files: Sequence[Path] | Any) -> None:
        import dask.dataframe as dd

        if isinstance(files, dd.DataFrame):
            self.ddf = files
            self.files: list[Path] = []
        else:
            self.files = [Path(p) for p in files]
            self.ddf = dd.read_parquet([str(p) for p in self.files])
        self.columns = [str(c) for c in self.ddf.columns]

    def moments(self, keys: Sequence[str], weight: str | None,
                numeric: Sequence[str] = ()) -> pd.DataFrame:
        keys, numeric = list(keys), list(numeric)
        cols = list(dict.fromkeys(keys + ([weight] if weight else []) + numeric))
        sub = self.ddf[cols]
        meta = partition_moments(sub._meta, keys, weight, numeric)
        parts = sub.map_partitions(partition_moments, keys, weight, numeric, meta=meta,
                                   align_dataframes=False)
        return combine_moments(parts.compute(), keys)

    def replicate_sums(self, keys: Sequence[str], weight: str | None,
                       replicates: Sequence[str], numeric: Sequence[str] = (),
                       multiply: bool = False) -> pd.DataFrame:
        keys, numeric = list(keys), list(numeric)
        cols = list(dict.fromkeys(keys + ([weight] if weight else []) + list(replicates)
                                  + numeric))
        sub = self.ddf[cols]
        args = (keys, weight, list(replicates), numeric, multiply)
        meta = partition_replicate_sums(sub._meta, *args)
        parts = sub.map_partitions(partition_replicate_sums, *args, meta=meta,
                                   align_dataframes=False)
        return combine_moments(parts.compute(), keys)

    def sketch(self, weight: str | None, replicates: Sequence[str], multiply: bool,
               k: int) -> np.ndarray:
        cols = list(dict.fromkeys(([weight] if weight else []) + list(replicates)))
        sub = self.ddf[cols]
        args = (weight, list(replicates), multiply, k)
        meta = partition_sketch(sub._meta, *args)
        parts = sub.map_partitions(partition_sketch, *args, meta=meta, align_dataframes=False)
        return sketch_matrix(parts.compute(), len(replicates), k)

    def write_factor(self, out: Path, weight: str | None, lookup: pd.DataFrame,
                     keys: Sequence[str], name: str,
                     columns: Sequence[str] | None = None) -> None:
        """Write a Parquet folder ``out`` (one file per partition, written by the workers)."""
        ddf = self.ddf.drop(columns=[name]) if name in self.columns else self.ddf
        cols = None if columns is None else [c for c in columns if c != name]
        meta = (ddf._meta if cols is None else ddf._meta[cols]).assign(
            **{name: pd.Series([], dtype=float)})
        new = ddf.map_partitions(_weights_part, weight, lookup, list(keys), name, cols,
                                 meta=meta)
        with atomic_write(Path(out)) as tmp:
            tmp.unlink()                 # Dask writes a folder of parts (one per partition)
            new.to_parquet(str(tmp), write_index=False, write_metadata_file=False)

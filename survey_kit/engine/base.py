"""What an engine answers: weighted moments per group, and weights written back.

Every design-based estimate, raking and Rao-Scott test of this toolkit
reduces to sums over the respondents of a group (a combination of stratum,
PSU and the levels of the analysis variables): the count, the sums of the
weights and of their squares, and for a numeric variable ``y`` the sums of
``y``, ``w y``, ``w y^2``, ``w^2 y``, ``w^2 y^2``. :meth:`Engine.moments`
returns that table (one row per group, "atoms"); :meth:`Engine.write_factor`
writes the dataset back with a new weight column ``base x factor[group]``
(raking and post-stratification factors are constant within a combination of
the margins' levels), streaming, without collecting the rows.

Moment columns (``y`` a numeric variable):

========== ======================================================
``__n``    rows
``__nz``   rows with non-zero weight
``__bad``  rows whose weight is missing, infinite or negative
``__s1``   sum of w;  ``__s2``: sum of w^2
``c:y``    rows where y is not missing (``cz:y`` and w != 0)
``s1:y``   sum of w where y is present; ``s2:y`` sum of w^2
``sy:y``   sum of y (w != 0); ``swy:y``, ``swyy:y``, ``sw2y:y``, ``sw2yy:y``
========== ======================================================

Example
-------
>>> import pandas as pd
>>> part = pd.DataFrame({"g": ["a", "a", "b"], "w": [1.0, 3.0, 2.0], "y": [1.0, None, 5.0]})
>>> m = partition_moments(part, ["g"], "w", ["y"])
>>> m[["g", "__n", "__s1", "__s2", "c:y", "swy:y"]].to_string(index=False)
'g  __n  __s1  __s2  c:y  swy:y\\na    2   4.0  10.0    1    1.0\\nb    1   2.0   4.0    1   10.0'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

__all__ = ["BASE_MOMENTS", "Engine", "NUMERIC_MOMENTS", "Progress", "combine_moments",
           "lookup_factor", "partition_moments"]

#: moments of every group
BASE_MOMENTS = ("__n", "__nz", "__bad", "__s1", "__s2")
#: moments of each numeric variable (``f"{name}:{y}"``)
NUMERIC_MOMENTS = ("c", "cz", "s1", "s2", "sy", "swy", "swyy", "sw2y", "sw2yy")

#: a progress callback: one line of text per step
Progress = Callable[[str], None]


class Engine(Protocol):
    """An engine over one dataset (see the module's docstring)."""

    name: str
    columns: list[str]

    def moments(self, keys: Sequence[str], weight: str | None,
                numeric: Sequence[str] = ()) -> pd.DataFrame:
        """One row per combination of ``keys`` (missing values form their own group)."""
        ...

    def write_factor(self, out: Path, weight: str | None, lookup: pd.DataFrame,
                     keys: Sequence[str], name: str,
                     columns: Sequence[str] | None = None) -> None:
        """Write the dataset (or its ``columns``) to ``out`` (a Parquet file) with column
        ``name`` = ``weight x lookup.factor`` (matched on ``keys``)."""
        ...


def partition_moments(part: pd.DataFrame, keys: Sequence[str], weight: str | None,
                      numeric: Sequence[str] = ()) -> pd.DataFrame:
    """:meth:`Engine.moments` of one in-memory partition (pandas and Dask engines)."""
    keys = list(keys)
    n = len(part)
    w = (np.ones(n) if weight is None
         else pd.to_numeric(part[weight], errors="coerce").to_numpy(dtype=float))
    bad = ~np.isfinite(w) | (w < 0)
    wz = np.where(bad, 0.0, w)
    # group on integer codes (-1: missing), not on the values: less memory, faster
    coded = {k: pd.factorize(part[k], use_na_sentinel=True) for k in keys}
    cols: dict[str, Any] = {k: c for k, (c, _) in coded.items()}
    cols.update({"__n": np.ones(n, dtype=np.int64), "__nz": (wz != 0).astype(np.int64),
                 "__bad": bad.astype(np.int64), "__s1": wz, "__s2": wz * wz})
    for y in numeric:
        v = pd.to_numeric(part[y], errors="coerce").to_numpy(dtype=float)
        have = ~np.isnan(v)
        vz = np.where(have, v, 0.0)
        wy = np.where(have, wz, 0.0)
        cols.update({f"c:{y}": have.astype(np.int64),
                     f"cz:{y}": (have & (wz != 0)).astype(np.int64),
                     f"s1:{y}": wy, f"s2:{y}": wy * wy,
                     f"sy:{y}": np.where(wz != 0, vz, 0.0), f"swy:{y}": wy * vz,
                     f"swyy:{y}": wy * vz * vz, f"sw2y:{y}": wy * wy * vz,
                     f"sw2yy:{y}": wy * wy * vz * vz})
    out = combine_moments(pd.DataFrame(cols), keys)
    for k, (_, uniques) in coded.items():
        code = out[k].to_numpy()
        values = pd.Series(uniques).take(np.maximum(code, 0)).to_numpy()
        if (code < 0).any():
            values = pd.Series(values).where(code >= 0).to_numpy()
        out[k] = values
    return out


def combine_moments(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Sum moment rows of the same group (partial results of several partitions)."""
    keys = list(keys)
    if not keys:
        return frame.drop(columns=[]).sum().to_frame().T.astype(frame.dtypes.to_dict())
    out = frame.groupby(keys, dropna=False, sort=False, observed=True).sum()
    return out.reset_index()


def lookup_factor(part: pd.DataFrame, weight: str | None, lookup: pd.DataFrame,
                  keys: Sequence[str]) -> np.ndarray:
    """``weight x factor`` for the rows of ``part``, the factor matched on ``keys`` (missing
    values match missing values); rows keep their order."""
    keys = list(keys)
    left = part[keys].reset_index(drop=True)
    right = lookup[keys + ["factor"]]
    merged = left.merge(right, how="left", on=keys, sort=False)
    f = merged["factor"].to_numpy(dtype=float)
    base = (np.ones(len(part)) if weight is None
            else pd.to_numeric(part[weight], errors="coerce").to_numpy(dtype=float))
    return base * f

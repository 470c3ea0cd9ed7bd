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
           "lookup_factor", "partition_moments", "partition_replicate_sums",
           "partition_sketch", "replicate_matrix", "sketch_matrix"]

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
    return _decoded(combine_moments(pd.DataFrame(cols), keys), coded)


def _decoded(out: pd.DataFrame, coded: dict) -> pd.DataFrame:
    """The group keys back from their integer codes (-1: missing)."""
    for k, (_, uniques) in coded.items():
        code = out[k].to_numpy()
        values = pd.Series(uniques).take(np.maximum(code, 0)).to_numpy()
        if (code < 0).any():
            values = pd.Series(values).where(code >= 0).to_numpy()
        out[k] = values
    return out


def replicate_matrix(part: pd.DataFrame, weight: str | None, replicates: Sequence[str],
                     multiply: bool) -> np.ndarray:
    """The (n, 1 + R) weights of a partition: the full-sample weight (1 without a column)
    and the replicates' (``multiply``: the columns are multipliers of the full weight)."""
    n = len(part)
    w = (np.ones(n) if weight is None
         else pd.to_numeric(part[weight], errors="coerce").to_numpy(dtype=float))
    reps = part[list(replicates)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if multiply:
        reps = reps * w[:, None]
    return np.column_stack([w, reps])


def partition_replicate_sums(part: pd.DataFrame, keys: Sequence[str], weight: str | None,
                             replicates: Sequence[str], numeric: Sequence[str] = (),
                             multiply: bool = False) -> pd.DataFrame:
    """Per combination of ``keys``: ``__n``, ``__nz`` (full weight non-zero), ``__bad`` (a
    weight missing, infinite or negative), ``s1#j`` the sum of weight j (0: the full
    sample, 1..R: the replicates) and, for each numeric ``y``, ``c:y``, ``cz:y``,
    ``s1#j:y`` and ``swy#j:y`` over the rows where y is present, and ``swyy#0:y``."""
    keys = list(keys)
    W = replicate_matrix(part, weight, replicates, multiply)
    bad = (~np.isfinite(W) | (W < 0)).any(axis=1)
    W = np.where(bad[:, None], 0.0, W)
    coded = {k: pd.factorize(part[k], use_na_sentinel=True) for k in keys}
    cols: dict[str, Any] = {k: c for k, (c, _) in coded.items()}
    cols.update({"__n": np.ones(len(part), dtype=np.int64),
                 "__nz": (W[:, 0] != 0).astype(np.int64), "__bad": bad.astype(np.int64)})
    cols.update({f"s1#{j}": W[:, j] for j in range(W.shape[1])})
    for y in numeric:
        v = pd.to_numeric(part[y], errors="coerce").to_numpy(dtype=float)
        have = ~np.isnan(v)
        vz = np.where(have, v, 0.0)
        cols.update({f"c:{y}": have.astype(np.int64),
                     f"cz:{y}": (have & (W[:, 0] != 0)).astype(np.int64),
                     f"swyy#0:{y}": np.where(have, W[:, 0], 0.0) * vz * vz})
        for j in range(W.shape[1]):
            wj = np.where(have, W[:, j], 0.0)
            cols.update({f"s1#{j}:{y}": wj, f"swy#{j}:{y}": wj * vz})
    return _decoded(combine_moments(pd.DataFrame(cols), keys), coded)


def sketch_matrix(buckets: pd.DataFrame, R: int, k: int) -> np.ndarray:
    """The (k, R) sketch from the summed bucket rows of :func:`partition_sketch`."""
    out = np.zeros((k, R))
    b = buckets.groupby("__b", sort=False).sum()
    out[b.index.to_numpy(dtype=np.int64)] = b[[f"r{j}" for j in range(R)]].to_numpy(float)
    return out


def partition_sketch(part: pd.DataFrame, weight: str | None, replicates: Sequence[str],
                     multiply: bool, k: int) -> pd.DataFrame:
    """A count sketch of the replicate weights (k buckets x R): each row added, with a sign,
    to a bucket, both from a hash of its replicate weights (rows alike go together, which
    keeps the rank). Returned as a frame ``__b``, ``r1..rR`` of the buckets present."""
    W = replicate_matrix(part, weight, replicates, multiply)[:, 1:]
    h = pd.util.hash_pandas_object(pd.DataFrame(W), index=False).to_numpy(dtype=np.uint64)
    bucket = (h % np.uint64(k)).astype(np.int64)
    sign = np.where((h >> np.uint64(40)) & np.uint64(1), -1.0, 1.0)
    out = pd.DataFrame(W * sign[:, None], columns=[f"r{j}" for j in range(W.shape[1])])
    out["__b"] = bucket
    return out.groupby("__b", sort=False).sum().reset_index()


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

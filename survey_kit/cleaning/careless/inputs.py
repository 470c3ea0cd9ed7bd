"""Turning the indices' input into a float matrix, and their output back into pandas.

The careless indices accept a DataFrame (numeric or categorical columns), a
Series or anything array-like of shape (respondents, items); they return a
Series / DataFrame on the respondents' index when given pandas, arrays
otherwise.

Example
-------
>>> import pandas as pd
>>> x = pd.DataFrame({"a": [1, 2], "b": pd.Categorical(["lo", "hi"], ["lo", "hi"])})
>>> as_matrix(x, "demo")[0].tolist()
[[1.0, 1.0], [2.0, 2.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import CleaningError


def as_matrix(x, what: str) -> tuple[np.ndarray, pd.Index | None]:
    """A float64 (n, k) matrix of ``x`` and its row index (None for arrays).

    Categorical columns are taken as their level positions 1..k, so that the
    indices can be computed on the labelled frame directly.
    """
    index = None
    if isinstance(x, pd.Series):
        x = x.to_frame()
    if isinstance(x, pd.DataFrame):
        index = x.index
        cols = []
        for name in x.columns:
            col = x[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                codes = col.cat.codes.to_numpy().astype(np.float64)
                codes[codes < 0] = np.nan
                cols.append(codes + 1.0)
            elif pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
                cols.append(col.to_numpy(dtype=np.float64, na_value=np.nan))
            else:
                raise CleaningError(f"{what}: column {name!r} is not numeric or categorical "
                                    f"(dtype {col.dtype}); give numeric item scores")
        arr = np.column_stack(cols) if cols else np.empty((len(x), 0))
    else:
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError):
            raise CleaningError(f"{what}: the data must be numeric item scores") from None
        if arr.ndim == 1:
            arr = arr[:, None]
    if arr.ndim != 2:
        raise CleaningError(f"{what}: the data must be a 2-d table (respondents x items)")
    if arr.shape[1] == 0:
        raise CleaningError(f"{what}: no items given; pass at least one column")
    infinite = np.isinf(arr)
    if infinite.any():
        i, j = (int(v[0]) for v in np.nonzero(infinite))
        row = index[i] if index is not None else i
        col = x.columns[j] if isinstance(x, pd.DataFrame) else j
        raise CleaningError(f"{what}: item scores must be finite; respondent {row!r} has "
                            f"{arr[i, j]} in column {col!r}; leave a missing answer blank (NaN)")
    return arr, index


def with_index(values, index, name):
    return pd.Series(values, index=index, name=name) if index is not None else values


def frame_with_index(columns: dict, index) -> pd.DataFrame:
    """Columns of per-respondent arrays, on the respondents' index when the input had one."""
    out = pd.DataFrame(columns)
    if index is not None:
        out.index = index
    return out


"""Longstring: the longest (and average) run of identical consecutive answers.

Example
-------
>>> longstring([[3, 3, 3, 3], [1, 2, 2, 5]]).tolist()
[4, 2]
"""

from __future__ import annotations

import itertools

import numpy as np

from .inputs import as_matrix, frame_with_index, with_index


def longstring(x, avg: bool = False):
    """Longest run of identical consecutive answers (careless ``longstring``).

    Parameters
    ----------
    x : DataFrame or array-like, shape (n respondents, k items)
        Item answers in questionnaire order (scores, codes or categoricals).
    avg : bool, default False
        Also return ``avgstr``, the average length of the runs.

    Returns
    -------
    Series / ndarray of int (``longstr``), or a DataFrame with columns
    ``longstr`` and ``avgstr`` when ``avg=True``.

    Notes
    -----
    As R's ``careless::longstring``, which applies ``rle`` to each row: a run
    is a maximal stretch of equal consecutive answers; ``longstr`` is the
    longest run and ``avgstr`` the mean run length, ``k / number of runs``.
    As in ``rle``, a missing answer never equals its neighbour, so it breaks
    a run and forms a run of length 1 itself.

    References
    ----------
    Johnson (2005); Yentes & Wilhelm, R package careless.

    Example
    -------
    >>> longstring([[1, 1, 2, 2, 2], [4, 4, 4, 4, 4]], avg=True)
       longstr  avgstr
    0        3     2.5
    1        5     5.0
    """
    arr, index = as_matrix(x, "longstring")
    longest, avgstr = _longstring_columns(list(np.ascontiguousarray(arr.T)))
    if not avg:
        return with_index(longest, index, "longstr")
    return frame_with_index({"longstr": longest, "avgstr": avgstr}, index)


def _longstring_columns(cols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(longstr, avgstr) from item columns (1-d float arrays, NaN = missing)."""
    n = cols[0].shape[0]
    current = np.ones(n, dtype=np.int64)
    longest = np.ones(n, dtype=np.int64)
    runs = np.ones(n, dtype=np.int64)
    for prev, cur in itertools.pairwise(cols):     # loop over items, not respondents
        same = prev == cur                          # NaN compares unequal
        current = np.where(same, current + 1, 1)
        np.maximum(longest, current, out=longest)
        runs += ~same
    return longest, len(cols) / runs


def longstring_codes(codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_longstring_columns` from integer item codes (negative = missing).

    The same runs (a missing answer equals nothing), counted in 16-bit integers
    in place: ``longstr`` (int64) and ``avgstr`` (float64) are identical.
    """
    n, k = codes[0].shape[0], len(codes)
    small = np.int16 if k < np.iinfo(np.int16).max else np.int64
    current = np.ones(n, dtype=small)
    longest = np.ones(n, dtype=small)
    n_same = np.zeros(n, dtype=small)
    same = np.empty(n, dtype=bool)
    for prev, cur in itertools.pairwise(codes):     # loop over items, not respondents
        np.equal(prev, cur, out=same)
        if cur.size and cur.min() < 0:
            same &= cur >= 0
        current *= same                             # where(same, current + 1, 1)
        current += 1
        np.maximum(longest, current, out=longest)
        n_same += same
    runs = k - n_same.astype(np.int64)
    return longest.astype(np.int64), k / runs


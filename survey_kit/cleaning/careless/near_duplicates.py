"""Near-duplicates: respondents whose answers almost repeat an earlier respondent's.

:func:`near_duplicates` compares every pair (the dense method) up to
``dense_max`` respondents, and above it hands the distinct answer vectors to
the blocked method of :mod:`survey_kit.cleaning.careless.blocked`.

Example
-------
>>> import numpy as np
>>> codes = np.array([[0, 1, 2, 3, 0, 1], [0, 1, 2, 3, 0, 2], [3, 2, 1, 0, 3, 2]])
>>> res = near_duplicates(codes, threshold=0.8, min_items=5)
>>> res.flagged.tolist(), res.match.tolist()
([False, True, False], [-1, 0, -1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import CleaningError
from .blocked import Packed, block_ids, blocked_matches, distinct_rows, n_blocks


@dataclass(frozen=True)
class NearDuplicates:
    """Result of :func:`near_duplicates` (arrays in row order).

    Attributes
    ----------
    flagged : bool ndarray
        True for a respondent whose answers reach the threshold with an
        *earlier* respondent (the first of a group is kept).
    share : float ndarray
        Highest share of identical answers with any other respondent, where
        it reaches the threshold; NaN otherwise.
    match : int ndarray
        Row of the earliest earlier respondent it matches, -1 if none.
    method : str
        "dense" or "blocked", and the guarantee of the method used.
    exact_upto : int
        Pairs whose answer vectors differ (a blank counted as an answer) in at
        most this many items are always compared; -1 means every pair was.
    """

    flagged: np.ndarray
    share: np.ndarray
    match: np.ndarray
    method: str
    exact_upto: int


def _pair_counts(chunk: np.ndarray, codes: np.ndarray, onehot: np.ndarray | None,
                 onehot_chunk: np.ndarray | None, high: list[int],
                 answered: np.ndarray, answered_chunk: np.ndarray):
    """Agreements and commonly answered items of each row of ``chunk`` with every row."""
    common = answered_chunk @ answered.T
    if onehot is not None:
        agree = onehot_chunk @ onehot.T
    else:
        agree = np.zeros_like(common)
    for j in high:                                   # high-cardinality items (e.g. counts)
        a = chunk[:, j][:, None]
        agree += ((a == codes[:, j][None, :]) & (a >= 0)).astype(np.float32)
    return agree, common


def _onehot(codes: np.ndarray, items: list[int]) -> np.ndarray | None:
    if not items:
        return None
    widths = [int(codes[:, j].max()) + 1 for j in items]
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]])
    out = np.zeros((codes.shape[0], int(sum(widths))), dtype=np.float32)
    for off, j in zip(offsets, items):
        c = codes[:, j]
        rows = np.flatnonzero(c >= 0)
        out[rows, off + c[rows]] = 1.0
    return out


def _dense(codes: np.ndarray, threshold: float, min_items: int):
    """All pairs compared; returns (earliest earlier match or -1, best share or NaN)."""
    m, k = codes.shape
    answered = (codes >= 0).astype(np.float32)
    low = [j for j in range(k) if codes[:, j].max() < 64]
    high = [j for j in range(k) if codes[:, j].max() >= 64]
    onehot = _onehot(codes, low)
    match = np.full(m, -1, dtype=np.int64)
    best = np.full(m, np.nan)
    chunk = max(1, min(m, 4_000_000 // max(m, 1)))
    cols = np.arange(m)
    for s in range(0, m, chunk):                     # loop over row blocks, not respondents
        e = min(m, s + chunk)
        agree, common = _pair_counts(codes[s:e], codes, onehot,
                                     None if onehot is None else onehot[s:e], high,
                                     answered, answered[s:e])
        # the counts are exact in float32; divide in float64 so that the share is
        # the correctly rounded ratio (19/20 -> 0.95, not 0.949999988), as in the
        # blocked path, and a share exactly at the threshold is flagged
        with np.errstate(invalid="ignore", divide="ignore"):
            share = agree.astype(np.float64) / common
        ok = (common >= min_items) & (share >= threshold - 1e-12)
        rows = np.arange(s, e)
        ok[rows - s, rows] = False                   # not with oneself
        top = np.where(ok, share, -1.0).max(axis=1)
        best[s:e] = np.where(top >= 0, top, np.nan)
        earlier = ok & (cols[None, :] < rows[:, None])
        has = earlier.any(axis=1)
        match[s:e] = np.where(has, earlier.argmax(axis=1), -1)
    return match, best


def _item_columns(codes) -> list[np.ndarray]:
    """The items of ``codes`` as a list of 1-d integer code arrays (see near_duplicates).

    Columns given as a list keep their own integer type when it is at most 32 bits
    wide (no copy: the categoricals' int8 codes stay int8); anything else is
    converted to int32, as a 2-d array is (items as rows, one contiguous copy).
    """
    if isinstance(codes, (list, tuple)):
        cols = [_code_column(c) for c in codes]
        if any(c.ndim != 1 for c in cols) or len({c.shape[0] for c in cols}) > 1:
            raise CleaningError("near_duplicates: the item columns must be 1-d arrays of the "
                                "same length (one code per respondent)")
        return cols
    arr = np.asarray(codes)
    if arr.ndim != 2:
        raise CleaningError("near_duplicates: codes must be a 2-d array (respondents x "
                            "items) or a list of item columns")
    dtype = arr.dtype if _narrow_int(arr.dtype) else np.int32
    return list(np.ascontiguousarray(arr.T, dtype=dtype))


def _narrow_int(dtype) -> bool:
    """Integers whose every value fits int32 (so that they need no conversion)."""
    return ((dtype.kind == "i" and dtype.itemsize <= 4)
            or (dtype.kind == "u" and dtype.itemsize <= 2))


def _code_column(c) -> np.ndarray:
    c = np.asarray(c)
    return c if _narrow_int(c.dtype) else c.astype(np.int32)


def _row_matrix(cols: list[np.ndarray]) -> np.ndarray:
    """(rows, items) int32 matrix of item columns, for the dense comparison."""
    out = np.empty((cols[0].shape[0], len(cols)), dtype=np.int32)
    for j, c in enumerate(cols):
        out[:, j] = c
    return out


def near_duplicates(codes, threshold: float = 0.85, min_items: int = 10,
                    dense_max: int = 5000) -> NearDuplicates:
    """Respondents whose answers are (almost) identical to an earlier respondent's.

    Parameters
    ----------
    codes : int array, shape (n, k)
        One column per item, answers as non-negative integer codes in file
        order, -1 where the item was not answered (blank or missing code).
    threshold : float, default 0.85
        Minimum share of identical answers among the items both answered.
    min_items : int, default 10
        Minimum number of items both answered for a pair to count (capped at
        k, so that short questionnaires can still be checked).
    dense_max : int, default 5000
        Up to this many respondents (with enough answers) every pair is
        compared; above it the blocked method is used.

    Returns
    -------
    NearDuplicates

    Notes
    -----
    Share for respondents i, j: :math:`a_{ij} / m_{ij}` with :math:`m_{ij}`
    the items both answered (at least ``min_items``) and :math:`a_{ij}` those
    answered identically. A respondent is flagged when the share with some
    *earlier* respondent is at least ``threshold``: the first of a group is
    kept.

    Methods. *Dense* (n <= ``dense_max``): the counts come from matrix
    products of one-hot answer indicators, in row blocks; exact, O(n^2 k).
    *Blocked* (larger n): (1) exact duplicates are grouped by hashing whole
    answer vectors (one representative kept per group, the others matched to
    it with share 1); (2) if the representatives still exceed ``dense_max``,
    the k items are dealt into b interleaved blocks and pairs are compared
    only when they agree completely on at least two blocks (a hash join on
    every pair of blocks). Guarantee: two vectors that differ in d items
    (a blank counted as an answer) differ in at most d blocks, so every pair
    with d <= b - 2 is compared, exactly. b is floor((1 - threshold) k) + 2
    (capped at max(2, k // 4) so that a join key spans at least about 8
    items), hence with complete answers every pair at or above the threshold
    is found; ``exact_upto`` reports b - 2. To bound the work on very large
    files, b is lowered until the b(b-1)/2 joins times the distinct vectors
    stay within 10 million (at 1,000,000 distinct vectors: 5 blocks, 10
    joins, every pair differing in at most 3 items is found; pairs with more
    differences are found when those fall in at most b - 2 blocks). Within a
    join, a group of more than 24 rows sharing the key (answers concentrated
    on a few patterns) is ordered by the other blocks and each row compared
    with its next 4 rows, which bounds the work at the cost of exactness in
    such groups.

    Memory: the codes are read in their own integer type (a list of int8
    columns stays 1 byte per answer) and never copied whole; the blocked
    method holds one record of 4 bits per item (a 64-bit word per item with
    15 or more levels) and one 32-bit id per block for each respondent.
    """
    cols = _item_columns(codes)
    k = len(cols)
    n = cols[0].shape[0] if k else 0
    if not 0 < threshold <= 1:
        raise CleaningError(f"near_duplicates: threshold must be in (0, 1], not {threshold!r}")
    need = max(1, min(int(min_items), k))
    dense = "dense: every pair compared"
    if k == 0 or n < 2:
        return _near_result(n, None, None, None, dense, -1)
    rows = None                                       # None: every row has enough answers
    if any(int(c.min()) < 0 for c in cols):           # some blanks: count the answers
        answered = np.zeros(n, dtype=np.int32)
        for c in cols:                                # loop over items, not respondents
            answered += c >= 0
        if (answered < need).any():
            rows = np.flatnonzero(answered >= need)
        del answered
    m = n if rows is None else rows.size
    sub = cols if rows is None else [c[rows] for c in cols]   # item columns of the rows compared
    if m < 2:
        return _near_result(n, None, None, None, dense, -1)
    if m <= dense_max:
        mt, best = _dense(_row_matrix(sub), threshold, need)
        return _near_result(n, rows, mt, best, dense, -1)
    # (1) exact duplicates: one representative (the first) per distinct vector
    packed = Packed(sub)
    gid, reps = distinct_rows(packed.rec)             # ids in order of first appearance
    rep_of_row = reps[gid]
    del gid

    # (2) the distinct vectors compared with each other
    if reps.size <= dense_max:
        rmatch, rbest = _dense(_row_matrix([c[reps] for c in sub]), threshold, need)
        method, exact_upto = ("blocked: identical answer vectors hashed, the distinct "
                              "vectors all compared"), -1
    else:
        b = n_blocks(k, reps.size, threshold)
        # block ids of every row, then of the reps: the same ids as from the reps
        # alone (a block's values first appear on reps, in the same order)
        bids = block_ids(sub, b)
        if reps.size < m:
            bids = [(g[reps], w) for g, w in bids]
        rmatch, rbest = blocked_matches(bids, packed, reps, threshold, need)
        del bids
        exact_upto = b - 2
        method = (f"blocked: identical answer vectors hashed, then pairs agreeing on 2 of "
                  f"{b} item blocks compared; exact for pairs differing in <= {b - 2} items")
    del packed
    # the later members of a repeated vector match its first row, with share 1
    mt = np.where(rep_of_row < np.arange(m), rep_of_row, -1)
    best = np.where(np.bincount(rep_of_row, minlength=m)[rep_of_row] > 1, 1.0, np.nan)
    has = rmatch >= 0
    mt[reps[has]] = reps[rmatch[has]]
    best[reps] = np.fmax(best[reps], rbest)
    best = np.fmax(best, best[rep_of_row])             # members share their vector's matches
    return _near_result(n, rows, mt, best, method, exact_upto)


def _near_result(n: int, rows: np.ndarray | None, mt: np.ndarray | None,
                 best: np.ndarray | None, method: str, exact_upto: int) -> NearDuplicates:
    """NearDuplicates of all n rows from the matches of the rows compared (None: every row)."""
    if mt is None:
        return NearDuplicates(np.zeros(n, dtype=bool), np.full(n, np.nan),
                              np.full(n, -1, dtype=np.int64), method, exact_upto)
    mt = mt.astype(np.int64, copy=False)
    if rows is None:                                   # row i of the comparison is row i
        return NearDuplicates(mt >= 0, best.astype(np.float64, copy=False), mt, method,
                              exact_upto)
    flagged = np.zeros(n, dtype=bool)
    share = np.full(n, np.nan)
    match = np.full(n, -1, dtype=np.int64)
    ok = mt >= 0
    flagged[rows[ok]] = True
    match[rows[ok]] = rows[mt[ok]]
    share[rows] = best
    return NearDuplicates(flagged, share, match, method, exact_upto)


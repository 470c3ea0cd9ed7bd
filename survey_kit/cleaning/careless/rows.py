"""Row sources: an n x k matrix of item scores handed out in row blocks.

:func:`~survey_kit.cleaning.careless.mahad.mahad` reads a float matrix
(:class:`ArrayRows`); the Mahalanobis rule of :func:`survey_kit.clean` reads
the answers as 1-byte codes with a score table per item (:class:`CodedRows`),
never holding the n x k float matrix. Both give identical blocks.

Example
-------
>>> import numpy as np
>>> codes = [np.array([0, 1, -1], dtype=np.int8), np.array([2, 2, 0], dtype=np.int8)]
>>> table = np.array([1.0, 2.0, 3.0, np.nan])        # scores of codes 0, 1, 2; then blank
>>> CodedRows(codes, [table, table]).centred(0, 3, np.zeros(2)).tolist()
[[1.0, 3.0], [2.0, 3.0], [nan, 1.0]]
>>> score_line(table)                                  # score = 1 + 1 * code
(1.0, 1.0)
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

ROW_BLOCK = 65536     # rows per block of the covariance and distance passes


def _column_means(arr: np.ndarray) -> np.ndarray:
    """Means of the columns over their non-missing values (NaN for an empty column)."""
    total = np.zeros(arr.shape[1])
    count = np.zeros(arr.shape[1])
    for s0 in range(0, arr.shape[0], 65536):         # row blocks, no n x k temporary
        block = arr[s0:s0 + 65536]
        ok = ~np.isnan(block)
        total += np.where(ok, block, 0.0).sum(axis=0)
        count += ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


class Rows(ABC):
    """An n x k matrix of item scores (NaN = missing), handed out in row blocks.

    :func:`mahad` never needs the whole matrix at once: one pass for the
    column means, one for the covariance, one for the distances. Two sources:
    a float matrix (:class:`ArrayRows`) and integer item codes with a score
    table per item (:class:`CodedRows`, used by :func:`survey_kit.clean`),
    which hold 1 byte per answer instead of 8. Both give identical blocks, so
    :math:`D^2` is the same to the last bit.
    """

    n: int
    k: int

    @abstractmethod
    def has_missing(self) -> bool:
        ...

    @abstractmethod
    def means(self) -> np.ndarray:
        """Column means, summed row after row as ``arr.mean(axis=0)`` (no missing value)."""
        ...

    @abstractmethod
    def answered_means(self) -> np.ndarray:
        """Column means over the answered rows, summed per row block as :func:`_column_means`."""
        ...

    @abstractmethod
    def centred(self, s0: int, s1: int, centre: np.ndarray) -> np.ndarray:
        """Rows s0:s1 minus ``centre`` (NaN kept), a C-contiguous float64 block."""
        ...

    @abstractmethod
    def masked(self, s0: int, s1: int, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows minus ``centre`` with 0 where missing, 1.0 where answered else 0.0)."""
        ...


class ArrayRows(Rows):
    def __init__(self, arr: np.ndarray) -> None:
        self.arr = arr
        self.n, self.k = arr.shape

    def has_missing(self) -> bool:
        return bool(np.isnan(self.arr).any())

    def means(self) -> np.ndarray:
        return self.arr.mean(axis=0)

    def answered_means(self) -> np.ndarray:
        return _column_means(self.arr)

    def centred(self, s0, s1, centre):
        return self.arr[s0:s1] - centre

    def masked(self, s0, s1, centre):
        block = self.arr[s0:s1]
        ok = ~np.isnan(block)
        return np.where(ok, block - np.nan_to_num(centre), 0.0), ok.astype(np.float64)


class CodedRows(Rows):
    """Item j of row i scores ``tables[j][codes[j][i]]``; code -1 takes the last entry (NaN)."""

    def __init__(self, codes: list[np.ndarray], tables: list[np.ndarray]) -> None:
        self.codes = codes
        self.tables = [np.asarray(t, dtype=np.float64) for t in tables]
        self.n, self.k = codes[0].shape[0], len(codes)
        # answers per code (index 0: code -1), item by item
        self.counts = [code_counts(c, t.size - 1) for c, t in zip(codes, self.tables)]
        # scores a + b * code (e.g. score = code + 1) on every item, and no blank:
        # blocks are then made by a cast and two vector operations, not a look-up
        lines = [score_line(t) for t in self.tables]
        self._lines = None
        if all(ln is not None for ln in lines) and not any(cnt[0] for cnt in self.counts):
            self._lines = (np.array([ln[0] for ln in lines]), np.array([ln[1] for ln in lines]))
            self._code_type = np.result_type(*[c.dtype for c in codes])

    def _used(self, j: int) -> np.ndarray:
        """Positions in table j of the codes that occur (-1 as the last entry)."""
        cnt = self.counts[j]
        return np.r_[np.flatnonzero(cnt[1:]), [self.tables[j].size - 1] if cnt[0] else []
                     ].astype(np.intp)

    def has_missing(self) -> bool:
        return any(np.isnan(t[self._used(j)]).any() for j, t in enumerate(self.tables))

    def _exact_sums(self) -> bool:
        """Integer scores whose sums stay exact in float64: any order of adding is exact."""
        return all(np.all(np.isfinite(t[:-1]) & (t[:-1] == np.round(t[:-1])))
                   and float(np.abs(t[:-1]).max(initial=0.0)) * self.n < 2.0 ** 52
                   for t in self.tables)

    def _sums(self) -> tuple[np.ndarray, np.ndarray]:
        """(sum, count) of each column over its answered rows, exactly (integer scores)."""
        total, count = np.zeros(self.k), np.zeros(self.k)
        for j, (t, cnt) in enumerate(zip(self.tables, self.counts)):
            ok = ~np.isnan(t[:-1])
            total[j] = float(sum(int(c) * int(s) for c, s in zip(cnt[1:][ok], t[:-1][ok])))
            count[j] = float(cnt[1:][ok].sum())
        return total, count

    def _block(self, s0: int, s1: int, tables: list[np.ndarray], out: np.ndarray) -> np.ndarray:
        for j, (c, t) in enumerate(zip(self.codes, tables)):   # loop over items
            np.take(t, c[s0:s1], out=out[:, j], mode="wrap")     # -1 wraps to the last entry
        return out

    def means(self) -> np.ndarray:
        if self._exact_sums():
            total, _ = self._sums()
            return total / self.n
        acc = np.zeros(self.k)                         # running sum carried as row 0
        for s0 in range(0, self.n, ROW_BLOCK):
            s1 = min(self.n, s0 + ROW_BLOCK)
            buf = np.empty((s1 - s0 + 1, self.k))
            buf[0] = acc
            self._block(s0, s1, self.tables, buf[1:])
            acc = buf.sum(axis=0)
        return acc / self.n

    def answered_means(self) -> np.ndarray:
        if self._exact_sums():
            total, count = self._sums()
        else:
            zero = [np.where(np.isnan(t), 0.0, t) for t in self.tables]
            answered = [(~np.isnan(t)).astype(np.float64) for t in self.tables]
            total, count = np.zeros(self.k), np.zeros(self.k)
            for s0 in range(0, self.n, ROW_BLOCK):
                s1 = min(self.n, s0 + ROW_BLOCK)
                total += self._block(s0, s1, zero, np.empty((s1 - s0, self.k))).sum(axis=0)
                count += self._block(s0, s1, answered,
                                     np.empty((s1 - s0, self.k))).sum(axis=0).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / count

    def centred(self, s0, s1, centre):
        out = np.empty((s1 - s0, self.k))
        if self._lines is not None:
            a, b = self._lines
            unit = bool(np.all(b == 1.0))
            step = 8192                                # pieces that stay in cache
            codes = np.empty((min(step, s1 - s0), self.k), dtype=self._code_type)
            for p0 in range(s0, s1, step):
                p1 = min(s1, p0 + step)
                piece, cp = out[p0 - s0:p1 - s0], codes[:p1 - p0]
                for j, c in enumerate(self.codes):     # loop over items
                    cp[:, j] = c[p0:p1]
                np.copyto(piece, cp)                   # score = a + b * code, exactly
                if not unit:
                    piece *= b
                piece += a
                piece -= centre
            return out
        key = ("centred", centre.tobytes())
        if getattr(self, "_key", None) != key:         # tables of score - centre
            self._key = key
            self._shifted = [t - c for t, c in zip(self.tables, centre)]
        return self._block(s0, s1, self._shifted, out)

    def masked(self, s0, s1, centre):
        key = ("masked", centre.tobytes())
        if getattr(self, "_key", None) != key:
            self._key = key
            shift = np.nan_to_num(centre)
            self._shifted = [np.where(np.isnan(t), 0.0, t - c) for t, c in zip(self.tables, shift)]
            self._answered = [(~np.isnan(t)).astype(np.float64) for t in self.tables]
        return (self._block(s0, s1, self._shifted, np.empty((s1 - s0, self.k))),
                self._block(s0, s1, self._answered, np.empty((s1 - s0, self.k))))


def code_counts(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """Answers per code: index 0 counts code -1 (blank), index c + 1 counts code c."""
    if n_levels <= 32:                                 # a few levels: one compare each
        return np.array([np.count_nonzero(codes == c) for c in range(-1, n_levels)],
                        dtype=np.int64)
    return np.bincount(codes.astype(np.intp) + 1, minlength=n_levels + 1)


def score_line(table: np.ndarray) -> tuple[float, float] | None:
    """(a, b) when ``table[c] == a + b * c`` exactly in float64 for every level c, else None."""
    levels = table[:-1]
    if levels.size == 0 or not np.isfinite(levels).all():
        return None
    a = float(levels[0])
    b = float(levels[1] - levels[0]) if levels.size > 1 else 1.0
    c = np.arange(levels.size, dtype=np.float64)
    if not np.array_equal(c * b + a, levels):
        return None
    return a, b

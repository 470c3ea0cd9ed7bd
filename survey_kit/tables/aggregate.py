"""Aggregation of a banner table: per (base category, column) sums of any weights.

:class:`BannerIndex` holds the joint codes of the banner variables; its
:meth:`~BannerIndex.aggregate` sums any per-respondent weights over (base
category of a row variable, column) with one ``np.bincount`` per statistic --
over the joint cells of all banner variables when that table is small, else
one per banner variable. No respondent-by-column matrix is built.

Example
-------
>>> import numpy as np
>>> from survey_kit.tables.variables import Var
>>> size = Var("size", "Size", np.array([0, 1, 1, -1]), ["s", "l"], ["s", "l"])
>>> idx = BannerIndex([size])
>>> counts, = idx.aggregate(np.array([0, 0, 1, 1]), 2, [None])
>>> counts                                # base category x (Total, s, l)
array([[2., 1., 1.],
       [2., 0., 1.]])
"""

from __future__ import annotations

import numpy as np

from .variables import Var

__all__ = ["BannerIndex"]

#: joint banner cells above which the banner variables are aggregated one by one
_JOINT_LIMIT = 2_000_000


class BannerIndex:
    """Joint codes of the banner variables, and the sums of any weights per column.

    Sums are taken with one ``np.bincount`` per statistic over the joint
    cells of all banner variables when that table is small, else one per
    banner variable."""

    def __init__(self, banners: list[Var]) -> None:
        self.n = len(banners[0].codes)
        self.sizes = [len(b.levels) + 1 for b in banners]       # 0 = missing
        self.K = 1 + sum(s - 1 for s in self.sizes)
        self.starts = np.cumsum([1] + [s - 1 for s in self.sizes])[:-1].tolist()
        self.J = int(np.prod(self.sizes, dtype=np.float64))
        self.joint = None
        if self.J <= _JOINT_LIMIT:
            code = np.zeros(self.n, dtype=np.int64)
            for g, b in enumerate(banners):
                code = code * self.sizes[g] + (b.codes.astype(np.int64) + 1)
            self.joint = code
        self._banners = banners
        self._single: list | None = None

    @property
    def single(self) -> list:
        """Per banner variable: its level + 1 per respondent (0 = missing)."""
        if self._single is None:
            self._single = [b.codes.astype(np.int64) + 1 for b in self._banners]
        return self._single

    def _use_joint(self, nbase: int) -> bool:
        """Whether one bincount over the joint cells costs less than one per variable."""
        if self.joint is None:
            return False
        U = len(self.sizes)
        size = nbase * self.J
        return self.n + size * (U + 1) <= U * self.n + nbase * sum(self.sizes)

    def aggregate(self, codes: np.ndarray, nbase: int, weights: list) -> list[np.ndarray]:
        """Sum each weight (None = count) over (base category, column).

        Returns arrays of shape (nbase, K): column 0 is Total, then the
        levels of each banner variable in order; respondents with code -1
        (outside the base) are left out."""
        K = self.K
        out = [np.zeros((nbase, K)) for _ in weights]
        valid = codes >= 0
        c64 = codes.astype(np.int64)
        if self._use_joint(nbase):
            size = nbase * self.J
            key = np.where(valid, c64 * self.J + self.joint, size)
            for arr, wt in zip(out, weights):
                s = np.bincount(key, weights=wt, minlength=size + 1)[:size]
                s = s.reshape((nbase,) + tuple(self.sizes))
                arr[:, 0] = s.reshape(nbase, -1).sum(axis=1)
                for g, start in enumerate(self.starts):
                    axes = tuple(1 + a for a in range(len(self.sizes)) if a != g)
                    marg = s.sum(axis=axes) if axes else s
                    arr[:, start:start + self.sizes[g] - 1] = marg[:, 1:]
            return out
        for g, (start, hg) in enumerate(zip(self.starts, self.single)):
            L1 = self.sizes[g]
            size = nbase * L1
            key = np.where(valid, c64 * L1 + hg, size)
            for arr, wt in zip(out, weights):
                s = np.bincount(key, weights=wt, minlength=size + 1)[:size].reshape(nbase, L1)
                if g == 0:
                    arr[:, 0] = s.sum(axis=1)
                arr[:, start:start + L1 - 1] = s[:, 1:]
        return out

"""Replicate weights built from a linearization design (R ``as.svrepdesign``).

Every builder works on the first-stage units (PSUs) of the design, as R: it
returns one row of weight multipliers per PSU and replicate; a respondent's
replicate weight is its sampling weight times the multiplier of its PSU.

- ``"JK1"`` (unstratified): replicate ``j`` drops PSU ``j`` and multiplies
  the others by :math:`n/(n-1)`; scale :math:`(1-f)(n-1)/n`.
- ``"JKn"`` (stratified): one replicate per PSU, dropping it and multiplying
  the other PSUs of its stratum by :math:`n_h/(n_h-1)`; ``rscales``
  :math:`(1-f_h)(n_h-1)/n_h`. Strata sampled entirely add no replicate;
  single-PSU strata follow the design's ``lonely_psu`` as R's ``jknweights``.
- ``"BRR"`` / ``"Fay"``: balanced half-samples from the rows of a Hadamard
  matrix built as R's ``hadamard()`` (Sylvester doubling and Paley's
  construction), one pair of PSUs per (pseudo-)stratum: multipliers
  :math:`2-\\rho` and :math:`\\rho` (:math:`\\rho = 0` for BRR); scale
  :math:`1/(R(1-\\rho)^2)`. A stratum with an even number of PSUs above two
  is split into pairs in order of appearance, as R's ``large="split"``.
- ``"bootstrap"``: per stratum, :math:`n_h` PSUs drawn with replacement (or,
  with an fpc, without replacement from the population of PSU copies);
  multiplier = times drawn; scale :math:`\\bar n/((\\bar n - 1)(R-1))` with
  :math:`\\bar n` the harmonic mean of :math:`n_h` (Canty and Davison 1999;
  R ``bootweights``).
- ``"subbootstrap"``: Rao and Wu's (1988) rescaled bootstrap, :math:`n_h-1`
  draws with replacement, multiplier = times drawn :math:`\\times n_h/(n_h-1)`,
  scale :math:`1/(R-1)` (R ``subbootweights``).

The bootstrap draws come from numpy's generator seeded with ``seed``, not
from R's: the weights differ from R's, their properties do not.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> d = sk.SurveyDesign(pd.DataFrame({"y": [1.0, 2, 4, 7]}))
>>> r = d.as_replicate("JK1")
>>> r.replicates.n_replicates, round(r.replicates.scale, 4)
(4, 0.75)
>>> round(r.mean("y").se, 6) == round(d.mean("y").se, 6)
True

References
----------
Rao, J. N. K. and Wu, C. F. J. (1988). Resampling inference with complex
survey data. JASA 83, 231-241. Canty, A. J. and Davison, A. C. (1999).
Resampling-based variance estimation for labour force surveys. The
Statistician 48, 379-391. Wolter, K. M. (2007). Introduction to Variance
Estimation, ch. 3-5.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DesignError, UsageError
from .replicate import Replicates

__all__ = ["BUILD_TYPES", "as_replicate", "hadamard"]

#: replicate types :func:`as_replicate` builds
BUILD_TYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap")

_PALEY_PRIMES = (3, 7, 11, 19, 23, 31, 43, 47, 59, 67, 71, 79, 83, 103, 107, 127, 131, 139,
                 151, 163, 167, 179, 191, 199, 211, 223, 227, 239, 251, 263, 271, 283)


def _paley(p: int) -> np.ndarray:
    """Paley's 0/1 Hadamard matrix of order p + 1 (p prime, p = 3 mod 4), as R's ``paley``."""
    m = np.add.outer(np.arange(p), np.arange(p)) % p
    squares = {0, 1} | {(i * i) % p for i in range(2, (p - 1) // 2 + 1)}
    m = np.where(np.isin(m, list(squares)), 0, 1)
    out = np.ones((p + 1, p + 1), dtype=np.int8)
    out[1:, 1:] = m
    return out


def _double(H: np.ndarray) -> np.ndarray:
    return np.block([[H, H], [H, 1 - H]])


def _paley_for(n: int, nmax: int) -> np.ndarray | None:
    """R's ``paley(n, nmax)``: a Paley matrix (possibly doubled) of order > n, or None."""
    nceil = nn = n + 4 - n % 4
    if n % 4 + 4 == n % 8:
        while nn % 8 == 0:
            nn //= 2
        if nn - 1 in _PALEY_PRIMES:
            m = _paley(nn - 1)
            while nn < nceil:
                m, nn = _double(m), nn * 2
            return m
    if n > max(_PALEY_PRIMES):
        return None
    p = min(q for q in _PALEY_PRIMES if q >= n)
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return _paley_for(nceil + 3, 2 * (nceil + 3))
    return None if p > nmax else _paley(p)


def hadamard(n: int) -> np.ndarray:
    """A 0/1 Hadamard matrix with more than ``n`` rows, the one R's ``hadamard(n)`` gives.

    R keeps stored matrices of orders 4, 16, 28 and 36; those of order 4 and
    16 are Sylvester's and are built here, the others (and their doublings)
    are not stored here, so the sizes that need them raise
    :class:`~survey_kit.errors.DesignError`.

    Examples
    --------
    >>> hadamard(3).tolist()
    [[1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1]]
    >>> hadamard(8).shape
    (12, 12)
    """
    sizes = np.array([4, 16, 28, 36])
    m = n - n % 4
    pre = np.flatnonzero((m < sizes) & (m + 4 >= sizes))
    base = int(pre.min()) if pre.size else (0 if (m < sizes).all() else None)
    if base is None:
        grown = sizes * 2 ** np.maximum(0, np.ceil(np.log2((n + 1) / sizes))).astype(int)
        base = int(np.argmin(grown - n))
        if grown[base] - n > 4:
            H = _paley_for(n, int(grown[base]))
            if H is not None:
                return H
        doubles = int(np.ceil(np.log2(grown[base] / sizes[base])))
    else:
        doubles = 0
    if base >= 2:
        raise DesignError(f"balanced repeated replication for {n} strata needs R's stored "
                          f"Hadamard matrix of order {sizes[base]}, which survey_kit does not "
                          "ship; use type='JKn', 'bootstrap' or 'subbootstrap'")
    H = np.array([[1, 1], [1, 0]], dtype=np.int8)
    for _ in range(int(np.log2(sizes[base])) - 1 + doubles):
        H = _double(H)
    return H


def _first_seen(design: Any) -> np.ndarray:
    """The row where each PSU first appears (R orders PSUs by first appearance)."""
    first = np.full(design.n_psu, design.n, dtype=np.int64)
    np.minimum.at(first, design._psu, np.arange(design.n))
    return first


def _jk1(design: Any) -> tuple[np.ndarray, float, np.ndarray]:
    if design._names["strata"] is not None:
        raise UsageError("type='JK1' is for unstratified designs; use type='JKn' for a "
                         "stratified one")
    n = design.n_psu
    M = np.full((n, n), n / (n - 1))
    np.fill_diagonal(M, 0.0)
    return M, float(design._f_h[0] * (n - 1) / n), np.ones(n)


def _jkn(design: Any) -> tuple[np.ndarray, float, np.ndarray]:
    from .variance import CENSUS

    n_h, f_h, ps = design._n_h, design._f_h, design._psu_stratum
    H = design.n_strata
    cols, rscales = [], []
    for h in range(H):
        members = np.flatnonzero(ps == h)
        if f_h[h] < CENSUS:
            continue                              # sampled entirely: no replicate (as R)
        if n_h[h] == 1:
            rule = design.lonely_psu
            if rule == "fail":
                raise DesignError(f"stratum {design._strata_labels[h]!r} has only one PSU; "
                                  "choose lonely_psu='remove', 'adjust', 'average' or "
                                  "'certainty' for the jackknife")
            if rule == "adjust":
                col = np.full(design.n_psu, H / (H - 1))
                col[members] = 0.0
                cols.append(col)
                rscales.append((H - 1) / H)
            continue
        for j in members:
            col = np.ones(design.n_psu)
            col[members] = n_h[h] / (n_h[h] - 1)
            col[j] = 0.0
            cols.append(col)
            rscales.append(f_h[h] * (n_h[h] - 1) / n_h[h])
    if not cols:
        raise DesignError("every stratum was sampled entirely (or has one PSU): the "
                          "jackknife has no replicate")
    scale = 1.0
    if design.lonely_psu == "average" and len(cols) < design.n_psu:
        scale = design.n_psu / len(cols)          # R jknweights' rule
    return np.column_stack(cols), scale, np.array(rscales)


def _pairs(design: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per PSU its pseudo-stratum (0-based) and whether it is the second of its pair,
    in R ``brrweights``' order (strata sorted by name, PSUs by appearance)."""
    labels = np.array([str(s) for s in design._strata_labels])
    order = np.argsort(labels, kind="stable")
    first = _first_seen(design)
    n_h, ps = design._n_h, design._psu_stratum
    if (n_h < 2).any():
        h = int(np.flatnonzero(n_h < 2)[0])
        raise DesignError(f"stratum {design._strata_labels[h]!r} has fewer than 2 PSUs; "
                          "balanced repeated replication needs pairs of PSUs")
    pseudo = np.zeros(design.n_psu, dtype=np.intp)
    second = np.zeros(design.n_psu, dtype=bool)
    upto = 0
    for group in (n_h[order] > 2, n_h[order] == 2):     # large strata first, as R
        for h in order[group]:
            if n_h[h] % 2:
                raise DesignError(f"stratum {design._strata_labels[h]!r} has an odd number "
                                  f"of PSUs ({n_h[h]}); balanced repeated replication needs "
                                  "pairs")
            members = np.flatnonzero(ps == h)
            members = members[np.argsort(first[members], kind="stable")]
            k = np.arange(len(members))
            pseudo[members] = upto + k // 2
            second[members] = k % 2 == 1
            upto += len(members) // 2
    return pseudo, second


def _brr(design: Any, rho: float) -> tuple[np.ndarray, float, np.ndarray]:
    if design._names["strata"] is None:
        raise UsageError("type='BRR' and 'Fay' need a stratified design with 2 PSUs per "
                         "stratum; use 'JK1' or 'bootstrap' for an unstratified one")
    if not 0 <= rho < 1:
        raise UsageError(f"fay_rho must be in [0, 1); got {rho!r}")
    pseudo, second = _pairs(design)
    H = hadamard(int(pseudo.max()) + 1)
    h = H[1 + pseudo, :]                         # (n_psu, R): 1 -> first PSU gets weight
    # R: column h+1 of (first: (0, 1), second: (1, 0)) is "in" the half-sample
    inside = np.where(second[:, None], h == 0, h == 1)
    M = np.where(inside, 2.0 - rho, rho)
    R = H.shape[1]
    return M, 1.0 / (R * (1 - rho) ** 2), np.ones(R)


def _boot(design: Any, replicates: int, rng: np.random.Generator,
          sub: bool) -> tuple[np.ndarray, float, np.ndarray]:
    n_h, ps = design._n_h, design._psu_stratum
    if (n_h < 2).any():
        h = int(np.flatnonzero(n_h < 2)[0])
        raise DesignError(f"stratum {design._strata_labels[h]!r} has one PSU; the bootstrap "
                          "needs at least 2 per stratum")
    M = np.zeros((design.n_psu, replicates))
    pop = design._popsize_h
    for h in range(design.n_strata):
        members = np.flatnonzero(ps == h)
        nh = len(members)
        if sub:
            draws = rng.integers(0, nh, size=(replicates, nh - 1))
            counts = _counts(draws, nh) * nh / (nh - 1)
        elif pop is None or not np.isfinite(pop[h]):
            counts = _counts(rng.integers(0, nh, size=(replicates, nh)), nh)
        else:                                    # without replacement from N_h copies
            Nh = int(round(pop[h]))
            copies = np.arange(Nh) % nh
            draws = np.stack([copies[rng.permutation(Nh)[:nh]] for _ in range(replicates)])
            counts = _counts(draws, nh)
        M[members] = counts.T
    if sub:
        return M, 1.0 / (replicates - 1), np.ones(replicates)
    nbar = 1.0 / np.mean(1.0 / n_h)
    return M, nbar / ((nbar - 1) * (replicates - 1)), np.ones(replicates)


def _counts(draws: np.ndarray, nh: int) -> np.ndarray:
    """(R, nh) times each PSU was drawn in each replicate."""
    R = draws.shape[0]
    flat = (np.arange(R)[:, None] * nh + draws).ravel()
    return np.bincount(flat, minlength=R * nh).reshape(R, nh).astype(float)


def as_replicate(design: Any, type: str = "JKn", replicates: int | None = None, *,
                 fay_rho: float = 0.0, seed: int | None = 0, mse: bool = False) -> Any:
    """A replicate-weight design from a linearization design (R ``as.svrepdesign``).

    Parameters
    ----------
    design : SurveyDesign
        A design with strata/PSUs (not calibrated: calibrate the replicate
        design instead, so that each replicate is calibrated too).
    type : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap"}
        See the module docstring. ``"Fay"`` needs ``fay_rho`` > 0.
    replicates : int, optional
        Bootstrap replicates (default 50, as R); the jackknife and BRR
        decide their own number.
    fay_rho : float
        Fay's factor for ``"Fay"`` (and ``"BRR"`` with ``fay_rho`` > 0 is Fay).
    seed : int, optional
        Seed of the bootstrap draws.
    mse : bool
        Centre the replicates on the full-sample estimate (R ``mse=TRUE``)
        instead of their mean.

    Returns
    -------
    SurveyDesign
        With ``replicates`` set: every estimator uses replicate variance.
    """
    if design._replicate is not None:
        raise UsageError("the design already has replicate weights")
    if design._calibrated:
        raise UsageError("as_replicate needs an uncalibrated design: build the replicate "
                         "design first, then poststratify/rake/calibrate it (each replicate "
                         "is then calibrated too)")
    if type not in BUILD_TYPES:
        raise UsageError(f"type must be one of {', '.join(BUILD_TYPES)}; got {type!r}")
    if type == "Fay" and not fay_rho:
        raise UsageError("type='Fay' needs fay_rho > 0 (e.g. 0.5)")
    if type in ("JK1", "JKn", "BRR", "Fay") and replicates is not None:
        raise UsageError(f"replicates= is for the bootstrap; type={type!r} decides its own "
                         "number of replicates")
    rho = None
    if type == "JK1":
        M, scale, rscales = _jk1(design)
    elif type == "JKn":
        M, scale, rscales = _jkn(design)
    elif type in ("BRR", "Fay"):
        rho = float(fay_rho)
        M, scale, rscales = _brr(design, rho)
        type = "Fay" if rho else "BRR"
    else:
        R = 50 if replicates is None else int(replicates)
        if R < 2:
            raise UsageError(f"replicates must be at least 2; got {replicates!r}")
        M, scale, rscales = _boot(design, R, np.random.default_rng(seed),
                                  type == "subbootstrap")
    M.setflags(write=False)
    rep = Replicates(pweights=design.weights, scale=scale, rscales=rscales, mse=bool(mse),
                     type=type, multipliers=M, index=design._psu, rho=rho)
    return design.with_replicates(rep)

"""The upper tail of a linear combination of chi-squares, for the Rao-Scott tests.

Under independence Pearson's X^2 on a complex sample is asymptotically
distributed as :math:`\\sum_k \\delta_k \\chi^2_1`, the :math:`\\delta_k` the
generalised design effects; with the denominator uncertainty of an F (``ddf``
design degrees of freedom) the p-value is
:math:`P(\\sum_k \\delta_k \\chi^2_1 - (x / ddf)\\, \\chi^2_{ddf} > 0)`, as R's
``survey:::pFsum``. Two ways to compute it:

- :func:`pfsum_exact_upper` -- numerical inversion of the characteristic
  function (Imhof 1961) along a line through the saddle point: accurate to
  about 1e-10 relative, also far in the tail (R: ``method="integration"``,
  Davies' algorithm);
- :func:`pfsum_saddlepoint_upper` -- the saddlepoint approximation of Kuonen
  (1999), root-finding step for step as R's ``uniroot`` (:func:`survey_kit.stats.roots.zeroin`).

Example
-------
>>> round(pfsum_exact_upper(3.0, [1.0], 1e6), 6)        # ~ P(chi2_1 > 3)
0.083265
>>> round(pfsum_saddlepoint_upper(3.0, [1.2, 0.8], 50.0), 4)
0.2294

References
----------
Imhof, J. P. (1961). Computing the distribution of quadratic forms in
normal variables. Biometrika 48, 419-426.
Kuonen, D. (1999). Saddlepoint approximations for distributions of
quadratic forms in normal variables. Biometrika 86, 929-935.
"""

from __future__ import annotations

import itertools
import math
import warnings as _warnings

import numpy as np

from .roots import zeroin

__all__ = ["pfsum_exact_upper", "pfsum_saddlepoint_upper"]

_EPS = np.finfo(float).eps




def pfsum_saddlepoint_upper(x: float, eig: np.ndarray, ddf: float) -> float:
    """R's ``pFsum(x, 1, eig, ddf, lower.tail=FALSE, method="saddlepoint")``.

    P(sum_k eig_k chi2_1 - (x/ddf) chi2_ddf > 0) by the saddlepoint
    approximation of Kuonen (1999), ddf truncated to an integer count of
    unit chi-squares as R's ``rep()`` does; the F approximation when the
    saddle point is within 1e-4 of zero.
    """
    from scipy import stats as st

    eig = np.atleast_1d(np.asarray(eig, dtype=float))
    k = len(eig)
    tr = eig.mean()
    tr2 = (eig ** 2).mean() / tr ** 2
    fallback = float(st.f.sf(x / (k / tr2) / (tr * tr2), k / tr2, ddf))
    if x <= 0:
        return 1.0
    lam = np.concatenate([eig, [-x / ddf]])
    cnt = np.concatenate([np.ones(k), [math.floor(ddf) if ddf > 1 else 1.0]])
    keep = cnt > 0
    lam, cnt = lam[keep], cnt[keep]
    lam = lam / lam.max()

    def k0(z: float) -> float:
        return float(-(cnt * np.log(1 - 2 * z * lam)).sum() / 2)

    def k1(z: float) -> float:
        return float((cnt * lam / (1 - 2 * z * lam)).sum())

    def k2(z: float) -> float:
        return float(2 * (cnt * lam ** 2 / (1 - 2 * z * lam) ** 2).sum())

    neg, pos = lam[lam < 0], lam[lam > 0]
    if neg.size == 0:
        return fallback
    shrink = 0.99999
    for _ in range(3):
        lmin = float(np.max(1 / (2 * neg))) * shrink
        lmax = float(np.min(1 / (2 * pos))) * shrink
        try:
            z = zeroin(k1, lmin, lmax, 1e-8)
            break
        except ValueError:          # R stops here; widen the bracket instead
            shrink = 1 - (1 - shrink) * 1e-4
    else:                           # pragma: no cover - bracket always found
        return fallback
    if abs(z) < 1e-4:
        return fallback
    w = math.copysign(math.sqrt(max(2 * (0.0 - k0(z)), 0.0)), z)
    v = z * math.sqrt(k2(z))
    return float(st.norm.sf(w + math.log(v / w) / w))


def pfsum_exact_upper(x: float, eig: np.ndarray, ddf: float) -> float:
    """P(sum_k eig_k chi2_1 - (x/ddf) chi2_floor(ddf) > 0), computed exactly.

    Numerical inversion of the characteristic function (Imhof 1961) along
    the vertical line Re(s) = c through the saddle point of the cumulant
    generating function K: for c > 0,

        P(Q > 0) = exp(K(c)) / pi * int_0^inf (c cos th(t) + t sin th(t))
                   / (c^2 + t^2) * prod_j (1 + b_j^2 t^2)^(-h_j/4) dt,

    with b_j = 2 l_j / (1 - 2 l_j c), th(t) = sum_j h_j/2 atan(b_j t); for
    c < 0 the integral is -P(Q < 0). On that line the integrand does not
    oscillate and has no cancellation, so tiny tail probabilities keep their
    relative accuracy. The integer df of the last term is what R's
    CompQuadForm::davies uses (``as.integer``).
    """
    from scipy import integrate

    if x <= 0:
        return 1.0
    eig = np.atleast_1d(np.asarray(eig, dtype=float))
    eig = eig[eig > 1e-13 * eig.max()]
    lam = np.concatenate([eig, [-x / ddf]])
    h = np.concatenate([np.ones(len(eig)), [max(math.floor(ddf), 1)]])
    hi = 1.0 / (2 * lam[lam > 0].max())
    lo = 1.0 / (2 * lam[lam < 0].min())

    def k1(s: float) -> float:
        return float((h * lam / (1 - 2 * lam * s)).sum())

    from scipy.optimize import brentq

    z = brentq(k1, lo * (1 - 1e-12), hi * (1 - 1e-12), xtol=1e-300, rtol=4 * _EPS,
               maxiter=500)
    c = z if abs(z) > 1e-3 * min(hi, -lo) else 0.5 * hi
    alpha = 1 - 2 * lam * c
    beta = 2 * lam / alpha
    log_kc = float(-(h / 2 * np.log(alpha)).sum())
    sigma = math.sqrt(2.0 / float((h * beta ** 2).sum()))

    def g(t: float) -> float:
        bt = beta * t
        theta = float((h / 2 * np.arctan(bt)).sum())
        amp = math.exp(float(-(h / 4 * np.log1p(bt * bt)).sum()))
        return amp * (c * math.cos(theta) + t * math.sin(theta)) / (c * c + t * t)

    knots = sorted({0.0, abs(c), sigma, 4 * sigma, 16 * sigma})
    knots = [k for k in knots if k <= 16 * sigma] + [16 * sigma]
    total = 0.0
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a_, b_ in itertools.pairwise(knots):
            if b_ > a_:
                total += integrate.quad(g, a_, b_, epsabs=0, epsrel=1e-13, limit=400)[0]
        # the tail beyond 16 sigma is small: tolerance relative to the bulk
        total += integrate.quad(g, knots[-1], np.inf, epsabs=abs(total) * 1e-15,
                                epsrel=1e-13, limit=400)[0]
    val = math.exp(log_kc) * total / math.pi
    p = val if c > 0 else 1.0 + val
    return float(min(max(p, 0.0), 1.0))

"""Survey-weighted generalised linear models with linearization SEs (R ``svyglm``).

The coefficients solve the weighted score equations
:math:`\\sum_i w_i x_i (y_i - \\mu_i) \\mu'_i / V(\\mu_i) = 0` (fitted by
statsmodels' IRLS, to full convergence). Their design-based covariance is the
sandwich of Binder (1983), as R's ``svy.varcoef``: with
:math:`A = \\sum_i w_i \\mu_i'^2 / V(\\mu_i) x_i x_i^T` and the influence
functions :math:`h_i = A^{-1} x_i (y_i - \\mu_i)\\mu_i'/V(\\mu_i)`,
:math:`\\hat V(\\hat\\beta) =` ``vcov_total`` of :math:`h`. Respondents with a
missing model variable are dropped as a domain (``na.action = na.omit`` then
``design[-nas, ]``). Tests use Student's t on ``degf - rank + 1`` degrees of
freedom, where ``degf`` counts the PSUs and strata of the respondents used,
as R.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.DataFrame({"y": [1.0, 2, 2.5, 4, 5.5, 6], "x": [1.0, 2, 3, 4, 5, 6]})
>>> fit = glm(sk.SurveyDesign(df), "y ~ x")
>>> round(float(fit.params["Intercept"]), 4), fit.df_resid
(-0.2, 4.0)

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators
from complex surveys. International Statistical Review 51, 279-292.
Lumley, T. and Scott, A. (2017). Fitting regression models to survey data.
Statistical Science 32, 265-278.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError
from .estimate import SvyGLMResult
from .variance import degf, vcov_total

__all__ = ["glm"]

#: accepted family names -> the statsmodels family fitted
_FAMILIES = {"binomial": "binomial", "quasibinomial": "binomial", "gaussian": "gaussian"}


def _model_frame(design: Any, formula: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Outcome, model matrix, rows used and column names of a patsy formula."""
    import patsy

    data = design.frame.reset_index(drop=True)
    for col in data.columns:
        if data[col].dtype == bool:
            data[col] = data[col].astype(float)
    try:
        ymat, xmat = patsy.dmatrices(formula, data, NA_action="drop", return_type="dataframe")
    except patsy.PatsyError as exc:
        raise DesignError(f"cannot build the model from formula {formula!r}: "
                          f"{exc.message}") from None
    if (ymat.shape[1] == 2 and str(ymat.columns[0]).endswith("[False]")
            and str(ymat.columns[1]).endswith("[True]")):
        ymat = ymat.iloc[:, [1]]          # a logical outcome such as I(x > 700)
    if ymat.shape[1] != 1:
        raise DesignError(f"the outcome of {formula!r} must be numeric or boolean (one "
                          f"column); it expands to {list(ymat.columns)}")
    rows = np.asarray(ymat.index, dtype=np.intp)
    if len(rows) == 0:
        raise DesignError(f"no respondent has all variables of {formula!r}")
    y, X = ymat.to_numpy()[:, 0], xmat.to_numpy()
    for values, names in ((y[:, None], ymat.columns), (X, xmat.columns)):
        bad = ~np.isfinite(values).all(axis=0)
        if bad.any():
            raise DesignError(f"the model term {str(names[np.flatnonzero(bad)[0]])!r} of "
                              f"{formula!r} has infinite values; recode or drop them first")
    return y, X, rows, list(xmat.columns)


def _check_model(formula: str, y: np.ndarray, X: np.ndarray, names: list,
                 family: str) -> int:
    """The rank of the model matrix, after checking it is full and the outcome fits."""
    rank = int(np.linalg.matrix_rank(X))
    if rank < X.shape[1]:
        raise DesignError(f"the model matrix of {formula!r} is rank deficient ({rank} of "
                          f"{X.shape[1]} columns): drop or merge collinear terms "
                          f"({', '.join(names)})")
    if family == "binomial" and (np.any(y < 0) or np.any(y > 1)):
        raise DesignError(f"a binomial outcome must lie in [0, 1]; {formula!r} has values "
                          f"from {y.min():g} to {y.max():g}")
    return rank


def _influence(fam: Any, beta: np.ndarray, y: np.ndarray, X: np.ndarray,
               w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-respondent influence functions of the coefficients (without w) and A^-1."""
    eta = X @ beta
    mu = fam.link.inverse(eta)
    dmu = fam.link.inverse_deriv(eta)
    vmu = fam.variance(mu)
    ww = w * dmu * dmu / vmu
    Ainv = np.linalg.inv((X * ww[:, None]).T @ X)
    score = X * ((y - mu) * dmu / vmu)[:, None]
    return score @ Ainv, Ainv


def replicate_betas(X: np.ndarray, y: np.ndarray, W: np.ndarray, beta: np.ndarray,
                    binomial: bool, tol: float = 1e-13, max_iter: int = 100) -> np.ndarray:
    """The coefficients (R, p) refitted with each column of ``W`` (n, R), all replicates at
    once: weighted least squares, or IRLS for the logit link started at ``beta``, iterated
    until every coefficient moves by less than ``tol`` (relative)."""
    B = np.tile(beta, (W.shape[1], 1))
    for _ in range(max_iter if binomial else 1):
        if binomial:
            mu = 1.0 / (1.0 + np.exp(-(X @ B.T)))                  # (n, R)
            v = mu * (1 - mu)
            ww, z = W * v, X @ B.T + (y[:, None] - mu) / np.where(v > 0, v, 1.0)
        else:
            ww, z = W, np.broadcast_to(y[:, None], W.shape)
        A = np.einsum("ir,ij,ik->rjk", ww, X, X)
        b = np.einsum("ir,ij->rj", ww * z, X)
        new = np.linalg.solve(A, b[:, :, None])[:, :, 0]
        done = np.all(np.abs(new - B) <= tol * (np.abs(new) + tol))
        B = new
        if done:
            break
    return B


def glm(design: Any, formula: str, family: str = "gaussian") -> SvyGLMResult:
    """Fit a survey-weighted GLM; parameters as :meth:`SurveyDesign.glm`."""
    import statsmodels.api as sm
    from scipy import stats

    fam_name = _FAMILIES.get(family)
    if fam_name is None:
        raise UsageError(f"family must be 'gaussian' or 'binomial'; got {family!r}")
    y, X, rows, names = _model_frame(design, formula)
    used = np.zeros(design.n, dtype=bool)
    used[rows] = True
    rank = _check_model(formula, y, X, names, fam_name)
    w = design.weights[rows]
    if not w.sum() > 0:
        raise DesignError(f"every respondent with all variables of {formula!r} has weight "
                          "zero; there is nothing to fit")
    fam = sm.families.Binomial() if fam_name == "binomial" else sm.families.Gaussian()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(y, X, family=fam, var_weights=w / w.mean()).fit(tol=1e-13, maxiter=200)
    beta = np.asarray(res.params)
    infl = np.zeros((design.n, X.shape[1]))
    infl[rows], Ainv = _influence(fam, beta, y, X, w)
    if design._replicate is not None:          # R svyglm.svyrep.design: refit each replicate
        reps = replicate_betas(X, y, design._replicate.analysis()[rows], beta,
                               fam_name == "binomial")
        V = design._replicate.vcov(beta, reps)
    else:
        V = vcov_total(design, infl, subset=used)
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    df_resid = float(degf(design, used) + 1 - rank)
    with np.errstate(divide="ignore", invalid="ignore"):
        tv = beta / se
    pv = 2 * stats.t.sf(np.abs(tv), df_resid) if df_resid > 0 else np.full_like(tv, np.nan)
    idx = pd.Index(names)
    return SvyGLMResult(
        params=pd.Series(beta, index=idx), se=pd.Series(se, index=idx),
        tvalues=pd.Series(tv, index=idx), pvalues=pd.Series(pv, index=idx),
        vcov=pd.DataFrame(V, index=idx, columns=idx), df_resid=df_resid,
        family="quasibinomial" if fam_name == "binomial" else "gaussian",
        formula=formula, nobs=len(rows), n_missing=int(design.n - len(rows)),
        naive_vcov=pd.DataFrame(Ainv * w.mean(), index=idx, columns=idx))

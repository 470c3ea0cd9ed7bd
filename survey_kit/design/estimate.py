"""Result objects of design-based estimation: Estimate, Comparison, DomainProportions, SvyGLMResult.

Each is a frozen dataclass that shows itself (``to_frame()``, ``__str__``,
``_repr_html_``). They are produced by :class:`survey_kit.SurveyDesign`;
nothing here computes a variance.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "w": [1.0, 2, 1, 2, 1, 2]})
>>> est = sk.SurveyDesign(df, weights="w").mean("y")
>>> round(est.estimate, 4), est.n
(3.6667, 6)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._results import ResultMixin

__all__ = ["Comparison", "DomainProportions", "Estimate", "SvyGLMResult"]


@dataclass(frozen=True)
class Estimate(ResultMixin):
    """One design-based estimate with its standard error and confidence interval.

    Attributes
    ----------
    variable : str
        The variable estimated.
    statistic : {"mean", "total", "proportion", "quantile", "ratio"}
    estimate, se : float
        Point estimate and linearized standard error.
    ci_low, ci_high : float
        Confidence interval at ``conf_level``.
    conf_level : float
        Confidence level (0.95 unless asked otherwise).
    df : float
        Degrees of freedom of the t quantile used for the interval
        (``inf`` means the normal quantile).
    deff : float
        Design effect as R's ``deff=TRUE`` (NaN where R gives none, e.g.
        quantiles).
    n : int
        Respondents used (unweighted, non-missing).
    n_missing : int
        Respondents left out because the variable is missing (R ``na.rm=TRUE``).
    level : object
        The category for a proportion, the probability for a quantile; None
        otherwise.
    ci_method : str
        How the interval was formed ("t" for mean/total, the method for a
        proportion, "woodruff" for a quantile).
    """

    variable: str
    statistic: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    conf_level: float
    df: float
    deff: float
    n: int
    n_missing: int = 0
    level: Any = None
    ci_method: str = "t"

    @property
    def variance(self) -> float:
        """The squared standard error."""
        return self.se ** 2

    @property
    def cv(self) -> float:
        """Coefficient of variation, se / |estimate|."""
        return self.se / abs(self.estimate) if self.estimate != 0 else float("nan")

    def to_frame(self) -> pd.DataFrame:
        row = {"variable": self.variable, "statistic": self.statistic}
        if self.level is not None:
            row["level"] = self.level
        row.update(estimate=self.estimate, se=self.se, ci_low=self.ci_low,
                   ci_high=self.ci_high, deff=self.deff, n=self.n, n_missing=self.n_missing)
        return pd.DataFrame([row])

    def __str__(self) -> str:
        pct = f"{100 * self.conf_level:g}%"
        lvl = f" [{self.level}]" if self.level is not None else ""
        return (f"{self.statistic} of {self.variable}{lvl}: {self.estimate:.6g} "
                f"(SE {self.se:.4g}; {pct} CI {self.ci_low:.6g} to {self.ci_high:.6g}; "
                f"deff {self.deff:.3g}; n = {self.n}"
                + (f", {self.n_missing} missing" if self.n_missing else "") + ")")


@dataclass(frozen=True)
class Comparison(ResultMixin):
    """Difference of a mean or proportion between two domains, with a design-based t test.

    ``difference = estimate_a - estimate_b``; ``t = difference / se`` on
    ``df`` degrees of freedom (the design's ``degf``); ``p_value`` is two-sided.
    """

    variable: str
    by: str
    a: Any
    b: Any
    statistic: str
    estimate_a: float
    estimate_b: float
    difference: float
    se: float
    t: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    conf_level: float
    n_a: int
    n_b: int
    level: Any = None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "variable": self.variable, "by": self.by, "a": self.a, "b": self.b,
            "estimate_a": self.estimate_a, "estimate_b": self.estimate_b,
            "difference": self.difference, "se": self.se, "t": self.t, "df": self.df,
            "p_value": self.p_value, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "n_a": self.n_a, "n_b": self.n_b}])


@dataclass(frozen=True, eq=False)
class DomainProportions(ResultMixin):
    """Domain proportions (or means) of many (column, row) pairs with their joint covariance.

    Built by :meth:`SurveyDesign.domain_proportions` for banner tables: for a
    row variable with ``k`` categories and a column (domain) variable with
    ``c`` levels.

    Attributes
    ----------
    estimates : DataFrame (c x k)
        ``estimates.loc[col, row]`` is the share of ``row`` within domain ``col``.
    vcov : ndarray (c*k, c*k)
        Covariance of the flattened estimates, flattened row-major over
        (column level, row category): entry ``i * k + j`` is
        ``estimates.iloc[i, j]``. It includes the covariances between domains,
        so the variance of a difference of two columns is
        ``v[a, a] + v[b, b] - 2 v[a, b]``.
    n : Series (c)
        Unweighted respondents per domain (non-missing on both variables).
    weighted_n : Series (c)
        Sum of weights per domain.
    df : float
        Design degrees of freedom for t tests.
    """

    estimates: pd.DataFrame
    vcov: np.ndarray
    n: pd.Series
    weighted_n: pd.Series
    df: float
    deff: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def se(self) -> pd.DataFrame:
        """Standard errors, same shape as ``estimates``."""
        c, k = self.estimates.shape
        return pd.DataFrame(np.sqrt(np.clip(np.diag(self.vcov), 0, None)).reshape(c, k),
                            index=self.estimates.index, columns=self.estimates.columns)

    def _pos(self, col: Any) -> int:
        try:
            return int(self.estimates.index.get_loc(col))
        except KeyError:
            from ..errors import DesignError
            raise DesignError(f"no domain {col!r}; domains are "
                              f"{list(self.estimates.index)}") from None

    def difference(self, a: Any, b: Any) -> pd.DataFrame:
        """Column a minus column b for every row category: difference, se, t, df, p_value.

        The p-value is two-sided from Student's t with ``df`` degrees of
        freedom (survival function, so tiny p-values keep their precision).
        """
        from scipy import stats

        k = self.estimates.shape[1]
        ia, ib = self._pos(a), self._pos(b)
        sa = slice(ia * k, ia * k + k)
        sb = slice(ib * k, ib * k + k)
        v = (np.diag(self.vcov[sa, sa]) + np.diag(self.vcov[sb, sb])
             - 2 * np.diag(self.vcov[sa, sb]))
        d = self.estimates.iloc[ia].to_numpy() - self.estimates.iloc[ib].to_numpy()
        se = np.sqrt(np.clip(v, 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = d / se
        p = 2 * stats.t.sf(np.abs(t), self.df)
        return pd.DataFrame({"difference": d, "se": se, "t": t, "df": self.df, "p_value": p},
                            index=self.estimates.columns)

    def to_frame(self) -> pd.DataFrame:
        return self.estimates


@dataclass(frozen=True, eq=False)
class SvyGLMResult(ResultMixin):
    """A generalised linear model fitted to survey data with linearization SEs (R ``svyglm``).

    Attributes
    ----------
    params, se, tvalues, pvalues : Series
        Coefficients, design-based standard errors, t statistics and
        two-sided p-values on ``df_resid`` degrees of freedom.
    vcov : DataFrame
        Design-based (sandwich) covariance of the coefficients.
    df_resid : float
        ``degf - rank + 1``, as R's ``svyglm``.
    family : str
    formula : str
    nobs : int
        Respondents used (complete cases).
    n_missing : int
        Respondents dropped for a missing value in the model variables.
    """

    params: pd.Series
    se: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    vcov: pd.DataFrame
    df_resid: float
    family: str
    formula: str
    nobs: int
    n_missing: int
    naive_vcov: pd.DataFrame = field(default_factory=pd.DataFrame)

    def conf_int(self, conf_level: float = 0.95) -> pd.DataFrame:
        """Wald intervals with the t quantile on ``df_resid`` (R ``confint.svyglm``)."""
        from scipy import stats

        from ..errors import UsageError

        if isinstance(conf_level, bool) or not isinstance(conf_level, (int, float)) \
                or not 0 < conf_level < 1:
            raise UsageError(f"conf_level must be a number between 0 and 1 (e.g. 0.95); "
                             f"got {conf_level!r}")
        if self.df_resid <= 0:
            q = np.nan
        else:
            q = stats.t.ppf(0.5 + conf_level / 2, self.df_resid)
        return pd.DataFrame({"ci_low": self.params - q * self.se,
                             "ci_high": self.params + q * self.se})

    def to_frame(self) -> pd.DataFrame:
        ci = self.conf_int()
        return pd.DataFrame({"estimate": self.params, "se": self.se, "t": self.tvalues,
                             "p_value": self.pvalues, "ci_low": ci["ci_low"],
                             "ci_high": ci["ci_high"]})

    def summary(self) -> str:
        """A printable coefficient table with the design facts."""
        head = (f"Survey-weighted GLM ({self.family}): {self.formula}\n"
                f"n = {self.nobs} ({self.n_missing} dropped for missing values); "
                f"residual df (design) = {self.df_resid:g}\n"
                "Standard errors by linearization (Binder 1983; R svyglm).\n")
        return head + self.to_frame().to_string(float_format=lambda v: f"{v:.6g}")

    def __str__(self) -> str:
        return self.summary()

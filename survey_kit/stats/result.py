"""The result of every test of association: :class:`TestResult`.

A frozen record of the method, statistic, degrees of freedom and p-value, the
variables tested, further details (design effects, Cramer's V, ...) and the
warnings a reader should see. It prints like R's ``htest`` and gives a
one-row DataFrame (:meth:`TestResult.to_frame`).

Example
-------
>>> r = TestResult("Pearson's Chi-squared test", 3.2, 1.0, 0.0736, row="a", col="b")
>>> print(r)
Pearson's Chi-squared test
data: a by b
X-squared = 3.2, df = 1, p-value = 0.0736
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._results import ResultMixin

__all__ = ["TestResult"]


@dataclass(frozen=True)
class TestResult(ResultMixin):
    """The outcome of a significance test.

    Attributes
    ----------
    method : str
        What was computed, e.g. ``"Pearson's X^2: Rao & Scott second-order
        adjustment"``.
    statistic : float
        The test statistic, named by ``statistic_name``.
    df : float, (float, float) or None
        Degrees of freedom: one number for a chi-squared reference
        distribution, ``(numerator, denominator)`` for an F, ``None`` when
        the reference distribution is not a chi-squared or F (``"lincom"``,
        ``"saddlepoint"``, Fisher's exact test).
    pvalue : float
        Upper-tail probability, computed from survival functions.
    statistic_name : str
        ``"F"``, ``"X-squared"``, ``"G"``, ``"M-squared"``, ...
    row, col : str or None
        The variables tested.
    details : mapping
        Further quantities (Pearson X^2, design effects, Cramer's V, odds
        ratio, numbers of respondents used...).
    warnings : tuple of str
        Everything the reader of the test should know: respondents left out
        for missing values, empty levels dropped, sparse cells.

    Examples
    --------
    >>> r = TestResult("Pearson's Chi-squared test", 3.2, 1.0, 0.0736, row="a", col="b")
    >>> float(r.to_frame().loc[0, "pvalue"])
    0.0736
    """

    __test__ = False   # not a pytest test class

    method: str
    statistic: float
    df: float | tuple[float, float] | None
    pvalue: float
    statistic_name: str = "X-squared"
    row: str | None = None
    col: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    warnings: tuple[str, ...] = ()

    @property
    def ndf(self) -> float | None:
        """Numerator (or only) degrees of freedom."""
        if self.df is None:
            return None
        return self.df[0] if isinstance(self.df, tuple) else self.df

    @property
    def ddf(self) -> float | None:
        """Denominator degrees of freedom of an F reference distribution."""
        return self.df[1] if isinstance(self.df, tuple) else None

    def to_frame(self) -> pd.DataFrame:
        """One row: method, variables, statistic, df, p-value and scalar details."""
        rec: dict[str, Any] = {
            "method": self.method, "row": self.row, "col": self.col,
            "statistic_name": self.statistic_name, "statistic": self.statistic,
            "ndf": np.nan if self.ndf is None else self.ndf,
            "ddf": np.nan if self.ddf is None else self.ddf,
            "pvalue": self.pvalue,
        }
        for key, value in self.details.items():
            if isinstance(value, (int, float, np.integer, np.floating, str, bool)):
                rec[key] = value
        rec["warnings"] = "; ".join(self.warnings)
        return pd.DataFrame([rec])

    def __str__(self) -> str:
        lines = [self.method]
        if self.row is not None:
            kind = self.details.get("design_based")
            lines.append(f"data: {self.row} by {self.col}"
                         + (" (design-based)" if kind else ""))
        parts = [f"{self.statistic_name} = {_fmt(self.statistic, 5)}"]
        if isinstance(self.df, tuple):
            parts += [f"ndf = {_fmt(self.df[0], 5)}", f"ddf = {_fmt(self.df[1], 5)}"]
        elif self.df is not None:
            parts.append(f"df = {_fmt(self.df, 5)}")
        parts.append(f"p-value = {_fmt(self.pvalue, 4)}")
        lines.append(", ".join(parts))
        if self.warnings:
            lines.append("warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


def _fmt(x: float, digits: int) -> str:
    if x is None or not np.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"

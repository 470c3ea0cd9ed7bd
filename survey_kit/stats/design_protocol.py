"""What the stats stage needs of a survey design, and the one check that an object is one.

``stats`` sits below ``design`` (the design calls :func:`svychisq` for
``SurveyDesign.chisq``), so nothing here imports :mod:`survey_kit.design`: a
design is recognised by what it offers (:class:`DesignLike`). Every stage
that accepts "a SurveyDesign or something else" (the tests here, ``crosstab``)
asks :func:`is_design`.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> is_design(sk.SurveyDesign(pd.DataFrame({"w": [1.0, 2.0]}), weights="w"))
True
>>> is_design(pd.DataFrame({"w": [1.0, 2.0]}))
False
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

__all__ = ["DesignLike", "is_design"]


class DesignLike(Protocol):
    """The part of :class:`~survey_kit.design.survey_design.SurveyDesign` used here.

    Attributes
    ----------
    frame : DataFrame
        The respondents.
    weights : ndarray (n,)
    n : int
        Number of respondents (rows of ``frame``).
    degf : float
        Design degrees of freedom (PSUs minus strata).
    """

    frame: pd.DataFrame
    weights: np.ndarray
    n: int
    degf: float

    def vcov_total(self, x: np.ndarray, *, subset: np.ndarray | None = None) -> np.ndarray:
        """Design covariance of the weighted totals of the columns of ``x`` (n, k)."""
        ...

    def vcov_total_coded(self, table: np.ndarray, code: np.ndarray, *,
                         subset: np.ndarray | None = None,
                         code_subset: np.ndarray | None = None) -> np.ndarray:
        """``vcov_total(table[code])`` without forming the n x k matrix."""
        ...


def is_design(obj: Any) -> bool:
    """True when ``obj`` offers what a design-based test needs (duck-typed).

    Parameters
    ----------
    obj : object

    Returns
    -------
    bool
        ``obj`` has ``vcov_total``, ``weights`` and ``frame``.
    """
    return hasattr(obj, "vcov_total") and hasattr(obj, "weights") and hasattr(obj, "frame")

"""Effect sizes of a two-way table: Cramer's V, weighted or not.

:func:`cramers_v` takes a DataFrame (unweighted counts) or a design (the
estimated population table); :func:`table_cramers_v` is the same number from
an array of cell proportions or totals, used by the Rao-Scott core and by
crosstab's tests, so one formula gives every V of the package.

Example
-------
>>> import numpy as np
>>> round(table_cramers_v(np.array([[10.0, 0.0], [5.0, 15.0]]) / 30), 4)
0.7071
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .design_protocol import is_design
from .two_way import two_way
from .unweighted import pingouin_row

__all__ = ["cramers_v", "phi_squared", "table_cramers_v"]


def phi_squared(P: np.ndarray) -> float:
    """Pearson's :math:`\\phi^2 = X^2 / N` of a two-way table of cell proportions.

    Parameters
    ----------
    P : ndarray (r, c)
        Cell proportions summing to 1, no empty row or column.

    Returns
    -------
    float
        :math:`\\sum_{ij} (p_{ij} - p_{i+} p_{+j})^2 / (p_{i+} p_{+j})`.
    """
    E = np.outer(P.sum(axis=1), P.sum(axis=0))
    return float(((P - E) ** 2 / E).sum())


def table_cramers_v(P: np.ndarray) -> float:
    """Cramer's V of a two-way table of cell proportions (see :func:`phi_squared`).

    :math:`V = \\sqrt{\\phi^2 / (\\min(r, c) - 1)}`, between 0 and 1.
    """
    nr, nc = np.shape(P)
    return math.sqrt(phi_squared(P) / (min(nr, nc) - 1))


def cramers_v(data: Any, row: str, col: str, *, na_rm: bool = True) -> float:
    """Cramer's V of a two-way table, weighted when given a design.

    Parameters
    ----------
    data : pandas.DataFrame or SurveyDesign
        A DataFrame gives V of the unweighted counts (from pingouin); a
        SurveyDesign gives V of the *estimated population table*, i.e. of the
        weighted cell proportions.
    row, col : str
    na_rm : bool, default True

    Returns
    -------
    float
        :math:`V = \\sqrt{\\phi^2 / (\\min(r, c) - 1)}`, between 0 and 1.

    Notes
    -----
    With :math:`\\hat p_{ij}` the (weighted) cell proportions,
    :math:`\\phi^2 = \\sum_{ij} (\\hat p_{ij} - \\hat p_{i+}\\hat p_{+j})^2 /
    (\\hat p_{i+}\\hat p_{+j})`. On a design this is the plug-in estimate of the
    population's V: it does not depend on the sample size, nor on the design
    effect. The Rao-Scott correction belongs to the *test* (X^2 divided by
    the mean design effect), not to the size of the association, so it is
    not applied here. ``svychisq`` reports the same value in its details.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("xxxyyy") * 5, "b": list("pqpqqq") * 5})
    >>> round(cramers_v(df, "a", "b"), 4)
    0.7071

    References
    ----------
    Cramer, H. (1946). Mathematical Methods of Statistics. Princeton, p. 282.
    """
    if is_design(data):
        w = np.asarray(data.weights, dtype=float)
        tb = two_way(data.frame, row, col, w, na_rm, what="")
        nr, nc = tb.shape
        v = tb.valid
        P = np.bincount(tb.cell[v], weights=w[v], minlength=nr * nc).reshape(nc, nr).T
        return table_cramers_v(P / P.sum())
    tb = two_way(data, row, col, None, na_rm, what="")
    return float(pingouin_row(tb, "pearson", False)["cramer"])

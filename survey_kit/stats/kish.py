"""Kish's effective sample size of a weighted group, from its weight sums.

Vectorised over any number of groups (the columns of a banner table, domains):
each takes the sums of the weights and of the squared weights per group, so
the caller aggregates once (``np.bincount``) and never passes respondents.

Example
-------
>>> import numpy as np
>>> effective_n(np.array([8.0, 3.0, 0.0]), np.array([22.0, 3.0, 0.0]))
array([2.90909091, 3.        , 0.        ])

References
----------
Kish, L. (1965). Survey Sampling. Wiley, section 11.7.
"""

from __future__ import annotations

import numpy as np

__all__ = ["effective_n"]


def effective_n(sum_w: np.ndarray, sum_w2: np.ndarray) -> np.ndarray:
    """Kish's effective sample size :math:`(\\sum w)^2 / \\sum w^2` per group.

    Parameters
    ----------
    sum_w, sum_w2 : array-like
        Sums of the weights and of the squared weights of each group.

    Returns
    -------
    ndarray
        0 for a group without (non-zero) weights. Kish's design effect of
        unequal weighting is the group's respondent count divided by this.
    """
    sum_w = np.asarray(sum_w, dtype=float)
    sum_w2 = np.asarray(sum_w2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sum_w2 > 0, sum_w ** 2 / sum_w2, 0.0)


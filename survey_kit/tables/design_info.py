"""What the banner engine needs of a design (or of unweighted data): :class:`DesignInfo`.

``mode`` says how variances are computed:

- ``"srs"``, ``"psu"``, ``"atoms"``: the design's coded path
  (:meth:`SurveyDesign.coded_path`): influence values of categorical rows
  are constant within (row category, banner level), so they go through
  :meth:`SurveyDesign.vcov_total_coded` with one code per such pair, and
  the Rao-Scott tests with one code per table cell;
- ``"general"``: the design has no coded path (GREG calibration, several
  calibration steps, ...): influence functions are formed for the
  respondents and go through :meth:`SurveyDesign.vcov_total`, and tests
  through :func:`survey_kit.stats.design_tests.svychisq`;
- ``"unweighted"``: classical formulas.

Numeric rows always go through :meth:`SurveyDesign.vcov_total`.

A design whose rows stand for several respondents each (the atoms of an
out-of-core design, :class:`survey_kit.design.atoms.AtomDesign`) gives
``row_counts`` and ``weights_squared`` per row: :attr:`DesignInfo.counts`
and :attr:`DesignInfo.w2` then count respondents, not rows.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 2.0, 3.0]}), weights="w")
>>> design_info(d, True, d.n).mode, design_info(d, False, d.n).mode
('srs', 'unweighted')
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["DesignInfo", "design_info"]


class DesignInfo:
    """The design (or None), the respondents' weights, the design df and the variance mode."""

    def __init__(self, mode: str, design: Any, w: np.ndarray, degf: float) -> None:
        self.mode = mode
        self.design = design
        self.w = w
        self.degf = float(degf)
        #: respondents per row (None: one each) and sums of squared weights per row
        self.counts = getattr(design, "row_counts", None)
        self.w2 = getattr(design, "weights_squared", None)
        self.n_rows = int(self.counts.sum()) if self.counts is not None else len(w)

    @property
    def weighted(self) -> bool:
        """False for unweighted tables (classical formulas)."""
        return self.mode != "unweighted"


def design_info(design: Any, weighted: bool, n: int) -> DesignInfo:
    """The engine's view of ``design``: unweighted when ``weighted`` is False or no design."""
    if not weighted or design is None:
        return DesignInfo("unweighted", design, np.ones(n), np.inf)
    return DesignInfo(design.coded_path(), design, np.asarray(design.weights, dtype=float),
                      float(design.degf))

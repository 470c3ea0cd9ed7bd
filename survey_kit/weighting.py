"""Weighting by firm size (and sector, region, ...): post-stratification,
raking, calibration and trimming, with diagnostics.

(Work in progress: the result classes below are final; the functions follow.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._results import ResultMixin


@dataclass(frozen=True, eq=False)
class CalibrationInfo:
    """What a calibrated design needs to compute calibration-aware variances.

    Attributes
    ----------
    method : {"poststratify", "rake", "calibrate"}
    cells : numpy.ndarray of int or None
        Post-stratification: the cell of each respondent (0..K-1); -1 for a
        respondent excluded from weighting (weight 0).
    margins : list of numpy.ndarray of int, or None
        Raking: one array of level codes per margin, in the order raked;
        -1 for an excluded respondent.
    model_matrix : numpy.ndarray or None
        Calibration: the n x p matrix of R's ``model.matrix`` of the
        calibration formula (intercept + treatment dummies); rows of
        excluded respondents are zero.
    base_weights : numpy.ndarray
        The weights before this adjustment (1 when none were given).
    weights : numpy.ndarray
        The final weights (0 for excluded respondents).
    labels : tuple
        Names of the cells / margin levels / model-matrix columns.
    """

    method: str
    cells: np.ndarray | None
    margins: list | None
    model_matrix: np.ndarray | None
    base_weights: np.ndarray
    weights: np.ndarray
    labels: tuple = ()


@dataclass(frozen=True, eq=False)
class WeightingResult(ResultMixin):
    """Weights and what it took to get them."""

    weights: pd.Series
    converged: bool
    iterations: int
    max_margin_error: float
    margins: pd.DataFrame
    diagnostics: pd.Series
    warnings: tuple = ()
    method: str = ""
    calibration: CalibrationInfo | None = None
    not_stated: pd.DataFrame = field(default_factory=pd.DataFrame)
    imputations: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        return self.margins

"""What every weighting function returns: :class:`WeightingResult` and :class:`CalibrationInfo`.

A :class:`WeightingResult` holds the final weights (aligned to the frame's
index), whether the margins were reached, the margins table (target vs
achieved vs sample), the weight diagnostics, warnings, and the
:class:`CalibrationInfo` a :class:`~survey_kit.design.survey_design.SurveyDesign`
needs for calibration-aware standard errors.

Example
-------
>>> import pandas as pd
>>> import survey_kit as sk
>>> df = pd.DataFrame({"size_class": ["micro", "micro", "large"]})
>>> res = sk.poststratify(df, {"size_class": {"micro": 90, "large": 10}})
>>> res.with_weights(df)["weight"].tolist()
[45.0, 45.0, 10.0]
>>> res.calibration.method, res.calibration.labels
('poststratify', ('micro', 'large'))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._results import ResultMixin
from ..errors import UsageError

__all__ = ["CalibrationInfo", "WeightingResult"]


@dataclass(frozen=True, eq=False)
class CalibrationInfo:
    """What a calibrated design needs to compute calibration-aware variances.

    Attributes
    ----------
    method : {"poststratify", "rake", "calibrate"}
    cells : numpy.ndarray of int or None
        Post-stratification: the cell of each respondent (0..K-1, one code
        per occupied cell); -1 for a respondent excluded from weighting.
    margins : list of numpy.ndarray of int, or None
        Raking: one array of level codes per margin, in the order raked;
        -1 for an excluded respondent.
    model_matrix : numpy.ndarray or None
        Calibration: the n x p matrix of R's ``model.matrix`` of the
        calibration formula (intercept + treatment dummies, first level the
        baseline); rows of excluded respondents are zero.
    base_weights : numpy.ndarray
        The weights before this adjustment (1 when none were given).
    weights : numpy.ndarray
        The weights after this adjustment (0 for excluded respondents); kept
        when the result is trimmed (R's ``trimWeights`` leaves the calibration
        as it was), so they may differ from the result's trimmed weights.
    labels : tuple
        Post-stratification: the cell names; raking: one tuple of level
        names per margin; calibration: the model-matrix column names.
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
    """Weights and what it took to get them.

    Attributes
    ----------
    weights : pandas.Series
        Final weights, aligned to the frame's index (0 for excluded respondents).
    converged : bool
        Whether the margins were reached within the tolerance.
    iterations : int
        Raking sweeps / Newton steps / trimming rounds (1 for closed forms).
    max_margin_error : float
        Largest ``|achieved - target| / target`` over all target levels.
    margins : pandas.DataFrame
        Per variable and level: respondents ``n``, ``sample_share``,
        ``base_total``, ``target``, ``achieved``, their shares, ``error`` and
        ``rel_error``.
    diagnostics : pandas.Series
        See :func:`~survey_kit.weight_diagnostics`.
    warnings : tuple of str
        Negative weights, not-stated handling, rescaling, trimming, ...
    method : str
        "poststratify", "rake", "calibrate (linear)", ... (+ " + trim").
    calibration : CalibrationInfo or None
        For :class:`~survey_kit.design.survey_design.SurveyDesign` (calibration-aware variances).
    not_stated : pandas.DataFrame
        How respondents with a missing weighting variable were handled.
    imputations : pandas.DataFrame
        Hot-deck imputations (respondent, variable, value, donor, within).
    """

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
    # level codes of each variable (for recomputing margins after trimming)
    _groups: tuple = field(default=(), repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The margins table (target vs achieved vs sample, per level)."""
        return self.margins

    def with_weights(self, frame: pd.DataFrame, column: str = "weight") -> pd.DataFrame:
        """A copy of ``frame`` with the weights as a new column."""
        if not isinstance(frame, pd.DataFrame):
            raise UsageError(f"frame must be a pandas DataFrame, not {type(frame).__name__}")
        if not frame.index.equals(self.weights.index):
            raise UsageError("the frame's index differs from the one the weights were computed "
                             "on; pass the same frame (respondent ids as index)")
        out = frame.copy()
        out[column] = self.weights.to_numpy()
        return out

    def report_tables(self) -> dict[str, pd.DataFrame]:
        """The tables of a weighting report: margins, diagnostics, not stated, ..."""
        out = {"margins": self.margins,
               "diagnostics": self.diagnostics.rename("value").rename_axis("statistic")
               .reset_index()}
        if len(self.not_stated):
            out["not_stated"] = self.not_stated
        if len(self.imputations):
            out["imputations"] = self.imputations
        out["warnings"] = pd.DataFrame({"warning": list(self.warnings)}, dtype=object)
        return out

    def __str__(self) -> str:
        status = "converged" if self.converged else "NOT converged"
        lines = [(f"WeightingResult: {self.method}, {status} after {self.iterations} "
                 f"iteration(s), max margin error {self.max_margin_error:.3g}"),
                 "", "Diagnostics:", self.diagnostics.to_string(float_format=lambda x: f"{x:.6g}"),
                 "", "Margins:", self.margins.to_string(index=False,
                                                         float_format=lambda x: f"{x:.6g}")]
        if self.warnings:
            lines += ["", "Warnings:"] + [f"- {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        warn = "".join(f"<li>{w}</li>" for w in self.warnings)
        return (f"<p><b>WeightingResult</b>: {self.method}, "
                f"{'converged' if self.converged else 'NOT converged'}, "
                f"max margin error {self.max_margin_error:.3g}</p>"
                + self.diagnostics.to_frame("value").to_html()
                + self.margins.to_html(index=False)
                + (f"<ul>{warn}</ul>" if warn else ""))

"""Weighting as the questionnaire says: the step shared by the report and the commands.

The questionnaire's ``weighting`` section (method, variables, not-stated
strategy, imputation classes, population targets relative to the YAML
file, upper trimming cap as a multiple of the mean weight) is resolved once,
with any overrides, into a :class:`WeightingPlan`; :meth:`WeightingPlan.apply`
weights the kept respondents. :func:`survey_kit.report.run.prepare` (behind
``survey-kit report`` and ``survey-kit appendix``), ``survey-kit crosstab``
and ``survey-kit weight`` all weight through it, so the same questionnaire
gives the same weights everywhere. :func:`check_targets` reads the targets
and compares them with the questionnaire's levels (``survey-kit validate``).

Example
-------
>>> import itertools
>>> import pandas as pd
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> plan = weighting_plan(q)   # None when no targets are named or given
>>> plan.describe()
'rake to size_class, sector (sample_data/japan_firm_population_targets.csv)'
>>> kept = pd.DataFrame(itertools.product(["micro", "small", "medium", "large"],
...                     ["manufacturing", "business_services", "digital_services"]),
...                     columns=["size_class", "sector"])
>>> targets, result = plan.apply(kept)
>>> result.method, float(round(result.weights.sum(), 6))
('rake', 710000.0)

Notes
-----
A trimming cap ``k x`` is ``k`` times the mean of the non-zero weights after
raking / post-stratification / calibration; trimming repeats until no weight
is outside the bounds and keeps the total (:func:`survey_kit.trim_weights`,
as R's ``trimWeights``; Lumley 2010).

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import note_inputs
from ..errors import DataError, UsageError, WeightingError
from ..instrument.questionnaire import Questionnaire
from .calibrate import calibrate
from .collapse import collapse_levels
from .poststratify import poststratify
from .rake import rake
from .targets import Targets, as_targets, load_targets
from .trim import trim_weights

__all__ = ["METHODS", "Cap", "WeightingPlan", "check_design_columns", "check_targets",
           "targets_path", "weighting_plan"]

METHODS = ("rake", "poststratify", "calibrate")


@dataclass(frozen=True)
class Cap:
    """A bound on the weights: ``value`` itself, or ``value`` times the mean weight."""

    value: float
    relative: bool = False

    @classmethod
    def parse(cls, text: Any, option: str = "trim cap") -> Cap:
        """``'1200'`` or ``1200`` (a weight), ``'5x'`` (5 times the mean weight), or a Cap.

        Raises
        ------
        UsageError
            Not a positive number, with or without a trailing ``x``.
        """
        if isinstance(text, Cap):
            return text
        if isinstance(text, (bool, np.bool_)):
            raise UsageError(f"{option} {text!r}: give a number (a weight) or a multiple of the "
                             "mean weight such as 5x")
        s = str(float(text) if isinstance(text, (int, float, np.number)) else text)
        s = s.strip().lower()
        relative = s.endswith("x")
        try:
            value = float(s[:-1] if relative else s)
        except ValueError:
            raise UsageError(f"{option} {text!r}: give a number (a weight) or a multiple of the "
                             "mean weight such as 5x") from None
        if not (math.isfinite(value) and value > 0):
            raise UsageError(f"{option} {text!r}: must be a positive number")
        return cls(value, relative)

    def bound(self, mean_weight: float) -> float:
        """The bound as a weight, given the mean of the non-zero weights."""
        return self.value * mean_weight if self.relative else self.value

    def __str__(self) -> str:
        return f"{self.value:g}x" if self.relative else f"{self.value:g}"


def targets_path(questionnaire: Questionnaire) -> Path | None:
    """The targets file named by ``weighting.targets``, relative to the YAML file; or None."""
    cfg = questionnaire.weighting
    if cfg is None or not cfg.targets:
        return None
    p = Path(cfg.targets)
    if not p.is_absolute() and questionnaire.source is not None:
        p = Path(questionnaire.source).parent / p
    return Path(os.path.normpath(p))


@dataclass(frozen=True)
class WeightingPlan:
    """How to weight: the questionnaire's ``weighting`` section with overrides applied.

    Attributes
    ----------
    method : {"rake", "poststratify", "calibrate"}
    targets : path, Targets or mapping
        Population targets (a path is read with :func:`~survey_kit.load_targets`).
    variables : tuple of str or None
        Weighting variables; None = every variable of the targets.
    not_stated, impute_within, weights, seed, max_iter, calfun, bounds
        As in :func:`survey_kit.rake` / :func:`~survey_kit.poststratify` /
        :func:`~survey_kit.calibrate` (``calfun`` is calibrate's ``method``;
        ``max_iter`` None = the function's default).
    trim_upper, trim_lower : Cap or None
        Trimming bounds applied after weighting.
    rake_margins_only : bool
        Post-stratification on several variables with margins only (no joint
        cells) rakes to the margins instead; set when the method comes from
        the questionnaire, not when it is asked for explicitly.
    collapse : tuple of (variable, levels, into)
        Levels merged in the data and the targets before weighting, in order
        (:func:`~survey_kit.collapse_levels`; ``into`` None = the default name).
    """

    method: str
    targets: Any
    variables: tuple[str, ...] | None = None
    not_stated: str | None = None
    impute_within: str | tuple[str, ...] | None = None
    trim_upper: Cap | None = None
    trim_lower: Cap | None = None
    weights: str | None = None
    seed: int | None = 0
    max_iter: int | None = None
    calfun: str = "linear"
    bounds: tuple[float, float] | None = None
    rake_margins_only: bool = False
    collapse: tuple[tuple[str, tuple[str, ...], str | None], ...] = ()

    def apply(self, frame: pd.DataFrame) -> tuple[Any, Any]:
        """Weight ``frame`` (the kept respondents); returns ``(Targets, WeightingResult)``."""
        if isinstance(self.targets, (str, os.PathLike)):
            t = load_targets(self.targets)
        else:
            t = self.targets if isinstance(self.targets, Targets) else as_targets(self.targets)
        for var, levels, into in self.collapse:
            frame, t = collapse_levels(frame, t, var, list(levels), into)
        kw: dict[str, Any] = {
            "variables": None if self.variables is None else list(self.variables),
            "not_stated": self.not_stated, "seed": self.seed,
            "impute_within": (list(self.impute_within)
                              if isinstance(self.impute_within, tuple) else self.impute_within)}
        if self.weights is not None:
            kw["weights"] = self.weights
        method = self.method
        if (method == "poststratify" and self.rake_margins_only and self.variables is not None
                and len(self.variables) > 1 and t.cells is None):
            method = "rake"
        if self.max_iter is not None and method != "poststratify":
            kw["max_iter"] = self.max_iter
        if method == "rake":
            res = rake(frame, t, **kw)
        elif method == "poststratify":
            res = poststratify(frame, t, **kw)
        else:
            res = calibrate(frame, t, self.calfun, self.bounds, **kw)
        if self.trim_upper is not None or self.trim_lower is not None:
            w = res.weights.to_numpy(dtype=float)
            mean = float(w[w != 0].mean())
            res = trim_weights(
                res, lower=None if self.trim_lower is None else self.trim_lower.bound(mean),
                upper=None if self.trim_upper is None else self.trim_upper.bound(mean),
                strict=True)
        return t, res

    def variables_text(self) -> str:
        """The weighting variables, comma-separated, for messages and reports."""
        return ", ".join(self.variables or ()) or "every target variable"

    def targets_text(self) -> str:
        """The targets' file path, or "the targets given" when they are not a file."""
        if isinstance(self.targets, (str, os.PathLike)):
            return str(self.targets)
        return "the targets given"

    def describe(self) -> str:
        """``"rake to size_class, sector (path of the targets)"``, plus trimming if any."""
        text = f"{self.method} to {self.variables_text()} ({self.targets_text()})"
        trims = [f"{name} {cap}" for name, cap in (("upper", self.trim_upper),
                                                   ("lower", self.trim_lower)) if cap]
        return text + (f", trimmed ({', '.join(trims)})" if trims else "")


def weighting_plan(questionnaire: Questionnaire, targets: Any = None, *,
                   method: str | None = None, variables: Any = None,
                   not_stated: str | None = None, impute_within: Any = None,
                   trim_upper: Cap | str | float | None = None,
                   trim_lower: Cap | str | float | None = None,
                   **options: Any) -> WeightingPlan | None:
    """Resolve the questionnaire's ``weighting`` section and overrides into a plan.

    Parameters
    ----------
    questionnaire : Questionnaire
    targets : path, Targets or mapping, optional
        Default: the file named by ``weighting.targets``, relative to the YAML file.
    method, variables, not_stated, impute_within : optional
        Overrides; each default comes from the questionnaire (method
        ``"rake"`` when it has no weighting section).
    trim_upper, trim_lower : Cap, str or float, optional
        ``"5x"`` = 5 times the mean weight, a number = a weight. The default
        upper cap is the questionnaire's ``trim_upper`` (times the mean weight).
    **options
        ``weights``, ``seed``, ``max_iter``, ``calfun``, ``bounds``, ``collapse`` of
        :class:`WeightingPlan`. ``weights`` (the base weights) defaults to the
        column the questionnaire's ``design.weights`` declares.

    Returns
    -------
    WeightingPlan or None
        None when no targets are given or named: the data stay unweighted.
    """
    cfg = questionnaire.weighting
    declared = getattr(questionnaire, "design", None)
    if options.get("weights") is None and declared is not None and declared.weights:
        options["weights"] = declared.weights
    if targets is None:
        targets = targets_path(questionnaire)
        if targets is None:
            return None
        note_inputs(targets)      # read by the running command: none of its outputs may replace it
    if method is not None and method not in METHODS:
        raise UsageError(f"weighting method {method!r} is not one of {', '.join(METHODS)}")
    if isinstance(variables, str):
        variables = [variables]
    if variables is None and cfg is not None:
        variables = cfg.variables
    if isinstance(impute_within, (list, tuple)):
        impute_within = tuple(impute_within)
    if trim_upper is None and cfg is not None and cfg.trim_upper:
        trim_upper = Cap(float(cfg.trim_upper), relative=True)
    upper = None if trim_upper is None else Cap.parse(trim_upper, "trim_upper")
    lower = None if trim_lower is None else Cap.parse(trim_lower, "trim_lower")
    if (upper is not None and lower is not None and upper.relative == lower.relative
            and lower.value >= upper.value):
        raise UsageError(f"trim_lower {lower} is not below trim_upper {upper}; the lower "
                         "bound must be the smaller")
    return WeightingPlan(
        method=method or (cfg.method if cfg is not None else "rake"), targets=targets,
        variables=None if variables is None else tuple(variables),
        not_stated=not_stated or (cfg.not_stated if cfg is not None else None),
        impute_within=impute_within or (cfg.impute_within if cfg is not None else None),
        trim_upper=upper, trim_lower=lower, rake_margins_only=method is None, **options)



def check_design_columns(design: Any, frame: pd.DataFrame, source: Any = None) -> None:
    """Every column a declared design names (weights, strata, cluster, fpc) is in ``frame``.

    Raises
    ------
    DataError
        A column is missing; the message names it and where it was declared.
    """
    if design is None:
        return
    missing = design.missing_columns(frame.columns)
    if missing:
        where, col = missing[0]
        raise DataError(f"{where}: the design column {col!r} is not in the responses; "
                        "name a column of the file", file=source)


def check_targets(questionnaire: Questionnaire, targets: Any = None
                  ) -> tuple[Targets, list[str]]:
    """The questionnaire's population targets, read and compared with its levels.

    ``targets`` defaults to the file named by ``weighting.targets``. Every
    weighting variable needs targets, and a level with a positive target must
    be a level of the variable in the questionnaire (no respondent could have
    another). Levels of the questionnaire without a target are returned as
    warnings: respondents who chose them could not be weighted.

    Raises
    ------
    WeightingError
        The file cannot be read as targets, or it does not fit the questionnaire.
    """
    if targets is None:
        targets = targets_path(questionnaire)
    if isinstance(targets, (str, os.PathLike)):
        t = load_targets(targets)
    else:
        t = as_targets(targets)
    cfg = questionnaire.weighting
    variables = list(cfg.variables) if cfg is not None else t.variables
    absent = [v for v in variables if v not in t.variables]
    if absent:
        raise WeightingError(f"no targets for weighting variable(s) {absent}; the targets are "
                             f"for {t.variables}", file=t.source)
    warnings = []
    for v in variables:
        levels = questionnaire.levels(v) if questionnaire.has_variable(v) else []
        if not levels:
            continue
        margin = t.margin(v)
        unknown = [str(k) for k, x in margin.items() if x > 0 and str(k) not in levels]
        if unknown:
            raise WeightingError(f"targets of {v!r} name level(s) {unknown}, which {v!r} does "
                                 f"not have in the questionnaire (its levels are "
                                 f"{', '.join(levels)}); key the targets by option key",
                                 file=t.source)
        untargeted = [k for k in _screened_in(questionnaire, v, levels)
                      if k not in margin.index]
        if untargeted:
            warnings.append(f"level(s) {untargeted} of {v!r} have no population target: "
                            "respondents who chose them cannot be weighted (merge them with "
                            f"sk.collapse_levels, or --collapse {v}={untargeted[0]} on the "
                            "command line)")
    return t, warnings


def _screened_in(questionnaire: Questionnaire, v: str, levels: list[str]) -> list[str]:
    """The levels of ``v`` its screening conditions (in / eq / not_in / ne) let through."""
    info = questionnaire.variable(v)
    q = questionnaire.question(info.question)
    key_of = {o.code: o.key for o in q.options}
    keep = list(levels)
    for c in questionnaire.survey.screening:
        if c.question != v or c.op not in ("in", "eq", "not_in", "ne"):
            continue
        values = c.value if isinstance(c.value, list) else [c.value]
        named = {x if isinstance(x, str) else key_of.get(x) for x in values}
        keep = [k for k in keep if (k in named) == (c.op in ("in", "eq"))]
    return keep

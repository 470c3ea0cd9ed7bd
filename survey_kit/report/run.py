"""The run: one survey taken through read -> clean -> weight -> design.

:func:`prepare` reads the raw export with the questionnaire, cleans it (the
quality rules, with an exclusion flow), weights the kept respondents to the
population targets the questionnaire names (if any), adds the report spec's
derived variables and builds two designs: weighted (with the calibration, for
standard errors) and unweighted. The :class:`SurveyRun` it returns holds every
stage's result; the appendix (:mod:`survey_kit.report.appendix`) is built from
it.

Example
-------
>>> run = prepare("questionnaires/japan_creators_2024.yaml",
...               "sample_data/japan_creators_2024_raw.csv")
>>> print(run)
SurveyRun japan_creators_2024: 140 read, 120 kept, deff 1.27
>>> list(run.timings)
['read', 'clean', 'weight', 'design']
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import note_inputs
from .._results import ResultMixin
from ..cleaning.engine import clean
from ..cleaning.parameters import resolve_parameters
from ..design.survey_design import SurveyDesign
from ..errors import ReportError, UsageError
from ..instrument.questionnaire import Questionnaire, as_questionnaire
from ..io.read import read_responses
from ..weighting.plan import check_design_columns, targets_path, weighting_plan
from .derived import add_derived
from .precision import kish_deff
from .spec import check_report_spec, default_report_spec, load_report_spec, report_spec_path
from .spec_models import ReportSpec

__all__ = ["SurveyRun", "prepare"]


@dataclass(frozen=True, eq=False)
class SurveyRun(ResultMixin):
    """One survey taken through read, clean, weight and design.

    Attributes
    ----------
    questionnaire : Questionnaire
        The instrument as given.
    instrument : Questionnaire
        The instrument plus the spec's derived variables (labels of tables).
    spec : ReportSpec
    raw : DataFrame
        The labelled frame as read (every respondent of the export).
    cleaning : CleaningResult
    targets : Targets or None
    weighting : WeightingResult or None
        None when the questionnaire declares no weighting.
    data : DataFrame
        Kept respondents, derived variables and the final ``weight``.
    design : SurveyDesign
        Weighted, with the calibration of the weighting (for SEs).
    unweighted : SurveyDesign
        Equal weights (simple random sampling assumptions).
    timings : dict
        Seconds per stage.
    warnings : tuple of str
        What a reader of the tables should know (e.g. "the tables are unweighted").
    declared : Design or None
        The sample design as declared (the questionnaire's ``design`` section with
        the run's overrides): sample type, columns, dispositions.
    """

    questionnaire: Questionnaire
    instrument: Questionnaire
    spec: ReportSpec
    raw: pd.DataFrame
    cleaning: Any
    targets: Any
    weighting: Any
    data: pd.DataFrame
    design: Any
    unweighted: Any
    timings: Mapping[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    declared: Any = None

    @property
    def n_raw(self) -> int:
        return len(self.raw)

    @property
    def n_kept(self) -> int:
        return len(self.data)

    @property
    def deff(self) -> float:
        """Kish's design effect of the final weights (1 when unweighted)."""
        return kish_deff(self.data["weight"].to_numpy(dtype=float))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"stage": list(self.timings), "seconds": list(self.timings.values())})

    def __str__(self) -> str:
        return (f"SurveyRun {self.questionnaire.id}: {self.n_raw} read, {self.n_kept} kept, "
                f"deff {self.deff:.2f}")


def _resolve_spec(q: Questionnaire, spec: ReportSpec | str | os.PathLike | None) -> ReportSpec:
    """The spec given, the one beside the questionnaire, or the default one."""
    if spec is None:
        path = report_spec_path(q)
        return load_report_spec(path, q) if path is not None else default_report_spec(q)
    if isinstance(spec, (str, os.PathLike)):
        return load_report_spec(spec, q)
    return spec


def _read(q: Questionnaire, responses: pd.DataFrame | str | os.PathLike,
          missing_columns: str = "error") -> tuple[pd.DataFrame, str]:
    """(the labelled frame, what was read)."""
    if isinstance(responses, pd.DataFrame):
        return responses, f"{len(responses)} respondents (given as a frame)"
    if isinstance(responses, (str, os.PathLike)):
        raw = read_responses(responses, q, duplicate_ids="keep",
                             missing_columns=missing_columns)
        return raw, f"{len(raw)} respondents from {Path(responses).name}"
    raise UsageError("responses must be the path of an export or a DataFrame; got "
                     f"{type(responses).__name__}")


def prepare(questionnaire: Questionnaire | str | os.PathLike,
            responses: pd.DataFrame | str | os.PathLike, targets: Any = None, *,
            spec: ReportSpec | str | os.PathLike | None = None,
            design: Mapping[str, Any] | None = None,
            progress: Callable[[str, float, str], None] | None = None,
            cleaning: Mapping[str, Any] | None = None,
            collapse: Sequence[tuple[str, Sequence[str], str | None]] = (),
            missing_columns: str = "error", not_stated: str | None = None) -> SurveyRun:
    """Read, clean, weight and build the designs of one survey.

    Parameters
    ----------
    questionnaire : Questionnaire or path of its YAML
    responses : path of the raw export, or the labelled frame from ``read_responses``
    targets : path, Targets or mapping, optional
        Population targets; default the file named by the questionnaire's
        ``weighting.targets``. No weighting (weights 1) when neither exists.
    spec : ReportSpec or path, optional
        Default ``<questionnaire>.report.yaml`` beside the questionnaire, else
        :func:`~survey_kit.report.spec.default_report_spec`.
    design : mapping, optional
        Overrides of the questionnaire's ``design`` section: ``weights`` (base
        weights, where the weighting starts), ``strata``, ``cluster``, ``fpc``
        (a column or a list, one per stage), ``lonely_psu``. The designs are
        built with the declared strata, clusters and fpc.
    progress : callable, optional
        Called as ``progress(stage, seconds, detail)`` after each stage.
    cleaning : mapping, optional
        Cleaning parameters, as the ``**overrides`` of :func:`survey_kit.clean`
        (``--rule NAME=VALUE`` on the command line).
    collapse : sequence of (variable, levels, into), optional
        Levels merged in the data and the targets before weighting, as
        :func:`survey_kit.collapse_levels` (``--collapse`` on the command line).
    missing_columns : {"error", "allow"}
        As in :func:`survey_kit.read_responses`.
    not_stated : {"separate", "impute", "exclude"}, optional
        How respondents whose weighting variable is missing are weighted; default the
        questionnaire's ``weighting.not_stated`` (``--not-stated``).

    Returns
    -------
    SurveyRun

    Raises
    ------
    ReportError
        Fewer than 2 respondents left after cleaning, or a spec that does not
        fit the questionnaire.
    UsageError
        ``responses`` neither a path nor a DataFrame.
    """
    q = as_questionnaire(questionnaire)
    timings: dict[str, float] = {}
    notes: list[str] = []

    def done(stage: str, t0: float, detail: str) -> None:
        timings[stage] = time.perf_counter() - t0
        if progress is not None:
            progress(stage, timings[stage], detail)

    t0 = time.perf_counter()
    # the files this run reads are inputs that no output of the command may replace
    note_inputs(q.source, responses, targets_path(q) if targets is None else targets,
                report_spec_path(q) if spec is None else spec)
    spec = _resolve_spec(q, spec)
    inst = check_report_spec(spec, q)
    declared = q.declared_design(**(design or {}))
    cleaning = dict(cleaning or {})
    resolve_parameters(q, cleaning)          # bad names and values fail before any reading
    raw, detail = _read(q, responses, missing_columns)
    check_design_columns(declared, raw, responses if isinstance(responses, (str, os.PathLike))
                         else None)
    done("read", t0, detail)

    t0 = time.perf_counter()
    cleaned = clean(raw, q, **cleaning)
    kept = cleaned.kept
    done("clean", t0, f"{len(kept)} kept, {len(raw) - len(kept)} excluded")
    if len(kept) < 2:
        raise ReportError(f"only {len(kept)} respondent(s) left after cleaning; a report needs "
                          "at least 2 (see the exclusion flow)")

    t0 = time.perf_counter()
    base_weights = declared.weights if declared is not None else None
    plan = weighting_plan(q, targets, weights=base_weights, not_stated=not_stated,
                          collapse=tuple((v, tuple(lv), into) for v, lv, into in collapse))
    tg, wres = plan.apply(kept) if plan is not None else (None, None)
    if wres is None and base_weights:
        weights = kept[base_weights].astype(float)
        notes.append(f"no population targets: the tables are weighted by the base weights "
                     f"{base_weights!r}")
    elif wres is None:
        weights = pd.Series(1.0, index=kept.index, name="weight")
        notes.append("no population targets: the tables are unweighted")
    else:
        weights = wres.weights
    data = add_derived(kept, inst, spec)
    data["weight"] = weights.reindex(data.index).to_numpy(dtype=float)
    data.attrs.update(kept.attrs)
    done("weight", t0, (f"{wres.method}, deff {kish_deff(data['weight'].to_numpy()):.2f}"
                        if wres is not None else "no weighting"))

    t0 = time.perf_counter()
    base = SurveyDesign(data)
    sampled = base if declared is None else SurveyDesign(data, **declared.survey_design_args())
    final = sampled.with_weighting(wres) if wres is not None else sampled
    done("design", t0, f"{final!r}")
    return SurveyRun(questionnaire=q, instrument=inst, spec=spec, raw=raw, cleaning=cleaned,
                     targets=tg, weighting=wres, data=data, design=final, unweighted=base,
                     timings=timings, warnings=tuple(notes), declared=declared)

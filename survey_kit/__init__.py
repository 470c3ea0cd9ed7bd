"""survey_kit: from a panel's raw export of a business survey to the appendix.

Read -> clean -> weight -> design -> estimate / crosstab / test -> report.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> q
Questionnaire('japan_digital_services_2024', 24 questions, 50 variables)
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> cleaned = sk.clean(raw, q)
>>> len(raw), len(cleaned.kept), len(cleaned.excluded)
(700, 600, 100)

The package is organised by stage, data flowing left to right (each stage
imports only the ones before it): ``instrument`` (the questionnaire and its
labels) -> ``io`` (reading and writing exports) -> ``cleaning`` (quality rules)
-> ``weighting`` -> ``stats`` (tests of association) -> ``design``
(:class:`SurveyDesign`, variance, estimators) -> ``tables`` (crosstabs and
their renderers) -> ``report`` (the run, appendix, figures) -> ``sample``
(the synthetic generator) -> ``cli``.

Heavy modules are imported only when one of their names is first used, so
``import survey_kit`` and ``survey-kit --help`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (  # noqa: F401  (re-exported)
    CleaningError,
    CrosstabError,
    DataError,
    DesignError,
    QuestionnaireError,
    ReportError,
    SurveyKitError,
    UsageError,
    WeightingError,
)

__version__ = "0.1.0"

# public name -> module that defines it (imported lazily on first use)
_LAZY: dict[str, str] = {
    # shared: output safety
    "formula_escaping": "_formulas",
    # questionnaire.py
    "load_questionnaire": "instrument.questionnaire",
    "Questionnaire": "instrument.questionnaire",
    # a questionnaire from a file's own metadata (io/draft.py)
    "questionnaire_from": "io.draft",
    "init_questionnaire": "io.draft",
    "as_questionnaire": "instrument.questionnaire",
    # pipeline.py
    "weighting_plan": "weighting.plan",
    "WeightingPlan": "weighting.plan",
    # io.py
    "read_responses": "io.read",
    "write_responses": "io.write",
    "to_export": "io.export",
    "convert_responses": "io.write",
    # cleaning/
    "clean": "cleaning.engine",
    "clean_parquet": "engine.cleaning",         # the same rules out of core (DuckDB)
    "CleaningResult": "cleaning.result",
    "longstring": "cleaning.careless.longstring",
    "irv": "cleaning.careless.irv",
    "mahad": "cleaning.careless.mahad",
    "evenodd": "cleaning.careless.evenodd",
    # synth.py
    "generate_sample": "sample.generator",
    "write_sample": "sample.generator",
    "planted_defects": "sample.generator",
    # weighting/
    "poststratify": "weighting.poststratify",
    "rake": "weighting.rake",
    "calibrate": "weighting.calibrate",
    "trim_weights": "weighting.trim",
    "weight_diagnostics": "weighting.diagnostics",
    "WeightingResult": "weighting.result",
    "CalibrationInfo": "weighting.result",
    "load_targets": "weighting.targets",
    "as_targets": "weighting.targets",
    "Targets": "weighting.targets",
    "collapse_levels": "weighting.collapse",
    # stats.py
    "TestResult": "stats.result",
    "svychisq": "stats.design_tests",
    "pearson_chisq": "stats.unweighted",
    "g_test": "stats.unweighted",
    "fisher_exact": "stats.unweighted",
    "linear_by_linear": "stats.unweighted",
    "cochran_armitage": "stats.unweighted",
    "cramers_v": "stats.effect_size",
    # crosstab.py
    "crosstab": "tables.crosstab",
    "Crosstab": "tables.result",
    # appendix.py / report.py / reproduce.py
    "appendix": "report.appendix",
    "Appendix": "report.appendix",
    "prepare": "report.run",
    "build_appendix": "report.appendix",
    "SurveyRun": "report.run",
    "load_report_spec": "report.spec",
    "ReportSpec": "report.spec_models",
    "margin_of_error": "report.precision",
    "run_report": "report.outputs",
    "ReportResult": "report.outputs",
    "response_rates": "report.response_rates",
    "ResponseRates": "report.response_rates",
    # design.py / estimate.py
    "SurveyDesign": "design.survey_design",
    "as_replicate": "design.replicate_build",
    "adjust_pvalues": "design.domains",
    "Estimate": "design.estimate",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'survey_kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# built from the lazy table, so the two cannot drift apart
__all__ = sorted(set(_LAZY) | {  # noqa: PLE0605
    "SurveyKitError", "QuestionnaireError", "DataError", "CleaningError",
    "WeightingError", "DesignError", "CrosstabError", "ReportError", "UsageError",
})

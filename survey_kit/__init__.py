"""survey_kit: from a panel's raw export of a business survey to the appendix.

Read -> clean -> weight -> design -> estimate / crosstab / test -> report.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")  # doctest: +SKIP
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q)  # doctest: +SKIP

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
    # questionnaire.py
    "load_questionnaire": "instrument.questionnaire",
    "Questionnaire": "instrument.questionnaire",
    "as_questionnaire": "instrument.questionnaire",
    # pipeline.py
    "weighting_plan": "weighting.plan",
    "WeightingPlan": "weighting.plan",
    # io.py
    "read_responses": "io.responses",
    "write_responses": "io.responses",
    "to_export": "io.responses",
    "convert_responses": "io.responses",
    # cleaning.py / careless.py
    "clean": "cleaning.engine",
    "CleaningResult": "cleaning.engine",
    "longstring": "cleaning.careless",
    "irv": "cleaning.careless",
    "mahad": "cleaning.careless",
    "evenodd": "cleaning.careless",
    # synth.py
    "generate_sample": "sample.generator",
    "write_sample": "sample.generator",
    "planted_defects": "sample.generator",
    # weighting.py / targets.py
    "poststratify": "weighting.methods",
    "rake": "weighting.methods",
    "calibrate": "weighting.methods",
    "trim_weights": "weighting.methods",
    "weight_diagnostics": "weighting.methods",
    "WeightingResult": "weighting.methods",
    "CalibrationInfo": "weighting.methods",
    "load_targets": "weighting.targets",
    "as_targets": "weighting.targets",
    "Targets": "weighting.targets",
    "collapse_levels": "weighting.targets",
    # stats.py
    "TestResult": "stats.tests",
    "svychisq": "stats.tests",
    "pearson_chisq": "stats.tests",
    "g_test": "stats.tests",
    "fisher_exact": "stats.tests",
    "linear_by_linear": "stats.tests",
    "cochran_armitage": "stats.tests",
    "cramers_v": "stats.tests",
    # crosstab.py
    "crosstab": "tables.crosstab",
    "Crosstab": "tables.crosstab",
    # appendix.py / report.py / reproduce.py
    "appendix": "report.appendix",
    "Appendix": "report.appendix",
    "prepare": "report.appendix",
    "build_appendix": "report.appendix",
    "SurveyRun": "report.appendix",
    "load_report_spec": "report.appendix",
    "ReportSpec": "report.appendix",
    "margin_of_error": "report.appendix",
    "run_report": "report.outputs",
    "ReportResult": "report.outputs",
    # design.py / estimate.py
    "SurveyDesign": "design.survey_design",
    "adjust_pvalues": "design.survey_design",
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

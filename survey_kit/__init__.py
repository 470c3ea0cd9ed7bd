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
    "load_questionnaire": "questionnaire",
    "Questionnaire": "questionnaire",
    "as_questionnaire": "questionnaire",
    # pipeline.py
    "weighting_plan": "pipeline",
    "WeightingPlan": "pipeline",
    # io.py
    "read_responses": "io",
    "write_responses": "io",
    "to_export": "io",
    "convert_responses": "io",
    # cleaning.py / careless.py
    "clean": "cleaning",
    "CleaningResult": "cleaning",
    "longstring": "careless",
    "irv": "careless",
    "mahad": "careless",
    "evenodd": "careless",
    # synth.py
    "generate_sample": "synth",
    "write_sample": "synth",
    "planted_defects": "synth",
    # weighting.py / targets.py
    "poststratify": "weighting",
    "rake": "weighting",
    "calibrate": "weighting",
    "trim_weights": "weighting",
    "weight_diagnostics": "weighting",
    "WeightingResult": "weighting",
    "CalibrationInfo": "weighting",
    "load_targets": "targets",
    "as_targets": "targets",
    "Targets": "targets",
    "collapse_levels": "targets",
    # stats.py
    "TestResult": "stats",
    "svychisq": "stats",
    "pearson_chisq": "stats",
    "g_test": "stats",
    "fisher_exact": "stats",
    "linear_by_linear": "stats",
    "cochran_armitage": "stats",
    "cramers_v": "stats",
    # crosstab.py
    "crosstab": "crosstab",
    "Crosstab": "crosstab",
    # appendix.py / report.py / reproduce.py
    "appendix": "appendix",
    "Appendix": "appendix",
    "prepare": "appendix",
    "build_appendix": "appendix",
    "SurveyRun": "appendix",
    "load_report_spec": "appendix",
    "ReportSpec": "appendix",
    "margin_of_error": "appendix",
    "run_report": "report",
    "ReportResult": "report",
    # design.py / estimate.py
    "SurveyDesign": "design",
    "adjust_pvalues": "design",
    "Estimate": "estimate",
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

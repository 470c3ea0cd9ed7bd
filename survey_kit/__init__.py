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
    # io.py
    "read_responses": "io",
    "write_responses": "io",
    # synth.py
    "generate_sample": "synth",
    # design.py / estimate.py
    "SurveyDesign": "design",
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


__all__ = sorted(set(_LAZY) | {
    "SurveyKitError", "QuestionnaireError", "DataError", "CleaningError",
    "WeightingError", "DesignError", "CrosstabError", "ReportError", "UsageError",
})

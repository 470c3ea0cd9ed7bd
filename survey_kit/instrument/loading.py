"""Loading a questionnaire: YAML text -> validated schema, errors naming file, line and key.

:func:`read_instrument` reads the YAML file (a syntax error names its line
and column); :func:`validate_instrument` checks the data against the schema
(:mod:`~survey_kit.instrument.schema`: the first fault named by its YAML
path, e.g. ``questions[4].options[2].code``) and runs the cross-checks
(:mod:`~survey_kit.instrument.checks`). Every error is a
:class:`~survey_kit.errors.QuestionnaireError` naming the file.

Example
-------
>>> data = read_instrument("questionnaires/japan_digital_services_2024.yaml")
>>> inst = validate_instrument(data, "questionnaires/japan_digital_services_2024.yaml")
>>> inst.survey.id, len(inst.questions)
('japan_digital_services_2024', 24)
>>> data["questions"][0]["colour"] = "red"
>>> try:
...     validate_instrument(data, "q.yaml")
... except QuestionnaireError as exc:
...     print(exc.file, exc.path, exc.value, sep=" | ")
q.yaml | questions[0].colour | red
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._yaml import read_yaml, schema_error
from ..errors import QuestionnaireError
from .checks import check_instrument
from .schema import _Instrument

__all__ = ["read_instrument", "validate_instrument"]


def read_instrument(path: str | Path) -> Any:
    """The parsed YAML of a questionnaire file (not yet validated).

    Raises
    ------
    QuestionnaireError
        The file is missing, not UTF-8, or not valid YAML (with line and column).
    """
    return read_yaml(Path(path), QuestionnaireError, "file",
                     "give the path of a questionnaire YAML (see questionnaires/)")


def validate_instrument(data: Any, source: str | Path | None = None) -> _Instrument:
    """Validate a mapping (as read from YAML) against the schema and the cross-checks.

    Raises
    ------
    QuestionnaireError
        Naming ``source`` and the YAML path of the first fault.
    """
    file = None if source is None else Path(source)
    if not isinstance(data, dict):
        raise QuestionnaireError("the file must hold a mapping with keys survey, questions "
                                 "(and optionally quality, weighting)", file=file)
    try:
        inst = _Instrument.model_validate(data)
    except ValidationError as exc:
        raise schema_error(exc, QuestionnaireError, file, "unknown key; check its "
                           "spelling against the schema in instrument/schema.py") from None
    try:
        check_instrument(inst)
    except QuestionnaireError as exc:
        raise QuestionnaireError(exc.message, file=file, path=exc.path) from None
    return inst

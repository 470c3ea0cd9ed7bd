"""Loading a questionnaire: YAML text -> validated schema, errors naming file, line and key.

:func:`read_instrument` reads the YAML file (a syntax error names its line
and column); :func:`validate_instrument` checks the data against the schema
(:mod:`~survey_kit.instrument.schema`: the first fault named by its YAML
path, e.g. ``questions[4].options[2].code``; a YAML boolean where a word or
code is meant is refused first) and runs the cross-checks
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

from .._yaml import node_line, read_yaml, schema_error, yaml_path
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
    where = _yaml_boolean(data)
    if where is not None:
        path, value = where
        line = _line(file, path)
        raise QuestionnaireError(
            f"YAML reads this as the boolean {str(value).lower()}"
            f"{f' (line {line})' if line else ''}: an unquoted yes, on or true is read as "
            "true, and no, off or false as false. Put the word in quotes (e.g. 'yes', 'off') "
            "or give the option code", file=file, path=yaml_path(path))
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


def _line(file: Path | None, path: tuple) -> int | None:
    """The line of ``path`` in the questionnaire file, when it can be read again."""
    if file is None:
        return None
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return node_line(text, path)


#: keys whose values are true/false (everything else a YAML boolean reaches is a misread word)
_BOOLEAN_KEYS = frozenset({"exclusive", "integer", "required", "reverse"})


def _yaml_boolean(data: dict) -> tuple[tuple, bool] | None:
    """(path, value) of the first true/false where the schema wants a word, code or number.

    YAML 1.1 reads ``value: [yes]`` as ``[True]`` and ``action: off`` as ``False``;
    left alone, pydantic would read True as the code 1. Only ``exclusive``,
    ``integer``, ``required``, ``reverse`` and cleaning parameters in ``quality.overrides``
    (except the ``<rule>_action`` words) take true/false.
    """
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            items = [(k, v) for k, v in node.items()
                     if not (isinstance(v, bool) and k in _BOOLEAN_KEYS)]
            if path == ("quality", "overrides"):
                items = [(k, v) for k, v in items
                         if not isinstance(v, bool) or str(k).endswith("_action")]
            stack.extend((path + (k,), v) for k, v in reversed(items))
        elif isinstance(node, list):
            stack.extend((path + (i,), v) for i, v in reversed(list(enumerate(node))))
        elif isinstance(node, bool):
            return path, node
    return None

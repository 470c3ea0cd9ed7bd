"""Reading a YAML file the user wrote, and naming the first fault pydantic finds in it.

Shared by the questionnaire (:func:`survey_kit.load_questionnaire`) and the
report spec (:func:`survey_kit.load_report_spec`): both raise their own
:class:`~survey_kit.errors.SurveyKitError` subclass naming the file and, for
a schema fault, the YAML path (``questions[4].options[2].code``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import SurveyKitError


def read_yaml(path: Path, error: type[SurveyKitError], what: str, hint: str) -> Any:
    """The parsed YAML of ``path``; ``error`` naming the file when it cannot be read.

    ``what`` names the file in messages ("file", "report spec"); ``hint`` says
    what to give instead when it does not exist.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} not found; {hint}", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read the {what} ({exc}); save it as UTF-8 text", file=path) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise error(f"{where}not valid YAML ({getattr(exc, 'problem', exc)})",
                    file=path) from None


def yaml_path(loc: tuple) -> str:
    """A pydantic error location as a YAML path: ``("questions", 4, "code")`` ->
    ``questions[4].code``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


def schema_error(exc: Any, error: type[SurveyKitError], file: Path | None,
                 unknown_key: str) -> SurveyKitError:
    """``error`` for the first fault of a pydantic ``ValidationError``.

    An unknown key gets the message ``unknown_key``; a missing one "required
    key is missing"; the offending value is named when it is a scalar.
    """
    err = exc.errors()[0]
    kind = err["type"]
    msg = err["msg"]
    if kind == "extra_forbidden":
        msg = unknown_key
    elif kind == "missing":
        msg = "required key is missing"
    value = err.get("input")
    return error(msg, file=file, path=yaml_path(err["loc"]),
                 value=None if kind == "missing" or isinstance(value, dict) else value)

"""Cleaning parameters: names, defaults, what values they take, where each value came from.

Every parameter has a default here; a questionnaire may change it in
``quality.overrides`` and a call in ``**overrides`` (the call wins). Each rule
also has ``<rule>_action`` ("exclude", "review" or "off"), the questionnaire's
own rules included. Values are checked once, here, at the boundary: strings
from the command line are converted ("0.4", "3", "true", "sd"), and a bad
name or value raises :class:`~survey_kit.errors.CleaningError` naming the
parameter, the value and what it must be.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> params, sources = resolve_parameters(q, {"speeder_fraction": "0.4"})
>>> params["speeder_fraction"], sources["speeder_fraction"], sources["trap_max_failures"]
(0.4, 'call', 'default')
>>> parse_parameter(PARAMETERS_BY_NAME["trap_max_failures"], "2")
2
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import CleaningError
from .registry import BUILTIN_RULES

__all__ = ["ACTIONS", "PARAMETERS", "PARAMETERS_BY_NAME", "Parameter", "parameter_names",
           "parse_parameter", "resolve_parameters"]

#: what a rule may do with the respondents it flags
ACTIONS = ("exclude", "review", "off")


@dataclass(frozen=True)
class Parameter:
    """A cleaning parameter: its name, default, kind of value and meaning."""

    name: str
    default: Any
    kind: str            # bool, share, fraction, positive, count, choice, correlation, action
    doc: str
    choices: tuple = ()
    minimum: int = 0     # for kind "count"

    def expected(self) -> str:
        return {
            "bool": "true or false",
            "share": "a number above 0 and at most 1",
            "fraction": "a number strictly between 0 and 1",
            "positive": "a number above 0",
            "count": f"a whole number >= {self.minimum}",
            "correlation": "a number between -1 and 1",
            "choice": "one of " + ", ".join(repr(c) for c in self.choices),
            "action": "one of " + ", ".join(repr(c) for c in ACTIONS),
        }[self.kind]


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("skip_unavailable", False, "bool",
              "skip (with a warning) a rule whose columns the responses lack, instead of "
              "raising CleaningError"),
    Parameter("near_duplicate_threshold", 0.85, "share",
              "minimum share of identical answers, among items both answered"),
    Parameter("near_duplicate_min_items", 10, "count",
              "minimum number of items both answered (capped at the number of items)",
              minimum=1),
    Parameter("near_duplicate_dense_max", 5000, "count",
              "up to this many respondents every pair is compared exactly; above it the "
              "blocked method is used", minimum=0),
    Parameter("trap_max_failures", 1, "count",
              "a respondent failing at least this many traps is flagged", minimum=1),
    Parameter("speeder_method", "fraction", "choice",
              "'fraction': below a fraction of the median duration; 'sd': more than "
              "speeder_sd standard deviations below the median", choices=("fraction", "sd")),
    Parameter("speeder_fraction", 1 / 3, "fraction",
              "speeders take less than this fraction of the median duration of completes"),
    Parameter("speeder_sd", 2.0, "positive",
              "with speeder_method='sd': this many SDs below the median"),
    Parameter("straightline_min_items", 4, "count",
              "grids with at least this many items are checked for straight-lining",
              minimum=2),
    Parameter("mahalanobis_confidence", 0.99, "fraction",
              "D2 is flagged above the chi-square quantile at this level (the conf_level "
              "of mahad)"),
    Parameter("even_odd_min", 0.3, "correlation",
              "even-odd consistency below this value is flagged"),
    Parameter("even_odd_min_scales", 5, "count",
              "even-odd consistency is computed only with at least this many scales (grids); "
              "with fewer, a within-person correlation over so few points is mostly noise",
              minimum=2),
) + tuple(Parameter(f"{r.name}_action", r.action, "action", f"action of rule {r.name!r}")
          for r in BUILTIN_RULES)

PARAMETERS_BY_NAME = {p.name: p for p in PARAMETERS}

#: kind -> the test a (finite) number of that kind must pass; "count" is checked apart
_IN_RANGE = {
    "share": lambda x: 0 < x <= 1,
    "fraction": lambda x: 0 < x < 1,
    "positive": lambda x: x > 0,
    "correlation": lambda x: -1 <= x <= 1,
}
_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off")


def _questionnaire_rule_params(questionnaire) -> list[Parameter]:
    return [Parameter(f"{r.id}_action", r.action, "action", f"action of rule {r.id!r}")
            for r in questionnaire.quality.rules]


def parameter_names(questionnaire=None) -> list[str]:
    """Every valid parameter name (with the questionnaire's rule actions, if given)."""
    names = [p.name for p in PARAMETERS]
    if questionnaire is not None:
        names += [p.name for p in _questionnaire_rule_params(questionnaire)]
    return names


def parse_parameter(param: Parameter, value: Any, where: str = "") -> Any:
    """Check ``value`` for ``param`` and return it in its proper type.

    Strings (from the command line) are converted: "0.4", "3", "true", "sd".
    Raises CleaningError naming the parameter, the value and the expected type.
    """
    if param.kind in ("choice", "action"):
        return _parse_word(param, value, where)
    if param.kind == "bool":
        return _parse_bool(param, value, where)
    return _parse_number(param, value, where)


def _bad(param: Parameter, value: Any, where: str) -> CleaningError:
    prefix = f"{where}: " if where else ""
    return CleaningError(f"{prefix}cleaning parameter {param.name!r} must be "
                         f"{param.expected()}; got {value!r} ({type(value).__name__})")


def _parse_word(param: Parameter, value: Any, where: str) -> str:
    """A choice or an action: one of the allowed words, in any case."""
    if not isinstance(value, str):
        raise _bad(param, value, where)
    v = value.strip().lower()
    if v not in (param.choices if param.kind == "choice" else ACTIONS):
        raise _bad(param, value, where)
    return v


def _parse_bool(param: Parameter, value: Any, where: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    raise _bad(param, value, where)


def _as_number(value: Any) -> float | None:
    """A number or a string holding one as float; None for anything else (booleans too)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return None


def _parse_number(param: Parameter, value: Any, where: str) -> float | int:
    num = _as_number(value)
    if num is None or not math.isfinite(num):
        raise _bad(param, value, where)
    if param.kind == "count":
        if not num.is_integer() or num < param.minimum:
            raise _bad(param, value, where)
        return int(num)
    in_range = _IN_RANGE.get(param.kind)
    if in_range is not None and not in_range(num):
        raise _bad(param, value, where)
    return num


def resolve_parameters(questionnaire, overrides: dict | None = None
                       ) -> tuple[dict[str, Any], dict[str, str]]:
    """Defaults, then the questionnaire's ``quality.overrides``, then ``overrides``.

    Returns ``(params, sources)``: every parameter with the value used, and
    where each value came from ("default", "questionnaire", "call").
    """
    specs = dict(PARAMETERS_BY_NAME)
    specs.update({p.name: p for p in _questionnaire_rule_params(questionnaire)})
    params = {name: p.default for name, p in specs.items()}
    sources = {name: "default" for name in specs}
    where_q = (f"{questionnaire.source}, quality.overrides" if questionnaire.source
               else "quality.overrides")
    for origin, where, given in (("questionnaire", where_q, questionnaire.quality.overrides),
                                 ("call", "", overrides or {})):
        for name, value in given.items():
            if name not in specs:
                prefix = f"{where}: " if where else ""
                raise CleaningError(f"{prefix}unknown cleaning parameter {name!r}; valid names "
                                    f"are: {', '.join(specs)}")
            params[name] = parse_parameter(specs[name], value, where)
            sources[name] = origin
    return params, sources

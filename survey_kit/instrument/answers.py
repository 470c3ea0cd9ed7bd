"""What a name used in ``quality`` or ``survey.screening`` can hold, and checks of the
values a condition, a trap or a rule gives it.

:func:`answers_of` describes a variable (or a multi-select / grid question named
as a whole): its kind, its option keys and codes, its missing codes and keys.
The ``check_*`` functions raise a :class:`~survey_kit.errors.QuestionnaireError`
with the YAML path of a value the cleaning step could not use, so that
``survey-kit validate`` refuses it instead of ``survey-kit clean`` failing
later: a nested list in a condition, a text where a number is needed, an
empty ``between`` range, a trap answer that is not a code or key of its
question, a negative tolerance.

Kinds
-----
``option``  single, likert, grid item or the bands of a numeric question (keys, codes)
``number``  numeric question or one 0/1 variable of a multi-select question
``text``    open question
``meta``    meta column (a number or a text, known only from the data)
``multi``   a multi-select question named as a whole (its option keys and codes)
``grid``    a grid question named as a whole

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> a = answers_of(q._inst, "size_class")
>>> a.kind, a.keys
('option', ('micro', 'small', 'medium', 'large'))
>>> answers_of(q._inst, "reasons").kind
'multi'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from ..errors import QuestionnaireError
from .schema import Question, _Instrument

__all__ = ["Answers", "answers_of", "check_condition_values", "check_interval",
           "is_number", "is_scalar"]

#: ops testing membership of a set of values
SET_OPS = ("in", "not_in", "eq", "ne")
#: ops comparing with one number
ORDER_OPS = ("lt", "le", "gt", "ge")


def fail(where: str, msg: str) -> NoReturn:
    """Raise the QuestionnaireError of a fault at YAML path ``where``."""
    raise QuestionnaireError(msg, path=where)


def is_number(v: Any) -> bool:
    """A finite int or float (a YAML boolean is not a number)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def is_scalar(v: Any) -> bool:
    """A text or a number: what a code, a key or an answer can be."""
    return isinstance(v, str) or is_number(v)


@dataclass(frozen=True)
class Answers:
    """What one name holds: kind, option keys and codes, missing codes and keys."""

    name: str
    kind: str
    keys: tuple[str, ...] = ()
    codes: tuple[int, ...] = ()
    missing: tuple[Any, ...] = ()     # missing codes and missing keys

    def is_option_value(self, v: Any) -> bool:
        """``v`` is one of the option keys or codes."""
        if isinstance(v, str):
            return v in self.keys
        return is_number(v) and v in self.codes

    def is_missing_value(self, v: Any) -> bool:
        return is_scalar(v) and v in self.missing

    def valid_keys(self) -> str:
        return ", ".join(self.keys)


def _missing(q: Question) -> tuple[Any, ...]:
    return tuple(m.code for m in q.missing) + tuple(m.key for m in q.missing)


def answers_of(inst: _Instrument, name: str) -> Answers | None:
    """What ``name`` holds; None when no question or variable has that name."""
    for q in inst.questions:
        if q.bands is not None and name == q.bands.id:
            return Answers(name, "option", tuple(b.key for b in q.bands.levels))
        if q.type == "grid" and any(item.id == name for item in q.items):
            return Answers(name, "option", tuple(o.key for o in q.options),
                           tuple(o.code for o in q.options), _missing(q))
        if q.type == "multi" and any(name == f"{q.id}_{o.key}" for o in q.options):
            return Answers(name, "number", missing=_missing(q))
        if q.id != name:
            continue
        if q.type in ("single", "likert"):
            return Answers(name, "option", tuple(o.key for o in q.options),
                           tuple(o.code for o in q.options), _missing(q))
        if q.type in ("multi", "grid"):
            return Answers(name, q.type, tuple(o.key for o in q.options),
                           tuple(o.code for o in q.options))
        kind = {"numeric": "number", "open": "text"}.get(q.type, "meta")
        return Answers(name, kind, missing=_missing(q))
    return None


def _whole_question(a: Answers) -> str:
    what = "multi-select" if a.kind == "multi" else "grid"
    return f"{a.name!r} is a {what} question; name one of its variables"


def check_condition_values(a: Answers, op: str, value: Any, where: str) -> None:
    """The value(s) of a condition fit its op and what ``a`` holds."""
    if op in ("missing", "answered"):
        return
    if op == "matches":
        _check_pattern(a, value, where)
        return
    if a.kind == "grid":
        fail(f"{where}.op", f"op {op!r} cannot be used on {_whole_question(a)} (or use "
             "'answered' / 'missing')")
    if op in SET_OPS:
        _check_set_values(a, op, value, where)
    elif a.kind in ("text", "multi"):
        fail(f"{where}.op", f"op {op!r} compares numbers; {a.name!r} holds "
             + ("text" if a.kind == "text" else "selections") + "; use in, not_in, eq or ne")
    elif op == "between":
        low, high = value
        for k, v in enumerate(value):
            if not is_number(v):
                fail(f"{where}.value[{k}]", f"op 'between' needs numbers [low, high]; got {v!r}")
        if low > high:
            fail(f"{where}.value", f"between [{low:g}, {high:g}] is an empty range (low above "
                 "high); swap them")
    elif not is_number(value):
        fail(f"{where}.value", f"op {op!r} needs a finite number; got {value!r}")


def _check_pattern(a: Answers, value: Any, where: str) -> None:
    """``matches``: a regular expression, tested on text."""
    if a.kind not in ("text", "meta"):
        fail(f"{where}.op", f"op 'matches' tests text; {a.name!r} does not hold text")
    if not isinstance(value, str) or not value:
        fail(f"{where}.value", "op 'matches' needs a regular expression (text)")
    try:
        re.compile(value)
    except re.error as exc:
        fail(f"{where}.value", f"not a valid regular expression ({exc})")


def _check_set_values(a: Answers, op: str, value: Any, where: str) -> None:
    values = value if isinstance(value, list) else [value]
    if not values:
        fail(f"{where}.value", f"op {op!r} needs at least one value")
    for k, v in enumerate(values):
        at = f"{where}.value[{k}]" if isinstance(value, list) else f"{where}.value"
        if isinstance(v, (list, dict)):
            fail(at, "a nested list or mapping is not a value; give option keys, codes or "
                 "numbers, e.g. [decision_maker, influencer]")
        if not is_scalar(v):
            fail(at, f"{v!r} is not a value a question can hold; give an option key, a code "
                 "or a number")
        if a.kind in ("option", "multi"):
            if not (a.is_option_value(v) or a.is_missing_value(v)):
                fail(at, f"{v!r} is not a code or key of {a.name!r}; valid keys are "
                     f"{a.valid_keys()}")
        elif a.kind == "number" and not (is_number(v) or a.is_missing_value(v)):
            fail(at, f"{v!r} is not a number or missing code of {a.name!r}")


def check_interval(where: str, low: float | None, high: float | None, what: str) -> None:
    """``[low, high]`` (either may be None) is a range some answer can fall in."""
    for key, v in (("min", low), ("max", high)):
        if v is not None and math.isnan(v):
            fail(f"{where}.{key}", f"{key} is not a number (.nan); give a number or leave "
                 "it out")
    if low is not None and high is not None and low > high:
        fail(f"{where}.min", f"min {low:g} is above max {high:g}: {what} is empty, so every "
             "answer would break it; swap them")
    if (low is not None and low == math.inf) or (high is not None and high == -math.inf):
        fail(where, f"{what} is empty (min {'' if low is None else f'{low:g}'}, max "
             f"{'' if high is None else f'{high:g}'}): no answer can fall in it")

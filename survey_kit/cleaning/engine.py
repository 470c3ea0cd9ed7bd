"""Quality rules for panel responses: per-rule flags, an exclusion flow, an audit trail.

:func:`clean` applies the rules below, in this fixed order, to the labelled
frame returned by :func:`survey_kit.read_responses`. Every rule flags every
raw respondent independently of the others; a respondent is then removed by
the *first* ``exclude`` rule that fires (its ``reason``), while ``review``
rules only flag. Nothing is dropped silently: ``kept`` + ``excluded`` is the
raw frame, and the flow table accounts for every respondent.

=====  ======================  ========  =====================================================
step   rule                    default   what fires
=====  ======================  ========  =====================================================
1      screened_out            exclude   not eligible by ``survey.screening`` (all conditions
                                         must hold; a blank screening answer is not eligible)
2      incomplete              exclude   a ``required`` question unanswered (a missing code
                                         such as "don't know" counts as answered, a blank
                                         does not; a required grid needs every item)
3      duplicate_id            exclude   repeat of an earlier respondent id (``_raw_id`` if
                                         present, else the index); the first is kept
4      duplicate_fingerprint   exclude   repeat of an earlier device fingerprint (the meta
                                         question with role ``fingerprint``); first kept
5      near_duplicate          review    share of identical answers with an earlier
                                         respondent >= ``near_duplicate_threshold`` (0.85)
6      trap_failed             exclude   at least ``trap_max_failures`` (1) traps failed
7      speeder                 exclude   duration below ``speeder_fraction`` (1/3) of the
                                         median of completes, or with
                                         ``speeder_method="sd"`` more than ``speeder_sd`` (2)
                                         SD below that median
8      straightliner           exclude   every item of a grid of >= ``straightline_min_items``
                                         (4) items answered, all identically
9      numeric_limits          exclude   a numeric answer outside the question's min/max, or
                                         not whole where the question is ``integer``
10..   <rule id>               per YAML  the questionnaire's ``quality.rules`` in YAML order
                                         (kinds range, sum, band_match, implies)
..     gibberish               exclude   keyboard mashing in an ``open_ended`` answer
..     mahalanobis             review    D^2 on the rating items > chi-square 0.99 quantile
..     even_odd                review    even-odd consistency < ``even_odd_min`` (0.3), where
                                         the questionnaire has ``even_odd_min_scales`` (5)
                                         grids of 2+ rating items to act as scales
=====  ======================  ========  =====================================================

Decisions worth stating in an appendix:

* Traps. An instructed-response item left blank (or answered with a missing
  code) counts as failed: the respondent did not follow the instruction. A
  consistency pair is *not evaluable* when either side is blank or a missing
  code, and then never fails. Option answers of a pair are compared by their
  position in the question's option list, so ``tolerance: 1`` accepts
  adjacent bands; numeric pairs by ``|a - b| <= tolerance``.
* Conditions (screening, ``implies``) are evaluated declaratively, never as
  Python. Ops: in, not_in, eq, ne, lt, le, gt, ge, between, missing,
  answered; values may be option keys, option codes, or missing-code
  keys/codes (which test the ``<var>__missing`` column). A condition on a
  blank answer is not evaluable: an ``implies`` rule never fires on it (but
  ``missing``/``answered`` always evaluate; a missing code counts as
  answered). Order comparisons on option questions use the option scores.
* Speeders are judged against the median duration of *completes* (respondents
  passing steps 1-2 with a positive duration). A respondent without a
  duration is not judged (and counted in a warning).
* Near-duplicates compare "items": each single/likert question, grid item and
  numeric question, and each multi-select question as its whole selection
  pattern; open answers and meta data are left out; missing codes count as not
  answered. The later respondent of a pair is flagged. See
  :func:`survey_kit.cleaning.careless.near_duplicates` for the method and its guarantee.
* Mahalanobis D^2 uses the likert questions and grid items, trap rows
  excluded (numeric counts such as employees would make D^2 flag large firms,
  not careless answers).

Every parameter has a default here; a questionnaire may change it in
``quality.overrides`` and a call in ``**overrides`` (the call wins). Each rule
also has ``<rule>_action`` ("exclude", "review" or "off"). A rule that needs a
column the responses lack raises :class:`~survey_kit.errors.CleaningError`,
unless ``skip_unavailable=True``, in which case it is skipped with a warning.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")   # doctest: +SKIP
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")                                 # doctest: +SKIP
>>> res = sk.clean(raw, q, speeder_fraction=0.4)                                  # doctest: +SKIP
>>> print(res)                                   # the exclusion flow            # doctest: +SKIP
>>> res.kept.shape, res.excluded["reason"].value_counts()                        # doctest: +SKIP

References
----------
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses
in survey data. Journal of Experimental Social Psychology, 66, 4-19.
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey
data. Psychological Methods, 17(3), 437-455.
AAPOR (2023). Standard Definitions: Final Dispositions of Case Codes and
Outcome Rates for Surveys (screen-outs, partial completes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import careless
from .._results import ResultMixin
from ..errors import CleaningError

__all__ = [
    "BUILTIN_RULES",
    "PARAMETERS",
    "CleaningResult",
    "clean",
    "evenodd",
    "irv",
    "longstring",
    "mahad",
    "parameter_names",
    "parse_parameter",
    "resolve_parameters",
]

longstring = careless.longstring
irv = careless.irv
mahad = careless.mahad
evenodd = careless.evenodd

ACTIONS = ("exclude", "review", "off")


# ---------------------------------------------------------------------------
# rules and parameters


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


# (name, default action, label) in the order the rules are applied; the
# questionnaire's own rules are inserted after "numeric_limits"
BUILTIN_RULES: tuple[tuple[str, str, str], ...] = (
    ("screened_out", "exclude", "Screened out (not eligible)"),
    ("incomplete", "exclude", "Partial complete (required question blank)"),
    ("duplicate_id", "exclude", "Duplicate respondent id"),
    ("duplicate_fingerprint", "exclude", "Duplicate device fingerprint"),
    ("near_duplicate", "review", "Near-duplicate answers"),
    ("trap_failed", "exclude", "Failed trap questions"),
    ("speeder", "exclude", "Speeder"),
    ("straightliner", "exclude", "Straight-lining in a grid"),
    ("numeric_limits", "exclude", "Numeric answer outside the question's limits"),
    ("gibberish", "exclude", "Gibberish open-ended answer"),
    ("mahalanobis", "review", "Multivariate outlier (Mahalanobis D2)"),
    ("even_odd", "review", "Low even-odd consistency"),
)
_BEFORE_QUESTIONNAIRE_RULES = 9   # builtin rules that come before the questionnaire's

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
              "D2 is flagged above the chi-square quantile at this level"),
    Parameter("even_odd_min", 0.3, "correlation",
              "even-odd consistency below this value is flagged"),
    Parameter("even_odd_min_scales", 5, "count",
              "even-odd consistency is computed only with at least this many scales (grids); "
              "with fewer, a within-person correlation over so few points is mostly noise",
              minimum=2),
) + tuple(Parameter(f"{name}_action", action, "action", f"action of rule {name!r}")
          for name, action, _ in BUILTIN_RULES)

_PARAM_BY_NAME = {p.name: p for p in PARAMETERS}


def _questionnaire_rule_params(questionnaire) -> list[Parameter]:
    return [Parameter(f"{r.id}_action", r.action, "action", f"action of rule {r.id!r}")
            for r in questionnaire.quality.rules]


def parameter_names(questionnaire=None) -> list[str]:
    """Every valid parameter name (with the questionnaire's rule actions, if given)."""
    names = [p.name for p in PARAMETERS]
    if questionnaire is not None:
        names += [p.name for p in _questionnaire_rule_params(questionnaire)]
    return names


def _fmt_num(x: float) -> str:
    if isinstance(x, float) and abs(x - 1 / 3) < 1e-12:
        return "1/3"
    return f"{x:g}"


def parse_parameter(param: Parameter, value: Any, where: str = "") -> Any:
    """Check ``value`` for ``param`` and return it in its proper type.

    Strings (from the command line) are converted: "0.4", "3", "true", "sd".
    Raises CleaningError naming the parameter, the value and the expected type.
    """
    def bad() -> CleaningError:
        prefix = f"{where}: " if where else ""
        return CleaningError(f"{prefix}cleaning parameter {param.name!r} must be "
                             f"{param.expected()}; got {value!r} ({type(value).__name__})")

    kind = param.kind
    if kind in ("choice", "action"):
        if not isinstance(value, str):
            raise bad()
        v = value.strip().lower()
        if v not in (param.choices if kind == "choice" else ACTIONS):
            raise bad()
        return v
    if kind == "bool":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "on"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("false", "no", "0", "off"):
            return False
        raise bad()
    # numbers
    if isinstance(value, (bool, np.bool_)):
        raise bad()
    if isinstance(value, str):
        try:
            num = float(value.strip())
        except ValueError:
            raise bad() from None
    elif isinstance(value, (int, float, np.integer, np.floating)):
        num = float(value)
    else:
        raise bad()
    if not math.isfinite(num):
        raise bad()
    if kind == "count":
        if not num.is_integer() or num < param.minimum:
            raise bad()
        return int(num)
    if kind == "share" and not 0 < num <= 1:
        raise bad()
    if kind == "fraction" and not 0 < num < 1:
        raise bad()
    if kind == "positive" and not num > 0:
        raise bad()
    if kind == "correlation" and not -1 <= num <= 1:
        raise bad()
    return num


def resolve_parameters(questionnaire, overrides: dict | None = None
                       ) -> tuple[dict[str, Any], dict[str, str]]:
    """Defaults, then the questionnaire's ``quality.overrides``, then ``overrides``.

    Returns ``(params, sources)``: every parameter with the value used, and
    where each value came from ("default", "questionnaire", "call").
    """
    specs = {p.name: p for p in PARAMETERS}
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


# ---------------------------------------------------------------------------
# access to the labelled frame


class _Context:
    """The responses, the questionnaire, the parameters and the warnings of one run."""

    def __init__(self, frame: pd.DataFrame, q, params: dict) -> None:
        self.frame = frame
        self.q = q
        self.params = params
        self.n = len(frame)
        self.warnings: list[str] = []
        self.questions = {qq.id: qq for qq in q.questions}
        self.variables = q.variables
        self.outcomes: dict[str, _Outcome] = {}
        self._codes: dict[str, np.ndarray] = {}

    # -- unavailable columns ----------------------------------------------

    def unavailable(self, rule: str, message: str) -> None:
        """Raise CleaningError, or record a warning when the user asked to skip."""
        if self.params["skip_unavailable"]:
            self.warnings.append(f"{rule}: {message}; skipped (skip_unavailable=True)")
            return
        raise CleaningError(f"rule {rule!r}: {message}. Give the labelled frame from "
                            "sk.read_responses with that column, switch the rule off "
                            f"({rule}_action='off'), or pass skip_unavailable=True to skip it "
                            "with a warning")

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    # -- variables ----------------------------------------------------------

    def known(self, name: str, rule: str) -> None:
        if name not in self.variables and name not in self.questions:
            raise CleaningError(f"rule {rule!r} names unknown question {name!r}; valid names "
                                f"are: {', '.join(self.variables)}", file=self.q.source)

    def question_of(self, var: str):
        return self.questions[self.variables[var].question]

    def options_of(self, var: str) -> tuple[dict, dict]:
        """(code -> key, missing code/key -> missing key) of an option variable."""
        qq = self.question_of(var)
        if qq.bands is not None and var == qq.bands.id:
            codes = {}
            missing = {}
        else:
            codes = {o.code: o.key for o in qq.options}
            missing = {m.code: m.key for m in qq.missing}
            missing.update({m.key: m.key for m in qq.missing})
        return codes, missing

    def is_option(self, var: str) -> bool:
        return self.variables[var].kind in ("categorical", "ordinal")

    def codes(self, var: str) -> np.ndarray:
        """Position of each answer in the variable's levels; -1 blank or missing code.

        The caller has checked that the column exists. The array is read-only and
        as narrow as the levels allow (int8 below 128 levels): for a Categorical
        whose categories are the levels, it is a view of the column's own codes.
        """
        if var in self._codes:
            return self._codes[var]
        levels = list(self.variables[var].levels)
        col = self.frame[var]
        dtype = _code_dtype(len(levels))
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = list(col.cat.categories)
            raw = np.asarray(col.array.codes)          # a view of the codes, no copy
            if cats == levels:
                out = raw.astype(dtype, copy=False)
            else:
                pos = np.array([levels.index(c) if c in levels else -2 for c in cats] or [0],
                               dtype=dtype)
                out = np.where(raw >= 0, pos[np.clip(raw, 0, None)], -1).astype(dtype)
        elif pd.api.types.is_numeric_dtype(col.dtype) and col.notna().any():
            first = col[col.notna()].iloc[0]
            raise CleaningError(f"column {var!r} holds numbers (e.g. {first!r}) where option "
                                f"keys ({', '.join(levels)}) are expected; pass the labelled "
                                "frame from sk.read_responses", column=var)
        else:
            pos = col.astype(object).map({k: i for i, k in enumerate(levels)})
            out = pos.fillna(-1).to_numpy(dtype=dtype)
            out[col.notna().to_numpy() & pos.isna().to_numpy()] = -2
        bad = out == -2
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CleaningError(f"respondent {self.frame.index[i]!r} has {col.iloc[i]!r}, which "
                                f"is not an option key of {var!r} (keys: {', '.join(levels)}); "
                                "pass the labelled frame from sk.read_responses", column=var,
                                value=col.iloc[i])
        out = out.view()
        out.flags.writeable = False                    # may share the frame's memory
        self._codes[var] = out
        return out

    def number(self, var: str) -> np.ndarray:
        col = self.frame[var]
        if pd.api.types.is_timedelta64_dtype(col.dtype):
            return col.dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan)
        if isinstance(col.dtype, pd.CategoricalDtype):
            raise CleaningError(f"column {var!r} is categorical where numbers are expected; pass "
                                "the labelled frame from sk.read_responses", column=var)
        if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
            return col.to_numpy(dtype=np.float64, na_value=np.nan)
        conv = pd.to_numeric(col, errors="coerce")
        bad = conv.isna() & col.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise CleaningError(f"respondent {self.frame.index[i]!r} has {col.iloc[i]!r} where a "
                                f"number is expected", column=var, value=col.iloc[i])
        return conv.to_numpy(dtype=np.float64, na_value=np.nan)

    def missing_keys(self, var: str) -> np.ndarray | None:
        """The ``<var>__missing`` reasons as an object array (None if no such column)."""
        name = f"{var}__missing"
        if name not in self.frame.columns:
            return None
        return self.frame[name].astype(object).where(self.frame[name].notna(), None).to_numpy()

    def value_present(self, var: str) -> np.ndarray:
        col = self.frame[var]
        if self.variables.get(var) is not None and self.is_option(var):
            return self.codes(var) >= 0
        present = col.notna().to_numpy()
        if self.variables.get(var) is not None and self.variables[var].kind == "text":
            present &= (col.astype("string").str.strip().str.len() > 0).fillna(False).to_numpy()
        return present

    def answered(self, var: str) -> np.ndarray:
        """A value or a missing code (``don't know`` counts as an answer; blank does not)."""
        out = self.value_present(var)
        miss = self.missing_keys(var)
        if miss is not None:
            out = out | pd.notna(miss)
        return out

    def score_table(self, var: str) -> np.ndarray:
        """Score of each level of an option variable, then NaN (indexed by code, -1 = NaN)."""
        key = f"score_table:{var}"
        if key not in self._codes:
            score = self.q.score(var)
            self._codes[key] = np.array([score[k] for k in self.variables[var].levels]
                                        + [np.nan])
        return self._codes[key]

    def scores(self, var: str) -> np.ndarray:
        """Numeric score of each answer of an option variable (NaN when blank)."""
        return self.score_table(var)[self.codes(var)]     # code -1 takes the last entry, NaN


def _code_dtype(n_levels: int):
    """The narrowest signed integer type holding codes -2 .. n_levels - 1."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_levels <= np.iinfo(dtype).max:
            return dtype
    return np.int64


# ---------------------------------------------------------------------------
# conditions (declarative, never eval)


def _cond_text(c) -> str:
    v = c.value
    if c.op in ("missing", "answered"):
        return f"{c.question} {c.op}"
    if isinstance(v, list):
        v = "[" + ", ".join(str(x) for x in v) + "]"
    return f"{c.question} {c.op} {v}"


def _condition(ctx: _Context, cond, rule: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(holds, evaluable) of a condition; None if its column is unavailable (and skipped)."""
    name, op, value = cond.question, cond.op, cond.value
    ctx.known(name, rule)
    n = ctx.n
    everyone = np.ones(n, dtype=bool)
    if name not in ctx.variables:                       # a multi or grid question id
        qq = ctx.questions[name]
        cols = ([f"{qq.id}_{o.key}" for o in qq.options] if qq.type == "multi"
                else [it.id for it in qq.items] if qq.type == "grid" else [name])
        absent = [c for c in cols if not ctx.has(c)]
        if absent:
            ctx.unavailable(rule, f"question {name!r} needs columns {absent}, which the "
                                  "responses do not have")
            return None
        if qq.type == "grid":
            any_answer = np.column_stack([ctx.answered(c) for c in cols]).any(axis=1)
            if op == "answered":
                return any_answer, everyone
            if op == "missing":
                return ~any_answer, everyone
            raise CleaningError(f"rule {rule!r}: op {op!r} cannot be used on the grid question "
                                f"{name!r}; test one of its items ({', '.join(cols)})")
        sel = np.column_stack([ctx.number(c) for c in cols])       # multi: 1 / 0 / NaN
        answered = ~np.isnan(sel).all(axis=1)
        if op == "answered":
            return answered, everyone
        if op == "missing":
            return ~answered, everyone
        if op not in ("in", "not_in", "eq", "ne"):
            raise CleaningError(f"rule {rule!r}: op {op!r} cannot be used on the multi-select "
                                f"question {name!r}; use in, not_in, eq, ne, missing, answered")
        keys = {o.key: i for i, o in enumerate(qq.options)}
        by_code = {o.code: o.key for o in qq.options}
        picked = []
        for v in (value if isinstance(value, list) else [value]):
            k = v if isinstance(v, str) else by_code.get(v)
            if k not in keys:
                raise CleaningError(f"rule {rule!r}: {v!r} is not an option of {name!r}; valid "
                                    f"keys are {', '.join(keys)}")
            picked.append(keys[k])
        hit = (sel[:, picked] == 1).any(axis=1)
        return (hit if op in ("in", "eq") else ~hit), answered

    if not ctx.has(name):
        ctx.unavailable(rule, f"it needs column {name!r}, which the responses do not have")
        return None
    if op == "answered":
        return ctx.answered(name), everyone
    if op == "missing":
        return ~ctx.answered(name), everyone
    info = ctx.variables[name]
    values = value if isinstance(value, list) else [value]
    miss = ctx.missing_keys(name)
    if ctx.is_option(name):
        codes = ctx.codes(name)
        levels = list(info.levels)
        by_code, missing_map = ctx.options_of(name)
        present = codes >= 0
        if op in ("in", "not_in", "eq", "ne"):
            pos, mkeys = [], []
            for v in values:
                if isinstance(v, str) and v in levels:
                    pos.append(levels.index(v))
                elif not isinstance(v, (bool, str)) and v in by_code:
                    pos.append(levels.index(by_code[v]))
                elif v in missing_map and not isinstance(v, bool):
                    mkeys.append(missing_map[v])
                else:
                    raise CleaningError(f"rule {rule!r}: {v!r} is not a code or key of {name!r}; "
                                        f"valid keys are {', '.join(levels)}")
            hit = np.isin(codes, pos)
            evaluable = present.copy()
            if mkeys and miss is not None:
                mhit = np.isin(miss.astype(object), mkeys) & pd.notna(miss)
                hit |= mhit
                evaluable |= pd.notna(miss)
            return (hit if op in ("in", "eq") else ~hit), evaluable
        x = ctx.scores(name)
    else:
        if info.kind == "text" or (info.kind == "meta" and not (
                pd.api.types.is_numeric_dtype(ctx.frame[name].dtype))):
            if op not in ("in", "not_in", "eq", "ne"):
                raise CleaningError(f"rule {rule!r}: op {op!r} needs a numeric question; "
                                    f"{name!r} holds text")
            col = ctx.frame[name]
            present = col.notna().to_numpy()
            hit = col.astype(object).isin([str(v) for v in values]).to_numpy() & present
            return (hit if op in ("in", "eq") else ~hit), present
        x = ctx.number(name)
        present = ~np.isnan(x)
        qq = ctx.questions.get(info.question)
        missing_map = {}
        if qq is not None:
            missing_map = {m.code: m.key for m in qq.missing}
            missing_map.update({m.key: m.key for m in qq.missing})
        if op in ("in", "not_in", "eq", "ne"):
            nums, mkeys = [], []
            for v in values:
                if not isinstance(v, bool) and v in missing_map:
                    mkeys.append(missing_map[v])
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    nums.append(float(v))
                else:
                    raise CleaningError(f"rule {rule!r}: {v!r} is not a number or missing code "
                                        f"of {name!r}")
            hit = np.isin(x, nums) & present
            evaluable = present.copy()
            if mkeys and miss is not None:
                hit |= np.isin(miss.astype(object), mkeys) & pd.notna(miss)
                evaluable |= pd.notna(miss)
            return (hit if op in ("in", "eq") else ~hit), evaluable
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        if op == "between":
            if not (isinstance(value, list) and len(value) == 2):
                raise CleaningError(f"rule {rule!r}: op 'between' needs [low, high]")
            lo, hi = (float(v) for v in value)
            hit = (x >= lo) & (x <= hi)
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise CleaningError(f"rule {rule!r}: op {op!r} needs a number, got {value!r}")
            v = float(value)
            hit = {"lt": x < v, "le": x <= v, "gt": x > v, "ge": x >= v}[op]
    return hit & present, present


# ---------------------------------------------------------------------------
# the rules


@dataclass
class _Outcome:
    flagged: np.ndarray
    parameter: str
    status: str = "applied"                 # applied, not applicable, skipped, off
    extra: dict = field(default_factory=dict)


def _none(ctx: _Context) -> np.ndarray:
    return np.zeros(ctx.n, dtype=bool)


def _rule_screened_out(ctx: _Context, rule: str) -> _Outcome:
    conds = ctx.q.survey.screening
    if not conds:
        return _Outcome(_none(ctx), "no screening conditions in the questionnaire",
                        "not applicable")
    eligible = np.ones(ctx.n, dtype=bool)
    for c in conds:
        res = _condition(ctx, c, rule)
        if res is None:
            return _Outcome(_none(ctx), "screening column missing", "skipped")
        holds, evaluable = res
        eligible &= holds & evaluable
    return _Outcome(~eligible, "eligible if " + " and ".join(_cond_text(c) for c in conds))


def _rule_incomplete(ctx: _Context, rule: str) -> _Outcome:
    required = [qq for qq in ctx.q.questions if qq.required]
    if not required:
        return _Outcome(_none(ctx), "no required questions", "not applicable")
    n_missing = np.zeros(ctx.n, dtype=np.int64)
    used = 0
    for qq in required:
        if qq.type == "multi":
            cols = [f"{qq.id}_{o.key}" for o in qq.options]
        elif qq.type == "grid":
            cols = [it.id for it in qq.items]
        else:
            cols = [qq.id]
        absent = [c for c in cols if not ctx.has(c)]
        if absent:
            ctx.unavailable(rule, f"required question {qq.id!r} needs columns {absent}, which "
                                  "the responses do not have")
            continue
        used += 1
        if qq.type == "multi":
            answered = np.zeros(ctx.n, dtype=bool)
            for c in cols:                           # loop over options, not respondents
                answered |= ctx.value_present(c)
        else:
            answered = np.ones(ctx.n, dtype=bool)
            for c in cols:
                answered &= ctx.answered(c)
        n_missing += ~answered
    return _Outcome(n_missing > 0, f"{used} required questions answered (a missing code "
                    "counts as an answer)", extra={"n_required_missing": n_missing})


def _first_of(labels: pd.Index, keys: pd.Series, dup: np.ndarray) -> np.ndarray:
    """Index label of the first respondent with the same key, for the flagged rows."""
    out = np.full(len(keys), None, dtype=object)
    if dup.any():
        repeated = keys[dup]
        first = ~dup & keys.isin(repeated.unique()).to_numpy()     # only the keys that repeat
        firsts = pd.Series(np.asarray(labels[first], dtype=object),
                           index=keys[first].to_numpy(dtype=object))
        firsts = firsts[~firsts.index.duplicated(keep="first")]
        out[dup] = firsts.reindex(repeated.to_numpy(dtype=object)).to_numpy()
    return out


def _rule_duplicate_id(ctx: _Context, rule: str) -> _Outcome:
    if ctx.has("_raw_id"):
        keys, where = ctx.frame["_raw_id"], "column _raw_id"
    else:
        keys, where = None, "respondent index"
    text = f"same id in {where} as an earlier respondent (first kept)"
    if keys is None and ctx.frame.index.is_unique:   # cached by pandas on the index
        return _Outcome(_none(ctx), text,
                        extra={"duplicate_id_of": np.full(ctx.n, None, dtype=object)})
    if keys is None:
        keys = pd.Series(ctx.frame.index, index=ctx.frame.index)
    present = keys.notna().to_numpy()
    dup = keys.duplicated(keep="first").to_numpy() & present
    return _Outcome(dup, text, extra={"duplicate_id_of": _first_of(ctx.frame.index, keys, dup)})


def _rule_duplicate_fingerprint(ctx: _Context, rule: str) -> _Outcome:
    var = ctx.q.meta_column("fingerprint")
    if var is None:
        return _Outcome(_none(ctx), "no fingerprint meta question in the questionnaire",
                        "not applicable")
    if not ctx.has(var):
        ctx.unavailable(rule, f"it needs column {var!r}, which the responses do not have")
        return _Outcome(_none(ctx), f"column {var!r} missing", "skipped")
    keys = ctx.frame[var].astype("string").str.strip()
    present = (keys.notna() & (keys.str.len() > 0)).fillna(False).to_numpy(dtype=bool)
    dup = keys.duplicated(keep="first").to_numpy() & present
    return _Outcome(dup, f"same {var} as an earlier respondent (first kept; blanks never match)",
                    extra={"duplicate_fingerprint_of": _first_of(ctx.frame.index, keys, dup)})


def _near_duplicate_items(ctx: _Context, rule: str) -> tuple[list[str], list[np.ndarray]]:
    names, cols = [], []
    for qq in ctx.q.questions:
        if qq.type in ("single", "likert", "numeric"):
            if not ctx.has(qq.id):
                ctx.unavailable(rule, f"it needs column {qq.id!r}, which the responses do not "
                                      "have")
                continue
            if qq.type == "numeric":
                codes, _ = pd.factorize(ctx.frame[qq.id].to_numpy(dtype=np.float64,
                                                                  na_value=np.nan))
                codes = codes.astype(np.int32)
            else:
                codes = ctx.codes(qq.id)               # narrow (int8) codes, not copied
            names.append(qq.id)
            cols.append(codes)
        elif qq.type == "grid":
            for it in qq.items:
                if not ctx.has(it.id):
                    ctx.unavailable(rule, f"it needs column {it.id!r}, which the responses do "
                                          "not have")
                    continue
                names.append(it.id)
                cols.append(ctx.codes(it.id))
        elif qq.type == "multi":
            opts = [f"{qq.id}_{o.key}" for o in qq.options]
            absent = [c for c in opts if not ctx.has(c)]
            if absent:
                ctx.unavailable(rule, f"it needs columns {absent}, which the responses do not "
                                      "have")
                continue
            sel = np.column_stack([ctx.number(c) for c in opts])
            blank = np.isnan(sel).all(axis=1)
            gid, _ = careless._group_ids((sel == 1).astype(np.int32).T)
            codes = np.full(ctx.n, -1, dtype=np.int32)
            if (~blank).any():
                codes[~blank] = pd.factorize(gid[~blank])[0]
            names.append(qq.id)
            cols.append(np.asarray(codes, dtype=np.int32))
    return names, cols


def _rule_near_duplicate(ctx: _Context, rule: str) -> _Outcome:
    _, cols = _near_duplicate_items(ctx, rule)
    if not cols:
        return _Outcome(_none(ctx), "no answer items", "not applicable")
    p = ctx.params
    k = len(cols)
    res = careless.near_duplicates(cols, p["near_duplicate_threshold"],
                                   p["near_duplicate_min_items"], p["near_duplicate_dense_max"])
    need = max(1, min(p["near_duplicate_min_items"], k))
    full_cover = math.floor((1 - p["near_duplicate_threshold"]) * k + 1e-9)
    if 0 <= res.exact_upto < full_cover:
        ctx.warnings.append(f"near_duplicate: {ctx.n} respondents exceed near_duplicate_dense_max;"
                            f" the blocked method compares every pair differing in at most "
                            f"{res.exact_upto} of {k} items, so some near-duplicates differing in "
                            f"{res.exact_upto + 1}-{full_cover} items may be missed")
    of = np.full(ctx.n, None, dtype=object)
    hit = res.match >= 0
    of[hit] = np.asarray(ctx.frame.index.take(res.match[hit]), dtype=object)
    method = res.method.split(":")[0]
    return _Outcome(res.flagged,
                    f"share of identical answers >= {_fmt_num(p['near_duplicate_threshold'])} "
                    f"with an earlier respondent, over >= {need} of {k} items both answered "
                    f"({method})",
                    extra={"near_duplicate_share": res.share, "near_duplicate_of": of})


def _option_positions(ctx: _Context, var: str, values, where: str) -> list[int]:
    levels = list(ctx.variables[var].levels)
    by_code, _ = ctx.options_of(var)
    out = []
    for v in values:
        if isinstance(v, str) and v in levels:
            out.append(levels.index(v))
        elif not isinstance(v, (bool, str)) and v in by_code:
            out.append(levels.index(by_code[v]))
        else:
            raise CleaningError(f"{where}: {v!r} is not a valid code or key of question {var!r}; "
                                f"valid keys are {', '.join(levels)}; correct the expected "
                                "answer of the trap", file=ctx.q.source)
    return out


def _rule_trap_failed(ctx: _Context, rule: str) -> _Outcome:
    traps = ctx.q.quality.traps
    if not traps:
        return _Outcome(_none(ctx), "no traps in the questionnaire", "not applicable")
    score = np.zeros(ctx.n, dtype=np.int64)
    evaluated = np.zeros(ctx.n, dtype=np.int64)
    extra: dict[str, Any] = {}
    used = 0
    for t in traps:
        where = f"quality.traps {t.id!r}"
        vars_ = [t.question] + ([t.repeat] if t.type == "consistency" else [])
        for v in vars_:
            if v not in ctx.variables:
                raise CleaningError(f"{where} names unknown question {v!r}; valid names are: "
                                    f"{', '.join(ctx.variables)}", file=ctx.q.source)
        absent = [v for v in vars_ if not ctx.has(v)]
        if absent:
            ctx.unavailable(rule, f"trap {t.id!r} needs column(s) {absent}, which the responses "
                                  "do not have")
            continue
        if t.type == "instructed":
            if not t.expected:
                raise CleaningError(f"{where}: an instructed-response trap needs its expected "
                                    "answer(s)", file=ctx.q.source)
            if ctx.is_option(t.question):
                pos = _option_positions(ctx, t.question, t.expected, where)
                fail = ~np.isin(ctx.codes(t.question), pos)
            else:
                nums = []
                for e in t.expected:
                    if isinstance(e, bool) or not isinstance(e, (int, float)):
                        raise CleaningError(f"{where}: expected answer {e!r} of the numeric "
                                            f"question {t.question!r} must be a number",
                                            file=ctx.q.source)
                    nums.append(float(e))
                fail = ~np.isin(ctx.number(t.question), nums)
            evaluable = np.ones(ctx.n, dtype=bool)
        else:
            a_opt, b_opt = ctx.is_option(t.question), ctx.is_option(t.repeat)
            if a_opt and b_opt:
                la = list(ctx.variables[t.question].levels)
                lb = list(ctx.variables[t.repeat].levels)
                absent_keys = [k for k in lb if k not in la]
                if absent_keys:
                    raise CleaningError(f"{where}: options {absent_keys} of {t.repeat!r} are not "
                                        f"options of {t.question!r}; a consistency pair needs the "
                                        "same option keys", file=ctx.q.source)
                remap = np.array([la.index(k) for k in lb] + [-1], dtype=np.int64)
                a = ctx.codes(t.question).astype(np.int64)
                cb = ctx.codes(t.repeat)
                b = remap[np.where(cb >= 0, cb, len(lb))]
                evaluable = (a >= 0) & (b >= 0)
                diff = np.abs(a - b).astype(np.float64)
            elif not a_opt and not b_opt:
                a, b = ctx.number(t.question), ctx.number(t.repeat)
                evaluable = ~np.isnan(a) & ~np.isnan(b)
                diff = np.abs(a - b)
            else:
                raise CleaningError(f"{where}: {t.question!r} and {t.repeat!r} must both be "
                                    "option questions or both numeric", file=ctx.q.source)
            with np.errstate(invalid="ignore"):
                fail = evaluable & (diff > t.tolerance + 1e-9)
        used += 1
        score += fail
        evaluated += evaluable
        extra[f"failed_{t.id}"] = fail
    extra["trap_score"] = score
    extra["traps_evaluated"] = evaluated
    m = ctx.params["trap_max_failures"]
    if not used:
        return _Outcome(_none(ctx), "trap columns missing", "skipped", extra)
    return _Outcome(score >= m, f"failed >= {m} of {used} traps (blank instructed item = "
                    "failed; consistency pair with a blank side not evaluable)", extra=extra)


def _rule_speeder(ctx: _Context, rule: str) -> _Outcome:
    var = ctx.q.meta_column("duration") or "duration"
    if not ctx.has(var):
        ctx.unavailable(rule, f"it needs the duration column {var!r}, which the responses do "
                              "not have")
        return _Outcome(_none(ctx), f"no duration column {var!r}", "skipped")
    dur = ctx.number(var)
    have = ~np.isnan(dur)
    if ctx.n and not have.any():
        ctx.unavailable(rule, f"no respondent has a duration in column {var!r}")
        return _Outcome(_none(ctx), f"column {var!r} is empty", "skipped")
    base = have & (dur > 0)
    for r in ("screened_out", "incomplete"):
        o = ctx.outcomes.get(r)
        if o is not None and o.status == "applied":
            base &= ~o.flagged
    if not base.any():
        base = have & (dur > 0)
        if base.any():
            ctx.warnings.append("speeder: no complete respondent has a duration; the median is "
                                "taken over all respondents with one")
    if not base.any():
        return _Outcome(_none(ctx), "no positive durations", "not applicable")
    median = float(np.median(dur[base]))
    p = ctx.params
    if p["speeder_method"] == "fraction":
        cut = p["speeder_fraction"] * median
        text = (f"duration < {_fmt_num(p['speeder_fraction'])} x median of completes "
                f"({median:.4g} s) = {cut:.4g} s")
    else:
        sd = float(np.std(dur[base], ddof=1)) if base.sum() > 1 else float("nan")
        cut = median - p["speeder_sd"] * sd
        text = (f"duration < median of completes ({median:.4g} s) - {_fmt_num(p['speeder_sd'])}"
                f" SD ({sd:.4g} s) = {cut:.4g} s")
        if not cut > 0:
            ctx.warnings.append(f"speeder: median - {_fmt_num(p['speeder_sd'])} SD = {cut:.4g} s "
                                "is not positive, so no respondent can be flagged; the durations "
                                "are too dispersed for speeder_method='sd' (try 'fraction')")
    n_none = int((~have).sum())
    if n_none:
        ctx.warnings.append(f"speeder: {n_none} respondent(s) have no duration and were not "
                            "checked")
    with np.errstate(invalid="ignore"):
        flagged = have & (dur < cut)
        ratio = dur / median
    return _Outcome(flagged, text, extra={"duration_ratio": ratio})


def _rule_straightliner(ctx: _Context, rule: str) -> _Outcome:
    grids = ctx.q.grids()
    if not grids:
        return _Outcome(_none(ctx), "no grid questions", "not applicable")
    minimum = ctx.params["straightline_min_items"]
    flagged = np.zeros(ctx.n, dtype=bool)
    extra: dict[str, Any] = {}
    checked = []
    for g in grids:
        items = [it.id for it in g.items]
        absent = [c for c in items if not ctx.has(c)]
        if absent:
            ctx.unavailable(rule, f"grid {g.id!r} needs columns {absent}, which the responses do "
                                  "not have")
            continue
        codes = [ctx.codes(c) for c in items]
        longest, avgstr = careless._longstring_codes(codes)
        extra[f"longstring_{g.id}"] = longest
        extra[f"avgstr_{g.id}"] = avgstr
        extra[f"irv_{g.id}"] = careless._irv_codes(codes, [ctx.score_table(c) for c in items],
                                                   na_rm=True)
        if len(items) >= minimum:
            # a run as long as the grid needs every item answered (a blank breaks runs)
            same = longest == len(items)
            extra[f"straightlined_{g.id}"] = same
            flagged |= same
            checked.append(f"{g.id} ({len(items)})")
    if not checked:
        return _Outcome(flagged, f"no grid has >= {minimum} items", "not applicable", extra)
    return _Outcome(flagged, f"every item answered and identical in a grid of >= {minimum} items: "
                    + ", ".join(checked), extra=extra)


def _rule_numeric_limits(ctx: _Context, rule: str) -> _Outcome:
    qs = [qq for qq in ctx.q.questions if qq.type == "numeric"
          and (qq.min is not None or qq.max is not None or qq.integer)]
    if not qs:
        return _Outcome(_none(ctx), "no numeric question has limits", "not applicable")
    flagged = np.zeros(ctx.n, dtype=bool)
    extra: dict[str, Any] = {}
    parts = []
    for qq in qs:
        if not ctx.has(qq.id):
            ctx.unavailable(rule, f"it needs column {qq.id!r}, which the responses do not have")
            continue
        x = ctx.number(qq.id)
        with np.errstate(invalid="ignore"):
            out = np.zeros(ctx.n, dtype=bool)
            if qq.min is not None:
                out |= x < qq.min
            if qq.max is not None:
                out |= x > qq.max
            if qq.integer:
                out |= np.isfinite(x) & (x != np.round(x))
        extra[f"outside_limits_{qq.id}"] = out
        flagged |= out
        lo = "-inf" if qq.min is None else f"{qq.min:g}"
        hi = "inf" if qq.max is None else f"{qq.max:g}"
        parts.append(f"{qq.id} in [{lo}, {hi}]" + (" whole" if qq.integer else ""))
    return _Outcome(flagged, "; ".join(parts), extra=extra)


def _rule_from_questionnaire(ctx: _Context, r) -> _Outcome:
    rule = r.id
    names = {"range": [r.question], "sum": list(r.questions),
             "band_match": [r.question, r.numeric],
             "implies": [c.question for c in list(r.when) + list(r.then)]}[r.kind]
    for name in names:
        if name is None:
            raise CleaningError(f"rule {rule!r} ({r.kind}) is incomplete; see quality.rules",
                                file=ctx.q.source)
        ctx.known(name, rule)
    label = r.label or rule
    if r.kind in ("range", "sum"):
        absent = [c for c in names if not ctx.has(c)]
        if absent:
            ctx.unavailable(rule, f"it needs column(s) {absent}, which the responses do not have")
            return _Outcome(_none(ctx), label, "skipped")
        xs = [ctx.scores(c) if ctx.is_option(c) else ctx.number(c) for c in names]
        x = xs[0] if r.kind == "range" else np.sum(np.column_stack(xs), axis=1)
        with np.errstate(invalid="ignore"):
            out = np.zeros(ctx.n, dtype=bool)
            if r.min is not None:
                out |= x < r.min
            if r.max is not None:
                out |= x > r.max
        lo = "-inf" if r.min is None else f"{r.min:g}"
        hi = "inf" if r.max is None else f"{r.max:g}"
        what = names[0] if r.kind == "range" else " + ".join(names)
        return _Outcome(out & ~np.isnan(x), f"{what} in [{lo}, {hi}]")
    if r.kind == "band_match":
        absent = [c for c in names if not ctx.has(c)]
        if absent:
            ctx.unavailable(rule, f"it needs column(s) {absent}, which the responses do not have")
            return _Outcome(_none(ctx), label, "skipped")
        nq = ctx.questions.get(r.numeric)
        if nq is None or nq.bands is None:
            raise CleaningError(f"rule {rule!r}: question {r.numeric!r} has no bands",
                                file=ctx.q.source)
        levels = list(ctx.variables[r.question].levels)
        x = ctx.number(r.numeric)
        band = np.full(ctx.n, -1, dtype=np.int64)
        for b in nq.bands.levels:                       # loop over bands, not respondents
            if b.key not in levels:
                raise CleaningError(f"rule {rule!r}: band {b.key!r} of {r.numeric!r} is not an "
                                    f"option of {r.question!r}", file=ctx.q.source)
            with np.errstate(invalid="ignore"):
                band[(x >= b.min) & (x <= b.max)] = levels.index(b.key)
        codes = ctx.codes(r.question)
        evaluable = (codes >= 0) & (band >= 0)
        return _Outcome(evaluable & (codes != band),
                        f"{r.question} equals the band of {r.numeric}")
    # implies
    when = np.ones(ctx.n, dtype=bool)
    broken = np.zeros(ctx.n, dtype=bool)
    for c in r.when:
        res = _condition(ctx, c, rule)
        if res is None:
            return _Outcome(_none(ctx), label, "skipped")
        when &= res[0] & res[1]
    for c in r.then:
        res = _condition(ctx, c, rule)
        if res is None:
            return _Outcome(_none(ctx), label, "skipped")
        broken |= res[1] & ~res[0]
    text = ("if " + " and ".join(_cond_text(c) for c in r.when) + " then "
            + " and ".join(_cond_text(c) for c in r.then))
    return _Outcome(when & broken, text)


def _rule_gibberish(ctx: _Context, rule: str) -> _Outcome:
    names = list(ctx.q.quality.open_ended)
    if not names:
        return _Outcome(_none(ctx), "no open-ended questions to check", "not applicable")
    flagged = np.zeros(ctx.n, dtype=bool)
    extra: dict[str, Any] = {}
    used = []
    for name in names:
        ctx.known(name, rule)
        if not ctx.has(name):
            ctx.unavailable(rule, f"it needs column {name!r}, which the responses do not have")
            continue
        g = careless.gibberish(ctx.frame[name]).to_numpy()
        extra[f"gibberish_{name}"] = g
        flagged |= g
        used.append(name)
    if not used:
        return _Outcome(flagged, "open-ended columns missing", "skipped", extra)
    return _Outcome(flagged, "keyboard mashing, repeats or no letters in " + ", ".join(used),
                    extra=extra)


def _rating_items(ctx: _Context) -> list[str]:
    trap_q = {t.question for t in ctx.q.quality.traps if t.type == "instructed"}
    out = []
    for qq in ctx.q.questions:
        if qq.type == "likert" and qq.id not in trap_q:
            out.append(qq.id)
        elif qq.type == "grid":
            out += [it.id for it in qq.items if it.id not in trap_q]
    return [v for v in out if ctx.has(v)]


def _rule_mahalanobis(ctx: _Context, rule: str) -> _Outcome:
    items = _rating_items(ctx)
    if len(items) < 2:
        return _Outcome(_none(ctx), f"needs >= 2 rating items, the questionnaire has "
                        f"{len(items)}", "not applicable")
    codes = {v: ctx.codes(v) for v in items}
    tables = {v: ctx.score_table(v) for v in items}

    def varies(v: str) -> bool:                      # the scores given differ
        used = careless._code_counts(codes[v], len(tables[v]) - 1)[1:] > 0
        ok = tables[v][:-1][used]
        ok = ok[~np.isnan(ok)]
        return ok.size > 0 and ok.min() < ok.max()

    dropped = [v for v in items if not varies(v)]
    items = [v for v in items if v not in dropped]
    note = f"; constant items left out: {', '.join(dropped)}" if dropped else ""
    if len(items) < 2:
        return _Outcome(_none(ctx), f"needs >= 2 rating items that vary{note}", "not applicable")
    rows = np.zeros(ctx.n, dtype=bool)
    for v in items:                                  # loop over items, not respondents
        if rows.all():
            break
        rows |= ~np.isnan(tables[v])[codes[v]]        # a score given (code -1: NaN)
    if rows.sum() <= len(items):
        return _Outcome(_none(ctx), f"needs more than {len(items)} respondents with ratings",
                        "not applicable")
    every = bool(rows.all())
    # the answers as 1-byte codes and a score table per item: D2 is computed in
    # row blocks, never holding the n x k float matrix
    source = careless._CodedRows([codes[v] if every else codes[v][rows] for v in items],
                                 [tables[v] for v in items])
    conf = ctx.params["mahalanobis_confidence"]
    d2 = np.full(ctx.n, np.nan)
    cov, centre, complete = careless._mahad_cov(source)
    try:
        inv = careless._mahad_inverse(cov, "error")
    except CleaningError:
        ctx.warnings.append("mahalanobis: the covariance matrix of the rating items is singular "
                            "(collinear items); the pseudo-inverse was used")
        try:
            inv = careless._mahad_inverse(cov, "pinv")
        except CleaningError as exc2:
            ctx.warnings.append(f"mahalanobis: not computed ({exc2.message})")
            return _Outcome(_none(ctx), "not computable", "not applicable")
    d2[rows] = careless._mahad_distances(source, centre, complete, inv)
    cut = careless.chi2_quantile(conf, len(items))
    with np.errstate(invalid="ignore"):
        flagged = d2 > cut
    return _Outcome(flagged, f"D2 > chi-square quantile {conf:g} with {len(items)} df = "
                    f"{cut:.4g} ({len(items)} rating items{note})", extra={"mahalanobis_d2": d2})


def _rule_even_odd(ctx: _Context, rule: str) -> _Outcome:
    trap_q = {t.question for t in ctx.q.quality.traps if t.type == "instructed"}
    scales = []
    for g in ctx.q.grids():
        items = [it.id for it in g.items if it.id not in trap_q and ctx.has(it.id)]
        if len(items) >= 2:
            scales.append(items)
    need = ctx.params["even_odd_min_scales"]
    if len(scales) < need:
        return _Outcome(_none(ctx), f"needs >= {need} scales (grids of 2+ rating items); the "
                        f"questionnaire has {len(scales)}", "not applicable")
    x = np.column_stack([ctx.scores(v) for items in scales for v in items])
    eo = careless.evenodd(x, [len(s) for s in scales])
    lim = ctx.params["even_odd_min"]
    with np.errstate(invalid="ignore"):
        flagged = eo < lim
    return _Outcome(flagged, f"even-odd consistency < {lim:g} over {len(scales)} scales",
                    extra={"even_odd_consistency": eo})


_BUILTIN_FUNCS: dict[str, Callable[[_Context, str], _Outcome]] = {
    "screened_out": _rule_screened_out,
    "incomplete": _rule_incomplete,
    "duplicate_id": _rule_duplicate_id,
    "duplicate_fingerprint": _rule_duplicate_fingerprint,
    "near_duplicate": _rule_near_duplicate,
    "trap_failed": _rule_trap_failed,
    "speeder": _rule_speeder,
    "straightliner": _rule_straightliner,
    "numeric_limits": _rule_numeric_limits,
    "gibberish": _rule_gibberish,
    "mahalanobis": _rule_mahalanobis,
    "even_odd": _rule_even_odd,
}


def _rule_plan(q) -> list[tuple[str, str, Callable[[_Context], _Outcome]]]:
    """(name, label, run) of every rule, in the order they are applied."""
    builtin = [(name, label, (lambda ctx, f=_BUILTIN_FUNCS[name], n=name: f(ctx, n)))
               for name, _, label in BUILTIN_RULES]
    names = {name for name, _, _ in BUILTIN_RULES}
    own = []
    for r in q.quality.rules:
        if r.id in names:
            raise CleaningError(f"quality.rules: rule id {r.id!r} is the name of a built-in "
                                "cleaning rule; rename it", file=q.source)
        own.append((r.id, r.label or r.id, (lambda ctx, r=r: _rule_from_questionnaire(ctx, r))))
    k = _BEFORE_QUESTIONNAIRE_RULES
    return builtin[:k] + own + builtin[k:]


# ---------------------------------------------------------------------------
# the result


def _join_names(flags: np.ndarray, names: list[str]) -> np.ndarray:
    """'a; b' strings of the rules flagged in each row (built per distinct pattern)."""
    n = flags.shape[0]
    out = np.full(n, "", dtype=object)
    if n == 0 or flags.shape[1] == 0:
        return out
    gid, _ = careless._group_ids(flags.astype(np.int32).T)
    gid, _ = pd.factorize(gid)
    first = np.flatnonzero(np.r_[True, gid[1:] > np.maximum.accumulate(gid)[:-1]])
    texts = np.array(["; ".join(names[j] for j in np.flatnonzero(flags[i])) for i in first],
                     dtype=object)                   # one per distinct pattern
    return texts[gid]


def _overlap_counts(by_rule: np.ndarray) -> np.ndarray:
    """Respondents flagged by both rules of each pair (rules as rows of ``by_rule``)."""
    r = by_rule.shape[0]
    out = np.zeros((r, r), dtype=np.int64)
    for i in range(r):                               # loop over rules, not respondents
        out[i, i] = np.count_nonzero(by_rule[i])
        for j in range(i + 1, r):
            out[i, j] = out[j, i] = np.count_nonzero(by_rule[i] & by_rule[j])
    return out


@dataclass(frozen=True, eq=False)
class CleaningResult(ResultMixin):
    """Respondents kept and excluded by the quality rules, with the audit trail.

    Attributes
    ----------
    kept : DataFrame
        The respondents retained, with the columns of the input.
    excluded : DataFrame
        The respondents removed, with the columns of the input plus ``reason``
        (the first exclude rule that fired) and ``reasons`` (every rule that
        fired, "; "-separated, exclude and review).
    flags : DataFrame
        One row per raw respondent: a boolean column per rule (rule order),
        then the indices behind them (trap score, duration ratio, longstring,
        IRV, near-duplicate share, Mahalanobis D2, ...).
    flow : DataFrame
        The exclusion flow: step, rule, label, action, status, n_flagged (in
        any order), n_removed (at this step), n_remaining, pct_of_start,
        parameter. Step 0 is the raw total.
    overlap : DataFrame
        Rules x rules: respondents flagged by both (the diagonal is n_flagged).
    params : dict
        Every parameter used, so the run can be reproduced and reported.
    param_sources : dict
        Where each parameter came from: "default", "questionnaire" or "call".
    warnings : list of str
        Rules skipped, respondents not evaluated, methods' limits.
    review : DataFrame
        Kept respondents flagged by review rules, with ``reasons``.
    survey : str
        The questionnaire id.
    """

    kept: pd.DataFrame
    excluded: pd.DataFrame
    flags: pd.DataFrame
    flow: pd.DataFrame
    overlap: pd.DataFrame
    params: dict
    warnings: list
    review: pd.DataFrame
    param_sources: dict = field(default_factory=dict)
    survey: str = ""

    @property
    def n_raw(self) -> int:
        return len(self.kept) + len(self.excluded)

    def to_frame(self) -> pd.DataFrame:
        """The exclusion flow table."""
        return self.flow.copy()

    def params_frame(self) -> pd.DataFrame:
        """Parameters as a table: name, value, source."""
        return pd.DataFrame({"parameter": list(self.params),
                             "value": [self.params[k] for k in self.params],
                             "source": [self.param_sources.get(k, "") for k in self.params]})

    def _headline(self) -> str:
        return (f"Exclusion flow{': ' + self.survey if self.survey else ''} - "
                f"{self.n_raw:,} raw respondents, {len(self.excluded):,} excluded, "
                f"{len(self.kept):,} kept ({len(self.review):,} of them flagged for review)")

    def _display(self) -> pd.DataFrame:
        f = self.flow.copy()
        f["pct_of_start"] = f["pct_of_start"].map(lambda v: f"{v:.1f}")
        f["n_flagged"] = f["n_flagged"].astype(object).where(f["n_flagged"].notna(), "-")
        shown = f["action"].where(f["status"] == "applied", f["status"])
        f["action"] = shown
        return f[["step", "rule", "action", "n_flagged", "n_removed", "n_remaining",
                  "pct_of_start", "parameter"]]

    def __str__(self) -> str:
        text = self._headline() + "\n" + self._display().to_string(index=False)
        if self.warnings:
            text += "\nWarnings:\n" + "\n".join(f"  - {w}" for w in self.warnings)
        return text

    def _repr_html_(self) -> str:
        html = f"<p><b>{self._headline()}</b></p>" + self._display().to_html(index=False)
        if self.warnings:
            import html as _html

            html += "<p>Warnings:</p><ul>" + "".join(
                f"<li>{_html.escape(w)}</li>" for w in self.warnings) + "</ul>"
        return html

    def summary(self) -> str:
        """A plain-text report: the flow, removals by reason, review counts, parameters."""
        lines = [str(self), "", "Removed, by first reason:"]
        counts = self.excluded["reason"].value_counts() if len(self.excluded) else pd.Series(
            dtype="int64")
        for rule in self.flow["rule"].iloc[1:]:
            if counts.get(rule, 0):
                lines.append(f"  {rule:<28} {int(counts[rule]):>7,}")
        lines.append(f"  {'total':<28} {len(self.excluded):>7,}")
        review_rules = self.flow.loc[(self.flow["action"] == "review")
                                     & (self.flow["status"] == "applied"), "rule"]
        if len(review_rules):
            lines += ["", "Flagged for review (kept):"]
            for rule in review_rules:
                n = int(self.flags.loc[self.kept.index, rule].sum()) if len(self.kept) else 0
                lines.append(f"  {rule:<28} {n:>7,}")
        lines += ["", "Parameters:"]
        for name, value in self.params.items():
            src = self.param_sources.get(name, "")
            lines.append(f"  {name:<32} {value!s:<12} ({src})")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# entry point


def clean(responses: pd.DataFrame, questionnaire, **overrides) -> CleaningResult:
    """Apply the quality rules and return kept / excluded respondents with the audit.

    Parameters
    ----------
    responses : DataFrame
        The labelled frame of :func:`survey_kit.read_responses` (read with
        ``duplicate_ids="keep"`` so that the duplicate-id rule can report
        repeats). Not modified.
    questionnaire : Questionnaire
        The instrument: screening, required questions, traps, rules,
        open-ended questions and ``quality.overrides``.
    **overrides
        Cleaning parameters for this call (see :data:`PARAMETERS` and the
        module docstring), e.g. ``speeder_fraction=0.4``,
        ``near_duplicate_action="exclude"``, ``trap_max_failures=2``,
        ``skip_unavailable=True``.

    Returns
    -------
    CleaningResult

    Raises
    ------
    CleaningError
        Unknown parameter or bad value; a rule naming an unknown question; an
        invalid trap answer; a column a rule needs is missing (unless
        ``skip_unavailable=True``); a column holding values that are not the
        question's option keys.

    Notes
    -----
    Each rule flags every raw respondent; the flow then attributes each
    excluded respondent to the first exclude rule (in the order of the module
    docstring) that fired, so ``sum(n_removed) == len(excluded)`` and
    ``n_remaining`` of the last step is ``len(kept)``. Review rules flag but
    never remove. Careless-responding indices follow the R package careless
    (see :mod:`survey_kit.cleaning.careless`).

    Example
    -------
    >>> res = clean(raw, q, near_duplicate_action="exclude")       # doctest: +SKIP
    >>> res.flow[["rule", "n_flagged", "n_removed", "n_remaining"]]  # doctest: +SKIP
    """
    from ..instrument.questionnaire import Questionnaire

    if not isinstance(responses, pd.DataFrame):
        raise CleaningError(f"responses must be a pandas DataFrame (from sk.read_responses), "
                            f"not {type(responses).__name__}")
    if not isinstance(questionnaire, Questionnaire):
        raise CleaningError("questionnaire must be a Questionnaire (from sk.load_questionnaire),"
                            f" not {type(questionnaire).__name__}")
    for col in ("reason", "reasons"):
        if col in responses.columns:
            raise CleaningError(f"the responses already have a column {col!r}, which clean() "
                                "adds to the excluded respondents; rename it first", column=col)
    params, sources = resolve_parameters(questionnaire, overrides)
    ctx = _Context(responses, questionnaire, params)
    plan = _rule_plan(questionnaire)

    names, labels, actions, outcomes = [], [], [], []
    for name, label, run in plan:
        action = params[f"{name}_action"]
        if action == "off":
            out = _Outcome(_none(ctx), "switched off", "off")
        else:
            out = run(ctx)
        ctx.outcomes[name] = out
        names.append(name)
        labels.append(label)
        actions.append(action)
        outcomes.append(out)

    extra_names = [k for o in outcomes for k in o.extra]
    clash = sorted(set(names) & set(extra_names))
    if clash:
        raise CleaningError(f"rule id(s) {clash} clash with index columns of the flags table; "
                            "rename the rule(s) in quality.rules", file=questionnaire.source)

    n = ctx.n
    # one contiguous row of flags per rule; flagmat is the (respondents, rules) view
    by_rule = np.zeros((len(outcomes), n), dtype=bool)
    applied = np.array([o.status == "applied" for o in outcomes], dtype=bool)
    for j, o in enumerate(outcomes):
        if applied[j]:
            by_rule[j] = o.flagged
    flagmat = by_rule.T
    is_exclude = np.array([a == "exclude" for a in actions], dtype=bool) & applied
    is_review = np.array([a == "review" for a in actions], dtype=bool) & applied

    # first-rule attribution, rule by rule
    remaining = np.ones(n, dtype=bool)
    removed_by = np.full(n, -1, dtype=np.int64)
    n_removed = np.zeros(len(names), dtype=np.int64)
    n_remaining = np.zeros(len(names), dtype=np.int64)
    for j in range(len(names)):                      # loop over rules, not respondents
        if is_exclude[j]:
            newly = by_rule[j] & remaining
            removed_by[newly] = j
            n_removed[j] = int(newly.sum())
            remaining &= ~newly
        n_remaining[j] = int(remaining.sum())

    n_flagged = by_rule.sum(axis=1)
    flow = pd.DataFrame({
        "step": np.arange(len(names) + 1),
        "rule": ["start"] + names,
        "label": ["Raw respondents"] + labels,
        "action": [""] + actions,
        "status": [""] + [o.status for o in outcomes],
        "n_flagged": pd.array([pd.NA] + [int(v) if a else pd.NA
                                         for v, a in zip(n_flagged, applied)], dtype="Int64"),
        "n_removed": np.r_[0, n_removed].astype(np.int64),
        "n_remaining": np.r_[n, n_remaining].astype(np.int64),
    })
    flow["pct_of_start"] = (100.0 * flow["n_remaining"] / n) if n else 0.0
    flow["parameter"] = ["respondents in the export"] + [o.parameter for o in outcomes]

    overlap = pd.DataFrame(_overlap_counts(by_rule), index=pd.Index(names, name="rule"),
                           columns=names)

    # the flags table holds the arrays themselves (no consolidating copy); each
    # array is new in this run and appears once
    columns: dict[str, Any] = {name: by_rule[j] for j, name in enumerate(names)}
    seen: set[int] = set()
    for o in outcomes:
        for key, val in o.extra.items():
            if isinstance(val, np.ndarray):
                if id(val) in seen or not val.flags.writeable:
                    val = val.copy()
                seen.add(id(val))
            columns[key] = val
    flags = pd.DataFrame(columns, index=responses.index, copy=False)

    excluded_pos = np.flatnonzero(~remaining)
    kept_pos = np.flatnonzero(remaining)
    name_arr = np.array(names + [""], dtype=object)
    excluded = responses.take(excluded_pos)          # new arrays: the input is untouched
    excluded["reason"] = pd.Series(name_arr[removed_by[excluded_pos]], index=excluded.index,
                                   dtype=object)
    excluded["reasons"] = pd.Series(_join_names(flagmat[excluded_pos], names),
                                    index=excluded.index, dtype=object)
    kept = responses.take(kept_pos)
    review_pos = kept_pos[flagmat[kept_pos][:, is_review].any(axis=1)] if kept_pos.size else \
        kept_pos
    review = responses.take(review_pos)
    review["reasons"] = pd.Series(_join_names(flagmat[review_pos][:, is_review],
                                              [nm for nm, r in zip(names, is_review) if r]),
                                  index=review.index, dtype=object)

    return CleaningResult(kept=kept, excluded=excluded, flags=flags, flow=flow,
                          overlap=overlap, params=dict(params), warnings=list(ctx.warnings),
                          review=review, param_sources=dict(sources),
                          survey=questionnaire.survey.id)

"""Cross-checks of a questionnaire that the schema alone cannot express.

Each check is a small named function that raises a
:class:`~survey_kit.errors.QuestionnaireError` with the YAML path of the
fault (``questions[4].options[2].code``). :func:`check_instrument` runs
:data:`QUESTION_CHECKS` on every question in instrument order, then
:data:`SECTION_CHECKS` on the sections that refer to questions (screening,
traps, rules, open ends, weighting, design); the first fault found is raised.

Example
-------
>>> import yaml
>>> from survey_kit.instrument.schema import _Instrument
>>> path = "questionnaires/japan_digital_services_2024.yaml"
>>> with open(path, encoding="utf-8") as fh:
...     data = yaml.safe_load(fh)
>>> check_instrument(_Instrument.model_validate(data))   # a valid instrument: no error
>>> data["quality"]["open_ended"].append("sector")
>>> check_instrument(_Instrument.model_validate(data))
Traceback (most recent call last):
...
survey_kit.errors.QuestionnaireError: quality.open_ended[1]: 'sector' is not an open question
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .answers import (
    Answers,
    answers_of,
    check_condition_values,
    check_interval,
    fail,
    is_number,
)
from .schema import Condition, Question, Rule, Trap, _Instrument

__all__ = ["QUESTION_CHECKS", "SECTION_CHECKS", "Context", "check_instrument"]

_WITH_OPTIONS = ("single", "likert", "multi", "grid")   # question types that need options


@dataclass
class Context:
    """What the checks learn while they run: ids, export columns and variables seen."""

    inst: _Instrument
    questions: dict[str, Question]                                 # by id
    ids: dict[str, str] = field(default_factory=dict)              # question id -> YAML path
    columns: dict[str, str] = field(default_factory=dict)          # export column -> YAML path
    variables: dict[str, Question] = field(default_factory=dict)   # variable -> its question

    def claim_variable(self, name: str, where: str, q: Question) -> None:
        """Record variable ``name`` of question ``q``; it must be new."""
        if name in self.variables:
            fail(where, f"variable name {name!r} is used twice; rename one")
        self.variables[name] = q

    def claim_column(self, col: str | None, where: str) -> None:
        """Record export column ``col`` (if any); it must be new."""
        if col is None:
            return
        if col in self.columns:
            fail(where, f"export column {col!r} is already used by {self.columns[col]}")
        self.columns[col] = where

    def check_variable(self, name: str, where: str) -> None:
        """``name`` must be a variable or a question of the instrument."""
        if name not in self.variables and name not in self.questions:
            fail(where, f"unknown question {name!r}; define it under questions first")

    def answers(self, name: str) -> Answers:
        """What the known variable or question ``name`` holds."""
        found = answers_of(self.inst, name)
        assert found is not None, name          # check_variable ran first
        return found

    def check_condition(self, c: Condition, where: str) -> None:
        """A condition names a known variable, and its value fits its op and the options."""
        self.check_variable(c.question, f"{where}.question")
        if c.op in ("in", "not_in") and not isinstance(c.value, list):
            fail(f"{where}.value", f"op {c.op!r} needs a list of levels")
        if c.op == "between" and not (isinstance(c.value, list) and len(c.value) == 2):
            fail(f"{where}.value", "op 'between' needs [low, high]")
        if c.op in ("lt", "le", "gt", "ge") and not isinstance(c.value, (int, float)):
            fail(f"{where}.value", f"op {c.op!r} needs a number")
        check_condition_values(self.answers(c.question), c.op, c.value, where)


def check_instrument(inst: _Instrument) -> None:
    """Run every cross-check; raise the first fault with its YAML path."""
    ctx = Context(inst, {q.id: q for q in inst.questions})
    for i, q in enumerate(inst.questions):
        for check in QUESTION_CHECKS:
            check(ctx, q, f"questions[{i}]")
    for check in SECTION_CHECKS:
        check(ctx)


# -- each question ------------------------------------------------------------

def question_id_is_unique(ctx: Context, q: Question, base: str) -> None:
    if q.id in ctx.ids:
        fail(f"{base}.id", f"duplicate question id {q.id!r} (first at {ctx.ids[q.id]})")
    ctx.ids[q.id] = base


def option_codes_and_keys_are_unique(ctx: Context, q: Question, base: str) -> None:
    codes: set[int] = set()
    keys: set[str] = set()
    for j, opt in enumerate(q.options):
        if opt.code in codes:
            fail(f"{base}.options[{j}].code", f"duplicate code {opt.code}")
        if opt.key in keys:
            fail(f"{base}.options[{j}].key", f"duplicate key {opt.key!r}")
        codes.add(opt.code)
        keys.add(opt.key)


def missing_codes_are_not_answers(ctx: Context, q: Question, base: str) -> None:
    codes = {opt.code for opt in q.options}
    for j, m in enumerate(q.missing):
        if m.code in codes:
            fail(f"{base}.missing[{j}].code",
                 f"missing code {m.code} is also an answer code; use a distinct code")


def options_fit_the_type(ctx: Context, q: Question, base: str) -> None:
    needs_options = q.type in _WITH_OPTIONS
    if needs_options and len(q.options) < 2:
        fail(f"{base}.options", f"a {q.type} question needs at least two options")
    if not needs_options and q.options:
        fail(f"{base}.options", f"a {q.type} question takes no options; remove them "
             "or change the type")


def export_columns_are_unique(ctx: Context, q: Question, base: str) -> None:
    """Multi: one column per option; grid: one per item; other types: one column."""
    if q.type == "multi":
        _multi_columns(ctx, q, base)
    elif q.type == "grid":
        _grid_items(ctx, q, base)
    else:
        if q.items:
            fail(f"{base}.items", f"a {q.type} question takes no items")
        if not q.column:
            fail(f"{base}.column", "the export column this question comes from is required")
        ctx.claim_column(q.column, f"{base}.column")
        ctx.claim_variable(q.id, f"{base}.id", q)


def _multi_columns(ctx: Context, q: Question, base: str) -> None:
    for j, opt in enumerate(q.options):
        if not opt.column:
            fail(f"{base}.options[{j}].column",
                 "each option of a multi question needs its own export column (0/1)")
        ctx.claim_column(opt.column, f"{base}.options[{j}].column")
        ctx.claim_variable(f"{q.id}_{opt.key}", f"{base}.options[{j}].key", q)


def _grid_items(ctx: Context, q: Question, base: str) -> None:
    if len(q.items) < 2:
        fail(f"{base}.items", "a grid needs at least two items")
    for j, item in enumerate(q.items):
        ctx.claim_column(item.column, f"{base}.items[{j}].column")
        ctx.claim_variable(item.id, f"{base}.items[{j}].id", q)


def meta_has_a_role(ctx: Context, q: Question, base: str) -> None:
    if q.type == "meta" and q.role is None:
        fail(f"{base}.role", "a meta column needs a role (duration, start_time, end_time, "
             "device, os, fingerprint, status, other)")


def min_is_not_above_max(ctx: Context, q: Question, base: str) -> None:
    if q.min is not None and q.max is not None and q.min > q.max:
        fail(f"{base}.min", f"min {q.min:g} is above max {q.max:g}")
    check_interval(base, q.min, q.max, "the range of valid answers")


def bands_are_ascending_and_disjoint(ctx: Context, q: Question, base: str) -> None:
    if q.bands is None:
        return
    if q.type != "numeric":
        fail(f"{base}.bands", "bands apply to numeric questions only")
    ctx.claim_variable(q.bands.id, f"{base}.bands.id", q)
    prev = None
    keys: set[str] = set()
    for j, b in enumerate(q.bands.levels):
        if b.min > b.max:
            fail(f"{base}.bands.levels[{j}]", f"min {b.min:g} is above max {b.max:g}")
        check_interval(f"{base}.bands.levels[{j}]", b.min, b.max, f"band {b.key!r}")
        if prev is not None and b.min <= prev.max:
            fail(f"{base}.bands.levels[{j}].min",
                 f"band {b.key!r} overlaps band {prev.key!r}; bands must be ascending "
                 "and disjoint")
        if b.key in keys:
            fail(f"{base}.bands.levels[{j}].key", f"duplicate band key {b.key!r}")
        keys.add(b.key)
        prev = b


def nets_name_known_levels(ctx: Context, q: Question, base: str) -> None:
    if not q.nets:
        return
    if q.bands is not None:
        valid = [b.key for b in q.bands.levels]
    elif q.type in ("single", "likert"):
        valid = [o.key for o in q.options]
    else:
        fail(f"{base}.nets", "nets apply to single, likert or banded numeric questions")
    for j, net in enumerate(q.nets):
        for k, lev in enumerate(net.levels):
            if lev not in valid:
                fail(f"{base}.nets[{j}].levels[{k}]",
                     f"unknown level {lev!r}; valid levels are {', '.join(valid)}")


#: run on each question, in this order (a later check may rely on an earlier one)
QUESTION_CHECKS: tuple[Callable[[Context, Question, str], None], ...] = (
    question_id_is_unique,
    option_codes_and_keys_are_unique,
    missing_codes_are_not_answers,
    options_fit_the_type,
    export_columns_are_unique,
    meta_has_a_role,
    min_is_not_above_max,
    bands_are_ascending_and_disjoint,
    nets_name_known_levels,
)


# -- the sections that refer to questions -------------------------------------

def fieldwork_is_ordered(ctx: Context) -> None:
    fw = ctx.inst.survey.fieldwork
    if fw is not None and fw.end < fw.start:
        fail("survey.fieldwork.end", f"fieldwork ends ({fw.end}) before it starts "
             f"({fw.start}); correct the dates")


def screening_conditions(ctx: Context) -> None:
    for j, c in enumerate(ctx.inst.survey.screening):
        ctx.check_condition(c, f"survey.screening[{j}]")


def traps(ctx: Context) -> None:
    ids: set[str] = set()
    for j, t in enumerate(ctx.inst.quality.traps):
        base = f"quality.traps[{j}]"
        if t.id in ids:
            fail(f"{base}.id", f"duplicate trap id {t.id!r}")
        ids.add(t.id)
        ctx.check_variable(t.question, f"{base}.question")
        if t.type == "instructed":
            _instructed_trap(ctx, t, base)
        else:
            _consistency_trap(ctx, t, base)


def _one_variable(a: Answers, where: str, what: str) -> None:
    """A trap or a rule tests one answer: not a whole multi-select or grid question."""
    if a.kind in ("multi", "grid"):
        kind = "multi-select" if a.kind == "multi" else "grid"
        fail(where, f"{what} takes one variable; {a.name!r} is a {kind} question: name one of "
             "its variables")


def _instructed_trap(ctx: Context, t: Trap, base: str) -> None:
    if not t.expected:
        fail(f"{base}.expected", "an instructed-response item needs the expected answer(s)")
    a = ctx.answers(t.question)
    _one_variable(a, f"{base}.question", "an instructed-response item")
    if a.kind == "text":
        fail(f"{base}.question", f"an instructed-response item needs an option or numeric "
             f"question; {t.question!r} is open text")
    for k, e in enumerate(t.expected):
        if a.kind == "option" and not a.is_option_value(e):
            fail(f"{base}.expected[{k}]",
                 f"{e!r} is not a valid code or key of question {t.question!r}; "
                 f"valid keys are {a.valid_keys()}")
        if a.kind != "option" and not is_number(e):
            fail(f"{base}.expected[{k}]", f"expected answer {e!r} of the numeric question "
                 f"{t.question!r} must be a number")


def _consistency_trap(ctx: Context, t: Trap, base: str) -> None:
    if not t.repeat:
        fail(f"{base}.repeat", "a consistency pair needs the repeated question")
    ctx.check_variable(t.repeat, f"{base}.repeat")
    if t.repeat == t.question:
        fail(f"{base}.repeat", f"a consistency pair compares two questions; 'repeat' names "
             f"{t.question!r} again")
    if not is_number(t.tolerance):
        fail(f"{base}.tolerance", "tolerance must be a finite number (0 = the two answers "
             "must be equal)")
    if t.tolerance < 0:
        fail(f"{base}.tolerance", f"tolerance {t.tolerance:g} is negative: every pair would "
             "fail; give the largest difference allowed between the two answers (0 or more)")
    a, b = ctx.answers(t.question), ctx.answers(t.repeat)
    _one_variable(a, f"{base}.question", "a consistency pair")
    _one_variable(b, f"{base}.repeat", "a consistency pair")
    if "text" in (a.kind, b.kind):
        fail(base, f"a consistency pair compares option or numeric answers; "
             f"{(a if a.kind == 'text' else b).name!r} is open text")
    if (a.kind == "option") != (b.kind == "option"):
        fail(base, f"{t.question!r} and {t.repeat!r} must both be option questions or both "
             "numeric")
    absent = [k for k in b.keys if k not in a.keys]
    if absent:
        fail(f"{base}.repeat", f"options {absent} of {t.repeat!r} are not options of "
             f"{t.question!r}; a consistency pair needs the same option keys")


def rules(ctx: Context) -> None:
    ids: set[str] = set()
    for j, r in enumerate(ctx.inst.quality.rules):
        base = f"quality.rules[{j}]"
        if r.id in ids:
            fail(f"{base}.id", f"duplicate rule id {r.id!r}")
        ids.add(r.id)
        RULE_CHECKS[r.kind](ctx, r, base)


def _checks_numbers(ctx: Context, name: str, where: str, what: str) -> None:
    """A range or sum rule reads ``name`` as a number (an option answer by its score)."""
    a = ctx.answers(name)
    _one_variable(a, where, what)
    if a.kind == "text":
        fail(where, f"{what} compares numbers; {name!r} is open text")


def _range_rule(ctx: Context, r: Rule, base: str) -> None:
    if r.question is None:
        fail(f"{base}.question", "a range rule needs the question")
    ctx.check_variable(r.question, f"{base}.question")
    if r.min is None and r.max is None:
        fail(f"{base}", "a range rule needs min or max")
    _checks_numbers(ctx, r.question, f"{base}.question", "a range rule")
    check_interval(base, r.min, r.max, "the range")


def _implies_rule(ctx: Context, r: Rule, base: str) -> None:
    if not r.when or not r.then:
        fail(f"{base}", "an implies rule needs both 'when' and 'then' conditions")
    for k, c in enumerate(r.when):
        ctx.check_condition(c, f"{base}.when[{k}]")
    for k, c in enumerate(r.then):
        ctx.check_condition(c, f"{base}.then[{k}]")


def _sum_rule(ctx: Context, r: Rule, base: str) -> None:
    if len(r.questions) < 2 or r.max is None and r.min is None:
        fail(f"{base}", "a sum rule needs two or more questions and min or max")
    for k, name in enumerate(r.questions):
        ctx.check_variable(name, f"{base}.questions[{k}]")
        _checks_numbers(ctx, name, f"{base}.questions[{k}]", "a sum rule")
    check_interval(base, r.min, r.max, "the range of the sum")


def _band_match_rule(ctx: Context, r: Rule, base: str) -> None:
    if r.question is None or r.numeric is None:
        fail(f"{base}", "a band_match rule needs 'question' (categorical) and "
             "'numeric' (a numeric question with bands)")
    ctx.check_variable(r.question, f"{base}.question")
    ctx.check_variable(r.numeric, f"{base}.numeric")
    nq = ctx.questions.get(r.numeric)
    cq = ctx.variables.get(r.question)
    if nq is None or nq.bands is None:
        fail(f"{base}.numeric", f"question {r.numeric!r} has no bands")
    if cq is not None:
        missing = {b.key for b in nq.bands.levels} - {o.key for o in cq.options}
        if missing:
            fail(f"{base}.question", f"bands of {r.numeric!r} have keys "
                 f"{sorted(missing)} that are not options of {r.question!r}")


#: rule kind -> its check
RULE_CHECKS: dict[str, Callable[[Context, Rule, str], None]] = {
    "range": _range_rule,
    "implies": _implies_rule,
    "sum": _sum_rule,
    "band_match": _band_match_rule,
}


def open_ended_are_open(ctx: Context) -> None:
    for k, name in enumerate(ctx.inst.quality.open_ended):
        ctx.check_variable(name, f"quality.open_ended[{k}]")
        if ctx.variables.get(name) is not None and ctx.variables[name].type != "open":
            fail(f"quality.open_ended[{k}]", f"{name!r} is not an open question")


def weighting_variables(ctx: Context) -> None:
    if ctx.inst.weighting is None:
        return
    for k, name in enumerate(ctx.inst.weighting.variables):
        ctx.check_variable(name, f"weighting.variables[{k}]")
        a = ctx.answers(name)
        _one_variable(a, f"weighting.variables[{k}]", "a weighting variable")
        if a.kind == "text":
            fail(f"weighting.variables[{k}]", f"{name!r} is open text; weight on categorical "
                 "variables")
    if ctx.inst.weighting.impute_within:
        ctx.check_variable(ctx.inst.weighting.impute_within, "weighting.impute_within")
    cap = ctx.inst.weighting.trim_upper
    if cap is not None and not (is_number(cap) and cap >= 1):
        fail("weighting.trim_upper", f"trim_upper {cap!r} must be a number of at least 1 (a "
             "multiple of the mean weight, e.g. 5): weights cannot all lie below their mean")


def design_section(ctx: Context) -> None:
    """Design columns: a question named must fit its role; the fpc fits the stages.

    A column that is not a question of the instrument may be any column of
    the export; it is checked when the responses are read.
    """
    d = ctx.inst.design
    if d is None:
        return
    stages = d.stage_mismatch()
    if stages:
        fail("design.fpc", stages)
    for where, col in d.columns():
        q = ctx.variables.get(col) or ctx.questions.get(col)
        if q is None:
            continue
        numeric = q.type == "numeric" or (q.type == "meta" and q.role == "duration")
        if (where.startswith(("design.weights", "design.fpc")) and not numeric
                or q.type in ("multi", "grid", "open")):
            fail(where, f"{col!r} is a {q.type} question; a design column must be "
                 + ("numeric" if where.startswith(("design.weights", "design.fpc"))
                    else "a single column of codes"))


#: run once, after every question, in this order
SECTION_CHECKS: tuple[Callable[[Context], None], ...] = (
    fieldwork_is_ordered,
    screening_conditions,
    traps,
    rules,
    open_ended_are_open,
    weighting_variables,
    design_section,
)

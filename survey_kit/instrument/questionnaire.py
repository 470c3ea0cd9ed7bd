"""The survey instrument: questions, codes, labels, traps, bands, nets, checks.

A questionnaire is a YAML file validated on load. It is the single source of
truth for codes and labels (English, optionally Japanese), for the trap items
and plausibility rules used in cleaning, for the bands and nets used in
tables, and for the weighting variables.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")  # doctest: +SKIP
>>> q.levels("size_class")                                                       # doctest: +SKIP
['micro', 'small', 'medium', 'large']
>>> q.label("size_class", "micro")                                               # doctest: +SKIP
'Micro (1-10 employees)'

Schema (top-level keys)
-----------------------
``survey``       metadata: id, title, sponsor, fielded_by, platform, mode, population,
                 country, fieldwork {start, end}, languages, target_sample_size,
                 recruitment, respondent_id (export column), screening conditions.
``questions``    list of questions. Types: single, likert, multi, numeric, grid,
                 open, meta. Options carry ``code`` (as exported), ``key`` (stable
                 name used in data and targets) and ``label`` / ``label_ja``.
                 Numeric questions may carry ``bands`` (a derived categorical
                 variable); single/likert/banded questions may carry ``nets``.
``quality``      trap items (``instructed`` with expected codes; ``consistency``
                 pairs), plausibility ``rules`` (range, implies, sum, band_match)
                 and per-survey overrides of cleaning thresholds.
``weighting``    the weighting variables, the default method, the not-stated
                 strategy and the path of the population targets.

Conditions in rules are declarative (``{question, op, value}``) and are never
evaluated as Python.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._yaml import read_yaml, schema_error
from ..errors import QuestionnaireError, UsageError

__all__ = ["as_questionnaire", "load_questionnaire", "Questionnaire", "Question", "Option",
           "Band", "Net", "Condition", "Trap", "Rule", "VariableInfo"]

_ID = r"^[A-Za-z_][A-Za-z0-9_]*$"
_KEY = r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$"

QuestionType = Literal["single", "multi", "numeric", "likert", "grid", "open", "meta"]
MetaRole = Literal["duration", "start_time", "end_time", "device", "os", "fingerprint",
                   "status", "other"]
Op = Literal["in", "not_in", "eq", "ne", "lt", "le", "gt", "ge", "between", "missing", "answered"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Option(_Model):
    """One answer option: the code in the export, its key in data, its labels."""

    code: int
    key: str = Field(pattern=_KEY)
    label: str = Field(min_length=1)
    label_ja: str | None = None
    column: str | None = None      # multi-select: the export column holding 0/1
    exclusive: bool = False        # multi-select: "none of these" style option
    score: float | None = None     # likert/ordinal: numeric value (defaults to code)


class MissingCode(_Model):
    """A code that means the answer is missing (don't know, refused, not stated)."""

    code: int | float
    key: str = Field(pattern=_KEY)
    label: str
    label_ja: str | None = None


class Band(_Model):
    """A closed interval ``[min, max]`` of a numeric answer mapped to a level."""

    key: str = Field(pattern=_KEY)
    label: str
    label_ja: str | None = None
    min: float
    max: float


class Bands(_Model):
    """Bands of a numeric question, producing the derived variable ``id``."""

    id: str = Field(pattern=_ID)
    label: str | None = None
    label_ja: str | None = None
    levels: list[Band] = Field(min_length=2)


class Net(_Model):
    """A net: several levels of a question counted together (e.g. top-2 box)."""

    key: str = Field(pattern=_KEY)
    label: str
    label_ja: str | None = None
    levels: list[str] = Field(min_length=1)


class GridItem(_Model):
    id: str = Field(pattern=_ID)
    text: str
    text_ja: str | None = None
    column: str


class Question(_Model):
    """One question of the instrument (see the module docstring for types)."""

    id: str = Field(pattern=_ID)
    text: str = Field(min_length=1)
    text_ja: str | None = None
    type: QuestionType
    column: str | None = None
    options: list[Option] = Field(default_factory=list)
    missing: list[MissingCode] = Field(default_factory=list)
    items: list[GridItem] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    integer: bool = False
    bands: Bands | None = None
    nets: list[Net] = Field(default_factory=list)
    required: bool = False
    role: MetaRole | None = None
    short: str | None = None       # short label for tables and figures
    short_ja: str | None = None


class Condition(_Model):
    """A declarative test on one variable: ``{question, op, value}``."""

    question: str
    op: Op = "in"
    value: Any = None


class Trap(_Model):
    """A trap: an instructed-response item or a consistency pair."""

    id: str = Field(pattern=_ID)
    type: Literal["instructed", "consistency"]
    question: str
    expected: list[str | int] | None = None   # instructed: accepted option keys (or codes)
    repeat: str | None = None                 # consistency: the question asked again
    tolerance: float = 0.0                    # consistency on numerics: allowed |a - b|
    label: str | None = None


class Rule(_Model):
    """A plausibility rule. Kinds: range, implies, sum, band_match."""

    id: str = Field(pattern=_ID)
    kind: Literal["range", "implies", "sum", "band_match"]
    label: str | None = None
    question: str | None = None               # range, band_match (the categorical)
    min: float | None = None
    max: float | None = None
    when: list[Condition] = Field(default_factory=list)   # implies: all must hold ...
    then: list[Condition] = Field(default_factory=list)   # ... then all of these must hold
    questions: list[str] = Field(default_factory=list)    # sum: the parts
    numeric: str | None = None                # band_match: numeric question with bands
    action: Literal["exclude", "review"] = "exclude"


class Quality(_Model):
    traps: list[Trap] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    open_ended: list[str] = Field(default_factory=list)   # open questions checked for gibberish
    overrides: dict[str, Any] = Field(default_factory=dict)  # cleaning parameters by name


class Weighting(_Model):
    variables: list[str] = Field(min_length=1)
    method: Literal["rake", "poststratify", "calibrate"] = "rake"
    not_stated: Literal["separate", "impute", "exclude"] | None = None
    impute_within: str | None = None
    targets: str | None = None                 # path, relative to the YAML file
    trim_upper: float | None = None


class Fieldwork(_Model):
    start: _dt.date
    end: _dt.date


class Survey(_Model):
    id: str = Field(pattern=_ID)
    title: str
    title_ja: str | None = None
    sponsor: str
    fielded_by: str
    platform: str
    mode: str
    population: str
    country: str
    fieldwork: Fieldwork
    languages: list[str] = Field(default_factory=lambda: ["en"])
    target_sample_size: int = Field(gt=0)
    recruitment: str | None = None
    respondent_id: str = "respondent_id"
    screening: list[Condition] = Field(default_factory=list)
    source_line: str | None = None
    limitations: list[str] = Field(default_factory=list)


class _Instrument(_Model):
    survey: Survey
    questions: list[Question] = Field(min_length=1)
    quality: Quality = Field(default_factory=Quality)
    weighting: Weighting | None = None


@dataclass(frozen=True)
class VariableInfo:
    """A variable of the labelled frame and where it comes from."""

    name: str
    question: str
    kind: str                      # categorical, ordinal, numeric, binary, text, meta
    label: str
    label_ja: str | None
    levels: tuple[str, ...]        # option keys in instrument order ('' for non-categorical)
    labels: dict[str, str]
    labels_ja: dict[str, str]
    column: str | None             # export column, None for derived variables


# ---------------------------------------------------------------------------
# loading and cross-checks


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and validate a questionnaire YAML file.

    Raises :class:`~survey_kit.errors.QuestionnaireError` naming the file and
    the YAML path of the first fault, e.g.
    ``questions[4].options[2].code: duplicate code 3``.
    """
    path = Path(path)
    data = read_yaml(path, QuestionnaireError, "file",
                     "give the path of a questionnaire YAML (see questionnaires/)")
    return Questionnaire.from_dict(data, source=path)


def as_questionnaire(questionnaire: Any) -> Questionnaire:
    """A :class:`Questionnaire` as given, or loaded from the path of its YAML file.

    Raises
    ------
    UsageError
        For anything else.
    """
    if isinstance(questionnaire, Questionnaire):
        return questionnaire
    if isinstance(questionnaire, (str, os.PathLike)):
        return load_questionnaire(questionnaire)
    raise UsageError("questionnaire must be a Questionnaire or the path of its YAML file; got "
                     f"{type(questionnaire).__name__}")


def _check(inst: _Instrument) -> None:
    """Cross-field checks pydantic cannot express; raise with the YAML path."""

    def fail(where: str, msg: str) -> None:
        raise QuestionnaireError(msg, path=where)

    seen_q: dict[str, str] = {}
    seen_col: dict[str, str] = {}
    variables: dict[str, Question] = {}

    def claim_var(name: str, where: str, q: Question) -> None:
        if name in variables:
            fail(where, f"variable name {name!r} is used twice; rename one")
        variables[name] = q

    def claim_col(col: str | None, where: str) -> None:
        if col is None:
            return
        if col in seen_col:
            fail(where, f"export column {col!r} is already used by {seen_col[col]}")
        seen_col[col] = where

    for i, q in enumerate(inst.questions):
        base = f"questions[{i}]"
        if q.id in seen_q:
            fail(f"{base}.id", f"duplicate question id {q.id!r} (first at {seen_q[q.id]})")
        seen_q[q.id] = base
        codes: dict[int, int] = {}
        keys: dict[str, int] = {}
        for j, opt in enumerate(q.options):
            if opt.code in codes:
                fail(f"{base}.options[{j}].code", f"duplicate code {opt.code}")
            if opt.key in keys:
                fail(f"{base}.options[{j}].key", f"duplicate key {opt.key!r}")
            codes[opt.code] = j
            keys[opt.key] = j
        for j, m in enumerate(q.missing):
            if m.code in codes:
                fail(f"{base}.missing[{j}].code",
                     f"missing code {m.code} is also an answer code; use a distinct code")
        needs_options = q.type in ("single", "likert", "multi", "grid")
        if needs_options and len(q.options) < 2:
            fail(f"{base}.options", f"a {q.type} question needs at least two options")
        if not needs_options and q.options:
            fail(f"{base}.options", f"a {q.type} question takes no options; remove them "
                 "or change the type")
        if q.type == "multi":
            for j, opt in enumerate(q.options):
                if not opt.column:
                    fail(f"{base}.options[{j}].column",
                         "each option of a multi question needs its own export column (0/1)")
                claim_col(opt.column, f"{base}.options[{j}].column")
                claim_var(f"{q.id}_{opt.key}", f"{base}.options[{j}].key", q)
        elif q.type == "grid":
            if len(q.items) < 2:
                fail(f"{base}.items", "a grid needs at least two items")
            for j, item in enumerate(q.items):
                claim_col(item.column, f"{base}.items[{j}].column")
                claim_var(item.id, f"{base}.items[{j}].id", q)
        else:
            if q.items:
                fail(f"{base}.items", f"a {q.type} question takes no items")
            if not q.column:
                fail(f"{base}.column", "the export column this question comes from is required")
            claim_col(q.column, f"{base}.column")
            claim_var(q.id, f"{base}.id", q)
        if q.type == "meta" and q.role is None:
            fail(f"{base}.role", "a meta column needs a role (duration, start_time, end_time, "
                 "device, os, fingerprint, status, other)")
        if q.min is not None and q.max is not None and q.min > q.max:
            fail(f"{base}.min", f"min {q.min:g} is above max {q.max:g}")
        if q.bands is not None:
            if q.type != "numeric":
                fail(f"{base}.bands", "bands apply to numeric questions only")
            claim_var(q.bands.id, f"{base}.bands.id", q)
            prev = None
            bkeys: set[str] = set()
            for j, b in enumerate(q.bands.levels):
                if b.min > b.max:
                    fail(f"{base}.bands.levels[{j}]", f"min {b.min:g} is above max {b.max:g}")
                if prev is not None and b.min <= prev.max:
                    fail(f"{base}.bands.levels[{j}].min",
                         f"band {b.key!r} overlaps band {prev.key!r}; bands must be ascending "
                         "and disjoint")
                if b.key in bkeys:
                    fail(f"{base}.bands.levels[{j}].key", f"duplicate band key {b.key!r}")
                bkeys.add(b.key)
                prev = b
        if q.nets:
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

    questions = {q.id: q for q in inst.questions}

    def check_var(name: str, where: str) -> None:
        if name not in variables and name not in questions:
            fail(where, f"unknown question {name!r}; define it under questions first")

    def check_cond(c: Condition, where: str) -> None:
        check_var(c.question, f"{where}.question")
        if c.op in ("in", "not_in") and not isinstance(c.value, list):
            fail(f"{where}.value", f"op {c.op!r} needs a list of levels")
        if c.op == "between" and not (isinstance(c.value, list) and len(c.value) == 2):
            fail(f"{where}.value", "op 'between' needs [low, high]")
        if c.op in ("lt", "le", "gt", "ge") and not isinstance(c.value, (int, float)):
            fail(f"{where}.value", f"op {c.op!r} needs a number")
        q = variables.get(c.question)
        if q is not None and c.op in ("in", "not_in", "eq", "ne") and q.type in (
                "single", "likert", "grid"):
            valid = {o.key for o in q.options} | {o.code for o in q.options}
            vals = c.value if isinstance(c.value, list) else [c.value]
            for v in vals:
                if v not in valid:
                    fail(f"{where}.value", f"{v!r} is not a code or key of {c.question!r}; "
                         f"valid keys are {', '.join(o.key for o in q.options)}")

    for j, c in enumerate(inst.survey.screening):
        check_cond(c, f"survey.screening[{j}]")

    tids: set[str] = set()
    for j, t in enumerate(inst.quality.traps):
        base = f"quality.traps[{j}]"
        if t.id in tids:
            fail(f"{base}.id", f"duplicate trap id {t.id!r}")
        tids.add(t.id)
        check_var(t.question, f"{base}.question")
        q = variables.get(t.question)
        if t.type == "instructed":
            if not t.expected:
                fail(f"{base}.expected", "an instructed-response item needs the expected answer(s)")
            if q is not None and q.options:
                valid = {o.key for o in q.options} | {o.code for o in q.options}
                for k, e in enumerate(t.expected):
                    if e not in valid:
                        fail(f"{base}.expected[{k}]",
                             f"{e!r} is not a valid code or key of question {t.question!r}; "
                             f"valid keys are {', '.join(o.key for o in q.options)}")
        else:
            if not t.repeat:
                fail(f"{base}.repeat", "a consistency pair needs the repeated question")
            check_var(t.repeat, f"{base}.repeat")

    rids: set[str] = set()
    for j, r in enumerate(inst.quality.rules):
        base = f"quality.rules[{j}]"
        if r.id in rids:
            fail(f"{base}.id", f"duplicate rule id {r.id!r}")
        rids.add(r.id)
        if r.kind == "range":
            if r.question is None:
                fail(f"{base}.question", "a range rule needs the question")
            check_var(r.question, f"{base}.question")
            if r.min is None and r.max is None:
                fail(f"{base}", "a range rule needs min or max")
        elif r.kind == "implies":
            if not r.when or not r.then:
                fail(f"{base}", "an implies rule needs both 'when' and 'then' conditions")
            for k, c in enumerate(r.when):
                check_cond(c, f"{base}.when[{k}]")
            for k, c in enumerate(r.then):
                check_cond(c, f"{base}.then[{k}]")
        elif r.kind == "sum":
            if len(r.questions) < 2 or r.max is None and r.min is None:
                fail(f"{base}", "a sum rule needs two or more questions and min or max")
            for k, name in enumerate(r.questions):
                check_var(name, f"{base}.questions[{k}]")
        elif r.kind == "band_match":
            if r.question is None or r.numeric is None:
                fail(f"{base}", "a band_match rule needs 'question' (categorical) and "
                     "'numeric' (a numeric question with bands)")
            check_var(r.question, f"{base}.question")
            check_var(r.numeric, f"{base}.numeric")
            nq = questions.get(r.numeric)
            cq = variables.get(r.question)
            if nq is None or nq.bands is None:
                fail(f"{base}.numeric", f"question {r.numeric!r} has no bands")
            if cq is not None:
                missing = {b.key for b in nq.bands.levels} - {o.key for o in cq.options}
                if missing:
                    fail(f"{base}.question", f"bands of {r.numeric!r} have keys "
                         f"{sorted(missing)} that are not options of {r.question!r}")

    for k, name in enumerate(inst.quality.open_ended):
        check_var(name, f"quality.open_ended[{k}]")
        if variables.get(name) is not None and variables[name].type != "open":
            fail(f"quality.open_ended[{k}]", f"{name!r} is not an open question")

    if inst.weighting is not None:
        for k, name in enumerate(inst.weighting.variables):
            check_var(name, f"weighting.variables[{k}]")
        if inst.weighting.impute_within:
            check_var(inst.weighting.impute_within, "weighting.impute_within")


class Questionnaire:
    """A validated survey instrument. Build with :func:`load_questionnaire`.

    Attributes
    ----------
    survey : metadata (title, sponsor, fieldwork, ...)
    questions : list of :class:`Question` in instrument order
    quality : traps, plausibility rules, cleaning overrides
    weighting : weighting variables and defaults, or None
    source : the YAML path it was read from, or None
    """

    def __init__(self, inst: _Instrument, source: Path | None = None) -> None:
        self._inst = inst
        self.source = source
        self.survey = inst.survey
        self.questions: list[Question] = list(inst.questions)
        self.quality = inst.quality
        self.weighting = inst.weighting
        self._by_id = {q.id: q for q in self.questions}
        self._vars = self._build_variables()

    @classmethod
    def from_dict(cls, data: Any, source: str | Path | None = None) -> Questionnaire:
        """Validate a mapping (as read from YAML) and build the questionnaire."""
        file = None if source is None else Path(source)
        if not isinstance(data, dict):
            raise QuestionnaireError("the file must hold a mapping with keys survey, questions "
                                     "(and optionally quality, weighting)", file=file)
        try:
            inst = _Instrument.model_validate(data)
        except ValidationError as exc:
            raise schema_error(exc, QuestionnaireError, file, "unknown key; check its "
                               "spelling against the schema in questionnaire.py") from None
        try:
            _check(inst)
        except QuestionnaireError as exc:
            raise QuestionnaireError(exc.message, file=file, path=exc.path) from None
        return cls(inst, source=file)

    def to_dict(self) -> dict[str, Any]:
        """The validated instrument as plain data (YAML-ready); see :meth:`from_dict`."""
        return self._inst.model_dump(mode="json", exclude_none=True)

    # -- variables ---------------------------------------------------------

    def _build_variables(self) -> dict[str, VariableInfo]:
        out: dict[str, VariableInfo] = {}
        for q in self.questions:
            if q.type in ("single", "likert"):
                out[q.id] = VariableInfo(
                    q.id, q.id, "ordinal" if q.type == "likert" else "categorical",
                    q.short or q.text, q.short_ja or q.text_ja,
                    tuple(o.key for o in q.options), {o.key: o.label for o in q.options},
                    {o.key: o.label_ja for o in q.options if o.label_ja}, q.column)
            elif q.type == "multi":
                for o in q.options:
                    out[f"{q.id}_{o.key}"] = VariableInfo(
                        f"{q.id}_{o.key}", q.id, "binary", o.label, o.label_ja, (), {}, {},
                        o.column)
            elif q.type == "grid":
                for item in q.items:
                    out[item.id] = VariableInfo(
                        item.id, q.id, "ordinal", item.text, item.text_ja,
                        tuple(o.key for o in q.options), {o.key: o.label for o in q.options},
                        {o.key: o.label_ja for o in q.options if o.label_ja}, item.column)
            elif q.type == "numeric":
                out[q.id] = VariableInfo(q.id, q.id, "numeric", q.short or q.text,
                                         q.short_ja or q.text_ja, (), {}, {}, q.column)
                if q.bands is not None:
                    b = q.bands
                    out[b.id] = VariableInfo(
                        b.id, q.id, "ordinal", b.label or q.short or q.text,
                        b.label_ja or q.short_ja or q.text_ja,
                        tuple(x.key for x in b.levels), {x.key: x.label for x in b.levels},
                        {x.key: x.label_ja for x in b.levels if x.label_ja}, None)
            elif q.type == "open":
                out[q.id] = VariableInfo(q.id, q.id, "text", q.short or q.text,
                                         q.short_ja or q.text_ja, (), {}, {}, q.column)
            else:
                out[q.id] = VariableInfo(q.id, q.id, "meta", q.short or q.text,
                                         q.short_ja or q.text_ja, (), {}, {}, q.column)
        return out

    @property
    def id(self) -> str:
        return self.survey.id

    @property
    def title(self) -> str:
        return self.survey.title

    @property
    def variables(self) -> dict[str, VariableInfo]:
        """Every variable of the labelled frame, in instrument order."""
        return dict(self._vars)

    def variable(self, name: str) -> VariableInfo:
        """Information on one variable; QuestionnaireError listing valid names if unknown."""
        try:
            return self._vars[name]
        except KeyError:
            raise QuestionnaireError(
                f"unknown variable {name!r}; valid names are: {', '.join(self._vars)}",
                file=self.source) from None

    def question(self, qid: str) -> Question:
        """The question with id ``qid``."""
        try:
            return self._by_id[qid]
        except KeyError:
            raise QuestionnaireError(
                f"unknown question {qid!r}; valid ids are: {', '.join(self._by_id)}",
                file=self.source) from None

    def has_variable(self, name: str) -> bool:
        return name in self._vars

    def levels(self, name: str) -> list[str]:
        """Option keys of a categorical variable, in instrument order."""
        return list(self.variable(name).levels)

    def label(self, name: str, level: str | None = None, lang: str = "en") -> str:
        """Label of a variable, or of one of its levels, in ``lang`` (falls back to en)."""
        info = self.variable(name)
        if level is None:
            return (info.label_ja if lang == "ja" and info.label_ja else info.label)
        if lang == "ja" and level in info.labels_ja:
            return info.labels_ja[level]
        return info.labels.get(str(level), str(level))

    def labels(self, name: str, lang: str = "en") -> dict[str, str]:
        """Mapping level key -> label for a categorical variable."""
        info = self.variable(name)
        return {k: self.label(name, k, lang) for k in info.levels}

    def nets(self, name: str) -> list[Net]:
        """Nets defined on a variable (on the question or on its bands)."""
        info = self.variable(name)
        q = self._by_id[info.question]
        if q.bands is not None and name == q.bands.id:
            return list(q.nets)
        if name == q.id and q.bands is None:
            return list(q.nets)
        return []

    def multi_variables(self, qid: str) -> list[str]:
        """The 0/1 variables of a multi-select question."""
        q = self.question(qid)
        if q.type != "multi":
            raise QuestionnaireError(f"question {qid!r} is {q.type}, not multi", file=self.source)
        return [f"{q.id}_{o.key}" for o in q.options]

    def grid_variables(self, qid: str) -> list[str]:
        q = self.question(qid)
        return [item.id for item in q.items]

    def grids(self) -> list[Question]:
        return [q for q in self.questions if q.type == "grid"]

    def meta_column(self, role: str) -> str | None:
        """Variable name of the meta question with ``role`` (e.g. 'duration'), or None."""
        for q in self.questions:
            if q.type == "meta" and q.role == role:
                return q.id
        return None

    def score(self, name: str) -> dict[str, float]:
        """Numeric score of each level of an ordinal variable (option score or code)."""
        info = self.variable(name)
        q = self._by_id[info.question]
        if q.bands is not None and name == q.bands.id:
            return {b.key: float(i + 1) for i, b in enumerate(q.bands.levels)}
        return {o.key: float(o.score if o.score is not None else o.code) for o in q.options}

    def codebook(self) -> Any:
        """A tidy DataFrame: one row per (variable, code) with labels en/ja."""
        import pandas as pd

        rows = []
        for q in self.questions:
            if q.type == "grid":
                for item in q.items:
                    for o in q.options:
                        rows.append((q.id, item.id, item.column, q.type, item.text,
                                     item.text_ja, o.code, o.key, o.label, o.label_ja))
            elif q.type == "multi":
                for o in q.options:
                    rows.append((q.id, f"{q.id}_{o.key}", o.column, q.type, q.text, q.text_ja,
                                 1, "selected", o.label, o.label_ja))
            elif q.options:
                for o in q.options:
                    rows.append((q.id, q.id, q.column, q.type, q.text, q.text_ja, o.code, o.key,
                                 o.label, o.label_ja))
            else:
                rng = ""
                if q.min is not None or q.max is not None:
                    lo = "" if q.min is None else f"{q.min:g}"
                    hi = "" if q.max is None else f"{q.max:g}"
                    rng = f"{lo}-{hi}" + (f" {q.unit}" if q.unit else "")
                rows.append((q.id, q.id, q.column, q.type, q.text, q.text_ja, None, None,
                             rng or q.type, None))
                if q.bands is not None:
                    for b in q.bands.levels:
                        rows.append((q.id, q.bands.id, None, "band", q.bands.label or q.text,
                                     q.bands.label_ja, None, b.key, b.label, b.label_ja))
            for m in q.missing:
                rows.append((q.id, q.id, q.column, "missing", q.text, q.text_ja, m.code, m.key,
                             m.label, m.label_ja))
        return pd.DataFrame(rows, columns=["question", "variable", "column", "type", "text",
                                           "text_ja", "code", "key", "label", "label_ja"])

    def __repr__(self) -> str:
        return (f"Questionnaire({self.survey.id!r}, {len(self.questions)} questions, "
                f"{len(self._vars)} variables)")


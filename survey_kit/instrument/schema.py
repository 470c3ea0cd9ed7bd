"""The questionnaire schema: what a questionnaire YAML file may hold, as pydantic models.

Unknown keys are refused (``extra="forbid"``), strings are stripped, and the
models are frozen. Checks across fields and sections (unique ids and codes,
bands that do not overlap, rules naming existing questions, ...) are in
:mod:`~survey_kit.instrument.checks`; reading a file is in
:mod:`~survey_kit.instrument.loading`.

Top-level keys
--------------
``survey``       metadata: id, title, sponsor, fielded_by, platform, mode, population,
                 country, fieldwork {start, end}, languages, target_sample_size,
                 recruitment, respondent_id (export column), screening conditions.
``questions``    list of questions. Types: single, likert, multi, numeric, grid,
                 open, meta. Options carry ``code`` (as exported), ``key`` (stable
                 name used in data and targets) and ``label`` / ``label_ja``.
                 Numeric questions may carry ``bands`` (a derived categorical
                 variable); single/likert/banded questions may carry ``nets``.
``quality``      trap items (``instructed`` with expected codes; ``consistency``
                 pairs with a ``tolerance`` >= 0), plausibility ``rules`` (range,
                 implies, sum, band_match; a range must not be empty) and per-survey
                 overrides of cleaning thresholds.
``weighting``    the weighting variables, the default method, the not-stated
                 strategy and the path of the population targets.
``design``       optional: how the sample was drawn. ``sample`` (probability or
                 non_probability, the default), ``weights`` (base-weight column),
                 ``strata``, ``cluster`` and ``fpc`` (a column, or a list with one
                 column per stage) and ``lonely_psu`` (R's options).

Conditions in rules are declarative (``{question, op, value}``) and are never
evaluated as Python.

YAML 1.1 reads an unquoted ``yes``, ``no``, ``on``, ``off``, ``true`` and
``false`` as booleans; loading refuses a boolean anywhere but ``exclusive``,
``integer``, ``required`` and boolean cleaning overrides, naming its path, so
``value: [yes]`` or ``action: off`` is never read as the code 1 or 0. Quote
such words (``'off'``).

Example
-------
>>> band = Band(key="micro", label=" Micro (1-10 employees) ", min=1, max=10)
>>> band.label, band.max
('Micro (1-10 employees)', 10.0)
>>> Condition(question="screener_role", value=["decision_maker"]).op
'in'
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Band", "Bands", "Condition", "Design", "Fieldwork", "GridItem", "MissingCode", "Net",
           "Option", "Quality", "Question", "Rule", "Survey", "Trap", "Weighting"]

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
    """One row of a grid: its variable name, its text and its export column."""

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
    expected: list[str | int | float] | None = None   # instructed: option keys, codes or numbers
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
    action: Literal["exclude", "review", "off"] = "exclude"   # 'off' (quoted): not applied


class Quality(_Model):
    """The ``quality`` section: traps, plausibility rules, open ends, cleaning overrides."""

    traps: list[Trap] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    open_ended: list[str] = Field(default_factory=list)   # open questions checked for gibberish
    overrides: dict[str, Any] = Field(default_factory=dict)  # cleaning parameters by name


class Weighting(_Model):
    """The ``weighting`` section: variables, method, not-stated strategy, targets, trim cap."""

    variables: list[str] = Field(min_length=1)
    method: Literal["rake", "poststratify", "calibrate"] = "rake"
    not_stated: Literal["separate", "impute", "exclude"] | None = None
    impute_within: str | None = None
    targets: str | None = None                 # path, relative to the YAML file
    trim_upper: float | None = None


class Design(_Model):
    """The ``design`` section: how the sample was drawn (columns of the responses)."""

    sample: Literal["probability", "non_probability"] = "non_probability"
    weights: str | None = None                     # base (design) weights
    strata: str | None = None
    cluster: str | list[str] | None = None         # one column per stage
    fpc: str | list[str] | None = None             # one column per stage
    lonely_psu: Literal["fail", "remove", "adjust", "average", "certainty"] = "fail"
    # replicate weights shipped with the data (R svrepdesign): columns or a pattern
    replicate_weights: str | list[str] | None = None
    replicate_type: Literal["JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "ACS",
                            "successive-difference", "other"] | None = None
    scale: float | None = None
    rscales: list[float] | None = None
    mse: bool = False
    fay_rho: float | None = None

    def stage_mismatch(self) -> str | None:
        """Why the fpc columns do not fit the cluster stages (or replicate weights come with
        strata, clusters or fpc, or without a type), or None."""
        if self.replicate_weights is not None:
            if self.strata or self.cluster or self.fpc:
                return ("replicate_weights carry the strata, clusters and fpc; give them "
                        "without strata, cluster or fpc")
            if self.replicate_type is None:
                return "replicate_weights need replicate_type (e.g. JK1, JKn, BRR, bootstrap)"
        if self.fpc is None or not isinstance(self.fpc, list) and not isinstance(self.cluster,
                                                                                  list):
            return None
        n_fpc = len(self.fpc) if isinstance(self.fpc, list) else 1
        n_cl = (len(self.cluster) if isinstance(self.cluster, list)
                else int(self.cluster is not None))
        if n_fpc == n_cl or (n_fpc == 1 and n_cl == 0):
            return None
        return (f"{n_fpc} fpc column(s) for {n_cl} cluster stage(s); give one fpc column "
                "per stage")

    def survey_design_args(self) -> dict[str, Any]:
        """Keyword arguments of ``SurveyDesign`` (besides the frame)."""
        if self.replicate_weights is not None:
            return {"weights": self.weights, "replicate_weights": self.replicate_weights,
                    "replicate_type": self.replicate_type, "scale": self.scale,
                    "rscales": self.rscales, "mse": self.mse, "fay_rho": self.fay_rho}
        return {"weights": self.weights, "strata": self.strata, "cluster": self.cluster,
                "fpc": self.fpc, "lonely_psu": self.lonely_psu}

    def missing_columns(self, columns: Any) -> list[tuple[str, str]]:
        """(YAML path, column) of the named columns that are not in ``columns``."""
        have = set(columns)
        return [(where, c) for where, c in self.columns() if c not in have]

    def columns(self) -> list[tuple[str, str]]:
        """(YAML path, column) of every column the design names."""
        out = [(f"design.{k}", getattr(self, k)) for k in ("weights", "strata")
               if getattr(self, k)]
        for k in ("cluster", "fpc", "replicate_weights"):
            v = getattr(self, k)
            if k == "replicate_weights" and not isinstance(v, list):
                continue                   # a pattern: SurveyDesign says when nothing matches
            if isinstance(v, list):
                out += [(f"design.{k}[{i}]", c) for i, c in enumerate(v)]
            elif v:
                out.append((f"design.{k}", v))
        return out


class Fieldwork(_Model):
    """First and last day of fieldwork."""

    start: _dt.date
    end: _dt.date


class Survey(_Model):
    """The ``survey`` section: what was asked of whom, by whom, when and how."""

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
    """A whole questionnaire file, the root of the schema.

    (Its name is part of the pinned signature of ``Questionnaire.__init__``.)
    """

    survey: Survey
    questions: list[Question] = Field(min_length=1)
    quality: Quality = Field(default_factory=Quality)
    weighting: Weighting | None = None
    design: Design | None = None

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
                 Only id and title are required: what a file does not state (as in a
                 questionnaire made by ``survey-kit init``) is left out and reported
                 as "not stated". ``respondent_id: null`` numbers respondents by their
                 row in the file (for files without an id column).
``questions``    list of questions. Types: single, likert, multi, numeric, grid,
                 open, meta (roles: duration, start_time, end_time, recorded_date,
                 finished, progress, response_type, status, device, os,
                 fingerprint, other). Options carry ``code`` (as exported: an integer, or a
                 text such as ``UKC`` where the file stores text codes), ``key`` (stable
                 name used in data and targets) and ``label`` / ``label_ja``.
                 Numeric questions may carry ``bands`` (a derived categorical
                 variable); single/likert/banded questions may carry ``nets``.
``quality``      trap items (``instructed`` with expected codes; ``consistency``
                 pairs with a ``tolerance`` >= 0; ``text``: a phrase to type, as
                 ``expected`` phrases or a ``pattern``), plausibility ``rules`` (range,
                 implies, sum, band_match; a range must not be empty), the survey's
                 own exclusion rules (``exclude_if`` with ``when`` conditions) and
                 per-survey overrides of cleaning thresholds.
                 Grid items may be marked ``reverse: true`` (reverse-keyed).
``weighting``    the weighting variables, the default method, the not-stated
                 strategy and the path of the population targets.
``design``       optional: how the sample was drawn. ``sample`` (probability or
                 non_probability, the default), ``weights`` (base-weight column),
                 ``strata``, ``cluster`` and ``fpc`` (a column, or a list with one
                 column per stage), ``lonely_psu`` (R's options) and
                 ``dispositions``: the final AAPOR disposition of every case released
                 to the field, as ``counts`` per category (I, P, R, NC, O, UH, UO, NE)
                 or as a ``file`` of cases with its ``column`` and ``codes`` (category
                 -> fieldwork codes), and ``e`` (a number, or ``eligible_share``) for
                 the response rates of the appendix.

In ``survey``, only ``id``, ``title``, ``population`` and ``country`` are
required: sponsor, fieldwork agency, platform, mode, dates and target sample
size are reported when given and said to be "not stated" otherwise.

Conditions in rules are declarative (``{question, op, value}``) and are never
evaluated as Python.

YAML 1.1 reads an unquoted ``yes``, ``no``, ``on``, ``off``, ``true`` and
``false`` as booleans; loading refuses a boolean anywhere but ``exclusive``,
``integer``, ``required``, ``reverse`` and boolean cleaning overrides, naming its
line and path, so
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

__all__ = ["DURATION_UNITS", "Band", "Bands", "Citation", "Condition", "Design", "Dispositions",
           "Fieldwork", "GridItem", "MissingCode", "Net", "Option", "Quality", "Question", "Rule",
           "Survey", "Trap", "Weighting"]

_ID = r"^[A-Za-z_][A-Za-z0-9_]*$"
_KEY = r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$"

QuestionType = Literal["single", "multi", "numeric", "likert", "grid", "open", "meta"]
MetaRole = Literal["duration", "start_time", "end_time", "device", "os", "fingerprint",
                   "status", "finished", "progress", "response_type", "recorded_date", "other"]
Op = Literal["in", "not_in", "eq", "ne", "lt", "le", "gt", "ge", "between", "missing", "answered",
             "matches"]


#: units a duration may be declared in (``unit:`` of the meta question with role duration):
#: spelling -> (name, symbol, seconds per unit); no unit means seconds
DURATION_UNITS: dict[str, tuple[str, str, float]] = {
    **dict.fromkeys(("s", "sec", "second", "seconds"), ("seconds", "s", 1.0)),
    **dict.fromkeys(("min", "minute", "minutes"), ("minutes", "min", 60.0)),
    **dict.fromkeys(("h", "hour", "hours"), ("hours", "h", 3600.0)),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Option(_Model):
    """One answer option: the code in the export, its key in data, its labels.

    A code is an integer, or a text where the file stores text codes (an SPSS or
    Stata string variable with value labels, e.g. region ``UKC``; an XLSForm
    choice name such as ``yes``). Quote a text code that looks like a number
    (``code: "01"``).
    """

    code: int | str
    key: str = Field(pattern=_KEY)
    label: str = Field(min_length=1)
    label_ja: str | None = None
    column: str | None = None      # multi-select: the export column holding 0/1
    exclusive: bool = False        # multi-select: "none of these" style option
    score: float | None = None     # likert/ordinal: numeric value (defaults to code)


class MissingCode(_Model):
    """A code that means the answer is missing (don't know, refused, not stated)."""

    code: int | float | str
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
    """One row of a grid: its variable name, its text, its export column and whether it is
    reverse-keyed (worded the opposite way to the grid's other items)."""

    id: str = Field(pattern=_ID)
    text: str
    text_ja: str | None = None
    column: str
    reverse: bool = False


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
    """A trap: an instructed-response item, a consistency pair or a typed-text check.

    ``text``: the respondent must type a phrase into an open question; the
    answer passes when it equals one of ``expected`` ignoring case, spaces and
    full-width forms (Unicode NFKC), or when ``pattern`` (a regular
    expression, case-insensitive) matches the whole answer.
    """

    id: str = Field(pattern=_ID)
    type: Literal["instructed", "consistency", "text"]
    question: str
    expected: list[str | int | float] | None = None   # instructed: option keys, codes or
    #                                                   numbers; text: the accepted phrases
    pattern: str | None = None                # text: a regular expression the answer matches
    repeat: str | None = None                 # consistency: the question asked again
    tolerance: float = 0.0                    # consistency on numerics: allowed |a - b|
    label: str | None = None
    label_ja: str | None = None


class Rule(_Model):
    """A plausibility rule. Kinds: range, implies, sum, band_match, exclude_if.

    ``exclude_if`` is the survey's own exclusion rule: it flags the
    respondents for whom every ``when`` condition holds (the conditions
    language of screening and ``implies``), with the rule's ``action``
    (``exclude`` by default, or ``review``).
    """

    id: str = Field(pattern=_ID)
    kind: Literal["range", "implies", "sum", "band_match", "exclude_if"]
    label: str | None = None
    label_ja: str | None = None
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


AapCategory = Literal["I", "P", "R", "NC", "O", "UH", "UO", "NE"]


class Dispositions(_Model):
    """Final dispositions of the cases released (AAPOR Standard Definitions): ``counts``
    per category, or a ``file`` (relative to the YAML file) with one row per case, its
    disposition ``column`` and the ``codes`` of each category (default: the column
    holds the category names); ``e`` for RR3, RR4, REF2 and CON2."""

    counts: dict[AapCategory, int] | None = None
    file: str | None = None
    column: str | None = None
    codes: dict[AapCategory, int | str | list[int | str]] | None = None
    e: float | Literal["eligible_share"] | None = None

    def problem(self) -> tuple[str, str] | None:
        """(YAML key, what is wrong) when the section cannot give counts, or None."""
        if (self.counts is None) == (self.file is None):
            return ("design.dispositions", "give either counts (per AAPOR category) or a "
                    "file of cases with its column, not both or neither")
        if self.counts is not None and any(v < 0 for v in self.counts.values()):
            return "design.dispositions.counts", "counts must be whole numbers >= 0"
        if self.file is not None and not self.column:
            return ("design.dispositions.column", "name the column of the file that holds "
                    "each case's final disposition")
        if self.counts is not None and (self.column or self.codes):
            return ("design.dispositions", "column and codes describe a file of cases; "
                    "with counts, leave them out")
        if isinstance(self.e, float) and not 0 <= self.e <= 1:
            return "design.dispositions.e", f"e = {self.e:g} must lie in [0, 1]"
        return None


class Design(_Model):
    """The ``design`` section: how the sample was drawn (columns of the responses)."""

    sample: Literal["probability", "non_probability"] = "non_probability"
    weights: str | None = None                     # base (design) weights
    strata: str | None = None
    cluster: str | list[str] | None = None         # one column per stage
    fpc: str | list[str] | None = None             # one column per stage
    lonely_psu: Literal["fail", "remove", "adjust", "average", "certainty"] = "fail"
    dispositions: Dispositions | None = None
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


class Citation(_Model):
    """The publication that reports the survey, cited in its appendix.

    ``year`` is None when the publication states no date (the citation then
    reads "n.d."); nothing here is filled in that the publication does not state.
    """

    authors: list[str] = Field(min_length=1)
    title: str
    subtitle: str | None = None
    publisher: str
    year: int | None = None
    part: str | None = None            # where the survey is described, e.g. "Appendix I"


class Survey(_Model):
    """The ``survey`` section: what was asked of whom, by whom, when and how.

    ``platform``, ``mode`` and ``fieldwork`` may be left out when the source does not state
    them (the appendix then says so rather than guessing). The ``*_ja`` fields
    give the Japanese wording of the free-text fields for ``lang="ja"`` outputs.
    """

    id: str = Field(pattern=_ID)
    title: str
    title_ja: str | None = None
    sponsor: str | None = None          # None: not stated (e.g. a questionnaire made by init)
    fielded_by: str | None = None
    platform: str | None = None
    mode: str | None = None
    mode_ja: str | None = None
    population: str | None = None
    population_ja: str | None = None
    country: str | None = None
    country_ja: str | None = None
    fieldwork: Fieldwork | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"])
    target_sample_size: int | None = Field(default=None, gt=0)
    recruitment: str | None = None
    recruitment_ja: str | None = None
    respondent_id: str | None = "respondent_id"   # None: the file has no id; rows are numbered
    screening: list[Condition] = Field(default_factory=list)
    source_line: str | None = None
    source_line_ja: str | None = None
    limitations: list[str] = Field(default_factory=list)
    limitations_ja: list[str] = Field(default_factory=list)
    citation: Citation | None = None

    def text(self, name: str, lang: str = "en") -> Any:
        """The field ``name`` in ``lang``: its ``_ja`` variant when asked for and given."""
        if lang == "ja":
            ja = getattr(self, f"{name}_ja", None)
            if ja:
                return ja
        return getattr(self, name)


class _Instrument(_Model):
    """A whole questionnaire file, the root of the schema.

    (Its name is part of the pinned signature of ``Questionnaire.__init__``.)
    """

    survey: Survey
    questions: list[Question] = Field(min_length=1)
    quality: Quality = Field(default_factory=Quality)
    weighting: Weighting | None = None
    design: Design | None = None

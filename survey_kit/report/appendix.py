"""The survey appendix: methodology, data quality, sample, weighting, codebook, results.

:func:`appendix` runs a survey through the pipeline (read -> clean -> weight
-> design) and builds the tables of a published survey appendix:

1. Methodology -- the AAPOR Transparency Initiative disclosure items that
   apply to an opt-in online panel survey, with the margin of error with and
   without the design effect of weighting.
2. Data quality -- the exclusion flow of cleaning and the overlap of rules.
3. Sample composition -- unweighted n and %, weighted %, population %.
4. Weighting diagnostics -- achieved vs target margins, design effect,
   effective sample size, weight range, trimming.
5. Codebook -- every variable with its codes and labels (en, ja).
6. Headline results -- one design-based banner table (bases, 95% CIs,
   Rao-Scott tests) and one figure per result named in the report spec.
7. Published vs reproduced -- each figure quoted in a publication next to
   the value computed from the data (see :mod:`survey_kit.report.reproduce`).

What is specific to one survey (the headline tables, the quoted figures,
derived variables such as "number of services used") is read from a report
spec, ``<questionnaire>.report.yaml`` next to the questionnaire (see
:func:`load_report_spec`); the code here is generic.

Example
-------
>>> import survey_kit as sk                                          # doctest: +SKIP
>>> app = sk.appendix("questionnaires/japan_digital_services_2024.yaml",
...                   "sample_data/japan_digital_services_2024_raw.csv")  # doctest: +SKIP
>>> app.tables["fig8_foreign_share"]          # a Crosstab  # doctest: +SKIP
>>> app.write("out/appendix", formats=("md", "html", "xlsx", "tex"))  # doctest: +SKIP

Notes
-----
Margin of error at 95% for a proportion of 50% (the largest):
:math:`\\mathrm{MoE} = 1.96 \\sqrt{0.25 / n}`; with the design effect of
weighting (Kish 1965) :math:`\\mathrm{deff} = n \\sum w_i^2 / (\\sum w_i)^2`,
:math:`\\mathrm{MoE}_w = \\mathrm{MoE} \\sqrt{\\mathrm{deff}}`.

References
----------
AAPOR (2021). AAPOR Code of Professional Ethics and Practices, section III
(disclosure elements); AAPOR Transparency Initiative.
Kish, L. (1965). Survey Sampling. Wiley.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
contingency tables with cell proportions estimated from survey data. Annals
of Statistics 12, 46-60.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._results import ResultMixin
from ..errors import ReportError, SurveyKitError, UsageError
from .._yaml import read_yaml, schema_error
from ..weighting.plan import weighting_plan
from ..instrument.labels import check_lang, word
from ..instrument.questionnaire import Bands, Net, Questionnaire, as_questionnaire
from ..tables.document import FigureDoc, Table

__all__ = [
    "FORMATS",
    "Appendix",
    "ReportSpec",
    "SurveyRun",
    "appendix",
    "build_appendix",
    "draw_figures",
    "load_report_spec",
    "margin_of_error",
    "prepare",
    "report_spec_path",
    "with_derived",
]

#: output formats of :meth:`Appendix.write`
FORMATS = ("md", "html", "xlsx", "tex")
_ID = r"^[A-Za-z_][A-Za-z0-9_]*$"
_Z95 = 1.959963984540054   # standard normal 97.5% quantile (the "1.96")



def _w(lang: str, key: str) -> str:
    return word(lang, key, "appendix")


# ===========================================================================
# the report spec (<questionnaire>.report.yaml)
# ===========================================================================

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DerivedVariable(_Model):
    """A variable computed from the answers: the number of options selected.

    ``count`` names a multi-select question; the value is the number of its
    options selected, exclusive ("none of these") options not counted; NaN
    when the question was not answered. ``bands`` (as a numeric question's)
    give a categorical version, ``nets`` combine bands.
    """

    id: str = Field(pattern=_ID)
    count: str
    label: str
    label_ja: str | None = None
    bands: Bands | None = None
    nets: list[Net] = Field(default_factory=list)


class DomainSpec(_Model):
    """A subpopulation: respondents whose ``variable`` is one of ``levels``."""

    variable: str
    levels: list[str | int] = Field(min_length=1)


class HeadlineSpec(_Model):
    """One headline result: a banner table of ``rows`` by ``cols`` and its figure.

    ``rows`` is a variable, a multi-select question (a row per option) or a
    grid question (a row per item, showing the share in ``net``'s levels).
    """

    id: str = Field(pattern=_ID)
    figure: str = ""
    title: str
    title_ja: str | None = None
    rows: str
    cols: str
    net: Net | None = None


class QuotedSpec(_Model):
    """A figure quoted in a publication and what computes it from the data.

    ``statistic="share"``: the percentage of respondents whose ``variable``
    is one of ``levels`` (within ``domain`` if given). ``statistic="mode"``:
    the modal level of ``variable``; ``published`` is then a level key.
    ``relation`` is how the publication states it (``">"`` for "over half").
    ``basis`` is the estimate the publication describes (weighted, or
    unweighted for the make-up of the sample); ``base="all"`` keeps
    respondents with a missing answer in the denominator.
    """

    id: str = Field(pattern=_ID)
    figure: str = ""
    text: str
    text_ja: str | None = None
    statistic: Literal["share", "mode"] = "share"
    variable: str
    levels: list[str | int] = Field(default_factory=list)
    domain: DomainSpec | None = None
    published: float | str
    relation: Literal["=", ">", "<"] = "="
    basis: Literal["weighted", "unweighted"] = "weighted"
    base: Literal["answered", "all"] = "answered"


class ReportSpec(_Model):
    """What the report of one survey shows; see :func:`load_report_spec`."""

    questionnaire: str
    paper: str | None = None
    summary: str | None = None
    composition: list[str] = Field(default_factory=list)
    derived: list[DerivedVariable] = Field(default_factory=list)
    headlines: list[HeadlineSpec] = Field(default_factory=list)
    quoted: list[QuotedSpec] = Field(default_factory=list)


def report_spec_path(questionnaire: Questionnaire) -> Path | None:
    """``<questionnaire>.report.yaml`` next to the questionnaire's YAML, if it exists."""
    src = getattr(questionnaire, "source", None)
    if src is None:
        return None
    path = Path(src).with_suffix(".report.yaml")
    return path if path.is_file() else None


def load_report_spec(path: str | os.PathLike,
                     questionnaire: Questionnaire | None = None) -> ReportSpec:
    """Read and validate a report spec (``*.report.yaml``).

    Parameters
    ----------
    path : path of the YAML file
    questionnaire : Questionnaire, optional
        When given, every variable, question and level the spec names is
        checked against it (and against the spec's derived variables).

    Returns
    -------
    ReportSpec

    Raises
    ------
    ReportError
        Naming the file and the YAML path of the first fault.

    Example
    -------
    >>> spec = load_report_spec("questionnaires/japan_creators_2024.report.yaml")  # doctest: +SKIP
    >>> [h.id for h in spec.headlines]                                         # doctest: +SKIP
    ['fig13_competitiveness', 'fig13_tools']
    """
    p = Path(path)
    data = read_yaml(p, ReportError, "report spec", "give the path of a *.report.yaml file")
    if not isinstance(data, dict):
        raise ReportError("a report spec must be a mapping with keys questionnaire, headlines, "
                          "quoted, ...", file=p)
    try:
        spec = ReportSpec.model_validate(data)
    except ValidationError as exc:
        raise schema_error(exc, ReportError, p, "unknown key; see ReportSpec in "
                           "survey_kit/report/appendix.py for the keys") from None
    if questionnaire is not None:
        try:
            check_report_spec(spec, questionnaire)
        except ReportError as exc:
            raise ReportError(exc.message, file=p, path=exc.path) from None
    return spec


def _level_keys(q: Questionnaire, name: str) -> list:
    info = q.variable(name)
    if info.kind == "binary":
        return [0, 1]
    return list(info.levels)


def check_report_spec(spec: ReportSpec, questionnaire: Questionnaire) -> Questionnaire:
    """Check a spec against a questionnaire; return the questionnaire with derived variables."""
    q = questionnaire
    if spec.questionnaire != q.id:
        raise ReportError(f"the spec is for questionnaire {spec.questionnaire!r}, not {q.id!r}",
                          path="questionnaire")
    for i, d in enumerate(spec.derived):
        try:
            qq = q.question(d.count)
        except SurveyKitError:
            raise ReportError(f"unknown question {d.count!r}; valid ids are: "
                              f"{', '.join(x.id for x in q.questions)}",
                              path=f"derived[{i}].count") from None
        if qq.type != "multi":
            raise ReportError(f"question {d.count!r} is {qq.type}; 'count' needs a multi-select "
                              "question", path=f"derived[{i}].count")
    try:
        inst = with_derived(q, spec)
    except SurveyKitError as exc:
        raise ReportError(f"derived variables: {exc.message}", path="derived") from None

    def var(name: str, where: str, categorical: bool = False) -> None:
        if not inst.has_variable(name):
            raise ReportError(f"unknown variable {name!r}; valid names are: "
                              f"{', '.join(inst.variables)}", path=where)
        if categorical and not inst.variable(name).levels:
            raise ReportError(f"{name!r} is {inst.variable(name).kind}, not categorical",
                              path=where)

    def levels(name: str, given: Sequence, where: str) -> None:
        valid = _level_keys(inst, name)
        for k, lv in enumerate(given):
            if lv not in valid and str(lv) not in map(str, valid):
                raise ReportError(f"{lv!r} is not a level of {name!r}; valid levels are: "
                                  f"{', '.join(map(str, valid))}", path=f"{where}[{k}]")

    for i, name in enumerate(spec.composition):
        var(name, f"composition[{i}]", categorical=True)
    questions = {x.id: x for x in inst.questions}
    seen: set[str] = set()
    for i, h in enumerate(spec.headlines):
        where = f"headlines[{i}]"
        if h.id in seen:
            raise ReportError(f"duplicate headline id {h.id!r}", path=f"{where}.id")
        seen.add(h.id)
        qq = questions.get(h.rows)
        if qq is not None and qq.type in ("multi", "grid"):
            if qq.type == "grid" and h.net is not None:
                valid = [o.key for o in qq.options]
                for k, lv in enumerate(h.net.levels):
                    if lv not in valid:
                        raise ReportError(f"{lv!r} is not an option of grid {h.rows!r}; valid "
                                          f"keys are {', '.join(valid)}",
                                          path=f"{where}.net.levels[{k}]")
        else:
            var(h.rows, f"{where}.rows")
            if h.net is not None:
                raise ReportError("'net' applies to a grid question; nets of other "
                                  "questions come from the questionnaire", path=f"{where}.net")
        var(h.cols, f"{where}.cols", categorical=True)
    for i, x in enumerate(spec.quoted):
        where = f"quoted[{i}]"
        if x.id in seen:
            raise ReportError(f"duplicate id {x.id!r}", path=f"{where}.id")
        seen.add(x.id)
        var(x.variable, f"{where}.variable")
        if x.statistic == "mode":
            if not inst.variable(x.variable).levels:
                raise ReportError("statistic 'mode' needs a categorical variable",
                                  path=f"{where}.variable")
            levels(x.variable, [x.published], f"{where}.published")
        else:
            if not x.levels:
                raise ReportError("give the level(s) whose share is quoted",
                                  path=f"{where}.levels")
            if isinstance(x.published, str):
                raise ReportError("a share is published as a number (percent)",
                                  path=f"{where}.published")
            levels(x.variable, x.levels, f"{where}.levels")
        if x.domain is not None:
            var(x.domain.variable, f"{where}.domain.variable", categorical=True)
            levels(x.domain.variable, x.domain.levels, f"{where}.domain.levels")
    if spec.summary is not None and spec.summary not in {x.id for x in spec.quoted}:
        raise ReportError(f"summary {spec.summary!r} is not the id of a quoted figure",
                          path="summary")
    return inst


def default_report_spec(questionnaire: Questionnaire) -> ReportSpec:
    """A spec for a survey without one: each substantive question by the first weighting
    variable (screening, trap and weighting questions left out)."""
    q = questionnaire
    skip: set[str] = set()
    for c in q.survey.screening:
        skip.add(c.question)
    for t in q.quality.traps:
        skip.add(t.question)
        if t.repeat:
            skip.add(t.repeat)
    wvars = list(q.weighting.variables) if q.weighting is not None else []
    skip.update(wvars)
    cols = wvars[0] if wvars else None
    heads = []
    if cols is not None:
        for qq in q.questions:
            if qq.id in skip or qq.type not in ("single", "likert", "multi"):
                continue
            heads.append(HeadlineSpec(id=qq.id, title=f"{qq.short or qq.text}",
                                      title_ja=qq.short_ja or qq.text_ja, rows=qq.id, cols=cols))
    return ReportSpec(questionnaire=q.id, composition=wvars, headlines=heads)


# ===========================================================================
# derived variables
# ===========================================================================

def _grid_net_id(h: HeadlineSpec) -> str:
    return f"{h.rows}__{h.net.key}"


def with_derived(questionnaire: Questionnaire, spec: ReportSpec) -> Questionnaire:
    """The questionnaire plus the spec's derived variables, so labels flow to tables.

    A count becomes a numeric question (with its bands and nets); a grid
    headline with a ``net`` becomes a multi-select question whose options are
    the grid items (selected = answer in the net). Their ``column`` reads
    ``derived:<name>``: they are computed by :func:`add_derived`, never read
    from an export.
    """
    q = questionnaire
    extra = []
    for d in spec.derived:
        extra.append({"id": d.id, "text": d.label, "text_ja": d.label_ja, "type": "numeric",
                      "column": f"derived:{d.id}", "integer": True, "min": 0,
                      "short": d.label, "short_ja": d.label_ja,
                      "bands": d.bands.model_dump() if d.bands is not None else None,
                      "nets": [n.model_dump() for n in d.nets]})
    for h in spec.headlines:
        if h.net is None:
            continue
        try:
            grid = q.question(h.rows)
        except SurveyKitError:
            continue
        if grid.type != "grid":
            continue
        qid = _grid_net_id(h)
        short = grid.short or grid.text
        short_ja = grid.short_ja or grid.text_ja
        extra.append({
            "id": qid, "type": "multi",
            "text": f"{short}: {h.net.label}",
            "text_ja": f"{short_ja}：{h.net.label_ja or h.net.label}" if short_ja else None,
            "short": f"{short}: {h.net.label}",
            "short_ja": f"{short_ja}：{h.net.label_ja or h.net.label}" if short_ja else None,
            "options": [{"code": i + 1, "key": it.id, "label": it.text, "label_ja": it.text_ja,
                         "column": f"derived:{qid}_{it.id}"}
                        for i, it in enumerate(grid.items)]})
    if not extra:
        return q
    data = q.to_dict()  # the validated instrument, as a mapping
    data["questions"] = list(data["questions"]) + extra
    return Questionnaire.from_dict(data, source=q.source)


def add_derived(frame: pd.DataFrame, instrument: Questionnaire, spec: ReportSpec) -> pd.DataFrame:
    """A copy of ``frame`` with the spec's derived variables added (vectorised).

    Counts: number of non-exclusive options selected (NaN if the question was
    not answered) and their bands (an ordered Categorical of band keys).
    Grid nets: per item 1.0 when the answer is in the net, 0.0 when it is
    not, NaN when the item was not answered.
    """
    out = frame.copy()
    for d in spec.derived:
        qq = instrument.question(d.count)
        cols = [f"{qq.id}_{o.key}" for o in qq.options if not o.exclusive]
        allc = [f"{qq.id}_{o.key}" for o in qq.options]
        lacking = [c for c in allc if c not in out.columns]
        if lacking:
            raise ReportError(f"derived variable {d.id!r} counts question {qq.id!r}, but the "
                              f"data lack its columns {lacking}", column=lacking[0])
        vals = out[allc].to_numpy(dtype=float, na_value=np.nan)
        answered = ~np.isnan(vals).all(axis=1)
        count = np.nansum(out[cols].to_numpy(dtype=float, na_value=np.nan), axis=1)
        count = np.where(answered, count, np.nan)
        out[d.id] = count
        if d.bands is not None:
            keys = [b.key for b in d.bands.levels]
            pos = np.full(len(out), -1, dtype=np.intp)
            for j, b in enumerate(d.bands.levels):
                pos[(count >= b.min) & (count <= b.max)] = j
            out[d.bands.id] = pd.Categorical.from_codes(pos, categories=keys, ordered=True)
    for h in spec.headlines:
        if h.net is None or _grid_net_id(h) not in {x.id for x in instrument.questions}:
            continue
        grid = instrument.question(h.rows)
        for it in grid.items:
            s = out[it.id]
            isin = s.isin(h.net.levels).to_numpy()
            out[f"{_grid_net_id(h)}_{it.id}"] = np.where(s.isna().to_numpy(), np.nan,
                                                         isin.astype(float))
    return out


# ===========================================================================
# the pipeline: read -> clean -> weight -> design
# ===========================================================================

@dataclass(frozen=True, eq=False)
class SurveyRun(ResultMixin):
    """One survey taken through read, clean, weight and design.

    Attributes
    ----------
    questionnaire : Questionnaire
        The instrument as given.
    instrument : Questionnaire
        The instrument plus the spec's derived variables (labels of tables).
    spec : ReportSpec
    raw : DataFrame
        The labelled frame as read (every respondent of the export).
    cleaning : CleaningResult
    targets : Targets or None
    weighting : WeightingResult or None
        None when the questionnaire declares no weighting.
    data : DataFrame
        Kept respondents, derived variables and the final ``weight``.
    design : SurveyDesign
        Weighted, with the calibration of the weighting (for SEs).
    unweighted : SurveyDesign
        Equal weights (simple random sampling assumptions).
    timings : dict
        Seconds per stage.
    """

    questionnaire: Questionnaire
    instrument: Questionnaire
    spec: ReportSpec
    raw: pd.DataFrame
    cleaning: Any
    targets: Any
    weighting: Any
    data: pd.DataFrame
    design: Any
    unweighted: Any
    timings: Mapping[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def n_raw(self) -> int:
        return len(self.raw)

    @property
    def n_kept(self) -> int:
        return len(self.data)

    @property
    def deff(self) -> float:
        """Kish's design effect of the final weights (1 when unweighted)."""
        return _kish(self.data["weight"].to_numpy(dtype=float))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"stage": list(self.timings), "seconds": list(self.timings.values())})

    def __str__(self) -> str:
        return (f"SurveyRun {self.questionnaire.id}: {self.n_raw} read, {self.n_kept} kept, "
                f"deff {self.deff:.2f}")


def _kish(w: np.ndarray) -> float:
    w = np.asarray(w, dtype=float)
    w = w[w != 0]
    if not len(w):
        return float("nan")
    return float(len(w) * np.dot(w, w) / w.sum() ** 2)


def margin_of_error(n: int, deff: float = 1.0, p: float = 0.5, z: float = 1.96) -> float:
    """Half-width of the 95% CI of a proportion, in proportion units.

    ``z * sqrt(p (1 - p) / n) * sqrt(deff)``; the defaults give the survey
    margin of error ``1.96 * sqrt(0.25 / n)`` (times ``sqrt(deff)`` for the
    design effect of weighting).

    Example
    -------
    >>> round(margin_of_error(600), 4)
    0.04
    """
    if n <= 0:
        raise UsageError(f"n must be positive; got {n}")
    return float(z * math.sqrt(p * (1 - p) / n) * math.sqrt(deff))


def prepare(questionnaire: Questionnaire | str | os.PathLike,
            responses: pd.DataFrame | str | os.PathLike, targets: Any = None, *,
            spec: ReportSpec | str | os.PathLike | None = None,
            progress: Callable[[str, float, str], None] | None = None) -> SurveyRun:
    """Read, clean, weight and build the designs of one survey.

    Parameters
    ----------
    questionnaire : Questionnaire or path of its YAML
    responses : path of the raw export, or the labelled frame from ``read_responses``
    targets : path, Targets or mapping, optional
        Population targets; default the file named by the questionnaire's
        ``weighting.targets``. No weighting (weights 1) when neither exists.
    spec : ReportSpec or path, optional
        Default ``<questionnaire>.report.yaml`` beside the questionnaire, else
        :func:`default_report_spec`.
    progress : callable, optional
        Called as ``progress(stage, seconds, detail)`` after each stage.

    Returns
    -------
    SurveyRun
    """
    from ..cleaning.engine import clean
    from ..design.survey_design import SurveyDesign
    from ..io.responses import read_responses

    q = as_questionnaire(questionnaire)
    timings: dict[str, float] = {}
    notes: list[str] = []

    def done(stage: str, t0: float, detail: str) -> None:
        timings[stage] = time.perf_counter() - t0
        if progress is not None:
            progress(stage, timings[stage], detail)

    t0 = time.perf_counter()
    if spec is None:
        path = report_spec_path(q)
        spec = load_report_spec(path, q) if path is not None else default_report_spec(q)
    elif isinstance(spec, (str, os.PathLike)):
        spec = load_report_spec(spec, q)
    inst = check_report_spec(spec, q)
    if isinstance(responses, pd.DataFrame):
        raw = responses
        detail = f"{len(raw)} respondents (given as a frame)"
    elif isinstance(responses, (str, os.PathLike)):
        raw = read_responses(responses, q, duplicate_ids="keep")
        detail = f"{len(raw)} respondents from {Path(responses).name}"
    else:
        raise UsageError("responses must be the path of an export or a DataFrame; got "
                         f"{type(responses).__name__}")
    done("read", t0, detail)

    t0 = time.perf_counter()
    cleaning = clean(raw, q)
    kept = cleaning.kept
    done("clean", t0, f"{len(kept)} kept, {len(raw) - len(kept)} excluded")
    if len(kept) < 2:
        raise ReportError(f"only {len(kept)} respondent(s) left after cleaning; a report needs "
                          "at least 2 (see the exclusion flow)")

    t0 = time.perf_counter()
    plan = weighting_plan(q, targets)
    tg, wres = plan.apply(kept) if plan is not None else (None, None)
    if wres is None:
        weights = pd.Series(1.0, index=kept.index, name="weight")
        notes.append("no population targets: the tables are unweighted")
    else:
        weights = wres.weights
    data = add_derived(kept, inst, spec)
    data["weight"] = weights.reindex(data.index).to_numpy(dtype=float)
    data.attrs.update(kept.attrs)
    done("weight", t0, (f"{wres.method}, deff {_kish(data['weight'].to_numpy()):.2f}"
                        if wres is not None else "no weighting"))

    t0 = time.perf_counter()
    base = SurveyDesign(data)
    design = base.with_weighting(wres) if wres is not None else base
    done("design", t0, f"{design!r}")
    return SurveyRun(questionnaire=q, instrument=inst, spec=spec, raw=raw, cleaning=cleaning,
                     targets=tg, weighting=wres, data=data, design=design, unweighted=base,
                     timings=timings, warnings=tuple(notes))


# ===========================================================================
# the appendix result
# ===========================================================================

@dataclass(frozen=True, eq=False)
class Appendix(ResultMixin):
    """The tables and figures of a survey appendix.

    Attributes
    ----------
    survey_id, title, lang : str
    tables : dict of str -> DataFrame or Crosstab
        Every table by name, in appendix order: ``methodology``,
        ``exclusion_flow``, ``rule_overlap``, ``composition``,
        ``weighting_margins``, ``weighting_summary``, ``codebook``, one
        Crosstab per headline (named by the spec), ``published_vs_reproduced``.
    titles : dict of str -> str
    notes : dict of str -> tuple of str
    sections : tuple of (heading, tuple of table names)
    figures : dict of str -> FigureDoc
        One per headline (PNG bytes, SVG text, caption).
    reproduced : DataFrame
        The published-vs-reproduced values in numbers (see :mod:`survey_kit.report.reproduce`).
    facts : dict
        Raw and final n, Kish deff, margins of error, ...
    warnings : tuple of str
    """

    survey_id: str
    title: str
    lang: str
    tables: Mapping[str, Any]
    titles: Mapping[str, str]
    notes: Mapping[str, tuple]
    sections: tuple
    figures: Mapping[str, FigureDoc]
    reproduced: pd.DataFrame
    facts: Mapping[str, Any]
    formats: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source_line: str = ""
    warnings: tuple[str, ...] = ()

    # -- views -------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per table: name, section, title, kind, rows."""
        rows = []
        for heading, names in self.sections:
            for name in names:
                obj = self.tables[name]
                rows.append({"table": name, "section": heading,
                             "title": self.titles.get(name, name),
                             "kind": "table" if isinstance(obj, pd.DataFrame) else "crosstab",
                             "rows": len(obj) if isinstance(obj, pd.DataFrame)
                             else len(obj.to_frame()),
                             "figure": name in self.figures})
        return pd.DataFrame(rows)

    def table(self, name: str) -> Any:
        """A table ready to render: a :class:`~survey_kit.tables.document.Table` or a Crosstab."""
        if name not in self.tables:
            raise ReportError(f"no table {name!r}; tables are: {', '.join(self.tables)}")
        obj = self.tables[name]
        if isinstance(obj, pd.DataFrame):
            return Table(name, self.titles.get(name, name), obj, tuple(self.notes.get(name, ())),
                         self.formats.get(name, {}))
        return obj

    def _parts(self, figure_dir: str | None) -> list[tuple[str, Any]]:
        parts: list[tuple[str, Any]] = []
        for heading, names in self.sections:
            parts.append(("h2", heading))
            for name in names:
                t = self.table(name)
                parts.append(("table", t) if isinstance(t, Table) else ("object", (name, t)))
                fig = self.figures.get(name)
                if fig is not None:
                    rel = f"{figure_dir}/{fig.name}.png" if figure_dir else None
                    parts.append(("figure", (fig, rel)))
        return parts

    def _intro(self) -> list[str]:
        out = [f"{self.title} ({self.survey_id})."]
        if self.source_line:
            out.append(self.source_line)
        return out

    def to_markdown(self, figure_dir: str = "figures") -> str:
        """The appendix as one Markdown document; figures linked from ``figure_dir``."""
        from ..tables.document import markdown_document

        return markdown_document(self._doc_title(), self._parts(figure_dir), self._intro())

    def to_html(self) -> str:
        """One self-contained HTML page: inline CSS, figures as base64 PNG, no links out."""
        from ..tables.document import html_page

        return html_page(self._doc_title(), self._parts(None), lang=self.lang,
                         intro=self._intro())

    def to_latex(self, figure_dir: str = "figures") -> str:
        """A LaTeX document with booktabs tables (figures included from ``figure_dir``)."""
        from ..tables.document import latex_document

        return latex_document(self._doc_title(), self._parts(figure_dir), lang=self.lang,
                              intro=self._intro())

    def to_excel(self, path: str | os.PathLike) -> Path:
        """An XLSX workbook, one formatted sheet per table (written atomically)."""
        from ..tables.document import write_workbook

        names = [n for _, section in self.sections for n in section]
        return write_workbook(path, {n: self.tables[n] for n in names},
                              titles={n: self.titles.get(n, n) for n in names},
                              notes=self.notes, formats=self.formats)

    def _doc_title(self) -> str:
        return f"{_w(self.lang, 'appendix')}: {self.title}"

    def write(self, folder: str | os.PathLike, formats: Sequence[str] = FORMATS, *,
              figures: bool = True, csv: bool = True, stem: str = "appendix") -> dict[str, Path]:
        """Write the appendix into ``folder``; every file atomically.

        Parameters
        ----------
        folder : output directory (created)
        formats : any of "md", "html", "xlsx", "tex"
        figures : write ``figures/<name>.png`` and ``.svg``
        csv : write ``tables/<name>.csv`` (numbers as computed)
        stem : file name of the documents (``appendix.md``, ...)

        Returns
        -------
        dict
            Kind -> path (figures and tables as ``figure:<name>:png`` etc.).
        """
        from .._files import write_text
        from .figures import save_figure

        bad = [f for f in formats if f not in FORMATS]
        if bad:
            raise UsageError(f"unknown format(s) {bad}; choose from {', '.join(FORMATS)}")
        folder = Path(folder)
        out: dict[str, Path] = {}
        if figures:
            for name, fig in self.figures.items():
                png, svg = save_figure(fig, folder / "figures")
                out[f"figure:{name}:png"] = png
                out[f"figure:{name}:svg"] = svg
        if csv:
            for _, names in self.sections:
                for name in names:
                    obj = self.tables[name]
                    frame = obj if isinstance(obj, pd.DataFrame) else obj.to_frame()
                    text = frame.to_csv(index=not isinstance(frame.index, pd.RangeIndex),
                                        lineterminator="\n")
                    out[f"table:{name}"] = write_text(folder / "tables" / f"{name}.csv", text)
        for fmt in formats:
            if fmt == "md":
                out["md"] = write_text(folder / f"{stem}.md", self.to_markdown("figures"))
            elif fmt == "html":
                out["html"] = write_text(folder / f"{stem}.html", self.to_html())
            elif fmt == "tex":
                out["tex"] = write_text(folder / f"{stem}.tex", self.to_latex("figures"))
            elif fmt == "xlsx":
                out["xlsx"] = self.to_excel(folder / f"{stem}.xlsx")
        return out


# ===========================================================================
# the tables
# ===========================================================================

def _labels_of(q: Questionnaire, var: str, levels: Sequence[Any], lang: str) -> str:
    return ", ".join(q.label(var, str(v), lang) if q.has_variable(var) else str(v)
                     for v in levels)


def _condition_text(q: Questionnaire, c: Any, lang: str) -> str:
    name = q.label(c.question, None, lang) if q.has_variable(c.question) else c.question
    vals = c.value if isinstance(c.value, list) else [c.value]
    words = {"in": "is one of", "not_in": "is not one of", "eq": "is", "ne": "is not",
             "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "between": "is between",
             "missing": "is missing", "answered": "is answered"}
    if c.op in ("missing", "answered"):
        return f"{name} {words[c.op]}"
    if q.has_variable(c.question) and q.variable(c.question).levels:
        shown = _labels_of(q, c.question, vals, lang)
    else:
        shown = ", ".join(map(str, vals))
    return f"{name} {words.get(c.op, c.op)} {shown}"


def _status_completion(run: SurveyRun) -> str | None:
    """Completion rate from a status column of the export, when it has one."""
    col = run.questionnaire.meta_column("status")
    if col is None or col not in run.raw.columns:
        return None
    status = run.raw[col].astype("string").str.lower()
    known = status.notna()
    if not known.any():
        return None
    done = status.str.contains("complete|finish", regex=True, na=False)
    return (f"{100 * done.sum() / known.sum():.1f}% ({int(done.sum())} of {int(known.sum())} "
            "respondents who started completed the questionnaire)")


def _flow_rules(run: SurveyRun) -> tuple[list[str], list[str]]:
    """Labels of the cleaning rules applied: (exclusion rules, review-only rules)."""
    flow = getattr(run.cleaning, "flow", None)
    if not isinstance(flow, pd.DataFrame) or not len(flow) or "label" not in flow.columns:
        return [], []
    f = flow
    if "step" in f.columns:
        f = f[pd.to_numeric(f["step"], errors="coerce").fillna(0) > 0]
    if "status" in f.columns:
        f = f[f["status"].astype(str) == "applied"]
    action = f["action"].astype(str) if "action" in f.columns else pd.Series("exclude",
                                                                             index=f.index)
    excl = [str(x) for x in f.loc[action != "review", "label"]]
    rev = [str(x) for x in f.loc[action == "review", "label"]]
    return excl, rev


def _facts(run: SurveyRun) -> dict[str, Any]:
    w = run.data["weight"].to_numpy(dtype=float)
    n_w = int((w != 0).sum())
    deff = _kish(w)
    out = {"survey": run.questionnaire.id, "n_raw": run.n_raw, "n_kept": run.n_kept,
           "n_excluded": run.n_raw - run.n_kept, "n_weighted": n_w, "deff_kish": deff,
           "n_effective": n_w / deff if deff and np.isfinite(deff) else float("nan"),
           "moe": 100 * margin_of_error(n_w), "moe_deff": 100 * margin_of_error(n_w, deff),
           "weighted": run.weighting is not None}
    if run.weighting is not None:
        out.update(weighting_method=run.weighting.method, converged=bool(run.weighting.converged),
                   iterations=int(run.weighting.iterations),
                   max_margin_error=float(run.weighting.max_margin_error))
    return out


def methodology_table(run: SurveyRun, facts: Mapping[str, Any], lang: str = "en"
                      ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The AAPOR Transparency Initiative disclosure items that apply, as (item, value) rows."""
    q = run.questionnaire
    sv = q.survey
    rows: list[tuple[str, str]] = []
    add = rows.append
    add(("Survey", (sv.title_ja if lang == "ja" and sv.title_ja else sv.title)))
    add(("Sponsor", sv.sponsor))
    add(("Conducted (fielded) by", sv.fielded_by))
    add(("Platform and mode", f"{sv.platform}; {sv.mode}"))
    add(("Population", f"{sv.population} (country: {sv.country})"))
    rec = "Non-probability sample from an opt-in online panel."
    if sv.recruitment:
        rec += " " + sv.recruitment
    add(("Sample and recruitment", rec))
    if sv.screening:
        add(("Screening (eligibility)", "; ".join(_condition_text(q, c, lang)
                                                for c in sv.screening)))
    dates = f"{sv.fieldwork.start.isoformat()} to {sv.fieldwork.end.isoformat()}"
    start_col = q.meta_column("start_time")
    if start_col and start_col in run.raw.columns:
        st = pd.to_datetime(run.raw[start_col], errors="coerce").dropna()
        if len(st):
            dates += (f" (interviews in the export dated {st.min().date().isoformat()} to "
                      f"{st.max().date().isoformat()})")
    add(("Fieldwork dates", dates))
    add(("Languages", ", ".join(sv.languages)))
    nq = sum(1 for x in q.questions if x.type != "meta")
    add(("Questionnaire", f"{nq} questions; full wording, codes and labels in the codebook"))
    add(("Sample sizes", f"{facts['n_raw']} interviews in the export; {facts['n_excluded']} "
                         f"excluded by the quality checks; {facts['n_kept']} in the final sample "
                         f"(target {sv.target_sample_size})"))
    comp = _status_completion(run)
    add(("Completion rate", comp or "Not available: the export holds completed interviews "
                                    "only (no record of respondents who started and broke "
                                    "off)"))
    add(("Response rate", "Not computed: on an opt-in panel there is no frame of eligible "
                          "units, so AAPOR response rates (RR1-RR6) are undefined; estimates "
                          "rest on the weighting model, not on random selection"))
    add(("Retention after quality checks",
         f"{100 * facts['n_kept'] / max(facts['n_raw'], 1):.1f}% of interviews kept"))
    n_w = facts["n_weighted"]
    add(("Margin of error (95%, p = 50%)",
         f"±{facts['moe']:.1f} percentage points = 1.96 × sqrt(0.25 / n) with n = {n_w}"))
    if facts["weighted"]:
        add(("Design effect of weighting (Kish)",
             f"{facts['deff_kish']:.2f} = n × Σw² / (Σw)²; effective sample size "
             f"{facts['n_effective']:.0f}"))
        add(("Margin of error with the design effect",
             f"±{facts['moe_deff']:.1f} percentage points = 1.96 × sqrt(0.25 / n) × "
             f"sqrt(deff)"))
        wr = run.weighting
        wcfg = q.weighting
        vars_ = list(wcfg.variables) if wcfg is not None else list(run.targets.variables)
        labels = ", ".join(q.label(v, None, lang) for v in vars_)
        src = Path(run.targets.source).name if getattr(run.targets, "source", None) else \
            "the targets given"
        text = (f"{wr.method} of the final sample to population margins of {labels} "
                f"(targets: {src}); {'converged' if wr.converged else 'did NOT converge'} "
                f"after {wr.iterations} iteration(s), largest relative margin error "
                f"{wr.max_margin_error:.1e}")
        if wcfg is not None and wcfg.not_stated:
            text += f"; weighting variable not stated: {wcfg.not_stated}"
        if wcfg is not None and wcfg.trim_upper:
            text += f"; weights trimmed at {wcfg.trim_upper:g} × the mean weight"
        else:
            text += "; no trimming"
        add(("Weighting", text))
    else:
        add(("Weighting", "None: no population targets were given; estimates are unweighted"))
    add(("Estimation", "Weighted percentages; standard errors by Taylor linearization taking "
                       "the weighting (calibration) into account; 95% confidence intervals "
                       "for proportions on the logit scale with the design degrees of freedom; "
                       "tests of association: Rao-Scott second-order corrected F"))
    traps = [t.label or t.id for t in q.quality.traps]
    rules = [r.label or r.id for r in q.quality.rules]
    dq = []
    if traps:
        dq.append("Trap questions: " + "; ".join(traps))
    if rules:
        dq.append("Plausibility rules: " + "; ".join(rules))
    excl, rev = _flow_rules(run)
    if excl:
        dq.append("Exclusion rules applied in order (exclusion flow, table 2a): "
                  + "; ".join(excl))
    if rev:
        dq.append("Flagged for review but kept: " + "; ".join(rev))
    add(("Data-quality procedures", ". ".join(dq) if dq else "None declared"))
    lim = list(sv.limitations) or [
        "Opt-in online panel: no probability sample, so margins of error assume the weighted "
        "sample behaves like a random sample of the population."]
    add(("Limitations", " ".join(x if x.endswith(".") else x + "." for x in lim)))
    frame = pd.DataFrame(rows, columns=[_w(lang, "item"), _w(lang, "value")])
    notes = ("Disclosure items of the AAPOR Code of Professional Ethics and Practices (2021), "
             "section III, and the AAPOR Transparency Initiative, as they apply to an opt-in "
             "online panel survey.",)
    return frame, notes


def composition_table(run: SurveyRun, lang: str = "en") -> pd.DataFrame:
    """Unweighted n and %, weighted % and population % by each composition variable."""
    inst = run.instrument
    names = list(run.spec.composition) or (list(run.questionnaire.weighting.variables)
                                            if run.questionnaire.weighting else [])
    data = run.data
    w = data["weight"].to_numpy(dtype=float)
    W = w.sum()
    N = len(data)
    rows = []
    for var in names:
        s = data[var]
        vlab = inst.label(var, None, lang)
        pop = None
        if run.targets is not None and var in run.targets.variables:
            m = run.targets.margin(var)
            pop = m / m.sum() * 100
        keys = list(inst.levels(var))
        for k in keys:
            hit = (s.astype(object) == k).to_numpy()
            rows.append((vlab, inst.label(var, k, lang), int(hit.sum()), 100 * hit.sum() / N,
                         100 * w[hit].sum() / W,
                         float(pop.get(str(k), np.nan)) if pop is not None else np.nan))
        miss = s.isna().to_numpy()
        if miss.any():
            rows.append((vlab, _w(lang, "not_stated"), int(miss.sum()), 100 * miss.sum() / N,
                         100 * w[miss].sum() / W, np.nan))
        rows.append((vlab, _w(lang, "total"), N, 100.0, 100.0,
                     100.0 if pop is not None else np.nan))
    cols = [_w(lang, "variable"), _w(lang, "level"), _w(lang, "n"), _w(lang, "pct_unw"),
            _w(lang, "pct_w"), _w(lang, "pct_pop")]
    frame = pd.DataFrame(rows, columns=cols)
    return frame.set_index(cols[:2])


def weighting_tables(run: SurveyRun, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(achieved vs target margins, summary of the weights)."""
    inst = run.instrument
    wr = run.weighting
    if wr is None:
        margins = pd.DataFrame(columns=["variable", "level", "n"])
    else:
        m = wr.margins

        def lab(row: pd.Series) -> str:
            v, lv = str(row["variable"]), str(row["level"])
            if inst.has_variable(v) and lv in inst.levels(v):
                return inst.label(v, lv, lang)
            return _w(lang, "not_stated") if lv.startswith("(") else lv
        margins = pd.DataFrame({
            _w(lang, "variable"): [inst.label(v, None, lang) if inst.has_variable(v) else v
                                   for v in m["variable"].astype(str)],
            _w(lang, "level"): [lab(r) for _, r in m.iterrows()],
            "n": m["n"].astype(int).to_numpy(),
            "% sample": 100 * m["sample_share"].to_numpy(dtype=float),
            "% target": 100 * m["target_share"].to_numpy(dtype=float),
            "% achieved": 100 * m["achieved_share"].to_numpy(dtype=float),
            "difference (points)": 100 * (m["achieved_share"] - m["target_share"]).to_numpy(
                dtype=float),
        })
    w = run.data["weight"].to_numpy(dtype=float)
    from ..weighting.methods import weight_diagnostics

    d = wr.diagnostics if wr is not None else weight_diagnostics(w)
    items = [
        ("Method", wr.method if wr is not None else "none (unweighted)"),
        ("Converged", ("yes" if wr.converged else "NO") if wr is not None else ""),
        ("Iterations", str(wr.iterations) if wr is not None else ""),
        ("Largest relative margin error",
         f"{wr.max_margin_error:.2e}" if wr is not None else ""),
        ("Respondents weighted (non-zero weight)", f"{int(d['n'])}"),
        ("Respondents with weight 0 (excluded from weighting)", f"{int(d['n_zero'])}"),
        ("Sum of weights (population)", f"{d['sum']:,.0f}"),
        ("Mean weight", f"{d['mean']:,.2f}"),
        ("Smallest weight", f"{d['min']:,.3f}"),
        ("Largest weight", f"{d['max']:,.3f}"),
        ("Largest / smallest weight", f"{d['max_min_ratio']:,.1f}"),
        ("Coefficient of variation of the weights", f"{d['cv']:.3f}"),
        ("Design effect of weighting (Kish), n Σw² / (Σw)²", f"{d['deff_kish']:.3f}"),
        ("Effective sample size, (Σw)² / Σw²", f"{d['ess']:.1f}"),
        ("Share of weights trimmed", f"{100 * d['share_trimmed']:.1f}%"),
    ]
    summary = pd.DataFrame(items, columns=[_w(lang, "statistic"), _w(lang, "value")])
    return margins, summary


def codebook_table(run: SurveyRun) -> pd.DataFrame:
    """Every variable with its codes and labels, English and Japanese."""
    cb = run.instrument.codebook()
    ids = {d.id for d in run.spec.derived} | {_grid_net_id(h) for h in run.spec.headlines
                                              if h.net is not None}
    cb.loc[cb["question"].isin(ids), "column"] = "(derived)"
    cb["code"] = pd.array([None if pd.isna(v) else int(v) if float(v).is_integer() else v
                           for v in cb["code"]], dtype=object)
    return cb


def _figure_tidy(ct: Any) -> tuple[pd.DataFrame, list[str], list[str]]:
    cells = ct.cells
    rows = cells[cells["row_kind"].isin(["level", "option", "net"])]
    order_cols = list(ct.columns["column_label"].astype(str))
    tidy = pd.DataFrame({"level": rows["row_label"].astype(str).to_numpy(),
                         "group": rows["column_label"].astype(str).to_numpy(),
                         "pct": rows["percent"].to_numpy(dtype=float),
                         "ci_low": rows["ci_low"].to_numpy(dtype=float),
                         "ci_high": rows["ci_high"].to_numpy(dtype=float)})
    # a banner level nobody is in (e.g. a screened-out category) draws no bars: leave it out
    empty = tidy.groupby("group", sort=False)["pct"].apply(lambda s: s.isna().all())
    drop = set(empty[empty].index)
    tidy = tidy[~tidy["group"].isin(drop)]
    levels = list(dict.fromkeys(tidy["level"]))
    return tidy, levels, [c for c in order_cols if c not in drop]


def _caption(ct: Any, source: str, lang: str, weighted: bool) -> str:
    cells = ct.cells
    first = cells[cells["row_variable"] == cells["row_variable"].iloc[0]]
    first = first.drop_duplicates(["banner_variable", "column_level"])
    sep = "、" if lang == "ja" else "; "
    bases = sep.join(f"{c['column_label']} {int(c['unweighted_base'])}"
                     for _, c in first.iterrows())
    if lang == "ja":
        lines = [f"回答者数（非加重）：{bases}",
                 ("加重後の割合。" if weighted else "非加重の割合。")
                 + "誤差棒は95％信頼区間（デザインベース、線形化法）。"]
    else:
        lines = [f"Base: respondents answering (unweighted n): {bases}.",
                 ("Weighted" if weighted else "Unweighted") + " percentages; error bars: 95% "
                 "confidence intervals (design-based, linearization, logit scale)."]
    if source:
        lines.append(source)
    return "\n".join(lines)


def reproduced_table(rep: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Display form of :func:`survey_kit.report.reproduce.reproduce`."""
    yes, no = ("はい", "いいえ") if lang == "ja" else ("yes", "no")
    return pd.DataFrame({
        _w(lang, "figure"): rep["figure"].astype(str).to_numpy(),
        _w(lang, "statement"): rep["statement"].to_numpy(),
        _w(lang, "published"): rep["published"].to_numpy(),
        _w(lang, "unweighted"): rep["unweighted"].to_numpy(dtype=float),
        _w(lang, "weighted"): rep["weighted"].to_numpy(dtype=float),
        _w(lang, "ci_low"): rep["ci_low"].to_numpy(dtype=float),
        _w(lang, "ci_high"): rep["ci_high"].to_numpy(dtype=float),
        "n": rep["n"].astype(int).to_numpy(),
        _w(lang, "basis"): rep["basis"].to_numpy(),
        _w(lang, "consistent"): [("" if c is None else yes if c else no)
                                 for c in rep["consistent"]],
        _w(lang, "note"): rep["note"].to_numpy(),
    })


def build_appendix(run: SurveyRun, *, lang: str = "en", figures: bool = True,
                   progress: Callable[[str, float, str], None] | None = None) -> Appendix:
    """Build every appendix table (and figure) of a prepared survey run.

    Parameters
    ----------
    run : SurveyRun
        From :func:`prepare`.
    lang : {"en", "ja"}
        Language of labels (questionnaire labels, fixed words, figures).
    figures : bool
        Draw one figure per headline table.
    progress : callable, optional
        Called as ``progress(stage, seconds, detail)`` after tabulating and
        after drawing.

    Returns
    -------
    Appendix
    """
    from ..tables.crosstab import crosstab
    from .reproduce import reproduce

    check_lang(lang)
    t_start = time.perf_counter()
    q, inst, spec = run.questionnaire, run.instrument, run.spec
    sv = q.survey
    facts = _facts(run)
    tables: dict[str, Any] = {}
    titles: dict[str, str] = {}
    notes: dict[str, tuple] = {}
    formats: dict[str, dict] = {}
    sections: list[tuple[str, tuple[str, ...]]] = []
    warnings: list[str] = list(run.warnings)
    pfx = {"en": "Table", "ja": "表"}[lang]

    figs: dict[str, FigureDoc] = {}

    def put(name: str, obj: Any, title: str, note: Sequence[str] = (),
            fmt: Mapping[str, str] | None = None) -> str:
        tables[name] = obj
        titles[name] = title
        notes[name] = tuple(note)
        formats[name] = dict(fmt or {})
        return name

    # 1. methodology
    meth, meth_notes = methodology_table(run, facts, lang)
    sections.append((f"1. {_w(lang, 'methodology')}",
                     (put("methodology", meth, f"{pfx} 1. {_w(lang, 'methodology')}",
                          meth_notes),)))
    # 2. data quality
    cl = run.cleaning
    flow = getattr(cl, "flow", None)
    overlap = getattr(cl, "overlap", None)
    names = []
    if isinstance(flow, pd.DataFrame):
        names.append(put("exclusion_flow", flow, f"{pfx} 2a. Exclusion flow",
                         ("Each step removes the respondents flagged by a rule and not "
                          "removed by an earlier step; the counts add up to the interviews "
                          "received.",), _int_formats(flow)))
    if isinstance(overlap, pd.DataFrame):
        names.append(put("rule_overlap", overlap, f"{pfx} 2b. Overlap of exclusion rules",
                         ("Respondents flagged by both rules (diagonal: by the rule at all).",),
                         _int_formats(overlap)))
    for wmsg in getattr(cl, "warnings", ()) or ():
        warnings.append(f"cleaning: {wmsg}")
    quality_section = len(sections)
    sections.append((f"2. {_w(lang, 'quality')}", tuple(names)))
    # 3. composition
    comp = composition_table(run, lang)
    sections.append((f"3. {_w(lang, 'sample')}", (put(
        "composition", comp, f"{pfx} 3. {_w(lang, 'sample')}",
        ("Unweighted and weighted shares of the final sample; population shares from the "
         "weighting targets (blank where the variable has no target). Respondents whose "
         "weighting variable is not stated are shown separately.",),
        {_w(lang, "n"): "int", _w(lang, "pct_unw"): "pct", _w(lang, "pct_w"): "pct",
         _w(lang, "pct_pop"): "pct"}),)))
    # 4. weighting
    margins, summary = weighting_tables(run, lang)
    wnotes = tuple(f"Warning: {x}" for x in (run.weighting.warnings if run.weighting else ()))
    sections.append((f"4. {_w(lang, 'weighting')}", (
        put("weighting_margins", margins, f"{pfx} 4a. Achieved vs target margins",
            ("Shares of the weighted sample (achieved) against the population targets; "
             "'% sample' is the unweighted share.",) + wnotes,
            {"n": "int", "% sample": "pct", "% target": "pct", "% achieved": "pct",
             "difference (points)": "f3"}),
        put("weighting_summary", summary, f"{pfx} 4b. Weights: design effect and range",
            ("Kish (1965) design effect of unequal weighting, deff = n Σw² / (Σw)²; "
             "effective sample size n / deff.",)))))
    # 5. codebook
    sections.append((f"5. {_w(lang, 'codebook')}", (put(
        "codebook", codebook_table(run), f"{pfx} 5. {_w(lang, 'codebook')}",
        ("Every variable of the labelled data with its export column, codes and labels "
         "(English and Japanese). Derived variables are computed by the report.",),
        {"code": "int"}),)))
    # 6. headline results
    heads = []
    fig_word = {"en": "Figure", "ja": "図"}[lang]
    weighted = run.weighting is not None
    for h in spec.headlines:
        rows = _grid_net_id(h) if h.net is not None else h.rows
        title = h.title_ja if lang == "ja" and h.title_ja else h.title
        if h.figure:
            title = (f"{fig_word} {h.figure}. {title}" if lang == "en"
                     else f"{fig_word}{h.figure}　{title}")
        ct = crosstab(run.design, rows, h.cols, ci=True, questionnaire=inst, lang=lang,
                      title=title)
        heads.append(put(h.id, ct, title))
        warnings += [f"{h.id}: {x}" for x in ct.warnings]
    sections.append((f"6. {_w(lang, 'results')}", tuple(heads)))
    # 7. published vs reproduced
    rep = reproduce(spec.quoted, run.design, run.unweighted, inst, lang)
    if len(rep):
        paper = f" ({spec.paper})" if spec.paper else ""
        sections.append((f"7. {_w(lang, 'reproduced')}", (put(
            "published_vs_reproduced", reproduced_table(rep, lang),
            f"{pfx} 7. {_w(lang, 'reproduced')}{paper}",
            ("Each survey figure quoted in the publication next to the value computed from "
             "these data, unweighted and weighted. The 95% confidence interval (logit, "
             "design-based) and n belong to the basis estimate: weighted, or unweighted where "
             "the publication describes the raw sample.",
             "Consistent: the published value lies in the 95% CI ('over x%': the CI reaches "
             "above x; a modal band: the same band is modal)."),
            {_w(lang, k): "pct" for k in ("unweighted", "weighted", "ci_low", "ci_high")}
            | {"n": "int"}),)))
    if progress is not None:
        progress("tabulate", time.perf_counter() - t_start,
                 f"{len(tables)} tables, {len(heads)} banner tables with tests, "
                 f"{len(rep)} quoted figures reproduced")
    if figures and heads:
        t0 = time.perf_counter()
        figs = draw_figures({h: tables[h] for h in heads}, lang=lang,
                            source=sv.source_line or "", weighted=weighted)
        if progress is not None:
            progress("draw", time.perf_counter() - t0, f"{len(figs)} figures (PNG and SVG)")
    if run.weighting is not None:
        warnings += [f"weighting: {x}" for x in run.weighting.warnings]
    if warnings:
        head, names = sections[quality_section]
        sections[quality_section] = (head, names + (put(
            "warnings", pd.DataFrame({"warning": warnings}), f"{pfx} 2c. Warnings",
            ("Everything a reader of the tables should know: cleaning steps skipped, "
             "weighting of respondents with a weighting variable not stated, low bases.",)),))
    title = sv.title_ja if lang == "ja" and sv.title_ja else sv.title
    tables = {n: tables[n] for _, names in sections for n in names}
    return Appendix(survey_id=q.id, title=title, lang=lang, tables=tables, titles=titles,
                    notes=notes, sections=tuple(sections), figures=figs, reproduced=rep,
                    facts=facts, formats=formats, source_line=sv.source_line or "",
                    warnings=tuple(warnings))


def draw_figures(tables: Mapping[str, Any], *, lang: str = "en", source: str = "",
                 weighted: bool = True) -> dict[str, FigureDoc]:
    """One bar chart per banner table: percentages, 95% CIs, bases and source in the caption."""
    from .figures import bar_figure

    out = {}
    for name, ct in tables.items():
        tidy, levels, groups = _figure_tidy(ct)
        banner = ct.columns.loc[ct.columns["banner_variable"] != "total", "banner_label"]
        out[name] = bar_figure(tidy, title=ct.title, levels=levels, groups=groups,
                               legend_title=str(banner.iloc[0]) if len(banner) else None,
                               caption=_caption(ct, source, lang, weighted), lang=lang,
                               name=name, xlabel="％" if lang == "ja" else "%")
    return out


def _int_formats(frame: pd.DataFrame) -> dict[str, str]:
    out = {}
    for c in frame.columns:
        key = str(c[-1] if isinstance(c, tuple) else c)
        if pd.api.types.is_integer_dtype(frame[c].dtype):
            out[key] = "int"
        elif pd.api.types.is_float_dtype(frame[c].dtype):
            out[key] = "pct" if ("%" in key or "pct" in key or "share" in key) else "f1"
    return out


def appendix(questionnaire: Questionnaire | str | os.PathLike,
             responses: pd.DataFrame | str | os.PathLike | SurveyRun,
             targets: Any = None, *, lang: str = "en",
             spec: ReportSpec | str | os.PathLike | None = None,
             figures: bool = True) -> Appendix:
    """The survey appendix of one survey: tables (and figures) in one result.

    Parameters
    ----------
    questionnaire : Questionnaire or path of its YAML
    responses : path of the raw export, the labelled frame, or a :class:`SurveyRun`
    targets : path, Targets or mapping, optional
        Default: the file named by the questionnaire (``weighting.targets``).
    lang : {"en", "ja"}
    spec : ReportSpec or path, optional
        Default ``<questionnaire>.report.yaml`` next to the questionnaire.
    figures : bool
        Draw the figures of the headline results (seaborn, 200 dpi PNG and SVG).

    Returns
    -------
    Appendix
        ``.tables`` (DataFrames and Crosstabs by name), ``.figures``,
        ``.to_markdown()``, ``.to_html()``, ``.to_latex()``, ``.to_excel(path)``,
        ``.write(folder, formats)``.

    Example
    -------
    >>> import survey_kit as sk                                        # doctest: +SKIP
    >>> app = sk.appendix("questionnaires/japan_creators_2024.yaml",
    ...                   "sample_data/japan_creators_2024_raw.csv")  # doctest: +SKIP
    >>> app.write("out/creators")  # doctest: +SKIP
    """
    check_lang(lang)
    run = responses if isinstance(responses, SurveyRun) else prepare(
        questionnaire, responses, targets, spec=spec)
    return build_appendix(run, lang=lang, figures=figures)

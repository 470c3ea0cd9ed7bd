"""Reading a report spec and checking it against its questionnaire.

A report spec (``<questionnaire>.report.yaml``, the models in
:mod:`survey_kit.report.spec_models`) names variables, questions and levels
of one questionnaire. :func:`load_report_spec` reads and validates it;
:func:`check_report_spec` checks every name against the questionnaire, one
small check per part of the spec, and reports the first fault with its YAML
path (``headlines[2].cols``). A survey without a spec gets
:func:`default_report_spec`.

Example
-------
>>> spec = load_report_spec("questionnaires/japan_creators_2024.report.yaml")
>>> [h.id for h in spec.headlines]
['fig13_competitiveness', 'fig13_tools']
>>> spec.quoted[0].published
53.0
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from .._yaml import read_yaml, schema_error
from ..errors import ReportError, SurveyKitError
from ..instrument.questionnaire import Questionnaire
from ..instrument.schema import Question
from .derived import with_derived
from .spec_models import HeadlineSpec, QuotedSpec, ReportSpec

__all__ = ["check_report_spec", "default_report_spec", "load_report_spec", "report_spec_path"]


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
    >>> import survey_kit as sk
    >>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
    >>> spec = load_report_spec("questionnaires/japan_digital_services_2024.report.yaml", q)
    >>> [d.id for d in spec.derived]
    ['n_foreign_services']
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
                           "survey_kit/report/spec_models.py for the keys") from None
    if questionnaire is not None:
        try:
            check_report_spec(spec, questionnaire)
        except ReportError as exc:
            raise ReportError(exc.message, file=p, path=exc.path) from None
    return spec


# ---------------------------------------------------------------------------
# the checks, in the order they run (the first fault is reported)
# ---------------------------------------------------------------------------

def check_report_spec(spec: ReportSpec, questionnaire: Questionnaire) -> Questionnaire:
    """Check a spec against a questionnaire; return the questionnaire with derived variables.

    Raises
    ------
    ReportError
        With ``path`` the YAML path of the first fault (``quoted[1].levels[0]``).
    """
    _check_questionnaire_id(spec, questionnaire)
    _check_counts(spec, questionnaire)
    try:
        inst = with_derived(questionnaire, spec)
    except SurveyKitError as exc:
        raise ReportError(f"derived variables: {exc.message}", path="derived") from None
    for i, name in enumerate(spec.composition):
        _check_variable(inst, name, f"composition[{i}]", categorical=True)
    seen: set[str] = set()
    questions = {x.id: x for x in inst.questions}
    for i, h in enumerate(spec.headlines):
        _check_unique(h.id, seen, f"headlines[{i}].id", "duplicate headline id")
        _check_headline(inst, questions, h, f"headlines[{i}]")
    for i, x in enumerate(spec.quoted):
        _check_unique(x.id, seen, f"quoted[{i}].id", "duplicate id")
        _check_quoted(inst, x, f"quoted[{i}]")
    _check_summary(spec)
    return inst


def _check_questionnaire_id(spec: ReportSpec, q: Questionnaire) -> None:
    if spec.questionnaire != q.id:
        raise ReportError(f"the spec is for questionnaire {spec.questionnaire!r}, not {q.id!r}",
                          path="questionnaire")


def _check_counts(spec: ReportSpec, q: Questionnaire) -> None:
    """Each derived count counts a multi-select question of the questionnaire."""
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


def _check_unique(key: str, seen: set[str], where: str, what: str) -> None:
    if key in seen:
        raise ReportError(f"{what} {key!r}", path=where)
    seen.add(key)


def _check_variable(inst: Questionnaire, name: str, where: str,
                    categorical: bool = False) -> None:
    if not inst.has_variable(name):
        raise ReportError(f"unknown variable {name!r}; valid names are: "
                          f"{', '.join(inst.variables)}", path=where)
    if categorical and not inst.variable(name).levels:
        raise ReportError(f"{name!r} is {inst.variable(name).kind}, not categorical",
                          path=where)


def _level_keys(q: Questionnaire, name: str) -> list:
    info = q.variable(name)
    if info.kind == "binary":
        return [0, 1]
    return list(info.levels)


def _check_levels(inst: Questionnaire, name: str, given: Sequence, where: str) -> None:
    """Every level given is a level key of ``name`` (compared as given and as text)."""
    valid = _level_keys(inst, name)
    for k, lv in enumerate(given):
        if lv not in valid and str(lv) not in map(str, valid):
            raise ReportError(f"{lv!r} is not a level of {name!r}; valid levels are: "
                              f"{', '.join(map(str, valid))}", path=f"{where}[{k}]")


def _check_headline(inst: Questionnaire, questions: dict[str, Question], h: HeadlineSpec,
                    where: str) -> None:
    """Rows: a variable, or a multi-select or grid question (a grid's net: its option keys);
    columns: a categorical variable."""
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
        _check_variable(inst, h.rows, f"{where}.rows")
        if h.net is not None:
            raise ReportError("'net' applies to a grid question; nets of other "
                              "questions come from the questionnaire", path=f"{where}.net")
    _check_variable(inst, h.cols, f"{where}.cols", categorical=True)


def _check_quoted(inst: Questionnaire, x: QuotedSpec, where: str) -> None:
    """The variable exists; a mode's published value is a level, a share's levels are
    levels and its published value a number; the domain is categorical."""
    _check_variable(inst, x.variable, f"{where}.variable")
    if x.statistic == "mode":
        if not inst.variable(x.variable).levels:
            raise ReportError("statistic 'mode' needs a categorical variable",
                              path=f"{where}.variable")
        try:
            _check_levels(inst, x.variable, [x.published], f"{where}.published")
        except ReportError as exc:  # one value, not a list: no index in its path
            raise ReportError(exc.message, path=f"{where}.published") from None
    else:
        if not x.levels:
            raise ReportError("give the level(s) whose share is quoted", path=f"{where}.levels")
        if isinstance(x.published, str):
            raise ReportError("a share is published as a number (percent)",
                              path=f"{where}.published")
        _check_levels(inst, x.variable, x.levels, f"{where}.levels")
    if x.domain is not None:
        _check_variable(inst, x.domain.variable, f"{where}.domain.variable", categorical=True)
        _check_levels(inst, x.domain.variable, x.domain.levels, f"{where}.domain.levels")
    for i, c in enumerate(x.also):
        if x.statistic == "mode":
            raise ReportError("a joint claim ('also') is a share, not a mode",
                              path=f"{where}.also")
        _check_variable(inst, c.variable, f"{where}.also[{i}].variable", categorical=True)
        _check_levels(inst, c.variable, c.levels, f"{where}.also[{i}].levels")


def _check_summary(spec: ReportSpec) -> None:
    if spec.summary is not None and spec.summary not in {x.id for x in spec.quoted}:
        raise ReportError(f"summary {spec.summary!r} is not the id of a quoted figure",
                          path="summary")


# ---------------------------------------------------------------------------
# a survey without a spec
# ---------------------------------------------------------------------------

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

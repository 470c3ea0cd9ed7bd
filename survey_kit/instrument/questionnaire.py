"""The survey instrument as an object: questions, variables, codes, labels, nets.

A :class:`Questionnaire` is built from a validated questionnaire YAML file
(:func:`load_questionnaire`; the schema is in
:mod:`~survey_kit.instrument.schema`, loading and cross-checks in
:mod:`~survey_kit.instrument.loading` and :mod:`~survey_kit.instrument.checks`).
It is the single source of truth for codes and labels (English, optionally
Japanese), for the trap items and plausibility rules used in cleaning, for
the bands and nets used in tables, and for the weighting variables.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> q.levels("size_class")
['micro', 'small', 'medium', 'large']
>>> q.label("size_class", "micro")
'Micro (1-10 employees)'
>>> q.variable("size_from_employees").kind
'ordinal'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import QuestionnaireError, UsageError
from .loading import read_instrument, validate_instrument
from .schema import DURATION_UNITS, Design, Net, Question, _Instrument

__all__ = ["Questionnaire", "VariableInfo", "as_questionnaire", "load_questionnaire"]


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


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and validate a questionnaire YAML file.

    Raises :class:`~survey_kit.errors.QuestionnaireError` naming the file and
    the YAML path of the first fault, e.g.
    ``questions[4].options[2].code: duplicate code 3``.
    """
    path = Path(path)
    return Questionnaire.from_dict(read_instrument(path), source=path)


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


class Questionnaire:
    """A validated survey instrument. Build with :func:`load_questionnaire`.

    Attributes
    ----------
    survey : metadata (title, sponsor, fieldwork, ...)
    questions : list of :class:`Question` in instrument order
    quality : traps, plausibility rules, cleaning overrides
    weighting : weighting variables and defaults, or None
    design : the declared sample design (``design`` section), or None
    source : the YAML path it was read from, or None
    """

    def __init__(self, inst: _Instrument, source: Path | None = None) -> None:
        self._inst = inst
        self.source = source
        self.survey = inst.survey
        self.questions: list[Question] = list(inst.questions)
        self.quality = inst.quality
        self.weighting = inst.weighting
        self.design = inst.design
        self._by_id = {q.id: q for q in self.questions}
        self._vars = self._build_variables()

    @classmethod
    def from_dict(cls, data: Any, source: str | Path | None = None) -> Questionnaire:
        """Validate a mapping (as read from YAML) and build the questionnaire."""
        file = None if source is None else Path(source)
        return cls(validate_instrument(data, file), source=file)

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

    def declared_design(self, *, weights: str | None = None, strata: str | None = None,
                        cluster: str | list[str] | None = None,
                        fpc: str | list[str] | None = None,
                        lonely_psu: str | None = None, replicate_weights: Any = None,
                        replicate_type: str | None = None, scale: float | None = None,
                        mse: bool | None = None) -> Design | None:
        """The ``design`` section with the given options applied (None = the
        questionnaire's); None when neither declares a design.

        Raises
        ------
        UsageError
            The fpc columns do not match the cluster stages.
        """
        overrides = {"weights": weights, "strata": strata, "cluster": cluster, "fpc": fpc,
                     "lonely_psu": lonely_psu, "replicate_weights": replicate_weights,
                     "replicate_type": replicate_type, "scale": scale, "mse": mse}
        given = {k: v for k, v in overrides.items() if v is not None and v != []}
        if not given:
            return self.design
        for k in ("cluster", "fpc"):
            if isinstance(given.get(k), (list, tuple)):
                given[k] = list(given[k]) if len(given[k]) > 1 else given[k][0]
        data = {**(self.design.model_dump(exclude_none=True) if self.design else {}), **given}
        if any(k in given for k in ("strata", "cluster", "fpc", "replicate_weights")):
            data["sample"] = "probability"
        try:
            design = Design.model_validate(data)
        except ValueError as exc:
            raise UsageError(f"design options: {exc}") from None
        stages = design.stage_mismatch()
        if stages:
            raise UsageError(f"design: {stages}")
        return design

    def meta_column(self, role: str) -> str | None:
        """Variable name of the meta question with ``role`` (e.g. 'duration'), or None."""
        for q in self.questions:
            if q.type == "meta" and q.role == role:
                return q.id
        return None

    def duration_unit(self) -> tuple[str, str, float]:
        """(name, symbol, seconds per unit) of the duration column: the ``unit`` its meta
        question declares, seconds when it declares none.

        >>> load_questionnaire("questionnaires/japan_creators_2024.yaml").duration_unit()
        ('seconds', 's', 1.0)
        """
        var = self.meta_column("duration")
        unit = self._by_id[var].unit if var is not None else None
        return DURATION_UNITS[(unit or "seconds").lower()]

    def score(self, name: str) -> dict[str, float]:
        """Numeric score of each level of an ordinal variable (option score, else its code,
        else -- for text codes -- its position from 1)."""
        info = self.variable(name)
        q = self._by_id[info.question]
        if q.bands is not None and name == q.bands.id:
            return {b.key: float(i + 1) for i, b in enumerate(q.bands.levels)}
        return {o.key: float(o.score if o.score is not None else
                             (j + 1 if isinstance(o.code, str) else o.code))
                for j, o in enumerate(q.options)}

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
                if q.type == "meta" and q.role == "duration":
                    rng = f"duration in {self.duration_unit()[0]}"
                rows.append((q.id, q.id, q.column, q.type, q.text, q.text_ja, None, None,
                             rng or q.type, None))
                if q.bands is not None:      # coded 1..k in SPSS/Stata data, as in score()
                    for j, b in enumerate(q.bands.levels, start=1):
                        rows.append((q.id, q.bands.id, None, "band", q.bands.label or q.text,
                                     q.bands.label_ja, j, b.key, b.label, b.label_ja))
            for m in q.missing:
                rows.append((q.id, q.id, q.column, "missing", q.text, q.text_ja, m.code, m.key,
                             m.label, m.label_ja))
        return pd.DataFrame(rows, columns=["question", "variable", "column", "type", "text",
                                           "text_ja", "code", "key", "label", "label_ja"])

    def __repr__(self) -> str:
        return (f"Questionnaire({self.survey.id!r}, {len(self.questions)} questions, "
                f"{len(self._vars)} variables)")


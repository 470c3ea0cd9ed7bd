"""The questionnaire seen from the generator: variables grouped by kind, codes, free answers.

The generator works on a *sheet*: one array per variable holding option keys
(single, likert and grid items), 0/1 (multi options), numbers or text, with a
missing code written as its key behind :data:`MISS` (``"!dont_know"``).
:class:`InstrumentView` tells which variable is of which kind, its export
column and codes, and which answers a respondent may change freely without
touching a trap, a rule or a screener.

Example
-------
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> inst = InstrumentView(load_questionnaire("questionnaires/japan_creators_2024.yaml"))
>>> inst.kind["field"], inst.column["field"], inst.codes["foreign_budget"]["!dont_know"]
('cat', 'Q1', 98.0)
>>> missing_key(inst, "foreign_budget", "dont_know")
'!dont_know'
"""

from __future__ import annotations

from typing import Any

from ..errors import QuestionnaireError
from ..instrument.questionnaire import Questionnaire

__all__ = ["MISS", "InstrumentView", "band_levels", "level_tables", "missing_key"]

MISS = "!"               # working-sheet prefix of a missing-code key, e.g. "!dont_know"


class InstrumentView:
    """Variables of a questionnaire grouped the way the generator needs them."""

    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.id_column = q.survey.respondent_id
        self.kind: dict[str, str] = {}        # var -> cat | multi | num | open | meta
        self.column: dict[str, str] = {}
        self.qid: dict[str, str] = {}         # var -> question id
        self.levels: dict[str, list[str]] = {}
        self.codes: dict[str, dict[str, float]] = {}   # var -> key (or !missing) -> code
        self.vars_of: dict[str, list[str]] = {}
        for name, info in q.variables.items():
            if info.column is None:
                continue
            qu = q.question(info.question)
            kind = {"single": "cat", "likert": "cat", "grid": "cat", "multi": "multi",
                    "numeric": "num", "open": "open", "meta": "meta"}[qu.type]
            self.kind[name] = kind
            self.column[name] = info.column
            self.qid[name] = qu.id
            self.vars_of.setdefault(qu.id, []).append(name)
            miss = {MISS + m.key: float(m.code) for m in qu.missing}
            if kind == "cat":
                self.levels[name] = list(info.levels)
                self.codes[name] = {o.key: float(o.code) for o in qu.options} | miss
            elif kind == "num":
                self.codes[name] = miss
        self.questions = [x for x in q.questions if x.type != "meta"]
        self.substantive = [v for v in self.kind if self.kind[v] != "meta"]
        self.meta_roles = {x.role: x.id for x in q.questions if x.type == "meta"}
        self.traps = {t.id: t for t in q.quality.traps}
        self.rules = {r.id: r for r in q.quality.rules}

    def var(self, name: str, where: str) -> str:
        """``name`` if the instrument defines it as a variable or question, else an error."""
        if name not in self.kind and name not in self.vars_of:
            raise QuestionnaireError(f"{where}: the generator needs variable {name!r}, which "
                                     "the questionnaire does not define; restore it or "
                                     "generate with another instrument", file=self.q.source)
        return name

    def key_of(self, var: str, value: Any) -> str:
        """Option key for a key or a code given in the YAML (traps, conditions)."""
        qu = self.q.question(self.qid[var])
        for o in qu.options:
            if value == o.key or (not isinstance(value, str) and value == o.code):
                return o.key
        return str(value)

    def exclusive(self, var: str) -> bool:
        """Whether multi option ``var`` excludes the others ("none of these")."""
        qu = self.q.question(self.qid[var])
        return any(f"{qu.id}_{o.key}" == var and o.exclusive for o in qu.options)

    def rule_vars(self) -> set[str]:
        """Variables (and questions) named by screening, traps or rules."""
        out: set[str] = set()
        for c in self.q.survey.screening:
            out.add(c.question)
        for t in self.traps.values():
            out.update(x for x in (t.question, t.repeat) if x)
        for r in self.rules.values():
            out.update(x for x in (r.question, r.numeric) if x)
            out.update(r.questions)
            out.update(c.question for c in (*r.when, *r.then))
        # a question named as a whole stands for all its variables
        for name in list(out):
            out.update(self.vars_of.get(name, ()))
        return out

    def safe_vars(self) -> tuple[list[str], list[str]]:
        """Multi options and single answers a respondent may change freely.

        Excludes everything a trap, rule or screener looks at, whole multi
        questions that a rule mentions, grids (straight-lining) and open ends.
        """
        busy = self.rule_vars()
        multi, single = [], []
        for qu in self.questions:
            names = self.vars_of.get(qu.id, [])
            if any(v in busy for v in names) or qu.id in busy:
                continue
            if qu.type == "multi":
                multi += [v for v in names if not self.exclusive(v)]
            elif qu.type in ("single", "likert"):
                single += names
        return multi, single


def level_tables(inst: InstrumentView, var: str, tables: dict[str, dict]) -> list[dict]:
    """Tables keyed by the levels of ``var``, put in instrument order."""
    levels = inst.levels[var]
    missing = [k for k in levels if k not in tables]
    if missing:
        raise QuestionnaireError(f"{var}: the generator's profile has no table for levels "
                                 f"{missing}; update the survey's profile in survey_kit/sample/",
                                 file=inst.q.source)
    return [tables[k] for k in levels]


def band_levels(inst: InstrumentView, var: str) -> list:
    """The bands of numeric question ``var`` (an error if it has none)."""
    qu = inst.q.question(inst.qid[var])
    if qu.bands is None:
        raise QuestionnaireError(f"{var}: the generator needs bands on this question",
                                 file=inst.q.source)
    return list(qu.bands.levels)


def missing_key(inst: InstrumentView, var: str, key: str) -> str:
    """The sheet value of missing code ``key`` of ``var`` (an error if not declared)."""
    qu = inst.q.question(inst.qid[var])
    if key not in {m.key for m in qu.missing}:
        raise QuestionnaireError(f"{var}: the generator needs missing code {key!r}, which the "
                                 "question does not declare", file=inst.q.source)
    return MISS + key

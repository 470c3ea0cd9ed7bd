"""The rule plan out of core: the same rules, parameters and order as :func:`clean`.

:func:`sql_plan` is the questionnaire's :func:`~survey_kit.cleaning.registry.rule_plan`
with every rule that is not switched off; a rule that needs all respondents in
memory (no ``sql_<rule>`` form: near-duplicates, gibberish, Mahalanobis D2,
even-odd consistency) is refused by name rather than skipped.
:func:`~survey_kit.cleaning.flow.apply_rules` (``out_of_core=True``) runs the
out-of-core forms in order, each seeing the earlier outcomes, and
:func:`flow_from_patterns` turns the counts of each pattern of flags into the
flow table of the in-memory run (first exclude rule that fired, review rules
only flag).

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> params, _ = resolve_parameters(q)
>>> try:
...     sql_plan(q, params)
... except UsageError as exc:
...     print(str(exc)[:64])
out of core, rule(s) near_duplicate, gibberish, mahalanobis need

(even-odd is not applicable to this questionnaire, so it is not refused.)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError
from .flow import RuleRun, attribute, flow_frame
from .parameters import resolve_parameters
from .registry import PlannedRule, rule_plan

__all__ = ["flow_from_patterns", "resolve_parameters", "sql_plan"]


class _Questionnaire:
    """What a rule's applicability check reads, from the questionnaire alone (every
    variable taken as present): for refusing, before any reading, a rule that runs in
    memory only."""

    def __init__(self, q: Any, params: dict) -> None:
        self.q, self.params = q, params

    def has(self, column: str) -> bool:
        return column in self.q.variables

    def nobody(self) -> str:
        return "false"


def sql_plan(q, params: dict, ctx: Any = None) -> list[PlannedRule]:
    """Every rule of a run on ``q``; refuses rules switched on that run in memory only,
    unless the questionnaire makes such a rule not applicable (checked on ``ctx``, the
    :class:`~survey_kit.cleaning.sql_context.SqlContext`, or without one on the
    questionnaire alone): that outcome then stands for the rule, as in memory."""
    ctx = _Questionnaire(q, params) if ctx is None else ctx
    plan = []
    for step in rule_plan(q):
        skip = (step.inapplicable(ctx) if step.run_sql is None
                and step.inapplicable is not None else None)
        plan.append(step if skip is None else replace(step, run_sql=lambda c, o=skip: o))
    memory_only = [s.name for s in plan
                   if s.run_sql is None and params[f"{s.name}_action"] != "off"]
    if memory_only:
        offs = " ".join(f"--rule {n}_action=off" for n in memory_only)
        raise UsageError(f"out of core, rule(s) {', '.join(memory_only)} need every "
                         "respondent in memory (a model over all the answers) and cannot run; "
                         f"switch them off ({offs}) or use --engine pandas")
    return plan


def flow_from_patterns(runs: list[RuleRun], patterns: pd.DataFrame, columns: dict[str, str]
                       ) -> pd.DataFrame:
    """The flow table from ``patterns``: one row per distinct combination of the applied
    rules' flags (``columns``: rule -> its flag column) and its count ``n``."""
    w = patterns["n"].to_numpy(dtype=np.int64) if len(patterns) else np.zeros(0, np.int64)
    applied = np.array([r.name in columns for r in runs], dtype=bool)
    by_rule = np.zeros((len(runs), len(w)), dtype=bool)
    for j, r in enumerate(runs):
        if r.name in columns:
            by_rule[j] = patterns[columns[r.name]].to_numpy(dtype=bool)
    is_exclude = np.array([r.action == "exclude" for r in runs], dtype=bool) & applied
    _, removed_by, _, _ = attribute(by_rule, is_exclude)
    n = int(w.sum())
    n_removed = np.array([int(w[removed_by == j].sum()) for j in range(len(runs))],
                         dtype=np.int64)
    n_remaining = n - np.cumsum(n_removed)
    n_flagged = by_rule.astype(np.int64) @ w if len(w) else np.zeros(len(runs), np.int64)
    return flow_frame(runs, n_flagged, applied, n_removed, n_remaining, n)

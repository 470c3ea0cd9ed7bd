"""The registry of cleaning rules: every built-in rule, in the order it is applied.

:func:`survey_kit.clean` iterates :data:`BUILTIN_RULES`, with the
questionnaire's own ``quality.rules`` inserted right after
:data:`QUESTIONNAIRE_RULES_AFTER` (:func:`rule_plan`). Each entry names the
function that flags respondents (a module of :mod:`survey_kit.cleaning.rules`),
its default action and its label in the flow. Adding a rule family is adding
a module to ``rules/`` and an entry here; its ``<name>_action`` parameter
follows (:mod:`survey_kit.cleaning.parameters`).

Example
-------
>>> [r.name for r in BUILTIN_RULES][:4]
['preview_or_spam', 'screened_out', 'not_finished', 'incomplete']
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> [step.name for step in rule_plan(q)][11:14]
['numeric_limits', 'export_share_range', 'japan_share_range']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import CleaningError
from .context import Context
from .outcome import Outcome
from .rules.duplicates import (
    flag_duplicate_fingerprint,
    flag_duplicate_id,
    flag_near_duplicate,
    sql_duplicate_fingerprint,
    sql_duplicate_id,
)
from .rules.limits import flag_numeric_limits, sql_numeric_limits
from .rules.open_ended import flag_gibberish, gibberish_inapplicable
from .rules.platform import (
    flag_not_finished,
    flag_preview_or_spam,
    sql_not_finished,
    sql_preview_or_spam,
)
from .rules.questionnaire import flag_questionnaire_rule, sql_questionnaire_rule
from .rules.response_patterns import (
    even_odd_inapplicable,
    flag_even_odd,
    flag_mahalanobis,
    flag_straightliner,
    flag_straightliner_contradictory,
    sql_straightliner,
    sql_straightliner_contradictory,
)
from .rules.screening import flag_incomplete, flag_screened_out, sql_incomplete, sql_screened_out
from .rules.speeders import flag_speeder, sql_speeder
from .rules.traps import flag_trap_failed, sql_trap_failed

__all__ = ["BUILTIN_RULES", "QUESTIONNAIRE_RULES_AFTER", "BuiltinRule", "PlannedRule",
           "rule_plan"]


@dataclass(frozen=True)
class BuiltinRule:
    """A built-in rule: its name, default action, label, and the function flagging.

    ``flag(ctx, name)`` returns an :class:`~survey_kit.cleaning.outcome.Outcome`
    for every raw respondent; ``sql(sql_ctx, name)`` is the same rule out of core
    (flags as a SQL expression, :mod:`survey_kit.cleaning.sql_context`), None for a
    rule that needs the respondents in memory (a model over all answers);
    ``inapplicable(ctx, name)`` of such a rule is its "not applicable" outcome when the
    questionnaire alone says so (None otherwise), which out of core stands for the rule.
    """

    name: str
    action: str
    label: str
    flag: Callable[[Context, str], Outcome]
    sql: Callable[..., Outcome] | None = None
    inapplicable: Callable[..., Outcome | None] | None = None


BUILTIN_RULES: tuple[BuiltinRule, ...] = (
    BuiltinRule("preview_or_spam", "exclude", "Survey preview, test or spam (platform status)",
                flag_preview_or_spam, sql_preview_or_spam),
    BuiltinRule("screened_out", "exclude", "Screened out (not eligible)", flag_screened_out,
                sql_screened_out),
    BuiltinRule("not_finished", "exclude", "Did not finish (platform's finished flag)",
                flag_not_finished, sql_not_finished),
    BuiltinRule("incomplete", "exclude", "Partial complete (required question blank)",
                flag_incomplete, sql_incomplete),
    BuiltinRule("duplicate_id", "exclude", "Duplicate respondent id", flag_duplicate_id,
                sql_duplicate_id),
    BuiltinRule("duplicate_fingerprint", "exclude", "Duplicate device fingerprint",
                flag_duplicate_fingerprint, sql_duplicate_fingerprint),
    BuiltinRule("near_duplicate", "review", "Near-duplicate answers", flag_near_duplicate),
    BuiltinRule("trap_failed", "exclude", "Failed trap questions", flag_trap_failed,
                sql_trap_failed),
    BuiltinRule("speeder", "exclude", "Speeder", flag_speeder, sql_speeder),
    BuiltinRule("straightliner_contradictory", "exclude",
                "Straight-lining across reverse-keyed items (contradictory)",
                flag_straightliner_contradictory, sql_straightliner_contradictory),
    BuiltinRule("straightliner", "review", "Straight-lining in a same-direction grid",
                flag_straightliner, sql_straightliner),
    BuiltinRule("numeric_limits", "exclude", "Numeric answer outside the question's limits",
                flag_numeric_limits, sql_numeric_limits),
    BuiltinRule("gibberish", "exclude", "Gibberish open-ended answer", flag_gibberish,
                inapplicable=gibberish_inapplicable),
    BuiltinRule("mahalanobis", "review", "Multivariate outlier (Mahalanobis D2)",
                flag_mahalanobis),
    BuiltinRule("even_odd", "review", "Low even-odd consistency", flag_even_odd,
                inapplicable=even_odd_inapplicable),
)

#: the questionnaire's own rules (``quality.rules``, in YAML order) follow this built-in rule
QUESTIONNAIRE_RULES_AFTER = "numeric_limits"


@dataclass(frozen=True)
class PlannedRule:
    """One step of a run: the rule's name, its label, ``run(ctx) -> Outcome`` and its
    out-of-core form ``run_sql(sql_ctx) -> Outcome`` (None: in memory only)."""

    name: str
    label: str
    run: Callable[[Context], Outcome]
    run_sql: Callable[..., Outcome] | None = None
    inapplicable: Callable[..., Outcome | None] | None = None


def rule_plan(q) -> list[PlannedRule]:
    """Every rule of a run on questionnaire ``q``, in the order they are applied."""
    builtin = [PlannedRule(r.name, r.label, (lambda ctx, f=r.flag, n=r.name: f(ctx, n)),
                           None if r.sql is None else
                           (lambda ctx, f=r.sql, n=r.name: f(ctx, n)),
                           None if r.inapplicable is None else
                           (lambda ctx, f=r.inapplicable, n=r.name: f(ctx, n)))
               for r in BUILTIN_RULES]
    names = {r.name for r in BUILTIN_RULES}
    own = []
    for r in q.quality.rules:
        if r.id in names:
            raise CleaningError(f"quality.rules: rule id {r.id!r} is the name of a built-in "
                                "cleaning rule; rename it", file=q.source)
        own.append(PlannedRule(r.id, r.label or r.id,
                               (lambda ctx, r=r: flag_questionnaire_rule(ctx, r)),
                               (lambda ctx, r=r: sql_questionnaire_rule(ctx, r))))
    k = [r.name for r in BUILTIN_RULES].index(QUESTIONNAIRE_RULES_AFTER) + 1
    return builtin[:k] + own + builtin[k:]

"""The exclusion flow: from the rules' flags to kept, excluded and review, with the audit.

Every rule flags every raw respondent independently; a respondent is then
removed by the *first* ``exclude`` rule that fired (its ``reason``), while
``review`` rules only flag. Nothing is dropped silently: the flow table
accounts for every respondent (``sum(n_removed) == len(excluded)``), and the
overlap table counts the respondents flagged by each pair of rules. All
loops run over rules, not respondents.

Example
-------
>>> import numpy as np
>>> by_rule = np.array([[True, False, False, True],      # rule a (exclude)
...                     [True, True, False, False]])     # rule b (exclude)
>>> remaining, removed_by, n_removed, n_remaining = attribute(by_rule, np.array([True, True]))
>>> removed_by.tolist(), n_removed.tolist(), n_remaining.tolist()
([0, 1, -1, 0], [2, 1], [2, 1])
>>> overlap_counts(by_rule).tolist()
[[2, 1], [1, 2]]
>>> join_names(by_rule.T, ["a", "b"]).tolist()
['a; b', 'b', '', 'a']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CleaningError
from .careless.grouping import group_ids
from .outcome import Outcome


@dataclass(frozen=True)
class RuleRun:
    """One rule as applied in a run: name, label, action and its outcome."""

    name: str
    label: str
    action: str
    outcome: Outcome


def apply_rules(ctx: Any, plan: list, *, out_of_core: bool = False,
                progress: Any = None) -> list[RuleRun]:
    """Run every rule of ``plan`` that is not switched off, in order; each sees the earlier
    outcomes (``ctx.outcomes``). ``out_of_core``: each rule's SQL form (``run_sql``) on a
    :class:`~survey_kit.cleaning.sql_context.SqlContext`; ``progress`` is told each rule."""
    runs = []
    for step in plan:
        action = ctx.params[f"{step.name}_action"]
        if action == "off":
            out = Outcome(ctx.nobody(), "switched off", "off")
        else:
            if progress is not None:
                progress(f"rule {step.name}")
            out = step.run_sql(ctx) if out_of_core else step.run(ctx)
        ctx.outcomes[step.name] = out
        runs.append(RuleRun(step.name, step.label, action, out))
    return runs


def check_index_columns(runs: list[RuleRun], source) -> None:
    """Rule ids must not clash with the index columns the rules add to the flags table."""
    names = [r.name for r in runs]
    extra_names = [k for r in runs for k in r.outcome.extra]
    clash = sorted(set(names) & set(extra_names))
    if clash:
        raise CleaningError(f"rule id(s) {clash} clash with index columns of the flags table; "
                            "rename the rule(s) in quality.rules", file=source)


def stack_flags(runs: list[RuleRun], n: int) -> tuple[np.ndarray, np.ndarray]:
    """(by_rule, applied): one contiguous row of flags per rule (all False unless applied)."""
    by_rule = np.zeros((len(runs), n), dtype=bool)
    applied = np.array([r.outcome.status == "applied" for r in runs], dtype=bool)
    for j, r in enumerate(runs):
        if applied[j]:
            by_rule[j] = r.outcome.flagged
    return by_rule, applied


def attribute(by_rule: np.ndarray, is_exclude: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First-rule attribution, rule by rule.

    Returns ``(remaining, removed_by, n_removed, n_remaining)``: who is kept,
    the rule (row of ``by_rule``) that removed each respondent (-1: kept),
    and per rule the respondents it removed and those remaining after it.
    """
    n_rules, n = by_rule.shape
    remaining = np.ones(n, dtype=bool)
    removed_by = np.full(n, -1, dtype=np.int64)
    n_removed = np.zeros(n_rules, dtype=np.int64)
    n_remaining = np.zeros(n_rules, dtype=np.int64)
    for j in range(n_rules):                         # loop over rules, not respondents
        if is_exclude[j]:
            newly = by_rule[j] & remaining
            removed_by[newly] = j
            n_removed[j] = int(newly.sum())
            remaining &= ~newly
        n_remaining[j] = int(remaining.sum())
    return remaining, removed_by, n_removed, n_remaining


def flow_table(runs: list[RuleRun], by_rule: np.ndarray, applied: np.ndarray,
               n_removed: np.ndarray, n_remaining: np.ndarray) -> pd.DataFrame:
    """The exclusion flow: step 0 is the raw total, then one row per rule."""
    return flow_frame(runs, by_rule.sum(axis=1), applied, n_removed, n_remaining,
                      by_rule.shape[1])


def flow_frame(runs: list[RuleRun], n_flagged: np.ndarray, applied: np.ndarray,
               n_removed: np.ndarray, n_remaining: np.ndarray, n: int) -> pd.DataFrame:
    """:func:`flow_table` from the counts (out of core, the counts come from SQL)."""
    flow = pd.DataFrame({
        "step": np.arange(len(runs) + 1),
        "rule": ["start"] + [r.name for r in runs],
        "label": ["Raw respondents"] + [r.label for r in runs],
        "action": [""] + [r.action for r in runs],
        "status": [""] + [r.outcome.status for r in runs],
        "n_flagged": pd.array([pd.NA] + [int(v) if a else pd.NA
                                         for v, a in zip(n_flagged, applied)], dtype="Int64"),
        "n_removed": np.r_[0, n_removed].astype(np.int64),
        "n_remaining": np.r_[n, n_remaining].astype(np.int64),
    })
    flow["pct_of_start"] = (100.0 * flow["n_remaining"] / n) if n else 0.0
    flow["parameter"] = ["respondents in the export"] + [r.outcome.parameter for r in runs]
    return flow


def overlap_counts(by_rule: np.ndarray) -> np.ndarray:
    """Respondents flagged by both rules of each pair (rules as rows of ``by_rule``)."""
    r = by_rule.shape[0]
    out = np.zeros((r, r), dtype=np.int64)
    for i in range(r):                               # loop over rules, not respondents
        out[i, i] = np.count_nonzero(by_rule[i])
        for j in range(i + 1, r):
            out[i, j] = out[j, i] = np.count_nonzero(by_rule[i] & by_rule[j])
    return out


def overlap_table(by_rule: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Rules x rules: respondents flagged by both (the diagonal is n_flagged)."""
    return pd.DataFrame(overlap_counts(by_rule), index=pd.Index(names, name="rule"),
                        columns=names)


def flags_table(runs: list[RuleRun], by_rule: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """A boolean column per rule, then the index columns of the rules.

    The table holds the arrays themselves (no consolidating copy); each array
    is new in this run and appears once.
    """
    columns: dict[str, Any] = {r.name: by_rule[j] for j, r in enumerate(runs)}
    seen: set[int] = set()
    for r in runs:
        for key, val in r.outcome.extra.items():
            if isinstance(val, np.ndarray):
                if id(val) in seen or not val.flags.writeable:
                    val = val.copy()
                seen.add(id(val))
            columns[key] = val
    return pd.DataFrame(columns, index=index, copy=False)


def join_names(flags: np.ndarray, names: list[str]) -> np.ndarray:
    """'a; b' strings of the rules flagged in each row (built per distinct pattern)."""
    n = flags.shape[0]
    out = np.full(n, "", dtype=object)
    if n == 0 or flags.shape[1] == 0:
        return out
    gid, _ = group_ids(flags.astype(np.int32).T)
    gid, _ = pd.factorize(gid)
    first = np.flatnonzero(np.r_[True, gid[1:] > np.maximum.accumulate(gid)[:-1]])
    texts = np.array(["; ".join(names[j] for j in np.flatnonzero(flags[i])) for i in first],
                     dtype=object)                   # one per distinct pattern
    return texts[gid]


def split_respondents(responses: pd.DataFrame, runs: list[RuleRun], by_rule: np.ndarray,
                      remaining: np.ndarray, removed_by: np.ndarray, is_review: np.ndarray
                      ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(kept, excluded, review): new frames, the input untouched.

    ``excluded`` gains ``reason`` (the first exclude rule) and ``reasons``
    (every rule that fired); ``review`` (the kept respondents flagged by a
    review rule) gains ``reasons`` (the review rules that fired).
    """
    names = [r.name for r in runs]
    flagmat = by_rule.T                              # the (respondents, rules) view
    excluded_pos = np.flatnonzero(~remaining)
    kept_pos = np.flatnonzero(remaining)
    name_arr = np.array(names + [""], dtype=object)
    excluded = responses.take(excluded_pos)          # new arrays: the input is untouched
    excluded["reason"] = pd.Series(name_arr[removed_by[excluded_pos]], index=excluded.index,
                                   dtype=object)
    excluded["reasons"] = pd.Series(join_names(flagmat[excluded_pos], names),
                                    index=excluded.index, dtype=object)
    kept = responses.take(kept_pos)
    review_pos = kept_pos[flagmat[kept_pos][:, is_review].any(axis=1)] if kept_pos.size else \
        kept_pos
    review = responses.take(review_pos)
    review["reasons"] = pd.Series(join_names(flagmat[review_pos][:, is_review],
                                             [nm for nm, r in zip(names, is_review) if r]),
                                  index=review.index, dtype=object)
    return kept, excluded, review

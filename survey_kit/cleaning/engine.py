"""Quality rules for panel responses: per-rule flags, an exclusion flow, an audit trail.

:func:`clean` applies the rules below, in this fixed order, to the labelled
frame returned by :func:`survey_kit.read_responses`. Every rule flags every
raw respondent independently of the others; a respondent is then removed by
the *first* ``exclude`` rule that fires (its ``reason``), while ``review``
rules only flag. Nothing is dropped silently: ``kept`` + ``excluded`` is the
raw frame, and the flow table accounts for every respondent.

=====  ======================  ========  =====================================================
step   rule                    default   what fires
=====  ======================  ========  =====================================================
1      preview_or_spam         exclude   the platform's response type is a survey preview,
                                         test or spam (Qualtrics ``Status``; not applicable
                                         without such a column)
2      screened_out            exclude   not eligible by ``survey.screening`` (all conditions
                                         must hold; a blank screening answer is not eligible)
3      not_finished            exclude   the platform's finished flag is 0 (Qualtrics
                                         ``Finished``), or without one progress < 100
4      incomplete              exclude   a ``required`` question unanswered (a missing code
                                         such as "don't know" counts as answered, a blank
                                         does not; a required grid needs every item)
5      duplicate_id            exclude   repeat of an earlier respondent id (``_raw_id`` if
                                         present, else the index); the first is kept
6      duplicate_fingerprint   exclude   repeat of an earlier device fingerprint (the meta
                                         question with role ``fingerprint``); first kept
7      near_duplicate          review    share of identical answers with an earlier
                                         respondent >= ``near_duplicate_threshold`` (0.85)
8      trap_failed             exclude   at least ``trap_max_failures`` (1) traps failed
                                         (instructed, consistency or typed-text traps)
9      speeder                 exclude   duration below ``speeder_fraction`` (1/3) of the
                                         median of completes, or with
                                         ``speeder_method="sd"`` more than ``speeder_sd`` (2)
                                         SD below that median
10     straightliner_          exclude   one answer (not the midpoint) to every item of a grid
       contradictory                     of >= ``straightline_min_items`` (4) items, some of
                                         them reverse-keyed: a self-contradicting pattern
11     straightliner           review    every item of such a grid answered identically where
                                         that is no contradiction (same-direction grid)
12     numeric_limits          exclude   a numeric answer outside the question's min/max, or
                                         not whole where the question is ``integer``
13..   <rule id>               per YAML  the questionnaire's ``quality.rules`` in YAML order
                                         (kinds range, sum, band_match, implies, exclude_if)
..     gibberish               exclude   keyboard mashing in an ``open_ended`` answer
..     mahalanobis             review    D^2 on the rating items > chi-square 0.99 quantile
..     even_odd                review    even-odd consistency < ``even_odd_min`` (0.3), where
                                         the questionnaire has ``even_odd_min_scales`` (5)
                                         grids of 2+ rating items to act as scales
=====  ======================  ========  =====================================================

Decisions worth stating in an appendix are documented with each rule family:
traps in :mod:`~survey_kit.cleaning.rules.traps`; declarative conditions
(screening, ``implies``, ``exclude_if``) in :mod:`~survey_kit.cleaning.conditions`;
platform records (Qualtrics previews, spam, unfinished) in
:mod:`~survey_kit.cleaning.rules.platform`; straight-lining in
:mod:`~survey_kit.cleaning.rules.response_patterns`; speeders in
:mod:`~survey_kit.cleaning.rules.speeders`; near-duplicates in
:mod:`~survey_kit.cleaning.rules.duplicates`; Mahalanobis D^2 in
:mod:`~survey_kit.cleaning.rules.response_patterns`. The order of the rules is
the registry's (:mod:`~survey_kit.cleaning.registry`).

Every parameter has a default (:mod:`~survey_kit.cleaning.parameters`); a
questionnaire may change it in ``quality.overrides`` and a call in
``**overrides`` (the call wins). Each rule also has ``<rule>_action``
("exclude", "review" or "off"). A rule that needs a column the responses lack
raises :class:`~survey_kit.errors.CleaningError`, unless
``skip_unavailable=True``, in which case it is skipped with a warning.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> res = clean(raw, q, speeder_fraction=0.4)
>>> res.flow[["rule", "status", "n_flagged", "n_removed", "n_remaining"]].head(6)
              rule          status  n_flagged  n_removed  n_remaining
0            start                       <NA>          0          700
1  preview_or_spam  not applicable       <NA>          0          700
2     screened_out         applied         16         16          684
3     not_finished  not applicable       <NA>          0          684
4       incomplete         applied         32         16          668
5     duplicate_id         applied          4          4          664
>>> res.excluded["reason"].value_counts().head(3)
reason
trap_failed     22
screened_out    16
incomplete      16
Name: count, dtype: int64

References
----------
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses
in survey data. Journal of Experimental Social Psychology, 66, 4-19.
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey
data. Psychological Methods, 17(3), 437-455.
AAPOR (2023). Standard Definitions: Final Dispositions of Case Codes and
Outcome Rates for Surveys (screen-outs, partial completes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CleaningError
from ..instrument.questionnaire import Questionnaire
from .context import Context
from .flow import (
    apply_rules,
    attribute,
    check_index_columns,
    flags_table,
    flow_table,
    overlap_table,
    split_respondents,
    stack_flags,
)
from .parameters import resolve_parameters
from .registry import rule_plan
from .result import CleaningResult

__all__ = ["clean"]


def clean(responses: pd.DataFrame, questionnaire, **overrides) -> CleaningResult:
    """Apply the quality rules and return kept / excluded respondents with the audit.

    Parameters
    ----------
    responses : DataFrame
        The labelled frame of :func:`survey_kit.read_responses` (read with
        ``duplicate_ids="keep"`` so that the duplicate-id rule can report
        repeats). Not modified.
    questionnaire : Questionnaire
        The instrument: screening, required questions, traps, rules,
        open-ended questions and ``quality.overrides``.
    **overrides
        Cleaning parameters for this call (see
        :data:`survey_kit.cleaning.parameters.PARAMETERS`), e.g.
        ``speeder_fraction=0.4``, ``near_duplicate_action="exclude"``,
        ``trap_max_failures=2``, ``skip_unavailable=True``.

    Returns
    -------
    CleaningResult

    Raises
    ------
    CleaningError
        Unknown parameter or bad value; a rule naming an unknown question; an
        invalid trap answer; a column a rule needs is missing (unless
        ``skip_unavailable=True``); a column holding values that are not the
        question's option keys.

    Notes
    -----
    Each rule flags every raw respondent; the flow then attributes each
    excluded respondent to the first exclude rule that fired (in the order of
    :mod:`survey_kit.cleaning.registry`), so ``sum(n_removed) ==
    len(excluded)`` and ``n_remaining`` of the last step is ``len(kept)``.
    Review rules flag but never remove. Careless-responding indices follow the
    R package careless (see :mod:`survey_kit.cleaning.careless`).

    Example
    -------
    >>> import survey_kit as sk
    >>> q = sk.load_questionnaire("questionnaires/japan_creators_2024.yaml")
    >>> raw = sk.read_responses("sample_data/japan_creators_2024_raw.csv", q,
    ...                         duplicate_ids="keep")
    >>> res = clean(raw, q, near_duplicate_action="exclude")
    >>> res.flow.set_index("rule").loc["near_duplicate", ["n_flagged", "n_removed"]].tolist()
    [3, 1]
    """
    _check_inputs(responses, questionnaire)
    params, sources = resolve_parameters(questionnaire, overrides)
    ctx = Context(responses, questionnaire, params)
    runs = apply_rules(ctx, rule_plan(questionnaire))
    check_index_columns(runs, questionnaire.source)

    by_rule, applied = stack_flags(runs, ctx.n)
    is_exclude = np.array([r.action == "exclude" for r in runs], dtype=bool) & applied
    is_review = np.array([r.action == "review" for r in runs], dtype=bool) & applied
    remaining, removed_by, n_removed, n_remaining = attribute(by_rule, is_exclude)
    names = [r.name for r in runs]
    kept, excluded, review = split_respondents(responses, runs, by_rule, remaining, removed_by,
                                               is_review)
    return CleaningResult(kept=kept, excluded=excluded,
                          flags=flags_table(runs, by_rule, responses.index),
                          flow=flow_table(runs, by_rule, applied, n_removed, n_remaining),
                          overlap=overlap_table(by_rule, names), params=dict(params),
                          warnings=list(ctx.warnings), review=review,
                          param_sources=dict(sources), survey=questionnaire.survey.id)


def _check_inputs(responses, questionnaire) -> None:
    if not isinstance(responses, pd.DataFrame):
        raise CleaningError(f"responses must be a pandas DataFrame (from sk.read_responses), "
                            f"not {type(responses).__name__}")
    if not isinstance(questionnaire, Questionnaire):
        raise CleaningError("questionnaire must be a Questionnaire (from sk.load_questionnaire),"
                            f" not {type(questionnaire).__name__}")
    for col in ("reason", "reasons"):
        if col in responses.columns:
            raise CleaningError(f"the responses already have a column {col!r}, which clean() "
                                "adds to the excluded respondents; rename it first", column=col)



"""What the survey platform records about each response: previews, spam, unfinished.

* ``preview_or_spam``: the response type (Qualtrics ``Status``, or a meta
  question with role ``response_type``) says survey preview, survey test or
  spam (:data:`survey_kit.io.qualtrics.NOT_A_RESPONSE`): not an interview.
  A response type the rule does not know is kept and named in a warning.
* ``not_finished``: the platform's finished flag (Qualtrics ``Finished``, or
  role ``finished``) is 0 / False; without a finished flag, progress (role
  ``progress``) below 100. A blank flag is not judged.

Both are "not applicable" when the export has no such column, so a file from
another platform runs as before.

Example
-------
>>> import pandas as pd
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> q = sk.load_questionnaire("questionnaires/japan_creators_2024.yaml")
>>> frame = pd.DataFrame({"Status": [0, 1, 8, 0], "Finished": [1, 1, 1, 0]})
>>> frame.attrs["qualtrics"] = {"columns": {"response_type": "Status",
...                                         "finished": "Finished"}}
>>> ctx = Context(frame, q, {"skip_unavailable": False})
>>> flag_preview_or_spam(ctx, "preview_or_spam").flagged.tolist()
[False, True, True, False]
>>> flag_not_finished(ctx, "not_finished").flagged.tolist()
[False, False, False, True]
"""

from __future__ import annotations

import numpy as np

from ...io.qualtrics import NOT_A_RESPONSE, RESPONSE_TYPES, finished_flags, response_types
from ..context import Context
from ..outcome import Outcome


def flag_preview_or_spam(ctx: Context, rule: str) -> Outcome:
    """A survey preview, survey test or spam response."""
    var = ctx.meta("response_type")
    if var is None:
        return Outcome(ctx.nobody(), "no response-type (Status) column", "not applicable")
    if (skipped := ctx.skipped_without(rule, var)) is not None:
        return skipped
    col = ctx.frame[var]
    code = response_types(col)
    unknown = np.isnan(code) & col.notna().to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        ctx.warnings.append(f"{rule}: {int(unknown.sum())} response(s) have a response type "
                            f"that is not a known Qualtrics Status (e.g. respondent "
                            f"{ctx.frame.index[i]!r}: {col.iloc[i]!r}); they were kept")
    flagged = np.isin(code, sorted(NOT_A_RESPONSE))
    shown = ", ".join(f"{RESPONSE_TYPES[c]} ({c})" for c in sorted(NOT_A_RESPONSE))
    return Outcome(flagged, f"{var} is one of {shown}", extra={"status_code": code})


def flag_not_finished(ctx: Context, rule: str) -> Outcome:
    """The platform's finished flag is 0, or (without one) progress below 100."""
    var = ctx.meta("finished")
    if var is not None:
        if (skipped := ctx.skipped_without(rule, var)) is not None:
            return skipped
        done = finished_flags(ctx.frame[var])
        _warn_unclear(ctx, rule, var, done)
        return Outcome(done == 0, f"{var} = 0 (the platform's finished flag)",
                       extra={"finished_flag": done})
    var = ctx.meta("progress")
    if var is None:
        return Outcome(ctx.nobody(), "no finished flag or progress column", "not applicable")
    if (skipped := ctx.skipped_without(rule, var)) is not None:
        return skipped
    progress = ctx.number(var)
    with np.errstate(invalid="ignore"):
        flagged = progress < 100
    return Outcome(flagged, f"{var} < 100 (percent of the survey reached)",
                   extra={"progress_pct": progress})


def _warn_unclear(ctx: Context, rule: str, var: str, done: np.ndarray) -> None:
    col = ctx.frame[var]
    unclear = np.isnan(done) & col.notna().to_numpy()
    if unclear.any():
        i = int(np.flatnonzero(unclear)[0])
        ctx.warnings.append(f"{rule}: {int(unclear.sum())} value(s) of {var!r} are neither "
                            f"finished (1, true) nor unfinished (0, false), e.g. respondent "
                            f"{ctx.frame.index[i]!r}: {col.iloc[i]!r}; not judged")


def sql_preview_or_spam(ctx, rule: str) -> Outcome:
    """:func:`flag_preview_or_spam` out of core: the Status text mapped by its distinct
    values with :func:`~survey_kit.io.qualtrics.response_types`."""
    var = ctx.meta("response_type")
    if var is None:
        return Outcome(ctx.nobody(), "no response-type (Status) column", "not applicable")
    if (skipped := ctx.skipped_without(rule, var)) is not None:
        return skipped
    col = ctx.text(var)
    code = ctx.mapped(col, response_types)
    unknown = ctx.count(f"{code} IS NULL AND {col} IS NOT NULL")
    if unknown:
        ctx.warnings.append(f"{rule}: {unknown} response(s) have a response type that is not "
                            "a known Qualtrics Status; they were kept")
    shown = ", ".join(f"{RESPONSE_TYPES[c]} ({c})" for c in sorted(NOT_A_RESPONSE))
    listed = ", ".join(repr(float(c)) for c in sorted(NOT_A_RESPONSE))
    return Outcome(f"coalesce({code} IN ({listed}), false)", f"{var} is one of {shown}")


def sql_not_finished(ctx, rule: str) -> Outcome:
    """:func:`flag_not_finished` out of core (the flag mapped with
    :func:`~survey_kit.io.qualtrics.finished_flags`)."""
    var = ctx.meta("finished")
    if var is not None:
        if (skipped := ctx.skipped_without(rule, var)) is not None:
            return skipped
        col = ctx.text(var)
        done = ctx.mapped(col, finished_flags)
        unclear = ctx.count(f"{done} IS NULL AND {col} IS NOT NULL")
        if unclear:
            ctx.warnings.append(f"{rule}: {unclear} value(s) of {var!r} are neither finished "
                                "(1, true) nor unfinished (0, false); not judged")
        return Outcome(f"coalesce({done} = 0, false)",
                       f"{var} = 0 (the platform's finished flag)")
    var = ctx.meta("progress")
    if var is None:
        return Outcome(ctx.nobody(), "no finished flag or progress column", "not applicable")
    if (skipped := ctx.skipped_without(rule, var)) is not None:
        return skipped
    return Outcome(f"coalesce({ctx.number(var)} < 100, false)",
                   f"{var} < 100 (percent of the survey reached)")

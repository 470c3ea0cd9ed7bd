"""Open-ended answers that are keyboard mashing, not words.

``gibberish`` checks every question of ``quality.open_ended`` with
:func:`survey_kit.cleaning.careless.gibberish.gibberish`.

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> out = flag_gibberish(ctx, "gibberish")
>>> out.parameter, int(out.flagged.sum())
('keyboard mashing, repeats or no letters in comments', 6)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..careless.gibberish import gibberish
from ..context import Context
from ..outcome import Outcome


def gibberish_inapplicable(ctx, rule: str) -> Outcome | None:
    """The rule's outcome when the questionnaire names no open-ended question to check
    (the same in memory and out of core, where the rule itself cannot run)."""
    if not ctx.q.quality.open_ended:
        return Outcome(ctx.nobody(), "no open-ended questions to check", "not applicable")
    return None


def flag_gibberish(ctx: Context, rule: str) -> Outcome:
    """Keyboard mashing in an answer to a ``quality.open_ended`` question."""
    if (skip := gibberish_inapplicable(ctx, rule)) is not None:
        return skip
    names = list(ctx.q.quality.open_ended)
    flagged = np.zeros(ctx.n, dtype=bool)
    extra: dict[str, Any] = {}
    used = []
    for name in names:
        ctx.known(name, rule)
        if not ctx.has(name):
            ctx.unavailable(rule, f"it needs column {name!r}, which the responses do not have")
            continue
        g = gibberish(ctx.frame[name]).to_numpy()
        extra[f"gibberish_{name}"] = g
        flagged |= g
        used.append(name)
    if not used:
        return Outcome(flagged, "open-ended columns missing", "skipped", extra)
    return Outcome(flagged, "keyboard mashing, repeats or no letters in " + ", ".join(used),
                   extra=extra)


"""The completion rate: of the respondents who started, how many finished.

Read from what the platform records, in this order of preference:

1. a finished flag (Qualtrics ``Finished``, or a meta question with role
   ``finished``): 1 / true is finished, 0 / false is not;
2. progress (Qualtrics ``Progress``, role ``progress``): 100 is finished;
3. a status text (role ``status``): ``complete``, ``completed``,
   ``finished`` (or 1 / true) is finished; ``incomplete``, ``partial``,
   ``not finished`` or any other word is not.

Survey previews, tests and spam (Qualtrics ``Status``, role
``response_type``; :data:`survey_kit.io.qualtrics.NOT_A_RESPONSE`) are not
respondents and are left out of both counts. With none of these columns
there is no completion rate (None): an export of completed interviews only
cannot tell who broke off.

Example
-------
>>> import pandas as pd
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_creators_2024.yaml")
>>> frame = pd.DataFrame({"Status": [0, 0, 0, 1], "Finished": [1, 1, 0, 1]})
>>> frame.attrs["qualtrics"] = {"columns": {"response_type": "Status",
...                                         "finished": "Finished"}}
>>> c = completion(frame, q)
>>> c.finished, c.started, round(c.rate, 4)
(2, 3, 0.6667)
>>> print(c)
66.7% (2 of 3 respondents who started finished; from Finished; 1 preview/test/spam left out)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..io.qualtrics import NOT_A_RESPONSE, finished_flags, response_types
from .context import meta_variable

__all__ = ["Completion", "completion"]

_DONE = re.compile(r"^(complete|completed|finished|done)$")


@dataclass(frozen=True)
class Completion:
    """Finished and started respondents, and the column the counts come from."""

    finished: int
    started: int
    source: str
    not_responses: int = 0

    @property
    def rate(self) -> float:
        """Finished / started (NaN when nobody started)."""
        return self.finished / self.started if self.started else float("nan")

    def __str__(self) -> str:
        left = f"; {self.not_responses} preview/test/spam left out" if self.not_responses \
            else ""
        return (f"{100 * self.rate:.1f}% ({self.finished} of {self.started} respondents who "
                f"started finished; from {self.source}{left})")


def completion(frame: pd.DataFrame, q) -> Completion | None:
    """The completion rate of the raw (labelled) frame, or None when it cannot be known."""
    real = np.ones(len(frame), dtype=bool)
    n_not = 0
    rt = meta_variable(frame, q, "response_type")
    if rt is not None and rt in frame.columns:
        real = ~np.isin(response_types(frame[rt]), sorted(NOT_A_RESPONSE))
        n_not = int((~real).sum())
    for role in ("finished", "progress", "status"):
        var = meta_variable(frame, q, role)
        if var is None or var not in frame.columns:
            continue
        done = _done(frame[var], role)
        known = real & ~np.isnan(done)
        if known.any():
            return Completion(int((done[known] == 1).sum()), int(known.sum()), var, n_not)
    return None


def _done(col: pd.Series, role: str) -> np.ndarray:
    """1 finished, 0 not, NaN unknown."""
    if role == "progress":
        x = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(x), np.nan, (x >= 100).astype(float))
    flags = finished_flags(col)
    if role == "finished":
        return flags
    text = col.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    words = np.where(text.str.fullmatch(_DONE.pattern).fillna(False).to_numpy(dtype=bool),
                     1.0, np.where(text.notna().to_numpy(dtype=bool), 0.0, np.nan))
    return np.where(np.isnan(flags), words, flags)

"""Qualtrics exports: the two header layouts and what the system columns mean.

Layouts
-------
* **Since 2017**: row 1 holds the column names, row 2 the question texts and
  row 3 ``{"ImportId": ...}`` JSON cells; the first respondent is row 4
  (:func:`survey_kit.io.raw.is_qualtrics`).
* **Legacy (before 2017)**: row 1 names the system columns ``V1``, ``V2``, ...
  and the questions ``Q1``, ``Q2``, ...; row 2 holds their labels
  (``ResponseID``, ``ResponseSet``, ..., ``Status``, ``StartDate``,
  ``EndDate``, ``Finished``, then the question texts); the first respondent is
  row 3. Row 2 is a header, never data (:func:`is_legacy`). The ``V`` columns
  are named by their row-2 label, the name the file itself gives them
  (:func:`legacy_names`), so ``Status`` and ``Finished`` mean the same in
  both layouts.

System columns
--------------
==========================  ===============  =============================================
export column               role             meaning
==========================  ===============  =============================================
``Status``                  response_type    0 IP Address, 1 Survey Preview, 2 Survey
                                             Test, 4 Imported, 8 Spam, 9 Survey Preview
                                             Spam, 12 Imported Spam, 16 Offline, 17
                                             Offline Survey Preview (codes or, with
                                             "use choice text", the words)
``Finished``                finished         1 / 0 (True / False with choice text)
``Progress``                progress         percent of the survey reached, 0-100
``Duration (in seconds)``   duration         seconds from start to end
``StartDate``, ``EndDate``  start_time,      dates and times
                            end_time
``RecordedDate``            recorded_date    date and time the response was recorded
==========================  ===============  =============================================

A preview, a test or a spam response (:data:`NOT_A_RESPONSE`) is not an
interview: cleaning excludes it with its own reason (rule
``preview_or_spam``), never silently. The meaning of the Status codes follows
Qualtrics' documentation of the exported response types.

Example
-------
>>> import pandas as pd
>>> is_legacy([["V1", "V2", "V3", "Q1"], ["ResponseID", "ResponseSet", "Name", "Text"]])
True
>>> legacy_names(["V1", "V7", "Q1"], ["ResponseID", "Status", "How old?"])
['ResponseID', 'Status', 'Q1']
>>> response_types(pd.Series([0, 1, "Survey Preview", "Spam", None])).tolist()
[0.0, 1.0, 1.0, 8.0, nan]
>>> finished_flags(pd.Series(["True", "0", 1, None])).tolist()
[1.0, 0.0, 1.0, nan]
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["NOT_A_RESPONSE", "RESPONSE_TYPES", "SYSTEM_COLUMNS", "finished_flags", "is_legacy",
           "legacy_names", "response_types"]

#: export column -> role, in both layouts (legacy V columns once named by row 2)
SYSTEM_COLUMNS: dict[str, str] = {
    "Status": "response_type",
    "Finished": "finished",
    "Progress": "progress",
    "Duration (in seconds)": "duration",
    "StartDate": "start_time",
    "EndDate": "end_time",
    "RecordedDate": "recorded_date",
}

#: Status code -> the response type Qualtrics exports as choice text
RESPONSE_TYPES: dict[int, str] = {
    0: "IP Address", 1: "Survey Preview", 2: "Survey Test", 4: "Imported", 8: "Spam",
    9: "Survey Preview Spam", 12: "Imported Spam", 16: "Offline",
    17: "Offline Survey Preview",
}

#: Status codes that are not interviews: previews, tests and spam
NOT_A_RESPONSE: frozenset[int] = frozenset({1, 2, 8, 9, 12, 17})

_BY_TEXT = {re.sub(r"\s+", " ", v).strip().lower(): k for k, v in RESPONSE_TYPES.items()}
_TRUE = {"1", "true", "yes", "1.0"}
_FALSE = {"0", "false", "no", "0.0"}
_V = re.compile(r"V\d+")


def is_legacy(rows: list[list[str]]) -> bool:
    """A legacy export: row 1 starts ``V1, V2, ...`` and row 2 names ``ResponseID``."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return False
    head = [c.strip() for c in rows[0][:3]]
    if head[:2] != ["V1", "V2"]:
        return False
    labels = {c.strip().lower() for c in rows[1]}
    return "responseid" in labels


def legacy_names(names: list[str], labels: list[str]) -> list[str]:
    """Column names of a legacy export: each ``V<n>`` takes its row-2 label."""
    out = []
    for j, name in enumerate(names):
        label = labels[j].strip() if j < len(labels) else ""
        out.append(label if _V.fullmatch(name.strip()) and label else name)
    return out


def response_types(s: pd.Series) -> np.ndarray:
    """The Status code of each response (words mapped to their code); NaN when blank or
    unknown."""
    out = np.full(len(s), np.nan)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        known = np.isin(vals, list(RESPONSE_TYPES))
        out[known] = vals[known]
        return out
    text = s.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    by_word = text.map(_BY_TEXT).to_numpy(dtype=float, na_value=np.nan)
    out = np.where(np.isin(num, list(RESPONSE_TYPES)), num, by_word)
    return out.astype(float)


def finished_flags(s: pd.Series) -> np.ndarray:
    """1.0 for a finished response, 0.0 for an unfinished one, NaN when blank or unclear."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan)
    text = s.astype("string").str.strip().str.lower()
    out = np.full(len(s), np.nan)
    out[text.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = 1.0
    out[text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = 0.0
    return out

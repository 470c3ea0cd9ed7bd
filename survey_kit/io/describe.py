"""What a data file says about each of its columns, for drafting a questionnaire.

:func:`file_facts` reads a response file with the readers of this package
(:func:`~survey_kit.io.formats.read_raw`) and gathers, per column, what the
drafting modules of :mod:`survey_kit.instrument.infer` need: label, value
labels, user-missing codes and ranges, measurement level, how the values are
stored, the distinct values, blanks and uniqueness, and the Qualtrics ImportId.
It looks at each column once, vectorised.

Example
-------
>>> facts = file_facts("sample_data/japan_creators_2024_raw.csv")
>>> facts.format, facts.columns[0].name, facts.columns[0].unique
('csv', 'respondent_id', False)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from ..instrument.infer.facts import MAX_VALUES, ColumnFacts, FileFacts
from .cells import numeric
from .formats import read_raw
from .raw import RawTable, as_text

__all__ = ["file_facts", "raw_facts"]


def file_facts(path: str | os.PathLike, format: str | None = None, *,
               encoding: str | None = None, sheet: str | int | None = None) -> FileFacts:
    """The :class:`~survey_kit.instrument.infer.facts.FileFacts` of a response file.

    Raises
    ------
    DataError
        The file cannot be read (as :func:`~survey_kit.io.formats.read_raw`).
    """
    return raw_facts(read_raw(path, format, encoding=encoding, sheet=sheet))


def raw_facts(raw: RawTable) -> FileFacts:
    """The facts of a raw table as read."""
    meta = raw.file_meta
    cols = tuple(_column(raw, str(c), raw.frame[c], meta) for c in raw.frame.columns)
    return FileFacts(raw.file.name, raw.format, cols, file_label=meta.get("file_label"),
                     mr_sets=dict(meta.get("mr_sets") or {}),
                     legacy_qualtrics=bool(meta.get("legacy_qualtrics")))


def _column(raw: RawTable, name: str, s: pd.Series, meta: dict[str, Any]) -> ColumnFacts:
    kind, values, blank = _values(s)
    distinct = pd.unique(values)
    shown = tuple(sorted(distinct.tolist())[:MAX_VALUES + 1]) if kind != "datetime" else ()
    labels = raw.value_labels.get(name) or {}
    return ColumnFacts(
        name=name, label=raw.question_text.get(name),
        value_labels={(k.strip() if isinstance(k, str) else float(k)): str(v)
                      for k, v in labels.items()},
        missing=tuple((m.strip() if isinstance(m, str) else float(m))
                      for m in (meta.get("missing") or {}).get(name, [])),
        missing_ranges=tuple((float(lo), float(hi)) for lo, hi in
                             (meta.get("missing_ranges") or {}).get(name, [])
                             if not isinstance(lo, str)),
        measure=(meta.get("measure") or {}).get(name), kind=kind, values=shown,
        n=len(s), n_blank=int(blank), unique=len(distinct) == len(values) and len(values) > 0,
        n_distinct=len(distinct),
        import_id=raw.import_ids.get(name))


def _values(s: pd.Series) -> tuple[str, np.ndarray, int]:
    """How a column is stored (number, text, datetime), its non-blank values, its blanks."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.infer_dtype(
            s, skipna=True) in ("date", "datetime", "datetime64", "time"):
        ok = s.notna().to_numpy()
        return "datetime", s[ok].astype(str).to_numpy(dtype=object), int((~ok).sum())
    num = numeric(s)
    if not num.bad.any():
        return "number", num.values[~num.blank], int(num.blank.sum())
    text = as_text(s, strip=True)
    ok = text.notna().to_numpy()
    return "text", text[ok].to_numpy(dtype=object), int((~ok).sum())

"""Resolving the variables of a banner table: questionnaire, names, kinds, levels and codes.

The questionnaire gives labels and level order (levels it does not list come
after, with a warning); without one, a column's categories or its sorted
values. A categorical variable becomes a :class:`Var`: integer codes per
respondent (-1 for missing) over its levels in display order.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"size": ["small", "large", None, "small"]})
>>> var = categorical(frame, "size", None, "en", [], "row")
>>> var.levels, var.codes.tolist()
(['large', 'small'], [1, 0, -1, 1])
>>> variable_kind(pd.DataFrame({"x": [0.0, 1.0, 1.0]}), "x", None)
'binary'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CrosstabError, UsageError
from ..instrument.questionnaire import Questionnaire, load_questionnaire

__all__ = ["Var", "as_list", "categorical", "codes_for", "find_questionnaire", "observed_levels",
           "question_label", "resolve_questionnaire", "unknown_variable", "valid_names",
           "variable_kind"]


@dataclass
class Var:
    """A categorical variable resolved to integer codes."""

    name: str
    label: str
    codes: np.ndarray          # intp, -1 = missing
    levels: list               # keys, in display order
    labels: list



def resolve_questionnaire(questionnaire: Any, frame: pd.DataFrame, warnings: list[str]):
    """The questionnaire to label the table with: the one given (object or YAML path), else
    the one the data name (:func:`find_questionnaire`), else None."""
    if isinstance(questionnaire, (str, Path)):
        return load_questionnaire(questionnaire)
    if questionnaire is None:
        return find_questionnaire(frame, warnings)
    if not isinstance(questionnaire, Questionnaire):
        raise UsageError("questionnaire must be a Questionnaire (survey_kit.load_questionnaire)"
                         f" or the path of its YAML file; got {type(questionnaire).__name__}")
    return questionnaire


def find_questionnaire(frame: pd.DataFrame, warnings: list[str]):
    """The questionnaire named by ``frame.attrs``, if it can be found; else None."""
    attr = frame.attrs.get("questionnaire")
    if attr is None or attr == "":
        return None
    if isinstance(attr, Questionnaire):
        return attr
    if not isinstance(attr, (str, Path)):
        return None
    cands = []
    p = Path(attr)
    if p.suffix.lower() in (".yaml", ".yml"):
        cands.append(p)
    else:
        cands.append(Path("questionnaires") / f"{attr}.yaml")
        src = frame.attrs.get("source")
        if isinstance(src, (str, Path)):
            base = Path(src).resolve().parent
            cands += [base / "questionnaires" / f"{attr}.yaml",
                      base.parent / "questionnaires" / f"{attr}.yaml"]
    for c in cands:
        if c.is_file():
            return load_questionnaire(c)
    warnings.append(f"the data name questionnaire {str(attr)!r} but its YAML was not found; "
                    "labels and level order fall back to the data (pass questionnaire=)")
    return None


def as_list(spec: Any, what: str) -> list[str]:
    """A variable name or a list of names, as a list (else UsageError)."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, (list, tuple)) and spec and all(isinstance(s, str) for s in spec):
        return list(spec)
    raise UsageError(f"{what} must be a variable name or a list of names; got {spec!r}")


def valid_names(frame: pd.DataFrame, q) -> list[str]:
    """The names a user may give: data columns (not helpers) and multi/grid question ids."""
    names = [str(c) for c in frame.columns if not str(c).endswith("__missing")
             and not str(c).startswith("_")]
    if q is not None:
        for qu in q.questions:
            if qu.type in ("multi", "grid") and qu.id not in names:
                names.append(qu.id)
    return names


def unknown_variable(name: str, role: str, frame: pd.DataFrame, q) -> CrosstabError:
    """The error for an unknown variable, listing the valid names."""
    valid = valid_names(frame, q)
    return CrosstabError(f"unknown {role} variable {name!r}; valid names are: "
                         f"{', '.join(valid)}", column=name)


def codes_for(series: pd.Series, levels: list) -> np.ndarray:
    """Codes of ``series`` over ``levels`` (-1 for missing)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = list(series.cat.categories)
        table = np.append(pd.Index(levels, dtype=object).get_indexer(
            pd.Index(cats, dtype=object)), -1).astype(np.intp)
        cc = np.asarray(series.cat.codes, dtype=np.intp)
        return table[np.where(cc >= 0, cc, len(cats))]
    vals = series.to_numpy(dtype=object)
    out = pd.Index(levels, dtype=object).get_indexer(vals).astype(np.intp)
    out[pd.isna(vals)] = -1
    return out


def observed_levels(series: pd.Series) -> list:
    """Levels of a column without questionnaire: categories, else sorted observed values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    if series.dtype == bool:
        return [False, True]
    vals = pd.unique(series.dropna())
    try:
        return sorted(vals.tolist())
    except TypeError:
        return list(vals)


def categorical(frame: pd.DataFrame, name: str, q, lang: str, warnings: list[str],
                 role: str) -> Var:
    """Resolve a categorical column: questionnaire levels first, then any others seen."""
    series = frame[name]
    if q is not None and q.has_variable(name) and q.variable(name).levels:
        levels = list(q.levels(name))
        labels = [q.label(name, lv, lang) for lv in levels]
        extra = [lv for lv in observed_levels(series) if lv not in levels]
        if isinstance(series.dtype, pd.CategoricalDtype):
            used = set(pd.unique(series.dropna()).tolist())
            extra = [lv for lv in extra if lv in used]
        if extra:
            warnings.append(f"{name!r} has level(s) {extra} that the questionnaire does not "
                            "list; shown after its levels")
        levels += extra
        labels += [str(x) for x in extra]
        label = q.label(name, None, lang)
    elif q is not None and q.has_variable(name) and q.variable(name).kind == "binary":
        levels = [0.0, 1.0]
        sel = {"en": ("Not selected", "Selected"), "ja": ("選択なし", "選択")}[lang]
        labels = list(sel)
        label = q.label(name, None, lang)
    else:
        levels = observed_levels(series)
        labels = [str(x) for x in levels]
        label = str(name)
    codes = codes_for(series, levels)
    return Var(name, label, codes, levels, labels)


def variable_kind(frame: pd.DataFrame, name: str, q) -> str:
    """categorical, binary, numeric or text."""
    if q is not None and q.has_variable(name):
        k = q.variable(name).kind
        if k in ("categorical", "ordinal"):
            return "categorical"
        if k in ("binary", "numeric", "text"):
            return k
    s = frame[name]
    if isinstance(s.dtype, pd.CategoricalDtype):
        return "categorical"
    if s.dtype == bool or str(s.dtype) == "boolean":
        return "binary"
    if pd.api.types.is_numeric_dtype(s.dtype):
        vals = pd.unique(s.dropna())
        if len(vals) and np.isin(np.asarray(vals, dtype=float), (0.0, 1.0)).all():
            return "binary"                  # a 0/1 indicator: share of 1s, not a mean
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "text"
    return "categorical"


def question_label(q, qid: str, lang: str) -> str:
    """The short label of question ``qid`` in ``lang`` (its text if none)."""
    qu = q.question(qid)
    if lang == "ja":
        return qu.short_ja or qu.text_ja or qu.short or qu.text
    return qu.short or qu.text

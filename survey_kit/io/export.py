"""The labelled frame back in the export layout: export columns and the instrument's codes.

:func:`to_export` is the inverse of reading: option keys become codes again,
reasons in ``<var>__missing`` become their missing codes, multi options go
back to 0/1 columns, derived band variables are dropped and the original ids
(``_raw_id``) come back. ``read_responses(write(to_export(f)))`` gives ``f``
back for every format :func:`~survey_kit.io.write.write_responses` writes.

Example
-------
>>> import pandas as pd
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> q = load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> codes_of(pd.Series(["digital_services", None, "manufacturing"]), q.question("sector"),
...          "sector").tolist()
[3.0, nan, 1.0]
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, UsageError
from ..instrument.questionnaire import Questionnaire, as_questionnaire
from ..instrument.schema import Question
from .frame import INDEX_NAME, MISSING_SUFFIX, RAW_ID
from .raw import TEXT_DTYPE, as_text

__all__ = ["codes_of", "to_export"]


def to_export(frame: pd.DataFrame, questionnaire: Questionnaire | str | os.PathLike, *,
              bands: bool = False) -> pd.DataFrame:
    """Turn a labelled frame back into the raw export layout: export columns and codes.

    The respondent id becomes the first column (the original ids from ``_raw_id`` when
    present), every question goes back to its export column(s) with the instrument's codes,
    missing reasons in ``<var>__missing`` become their missing codes again, derived band
    variables are dropped and columns unknown to the instrument are kept at the end.

    Parameters
    ----------
    frame : DataFrame
        A labelled frame as returned by :func:`~survey_kit.io.read.read_responses`.
    questionnaire : Questionnaire or path
    bands : bool
        Also keep each band variable of the questionnaire (a class of a numeric answer,
        such as firm size from the employee count), right after its question's column, as
        the categorical of band keys it is in the frame (the SPSS and Stata writers store
        it as codes 1..k labelled with the bands' labels). Data for analysis carry them;
        a file to be read again with the questionnaire does not need them (reading
        computes them again).

    Returns
    -------
    DataFrame with a RangeIndex; code columns are ``Int64`` (nullable integers).

    Raises
    ------
    DataError
        The frame lacks a variable of the questionnaire, holds a value that is not an
        option key, or an extra column has the name of an export column.

    Example
    -------
    >>> from survey_kit.io.read import read_responses
    >>> q = "questionnaires/japan_creators_2024.yaml"
    >>> frame = read_responses("sample_data/japan_creators_2024_raw.csv", q,
    ...                        duplicate_ids="keep")
    >>> raw = to_export(frame, q)
    >>> raw.columns[:4].tolist(), str(raw["Q1"].dtype)
    (['respondent_id', 'duration_sec', 'device_type', 'device_fingerprint'], 'Int64')

    Notes
    -----
    ``read_responses(write(to_export(f)))`` gives ``f`` back for every format written by
    :func:`~survey_kit.io.write.write_responses` (open answers that begin like a formula
    come back from CSV and XLSX with the leading apostrophe the writer adds).
    The frame returned is data, not a file: text is not escaped here; the CSV and XLSX
    writers escape formula-leading text when they write it.
    """
    q = as_questionnaire(questionnaire)
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"to_export needs a DataFrame, not {type(frame).__name__}")
    need = [v for v, info in q.variables.items() if info.column is not None]
    lacking = [v for v in need if v not in frame.columns]
    if lacking:
        raise DataError(f"the frame lacks {len(lacking)} variable(s) of the questionnaire: "
                        f"{', '.join(map(repr, lacking[:12]))}{' ...' if len(lacking) > 12 else ''}"
                        "; pass the labelled frame returned by read_responses",
                        column=lacking[0])
    if RAW_ID in frame.columns:
        ids = as_text(frame[RAW_ID], strip=True)
    else:
        ids = as_text(pd.Series(frame.index.astype(str), index=frame.index), strip=True)
    id_col = q.survey.respondent_id or INDEX_NAME
    out: dict[str, Any] = {id_col: pd.Series(ids.to_numpy(), dtype=TEXT_DTYPE)}
    for qq in q.questions:
        _encode_question(frame, qq, out)
        if bands and qq.bands is not None and qq.bands.id in frame.columns:
            out[qq.bands.id] = frame[qq.bands.id].reset_index(drop=True)
    known = _known_names(q)
    for c in frame.columns:
        if c in known:
            continue
        if c in out:
            raise DataError(f"column {c!r} of the frame has the name of an export column of the "
                            "questionnaire; rename it before writing", column=c)
        out[c] = frame[c].reset_index(drop=True)
    return pd.DataFrame({k: (v.array if isinstance(v, pd.Series) else v)
                         for k, v in out.items()})


def _encode_question(frame: pd.DataFrame, qq: Question, out: dict[str, Any]) -> None:
    """Add the export column(s) of question ``qq`` to ``out``."""
    if qq.type in ("single", "likert", "grid"):
        items = ([(qq.id, qq.column)] if qq.type != "grid" else
                 [(it.id, it.column) for it in qq.items])
        for var, col in items:
            if has_text_codes(qq):
                out[col] = _text_codes_of(frame, var, qq)
                continue
            vals = codes_of(frame[var], qq, var)
            out[col] = _int_if_whole(_missing_codes_of(frame, var, qq, vals))
    elif qq.type == "multi":
        _encode_multi(frame, qq, out)
    elif qq.type == "numeric":
        vals = _missing_codes_of(frame, qq.id, qq, _float_col(frame, qq.id))
        out[qq.column] = _int_if_whole(vals)
    elif qq.type == "meta" and qq.role == "duration":
        out[qq.column] = _int_if_whole(_float_col(frame, qq.id))
    elif qq.type == "meta" and qq.role in ("start_time", "end_time"):
        s = frame[qq.id]
        out[qq.column] = (s.reset_index(drop=True) if pd.api.types.is_datetime64_any_dtype(
            s.dtype) else as_text(s).reset_index(drop=True))
    else:
        out[qq.column] = pd.Series(as_text(frame[qq.id]).to_numpy(), dtype=TEXT_DTYPE)


def _encode_multi(frame: pd.DataFrame, qq: Question, out: dict[str, Any]) -> None:
    """0/1 per option; a missing reason puts its code in every option's column."""
    reason = None
    name = qq.id + MISSING_SUFFIX
    if qq.missing and name in frame.columns:
        r = frame[name].astype(object).where(frame[name].notna(), None)
        reason = r.map({m.key: float(m.code) for m in qq.missing}).to_numpy(
            dtype=float, na_value=np.nan)
    for o in qq.options:
        vals = _float_col(frame, f"{qq.id}_{o.key}")
        if reason is not None:
            vals = np.where(~np.isnan(reason), reason, vals)
        out[o.column] = _int_if_whole(vals)


def has_text_codes(q: Question) -> bool:
    """Whether an option or missing code of ``q`` is a text (``UKC``) rather than a number."""
    return any(isinstance(e.code, str) for e in [*q.options, *q.missing])


def _text_codes_of(frame: pd.DataFrame, var: str, q: Question) -> pd.Series:
    """Option keys and missing reasons of ``var`` as the question's codes, written as text
    (the question has text codes, so its column is a text column)."""
    s = frame[var].astype(object).where(frame[var].notna(), None)
    by_key = {o.key: str(o.code) for o in q.options}
    vals = s.map(by_key)
    bad = s.notna() & vals.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{int(bad.sum())} value(s) of variable {var!r} are not option keys of "
                        f"question {q.id!r} (valid keys: {', '.join(by_key)}); recode them "
                        "to the questionnaire's keys", column=var, row=str(s.index[i]),
                        value=s.iloc[i])
    name = var + MISSING_SUFFIX
    if q.missing and name in frame.columns:
        reasons = frame[name].astype(object).where(frame[name].notna(), None)
        vals = vals.where(reasons.isna(), reasons.map({m.key: str(m.code) for m in q.missing}))
    return pd.Series(vals.to_numpy(dtype=object), dtype=TEXT_DTYPE)


def codes_of(s: pd.Series, q: Question, var: str) -> np.ndarray:
    """Option keys of variable ``var`` as the question's codes (NaN where blank)."""
    code_by_key = {o.key: float(o.code) for o in q.options}
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in s.cat.categories]
        lut = np.array([code_by_key.get(c, np.nan) for c in cats] + [np.nan])
        codes = s.cat.codes.to_numpy()
        unknown_cats = [c for c in cats if c not in code_by_key]
        vals = lut[np.where(codes < 0, len(cats), codes)]
        bad = np.isin(codes, [cats.index(c) for c in unknown_cats]) if unknown_cats else None
    else:
        keys = s.astype(object).where(s.notna(), None)
        vals = keys.map(code_by_key).to_numpy(dtype=float, na_value=np.nan)
        bad = (s.notna().to_numpy() & np.isnan(vals))
    if bad is not None and bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{int(bad.sum())} value(s) of variable {var!r} are not option keys of "
                        f"question {q.id!r} (valid keys: {', '.join(code_by_key)}); recode them "
                        "to the questionnaire's keys", column=var, row=str(s.index[i]),
                        value=s.iloc[i])
    return vals


def _missing_codes_of(frame: pd.DataFrame, var: str, q: Question, vals: np.ndarray
                      ) -> np.ndarray:
    """``vals`` with the missing codes of the reasons in ``<var>__missing`` filled in."""
    name = var + MISSING_SUFFIX
    if not q.missing or name not in frame.columns:
        return vals
    reasons = frame[name].astype(object).where(frame[name].notna(), None)
    code_by_key = {m.key: float(m.code) for m in q.missing}
    mc = reasons.map(code_by_key).to_numpy(dtype=float, na_value=np.nan)
    given = reasons.notna().to_numpy()
    bad = given & np.isnan(mc)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{int(bad.sum())} value(s) of {name!r} are not missing-code keys of "
                        f"question {q.id!r} (valid: {', '.join(code_by_key)})", column=name,
                        row=str(frame.index[i]), value=reasons.iloc[i])
    both = given & ~np.isnan(vals)
    if both.any():
        i = int(np.flatnonzero(both)[0])
        raise DataError(f"{int(both.sum())} row(s) hold both an answer in {var!r} and a missing "
                        f"reason in {name!r}; clear one of them", column=name,
                        row=str(frame.index[i]), value=reasons.iloc[i])
    return np.where(given, mc, vals)


def _int_if_whole(vals: np.ndarray) -> pd.Series:
    """Codes as nullable integers (so CSV shows 3, not 3.0); floats if any is fractional."""
    ok = ~np.isnan(vals)
    if (np.mod(vals[ok], 1) == 0).all() and (np.abs(vals[ok]) < 2**53).all():
        return pd.Series(vals).astype("Int64")
    return pd.Series(vals, dtype=float)


def _float_col(frame: pd.DataFrame, var: str) -> np.ndarray:
    s = frame[var]
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan)
    raise DataError(f"variable {var!r} must be numeric (it is {s.dtype}); pass the frame "
                    "returned by read_responses", column=var)


def _known_names(q: Questionnaire) -> set[str]:
    """Names of the labelled frame that come from the questionnaire (not extra columns)."""
    names = set(q.variables) | {RAW_ID}
    for qq in q.questions:
        if qq.missing:
            items = [it.id for it in qq.items] if qq.type == "grid" else [qq.id]
            names.update(v + MISSING_SUFFIX for v in items)
    return names

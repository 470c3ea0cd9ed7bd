"""Raw cells to values, a whole column at a time (vectorised; no loop over respondents).

Numbers are parsed after NFKC normalisation (full-width digits) and with
thousands separators; codes are found with a sorted lookup (``np.searchsorted``)
and categoricals built with ``pd.Categorical.from_codes``, so 100,000 rows x 60
columns read in about a second. Dates accept ISO 8601 and the common panel
layouts; durations accept seconds or ``HH:MM:SS``.

Example
-------
>>> import pandas as pd
>>> num = numeric(pd.Series(["１２", "1,234", "many", " "]))
>>> num.values.tolist(), num.blank.tolist(), num.bad.tolist()
([12.0, 1234.0, nan, nan], [False, False, False, True], [False, False, True, False])
>>> lookup(num.values, [1234.0, 12.0]).tolist()
[1, 0, -1, -1]
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..instrument.schema import MissingCode, Option, Question
from .problems import Problems
from .raw import TEXT_DTYPE, as_text

__all__ = ["Num", "bands", "categorical", "code_numbers", "datetimes", "durations",
           "extra_column", "lookup", "match_text", "norm", "numeric", "text_cells", "text_map",
           "texts_of"]

_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"


@dataclass
class Num:
    """A raw column as numbers, with where it was blank and where it was not a number."""

    values: np.ndarray    # float64, NaN where blank or not a number
    blank: np.ndarray     # bool: empty cell
    bad: np.ndarray       # bool: non-blank but not a number
    text: pd.Series       # normalised text of the bad cells (by position)


def numeric(s: pd.Series) -> Num:
    """Numbers of a raw column; text cells are NFKC-normalised (full-width digits) first."""
    n = len(s)
    empty_text = pd.Series([], dtype=object)
    if pd.api.types.is_bool_dtype(s.dtype):
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        return Num(vals, np.isnan(vals), np.zeros(n, bool), empty_text)
    if pd.api.types.is_numeric_dtype(s.dtype):
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(vals)
        bad = np.isinf(vals)
        return Num(np.where(bad, np.nan, vals), blank, bad, s[bad].astype(str).reset_index(
            drop=True).set_axis(np.flatnonzero(bad)))
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        blank = s.isna().to_numpy()
        text = s[~blank].astype(str)
        text.index = np.flatnonzero(~blank)
        return Num(np.full(n, np.nan), blank, ~blank, text)
    notnull = s.notna().to_numpy()
    try:
        vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan,
                                                          copy=True)
    except (TypeError, ValueError):
        vals = np.full(n, np.nan)
    vals = np.where(np.isinf(vals), np.nan, vals)
    rest = np.flatnonzero(notnull & np.isnan(vals))
    blank = ~notnull
    bad = np.zeros(n, bool)
    text = empty_text
    if len(rest):
        t = s.iloc[rest].astype(str).str.normalize("NFKC").str.strip()
        t.index = rest
        is_blank = (t == "").to_numpy(dtype=bool)
        blank[rest[is_blank]] = True
        t = t[~is_blank]
        if len(t):
            cleaned = t.where(~t.str.match(_THOUSANDS), t.str.replace(",", "", regex=False))
            v2 = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan,
                                                                   copy=True)
            v2[np.isinf(v2)] = np.nan
            pos = t.index.to_numpy()
            vals[pos] = v2
            still = np.isnan(v2)
            bad[pos[still]] = True
            text = t[still]
    return Num(vals, blank, bad, text)


def lookup(values: np.ndarray, codes: list[float]) -> np.ndarray:
    """Position of each value in ``codes`` (-1 when absent), by binary search."""
    if not codes or np.isnan(np.asarray(codes, dtype=float)).all():
        return np.full(len(values), -1, dtype=np.int64)
    arr = np.asarray(codes, dtype=float)
    order = np.argsort(arr, kind="stable")
    srt = arr[order]
    i = np.clip(np.searchsorted(srt, values), 0, len(srt) - 1)
    hit = srt[i] == values
    return np.where(hit, order[i], -1).astype(np.int64)


def norm(text: str | None) -> str | None:
    """Text as compared with option keys and labels: NFKC, stripped, case-folded."""
    if text is None:
        return None
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def text_map(entries: list[tuple[int, list[str | None]]]) -> dict[str, int]:
    """Normalised key/label/label_ja -> position; the first claim of a text wins."""
    out: dict[str, int] = {}
    for pos, texts in entries:
        for t in texts:
            k = norm(t)
            if k and k not in out:
                out[k] = pos
    return out


def texts_of(entries: Sequence[Option | MissingCode]) -> dict[str, int]:
    """The :func:`text_map` of options or missing codes: text codes first (``UKC``), then
    key, label and Japanese label."""
    codes = [(j, [e.code]) for j, e in enumerate(entries) if isinstance(e.code, str)]
    return text_map(codes + [(j, [e.key, e.label, e.label_ja]) for j, e in enumerate(entries)])


def code_numbers(entries: Sequence[Option | MissingCode]) -> list[float]:
    """The codes of options or missing codes as numbers, NaN for a text code (which
    :func:`lookup` never matches: text codes are found by :func:`texts_of`)."""
    return [np.nan if isinstance(e.code, str) else float(e.code) for e in entries]


def text_cells(raw: pd.Series, where: np.ndarray) -> pd.Series:
    """Normalised text of the cells of ``raw`` at the positions ``where`` (by position),
    as :func:`numeric` gives for cells that are not numbers: for text codes that look
    like numbers (``"01"``)."""
    t = as_text(raw.iloc[where]).str.normalize("NFKC").str.strip()
    t.index = where
    return t[t.notna()]


def match_text(text: pd.Series, mapping: dict[str, int]) -> pd.Series:
    """Position of each text cell found in ``mapping`` (cells not found are left out)."""
    if not len(text) or not mapping:
        return pd.Series([], dtype=float)
    found = text.str.casefold().map(mapping)
    return found[found.notna()]


def categorical(pos: np.ndarray, keys: list[str], ordered: bool) -> pd.Categorical:
    """Option positions (-1 = NaN) as a categorical of the option keys."""
    return pd.Categorical.from_codes(pos, categories=pd.Index(keys, dtype=TEXT_DTYPE),
                                     ordered=ordered)


def bands(values: np.ndarray, q: Question) -> pd.Categorical:
    """The band of each value of a numeric question (NaN outside every band)."""
    levels = q.bands.levels
    lo = np.array([b.min for b in levels], dtype=float)
    hi = np.array([b.max for b in levels], dtype=float)
    i = np.searchsorted(lo, values, side="right") - 1
    ok = (i >= 0) & ~np.isnan(values)
    ic = np.clip(i, 0, len(levels) - 1)
    ok &= values <= hi[ic]
    return categorical(np.where(ok, ic, -1), [b.key for b in levels], True)


def datetimes(raw: pd.Series, column: str, probs: Problems, warnings: list[str]) -> pd.Series:
    """Dates and times of a raw column, naive (zoned times converted to UTC, with a warning)."""
    s = raw
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = s
    else:
        t = as_text(s, strip=True)
        out = None
        try:
            out = pd.to_datetime(t, errors="coerce", format="ISO8601")
        except (ValueError, TypeError):
            out = pd.to_datetime(t, errors="coerce", format="ISO8601", utc=True)
        rest = (t.notna() & out.isna()).to_numpy(dtype=bool, copy=True)
        if rest.any():
            out = out.copy()
            for fmt in ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%m/%d/%Y %H:%M:%S",
                        "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "mixed"):
                idx = np.flatnonzero(rest)
                got = pd.to_datetime(t.iloc[idx], errors="coerce", format=fmt)
                if getattr(got.dt, "tz", None) is not None:
                    got = got.dt.tz_convert("UTC").dt.tz_localize(None)
                if getattr(out.dt, "tz", None) is not None:
                    got = got.dt.tz_localize("UTC")
                okm = got.notna().to_numpy()
                out.iloc[idx[okm]] = got[okm].to_numpy()
                rest[idx[okm]] = False
                if not rest.any():
                    break
            probs.add(rest, column, raw, "value(s) that are not dates and times",
                      "write dates and times as YYYY-MM-DD HH:MM:SS (ISO 8601) or leave the "
                      "cell blank.")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
        warnings.append(f"column {column!r}: times carried a time zone; converted to UTC "
                        "without zone")
    return pd.Series(out.to_numpy().astype("datetime64[ns]"), index=raw.index)


def durations(raw: pd.Series, column: str, probs: Problems) -> np.ndarray:
    """Durations in seconds, from seconds, ``HH:MM:SS`` or ``MM:SS``."""
    num = numeric(raw)
    vals = num.values.copy()
    bad = num.bad.copy()
    if bad.any():
        idx = np.flatnonzero(bad)
        text = num.text.loc[idx]
        text = text.where(~text.str.match(r"^\d+:\d{1,2}$"), "0:" + text)   # MM:SS
        td = pd.to_timedelta(text, errors="coerce")
        okm = td.notna().to_numpy()
        vals[idx[okm]] = td[okm].dt.total_seconds().to_numpy()
        bad[idx[okm]] = False
        probs.add(bad, column, raw, "value(s) that are not a duration",
                  "write durations in seconds (e.g. 754) or as HH:MM:SS.")
    return vals


def extra_column(s: pd.Series) -> pd.Series:
    """An export column unknown to the instrument, with one type whatever the format."""
    if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
        return s.astype(bool)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        try:
            return s.astype("datetime64[ns]")
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            return s        # before 1677 or after 2262: nanoseconds cannot hold it, keep the unit
    if not pd.api.types.is_numeric_dtype(s.dtype):
        probe = s.dropna().head(64)
        if len(probe) and pd.to_numeric(probe, errors="coerce").isna().any():
            return as_text(s)          # clearly text: skip the number parse
    num = numeric(s)
    if num.bad.any():
        return as_text(s)
    vals = num.values
    if np.isnan(vals).any() or not len(vals):
        return pd.Series(vals, index=s.index, dtype=float)
    if (np.mod(vals, 1) == 0).all() and (np.abs(vals) < 2**53).all():
        return pd.Series(vals.astype(np.int64), index=s.index)
    return pd.Series(vals, index=s.index, dtype=float)

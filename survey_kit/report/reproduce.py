"""Published vs reproduced: each figure quoted in a publication, recomputed from the data.

A quoted figure is declared in the report spec (``quoted:`` in
``<questionnaire>.report.yaml``, see :class:`survey_kit.report.spec_models.QuotedSpec`):
the published value, how the text states it (``=``, ``>``, ``<``) and what
computes it -- the share of some levels of a variable, optionally within a
domain, or the modal level of a variable. :func:`reproduce` computes each
one unweighted and weighted, with its design-based 95% confidence interval,
and says whether the published value is consistent with the data.

Example
-------
The verdict for a figure stated as "x%" is whether x lies in the closed
95% interval; for "over x%" whether the interval reaches above x:

>>> consistent(50.0, "=", ci_low=42.0, ci_high=58.0)
True
>>> consistent(58.0, "=", ci_low=42.0, ci_high=58.0)     # on a bound counts as inside
True
>>> consistent(58.1, "=", ci_low=42.0, ci_high=58.0)
False
>>> consistent(60.0, ">", ci_low=42.0, ci_high=58.0)     # "over 60%" and the CI ends at 58
False
>>> verdict_text(True, "ja"), verdict_text(False, "en"), verdict_text(None, "en")
('はい', 'no', '')

Notes
-----
A share is the mean of an indicator :math:`y_i = 1[x_i \\in L]` (NaN for a
missing answer unless ``base: all``, then 0). Within a domain it is a
domain estimate on the full design (respondents outside the domain keep
their place in the variance; Lumley 2010, sec. 2.3), as R's
``svyby(~y, ~domain, design, svymean)``. Intervals are R's ``svyciprop``
logit intervals on the design degrees of freedom. Consistency: for ``=``
the published value lies in the 95% CI of the estimate the publication
describes (``basis``); for ``>`` (``<``) the CI reaches above (below) it;
for a mode, the modal level is the published one (see :func:`consistent`).

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for
proportions with small expected number of positive counts estimated from
survey data. Survey Methodology 24, 193-201.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReportError
from ..instrument.labels import word

__all__ = ["COLUMNS", "consistent", "indicator", "reproduce", "reproduced_table",
           "verdict_text"]

#: columns of the frame returned by :func:`reproduce`
COLUMNS = ["id", "figure", "statement", "published", "published_value", "relation", "basis",
           "level", "unweighted", "ci_low_unweighted", "ci_high_unweighted", "n_unweighted",
           "weighted", "ci_low_weighted", "ci_high_weighted", "n_weighted",
           "ci_low", "ci_high", "se", "n", "consistent", "note"]

#: tolerance (percentage points) of the bounds of the closed interval, for rounding
_TOL = 1e-9

#: how the verdict reads: language -> (consistent, not consistent)
_VERDICT = {"en": ("yes", "no"), "ja": ("はい", "いいえ")}


def _match(series: pd.Series, levels: Sequence[Any]) -> np.ndarray:
    """True where ``series`` is one of ``levels`` (keys compared as text and as numbers)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not isinstance(series.dtype,
                                                                       pd.CategoricalDtype):
        nums = pd.to_numeric(pd.Series(list(levels), dtype=object), errors="coerce")
        return series.isin(nums.dropna().tolist()).to_numpy()
    text = {str(v) for v in levels}
    return series.astype(object).map(lambda v: str(v) in text if pd.notna(v) else False
                                     ).to_numpy(dtype=bool)


def indicator(frame: pd.DataFrame, variable: str, levels: Sequence[Any],
              base: str = "answered") -> np.ndarray:
    """1.0 where ``variable`` is one of ``levels``, 0.0 elsewhere, NaN where missing.

    With ``base="all"`` a missing answer counts as 0 (it stays in the denominator).
    """
    if variable not in frame.columns:
        raise ReportError(f"the data have no variable {variable!r}", column=variable)
    s = frame[variable]
    hit = _match(s, levels).astype(float)
    if base == "all":
        return hit
    return np.where(s.isna().to_numpy(), np.nan, hit)


def _domain(frame: pd.DataFrame, spec: Any) -> np.ndarray | None:
    if spec is None:
        return None
    return indicator(frame, spec.variable, spec.levels)


def _estimate(design: Any, y: np.ndarray, dom: np.ndarray | None) -> tuple:
    """(estimate, se, ci_low, ci_high, n) of the mean of a 0/1 indicator, in percent."""
    if np.all(np.isnan(y) if dom is None else (np.isnan(y) | (dom != 1))):
        return (np.nan,) * 4 + (0,)
    if dom is None:
        e = design.proportion(y)
        return 100 * e.estimate, 100 * e.se, 100 * e.ci_low, 100 * e.ci_high, int(e.n)
    tab = design.by(y, dom, stat="proportion")
    if 1.0 not in tab.index:
        return (np.nan,) * 4 + (0,)
    r = tab.loc[1.0]
    return (100 * r["estimate"], 100 * r["se"], 100 * r["ci_low"], 100 * r["ci_high"],
            int(r["n"]))


def consistent(published: float, relation: str, ci_low: float, ci_high: float) -> bool | None:
    """Is a published share consistent with the 95% CI of the data?

    Parameters
    ----------
    published : float
        The published value, in percent.
    relation : {"=", ">", "<"}
        How the publication states it: "x%", "over x%", "under x%".
    ci_low, ci_high : float
        The 95% confidence interval of the estimate, in percent.

    Returns
    -------
    bool or None
        ``"="``: ``ci_low <= published <= ci_high`` -- a closed interval, so
        a value exactly on a bound is consistent (bounds widened by 1e-9
        points for rounding). ``">"``: ``ci_high > published`` (the CI reaches
        above it; touching it is not enough). ``"<"``: ``ci_low < published``.
        None when a bound is not finite (no estimate): no verdict.
    """
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return None
    if relation == ">":
        return bool(ci_high > published)
    if relation == "<":
        return bool(ci_low < published)
    return bool(ci_low - _TOL <= published <= ci_high + _TOL)


def verdict_text(verdict: bool | None, lang: str = "en") -> str:
    """The verdict as the appendix prints it: yes / no (はい / いいえ), blank for None."""
    yes, no = _VERDICT.get(lang, _VERDICT["en"])
    return "" if verdict is None else yes if verdict else no


def reproduce(quoted: Sequence[Any], design: Any, unweighted: Any, instrument: Any,
              lang: str = "en") -> pd.DataFrame:
    """Recompute every quoted figure: unweighted, weighted, CI, and consistency.

    Parameters
    ----------
    quoted : sequence of QuotedSpec
        From the report spec.
    design : SurveyDesign
        The weighted (calibrated) design.
    unweighted : SurveyDesign
        The same respondents with equal weights.
    instrument : Questionnaire
        For level labels (with the spec's derived variables).
    lang : {"en", "ja"}

    Returns
    -------
    pandas.DataFrame
        One row per quoted figure with :data:`COLUMNS`: estimates in
        percent; ``ci_low``, ``ci_high``, ``se`` and ``n`` belong to the
        ``basis`` estimate (weighted unless the figure describes the raw
        sample); ``level`` is the modal level found for a mode;
        ``consistent`` is the verdict of :func:`consistent` (for a mode:
        whether the modal level of the basis estimate is the published one).
    """
    rows = []
    for x in quoted:
        dom = _domain(design.frame, x.domain)
        text = x.text_ja if lang == "ja" and x.text_ja else x.text
        make = _mode_row if x.statistic == "mode" else _share_row
        rows.append({"id": x.id, "figure": x.figure, "statement": text,
                     **make(x, design, unweighted, instrument, dom, lang)})
    return pd.DataFrame(rows, columns=COLUMNS)


def _mode_row(x: Any, design: Any, unweighted: Any, instrument: Any, dom: np.ndarray | None,
              lang: str) -> dict[str, Any]:
    """The modal level of ``x.variable``, unweighted and weighted, and its share."""
    frame = design.frame
    levels = instrument.levels(x.variable)
    res = {}
    for which, d in (("unweighted", unweighted), ("weighted", design)):
        best = None
        for lv in levels:
            est = _estimate(d, indicator(frame, x.variable, [lv], x.base), dom)
            if np.isfinite(est[0]) and (best is None or est[0] > best[1][0]):
                best = (lv, est)
        res[which] = best
    if res["weighted"] is None:
        raise ReportError(f"quoted figure {x.id!r}: no answers to {x.variable!r}",
                          column=x.variable)
    lv, (est, se, lo, hi, n) = res[x.basis]
    found = {k: instrument.label(x.variable, v[0], lang) if v else "" for k, v in res.items()}
    each = {k: (v[1] if v else (np.nan,) * 4 + (0,)) for k, v in res.items()}
    pub_label = instrument.label(x.variable, str(x.published), lang)
    mode_word = "（最頻値）" if lang == "ja" else " (modal band)"
    return {
        "published": f"{pub_label}{mode_word}", "published_value": np.nan,
        "relation": "mode", "basis": x.basis, "level": found[x.basis],
        **_both(each["unweighted"], each["weighted"]),
        "ci_low": lo, "ci_high": hi, "se": se, "n": n,
        "consistent": str(lv) == str(x.published),
        "note": word(lang, "modal_note").format(w=found["weighted"], u=found["unweighted"]),
    }


def _share_row(x: Any, design: Any, unweighted: Any, instrument: Any, dom: np.ndarray | None,
               lang: str) -> dict[str, Any]:
    """The share of ``x.levels`` of ``x.variable``, unweighted and weighted, with the verdict."""
    y = indicator(design.frame, x.variable, x.levels, x.base)
    for c in getattr(x, "also", ()):       # a joint claim: every condition at once
        y = y * indicator(design.frame, c.variable, c.levels, x.base)
    est_u = _estimate(unweighted, y, dom)
    est_w = _estimate(design, y, dom)
    est, se, lo, hi, n = est_w if x.basis == "weighted" else est_u
    pub = float(x.published)
    return {
        "published": _published_text(pub, x.relation, lang), "published_value": pub,
        "relation": x.relation, "basis": x.basis, "level": "",
        **_both(est_u, est_w), "ci_low": lo, "ci_high": hi,
        "se": se, "n": n, "consistent": consistent(pub, x.relation, lo, hi),
        "note": _share_note(x, instrument, lang),
    }


def _both(est_u: tuple, est_w: tuple) -> dict[str, Any]:
    """Each estimate with its own interval and n: the unweighted CI beside the unweighted
    estimate, the weighted CI beside the weighted one."""
    return {"unweighted": est_u[0], "ci_low_unweighted": est_u[2],
            "ci_high_unweighted": est_u[3], "n_unweighted": est_u[4],
            "weighted": est_w[0], "ci_low_weighted": est_w[2], "ci_high_weighted": est_w[3],
            "n_weighted": est_w[4]}


def _published_text(pub: float, relation: str, lang: str) -> str:
    """"over 50%" / "50％超"."""
    if lang == "ja":
        return f"{pub:g}％" + {"=": "", ">": "超", "<": "未満"}[relation]
    return {"=": "", ">": "over ", "<": "under "}[relation] + f"{pub:g}%"


def _share_note(x: Any, instrument: Any, lang: str) -> str:
    """What the share counts: "Variable: levels | Domain variable: levels | base"."""
    info = instrument.variable(x.variable)
    if info.kind == "binary":
        lv_labels = "選択" if lang == "ja" else "selected"
    else:
        lv_labels = ", ".join(instrument.label(x.variable, str(v), lang)
                              if info.levels else str(v) for v in x.levels)
    note = f"{instrument.label(x.variable, None, lang)}: {lv_labels}"
    for c in getattr(x, "also", ()):
        cl = ", ".join(instrument.label(c.variable, str(v), lang) for v in c.levels)
        joint = "かつ" if lang == "ja" else "and"
        note += f" {joint} {instrument.label(c.variable, None, lang)}: {cl}"
    if x.domain is not None:
        dl = ", ".join(instrument.label(x.domain.variable, str(v), lang)
                       for v in x.domain.levels)
        note += f" | {instrument.label(x.domain.variable, None, lang)}: {dl}"
    if x.base == "all":
        note += " | " + ("基数：全回答者" if lang == "ja" else "base: all respondents")
    return note


def reproduced_table(rep: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Display form of :func:`reproduce`: column names in ``lang``, the verdict as text.

    Each estimate stands beside its own 95% CI (unweighted % with the
    unweighted interval, weighted % with the weighted one); ``n`` and the
    verdict belong to the basis estimate. The verdict column ("Published value
    in 95% CI") reads yes / no (はい / いいえ in Japanese), blank where there is
    no verdict.
    """
    return pd.DataFrame({
        word(lang, "figure"): rep["figure"].astype(str).to_numpy(),
        word(lang, "statement"): rep["statement"].to_numpy(),
        word(lang, "published"): rep["published"].to_numpy(),
        word(lang, "unweighted"): rep["unweighted"].to_numpy(dtype=float),
        word(lang, "ci_low_u"): rep["ci_low_unweighted"].to_numpy(dtype=float),
        word(lang, "ci_high_u"): rep["ci_high_unweighted"].to_numpy(dtype=float),
        word(lang, "weighted"): rep["weighted"].to_numpy(dtype=float),
        word(lang, "ci_low_w"): rep["ci_low_weighted"].to_numpy(dtype=float),
        word(lang, "ci_high_w"): rep["ci_high_weighted"].to_numpy(dtype=float),
        "n": rep["n"].astype(int).to_numpy(),
        word(lang, "basis"): [word(lang, f"basis_{b}") for b in rep["basis"]],
        word(lang, "consistent"): [verdict_text(c, lang) for c in rep["consistent"]],
        word(lang, "note"): rep["note"].to_numpy(),
    })

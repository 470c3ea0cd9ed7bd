"""What the appendix says beside every use of the population targets (en/ja).

:func:`provenance_lines` gives, per weighting variable, the status of its
targets (official, illustrative or not stated), their source and date and the
file, as the targets file states them (:mod:`survey_kit.weighting.provenance`);
:func:`not_stated_lines` explains how respondents whose weighting variable is
not stated enter the weighting, and so why "% population" (the targets file)
and "% target" (what the weighting adjusted to) differ for the same level.

Example
-------
>>> from survey_kit.report.run import prepare
>>> run = prepare("questionnaires/japan_digital_services_2024.yaml",
...               "sample_data/japan_digital_services_2024_raw.csv")
>>> print(provenance_lines(run)[0][:79])
Population targets of Firm size, Sector: ILLUSTRATIVE figures, not official sta
>>> print(not_stated_lines(run)[0].split(" form ")[0])
Firm size not stated: 60 respondents (10.0% of the sample, base-weighted)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..instrument.labels import word

__all__ = ["illustrative_mark", "not_stated_lines", "provenance_lines"]


def _label(run: Any, var: str, lang: str) -> str:
    inst = run.instrument
    return inst.label(var, None, lang) if inst.has_variable(var) else var


def _sep(lang: str) -> str:
    return "、" if lang == "ja" else ", "


def illustrative_mark(run: Any, lang: str = "en") -> str:
    """" (illustrative)" for a column of illustrative targets, else ""."""
    t = run.targets
    if t is None or not t.illustrative:
        return ""
    return word(lang, "illustrative_mark")


def provenance_lines(run: Any, lang: str = "en") -> list[str]:
    """One line per distinct provenance: the variables, status, source, date, file."""
    t = run.targets
    if t is None:
        return []
    groups: dict[Any, list[str]] = {}
    for var in t.variables:
        groups.setdefault(t.provenance_of(var), []).append(var)
    out = []
    file = Path(t.source).name if t.source else word(lang, "targets_given")
    for prov, vars_ in groups.items():
        names = _sep(lang).join(_label(run, v, lang) for v in vars_)
        status = word(lang, {"official": "status_official", "illustrative": "status_illustrative"}
                      .get(prov.status or "", "status_not_stated"))
        src = prov.source or word(lang, "not_stated_lower")
        date = prov.date or word(lang, "no_date")
        out.append(word(lang, "provenance_line").format(variables=names, status=status,
                                                        source=src, date=date, file=file))
    return out


def not_stated_lines(run: Any, lang: str = "en") -> list[str]:
    """How the respondents with a weighting variable not stated are weighted (one line per
    variable with any), so the reader can tell "% population" from "% target"."""
    wr = run.weighting
    if wr is None:
        return []
    m = wr.margins
    ns = m[m["level"].astype(str).str.startswith("(")]
    if not len(ns):
        return []
    q = run.questionnaire
    strategy = (q.weighting.not_stated if q.weighting is not None else None) or "separate"
    out = []
    for _, row in ns.iterrows():
        var = str(row["variable"])
        share = 100 * float(row["target_share"])
        key = {"separate": "not_stated_separate", "impute": "not_stated_impute",
               "exclude": "not_stated_exclude"}.get(strategy, "not_stated_separate")
        out.append(word(lang, key).format(variable=_label(run, var, lang), n=int(row["n"]),
                                          share=share, rest=100 - share,
                                          factor=(100 - share) / 100))
    return out

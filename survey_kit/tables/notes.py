"""The lines printed under a banner table (en/ja): what the numbers are, the letters,
the tests, multi-select bases, mean rows, intervals and low bases; and its default title.

Example
-------
>>> for line in table_notes(True, "col", False, 0.05, "holm", 30, [], "en", 0.95, False):
...     print(line)
Weighted percentages; design-based (Rao-Scott) tests.
* Unweighted base below 30: treat with caution; not tested. - No respondents.
"""

from __future__ import annotations

from ..instrument.labels import words as label_words
from .blocks import Block
from .variables import Var

__all__ = ["default_title", "table_notes"]

_ADJUST_NAMES = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni"}


def default_title(blocks: list[Block], banners: list[Var], lang: str) -> str:
    """"<row blocks> by <banner variables>" (a grid's items are named once, by the grid)."""
    words = label_words(lang, "table")
    rl = "; ".join(dict.fromkeys(b.title or b.label for b in blocks))
    bl = f" {words['and']} ".join(b.label for b in banners) if lang == "en" else \
        words["and"].join(b.label for b in banners)
    return f"{rl} {words['by']} {bl}"


def table_notes(weighted: bool, percent: str, letters: bool, alpha: float, method: str | None,
                min_base: int, blocks: list[Block], lang: str, conf_level: float,
                ci: bool, *, variance: str = "linearisation") -> list[str]:
    """The notes of a table built with these options (``method``: the statsmodels name of
    the letters' adjustment, None for none; ``variance``: how the standard errors are
    estimated, "linearisation" or "replicate weights")."""
    adj = _ADJUST_NAMES.get(method, "unadjusted") if method else "unadjusted"
    multi = any(b.kind == "multi" for b in blocks)
    numeric = any(b.kind == "numeric" for b in blocks)
    if lang == "ja":
        return _notes_ja(weighted, percent, letters, alpha, adj, min_base, multi, numeric,
                         conf_level, ci)
    return _notes_en(weighted, percent, letters, alpha, adj if method else None, min_base,
                     multi, numeric, conf_level, ci, variance)


def _notes_ja(weighted: bool, percent: str, letters: bool, alpha: float, adj: str,
              min_base: int, multi: bool, numeric: bool, conf_level: float,
              ci: bool) -> list[str]:
    """The notes in Japanese."""
    w = "加重" if weighted else "非加重"
    kind = {"col": "列％", "row": "行％", "total": "全体に対する％", "none": "件数"}[percent]
    out = [f"{w}{kind}。" + ("検定はデザインに基づく（Rao-Scott）。" if weighted else
                             "検定はピアソンのカイ二乗検定。")]
    if letters:
        out.append(f"記号：その列の比率が、記号の列より有意に高い（alpha={alpha:g}、"
                   f"{adj}法で調整、同じ変数の列の対比較を一族とする）。")
    if multi:
        out.append("複数回答：質問に回答した人を基数とする（合計は100％を超えうる）。")
    if numeric:
        out.append("平均：" + ("加重平均。平均の差はデザインに基づくWald F検定。" if weighted
                              else "平均。一元配置分散分析のF検定。"))
    if ci:
        out.append(f"[ ] は{conf_level:.0%}信頼区間。")
    out.append(f"＊：非加重の回答者数が{min_base}未満（参考値、検定対象外）。"
               "－：該当者なし。")
    return out


def _notes_en(weighted: bool, percent: str, letters: bool, alpha: float, adj: str | None,
              min_base: int, multi: bool, numeric: bool, conf_level: float,
              ci: bool, variance: str = "linearisation") -> list[str]:
    """The notes in English."""
    adj_txt = f"{adj}-adjusted" if adj else "unadjusted"
    what = {"col": "percentages", "row": "row percentages", "total": "percentages of the total",
            "none": "counts"}[percent]
    if weighted:
        first = (f"Weighted {what}; design-based (Rao-Scott) tests; letters: column "
                 f"proportion significantly higher at alpha={alpha:g} ({adj_txt}) than the "
                 "column with that letter" if letters else
                 f"Weighted {what}; design-based (Rao-Scott) tests")
    else:
        first = (f"Unweighted {what}; Pearson chi-square tests; letters: column proportion "
                 f"significantly higher at alpha={alpha:g} ({adj_txt}, two-proportion z test) "
                 "than the column with that letter" if letters else
                 f"Unweighted {what}; Pearson chi-square tests")
    out = [first + "."]
    if letters:
        se_txt = (f"design-based standard errors of the difference ({variance}), t test on "
                  "the design degrees of freedom" if weighted else
                  "pooled two-proportion z test; Welch t test for means")
        out.append(f"Letters compare columns within one banner variable; the family adjusted "
                   f"together is all pairs of columns of that banner variable for one row; "
                   f"{se_txt}.")
    if multi:
        out.append("Multi-select questions: base = respondents who answered the question; "
                   "percentages can add to more than 100.")
    if numeric:
        out.append("Mean rows: " + ("weighted means; design-based Wald F test of equal means."
                                    if weighted else "means; one-way ANOVA F test."))
    if ci:
        out.append(f"{conf_level:.0%} confidence intervals in brackets" + (
            " (logit intervals for proportions, t on the design degrees of freedom)."
            if weighted else " (Wilson intervals for proportions)."))
    out.append(f"* Unweighted base below {min_base}: treat with caution; not tested. "
               "- No respondents.")
    return out

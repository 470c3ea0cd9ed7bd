"""The fixed en/ja wording of every rendered output, in one table.

Tables (crosstab banners) and the appendix (headings, column names, notes) take
their words from here, so a language is added or a word changed in one place.
Words are grouped by the output that uses them (``"table"``, ``"appendix"``),
because the same key may read differently in a compact banner and in a
methodology table.

Example
-------
>>> word("ja", "total", "table")
'全体'
>>> words("en", "appendix")["weighting"]
'Weighting'
>>> check_lang("fr")
Traceback (most recent call last):
...
survey_kit.errors.UsageError: lang must be one of en, ja; got 'fr'
"""

from __future__ import annotations

from ..errors import UsageError

#: the languages every output can be rendered in
LANGS = ("en", "ja")

#: group -> language -> key -> word
WORDS: dict[str, dict[str, dict[str, str]]] = {
    "table": {
        "en": {"total": "Total", "net": "(net)", "mean": "Mean", "se": "Standard error",
               "base_u": "Unweighted base", "base_w": "Weighted base", "base_e": "Effective base",
               "base": "Base", "ci": "CI", "ci_low": "CI lower bound",
               "ci_high": "CI upper bound", "by": "by", "and": "and", "columns": "Columns"},
        "ja": {"total": "全体", "net": "（ネット）", "mean": "平均", "se": "標準誤差",
               "base_u": "回答者数（非加重）", "base_w": "加重後回答者数", "base_e": "有効回答者数",
               "base": "回答者数", "ci": "信頼区間", "ci_low": "信頼区間下限",
               "ci_high": "信頼区間上限", "by": "×", "and": "・", "columns": "列"},
    },
    "appendix": {
        "en": {
            "appendix": "Survey appendix", "methodology": "Methodology",
            "quality": "Data quality", "sample": "Sample composition",
            "weighting": "Weighting", "codebook": "Codebook",
            "results": "Headline results", "reproduced": "Published vs reproduced",
            "item": "Item", "value": "Value", "level": "Level", "variable": "Variable",
            "n": "n", "pct_unw": "% unweighted", "pct_w": "% weighted", "pct_pop": "% population",
            "not_stated": "Not stated", "total": "Total", "pct": "%", "ci": "95% CI",
            "sig": "sig.", "base_u": "Base (unweighted n)", "base_w": "Base (weighted)",
            "base_e": "Effective base", "statistic": "Statistic",
            "figure": "Figure", "statement": "Statement", "published": "Published",
            "unweighted": "Unweighted %", "weighted": "Weighted %", "ci_low": "CI low",
            "ci_high": "CI high", "basis": "Basis", "consistent": "Published value in 95% CI",
            "note": "Note", "source": "Source",
        },
        "ja": {
            "appendix": "調査付録", "methodology": "調査方法", "quality": "データ品質",
            "sample": "標本構成", "weighting": "ウェイト付け", "codebook": "コードブック",
            "results": "主要結果", "reproduced": "公表値と再現値",
            "item": "項目", "value": "内容", "level": "水準", "variable": "変数",
            "n": "n", "pct_unw": "％（非加重）", "pct_w": "％（加重）", "pct_pop": "％（母集団）",
            "not_stated": "回答なし", "total": "全体", "pct": "％", "ci": "95％信頼区間",
            "sig": "有意", "base_u": "回答者数（非加重）", "base_w": "回答者数（加重）",
            "base_e": "有効回答者数", "statistic": "統計量",
            "figure": "図", "statement": "記述", "published": "公表値",
            "unweighted": "非加重％", "weighted": "加重％", "ci_low": "信頼区間下限",
            "ci_high": "信頼区間上限", "basis": "基準", "consistent": "公表値が95％信頼区間内",
            "note": "注", "source": "出典",
        },
    },
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if outputs can be rendered in it, else raise :class:`UsageError`."""
    if lang not in LANGS:
        raise UsageError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang


def words(lang: str, group: str) -> dict[str, str]:
    """All words of ``group`` in ``lang`` (English where ``lang`` lacks one)."""
    table = WORDS[group]
    return {**table["en"], **table.get(lang, {})}


def word(lang: str, key: str, group: str = "appendix") -> str:
    """One word of ``group`` in ``lang``, falling back to English."""
    table = WORDS[group]
    return table.get(lang, table["en"]).get(key) or table["en"][key]

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
               "base": "Base", "ci": "CI", "by": "by", "and": "and", "columns": "Columns",
               "warning": "Warning"},
        "ja": {"total": "全体", "net": "（ネット）", "mean": "平均", "se": "標準誤差",
               "base_u": "回答者数（非加重）", "base_w": "加重後回答者数", "base_e": "有効回答者数",
               "base": "回答者数", "ci": "信頼区間", "by": "×", "and": "・", "columns": "列",
               "warning": "警告"},
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
            "illustrative_mark": " (illustrative)", "targets_given": "targets given in the call",
            "status_official": "official statistics",
            "status_illustrative": "ILLUSTRATIVE figures, not official statistics",
            "status_not_stated": "the file does not say whether they are official statistics",
            "not_stated_lower": "not stated", "no_date": "no reference date stated",
            "provenance_line": ("Population targets of {variables}: {status}; source: {source}; "
                                "date: {date}; file: {file}."),
            "not_stated_separate": (
                "{variable} not stated: {n} respondents ({share:.1f}% of the sample, "
                "base-weighted) form their own weighting group, whose target share is their "
                "sample share; the stated levels share the remaining {rest:.1f}% in the "
                "proportions of the targets file, so a level's '% target' (Table 4a) is its "
                "'% population' (Table 3) × {factor:.3f}."),
            "not_stated_impute": (
                "{variable} not stated: {n} respondents ({share:.1f}%) were given an imputed "
                "level (hot-deck) before weighting."),
            "not_stated_exclude": (
                "{variable} not stated: {n} respondents ({share:.1f}%) have weight 0 and do "
                "not enter the estimates."),
            "review": "Respondents kept and flagged for review",
            "respondent": "Respondent", "reasons": "Flagged by", "detail": "Detail",
            "review_note": ("Respondents flagged by a rule whose action is 'review': they stay "
                            "in the tables and are marked by the columns review_<rule> of the "
                            "cleaned data; none when the table is empty."),
            "none": "none",
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
            "illustrative_mark": "（例示値）", "targets_given": "引数で与えた目標値",
            "status_official": "公的統計",
            "status_illustrative": "例示用の数値であり、公的統計ではない",
            "status_not_stated": "公的統計かどうかの記載なし",
            "not_stated_lower": "記載なし", "no_date": "基準日の記載なし",
            "provenance_line": ("{variables}の母集団目標値：{status}。出典：{source}。"
                                "時点：{date}。ファイル：{file}。"),
            "not_stated_separate": (
                "{variable}の回答なし：{n}人（標本の{share:.1f}％、基本ウェイトによる）は独自の"
                "ウェイト付けグループとし、その目標比率は標本比率とした。回答のある水準は残りの"
                "{rest:.1f}％を目標値ファイルの比率で分け合うため、各水準の「％（目標）」"
                "（表4a）は「％（母集団）」（表3）の{factor:.3f}倍となる。"),
            "not_stated_impute": (
                "{variable}の回答なし：{n}人（{share:.1f}％）はウェイト付けの前にホットデック法で"
                "水準を補完した。"),
            "not_stated_exclude": (
                "{variable}の回答なし：{n}人（{share:.1f}％）はウェイトを0とし、推定に含めない。"),
            "review": "確認対象として残した回答者",
            "respondent": "回答者", "reasons": "該当した規則", "detail": "詳細",
            "review_note": ("処理が「確認」の規則に該当した回答者。集計には含め、クリーニング済み"
                            "データの review_<規則> 列で示す。表が空なら該当者なし。"),
            "none": "なし",
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

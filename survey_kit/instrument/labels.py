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
               "ci_high": "CI upper bound", "by": "by", "and": "and", "columns": "Columns",
               "warning": "Warning", "no_test": "no test",
               "few_levels": "fewer than 2 levels with respondents ({nr} x {nc})"},
        "ja": {"total": "全体", "net": "（ネット）", "mean": "平均", "se": "標準誤差",
               "base_u": "回答者数（非加重）", "base_w": "加重後回答者数", "base_e": "有効回答者数",
               "base": "回答者数", "ci": "信頼区間", "ci_low": "信頼区間下限",
               "ci_high": "信頼区間上限", "by": "×", "and": "・", "columns": "列",
               "warning": "警告", "no_test": "検定なし",
               "few_levels": "回答者のいる水準が2未満（{nr} × {nc}）"},
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
            "ci_low_u": "Unweighted CI low", "ci_high_u": "Unweighted CI high",
            "ci_low_w": "Weighted CI low", "ci_high_w": "Weighted CI high",
            "basis_weighted": "weighted", "basis_unweighted": "unweighted",
            "warnings_title": "Warnings", "warning": "Warning",
            "warnings_note": ("Everything a reader of the tables should know: cleaning steps "
                              "skipped, weighting of respondents with a weighting variable not "
                              "stated, low bases."),
            "modal_note": "modal level: {w} (weighted), {u} (unweighted); % is its share",
            "reproduced_note": (
                "Each survey figure quoted in the publication next to the value computed from "
                "these data, unweighted and weighted, each with its own 95% confidence "
                "interval (logit, design-based). n and the verdict belong to the basis "
                "estimate: weighted, or unweighted where the publication describes the raw "
                "sample. A joint claim ('extremely valuable and at least 20% more "
                "competitive') is computed as one share of respondents meeting every part."),
            "verdict_note": (
                "Consistent: the published value lies in the 95% CI of the basis estimate "
                "('over x%': the CI reaches above x; a modal band: the same band is modal)."),
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
            "flow_title": "Exclusion flow",
            "flow_note": ("Each step removes the respondents flagged by a rule and not removed "
                          "by an earlier step; the counts add up to the interviews received."),
            "overlap_title": "Overlap of exclusion rules",
            "overlap_note": ("Respondents flagged by both rules (diagonal: by the rule at all); "
                             "columns numbered as the rows (the steps of Table 2a)."),
            "rule": "Rule",
            "flow_step": "Step", "flow_label": "Rule", "flow_action": "Action",
            "flow_status": "Status", "flow_n_flagged": "Flagged", "flow_n_removed": "Removed",
            "flow_n_remaining": "Remaining", "flow_pct_of_start": "% of interviews",
            "flow_parameter": "Criterion",
            "composition_note": ("Unweighted and weighted shares of the final sample; population "
                                 "shares from the weighting targets (blank where the variable "
                                 "has no target). Respondents whose weighting variable is not "
                                 "stated are shown separately."),
            "margins_title": "Achieved vs target margins",
            "margins_note": ("Shares of the weighted sample (achieved) against the shares the "
                             "weighting adjusted to (target); '% sample' is the unweighted "
                             "share."),
            "weights_title": "Weights: design effect and range",
            "weights_note": ("Kish (1965) design effect of unequal weighting, deff = n Σw² / "
                             "(Σw)²; effective sample size n / deff."),
            "codebook_note": ("Every variable of the labelled data with its export column, codes "
                              "and labels (English and Japanese). Derived variables are "
                              "computed by the report."),
            "codebook_note_one": ("Every variable of the labelled data with its export column, "
                                  "codes and labels. Derived variables are computed by the "
                                  "report."),
            "pct_sample": "% sample", "pct_target": "% target", "pct_achieved": "% achieved",
            "diff": "Difference (points)", "cb_column": "Export column", "cb_type": "Type",
            "cb_code": "Code", "cb_key": "Key", "cb_text": "Question", "cb_label": "Label",
            "cb_label_ja": "Label (Japanese)",
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
            "ci_low_u": "非加重の信頼区間下限", "ci_high_u": "非加重の信頼区間上限",
            "ci_low_w": "加重の信頼区間下限", "ci_high_w": "加重の信頼区間上限",
            "basis_weighted": "加重", "basis_unweighted": "非加重",
            "warnings_title": "警告", "warning": "警告",
            "warnings_note": ("集計表の読み手が知っておくべきこと：省略したクリーニング手順、"
                              "ウェイト付け変数が回答なしの回答者のウェイト付け、少ない基数。"),
            "modal_note": "最頻の区分：{w}（加重）、{u}（非加重）。％はその割合",
            "reproduced_note": (
                "公表文献に引用された調査の数値と、このデータから算出した非加重・加重の値。"
                "それぞれの値の横にその95％信頼区間（ロジット、デザインベース）を示す。nと判定は"
                "基準とする推定値（加重、または公表文献が標本そのものを述べる場合は非加重）に"
                "よる。複数の条件を同時に述べる数値（「非常に価値があり、かつ競争力が20％以上"
                "向上」）は、すべての条件を満たす回答者の割合として算出した。"),
            "verdict_note": (
                "判定：公表値が基準の推定値の95％信頼区間内にあれば「はい」（「x％超」は区間の"
                "上限がxを超える場合、最頻の区分は同じ区分が最頻の場合）。"),
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
            "flow_title": "除外の流れ",
            "flow_note": ("各ステップは、規則に該当し、それ以前のステップで除外されていない回答者を"
                          "除外する。件数の合計は受け取った回答数に一致する。"),
            "overlap_title": "除外規則の重なり",
            "overlap_note": ("両方の規則に該当した回答者数（対角はその規則に該当した数）。列番号は"
                             "行の番号（表2aのステップ）に対応する。"),
            "rule": "規則",
            "flow_step": "ステップ", "flow_label": "規則", "flow_action": "処理",
            "flow_status": "状態", "flow_n_flagged": "該当", "flow_n_removed": "除外",
            "flow_n_remaining": "残り", "flow_pct_of_start": "％（回答数比）",
            "flow_parameter": "基準",
            "composition_note": ("最終標本の非加重・加重の構成比。母集団の構成比はウェイト付けの"
                                 "目標値による（目標値のない変数は空欄）。ウェイト付け変数が回答"
                                 "なしの回答者は別に示す。"),
            "margins_title": "目標値と達成値",
            "margins_note": ("加重後の標本の構成比（達成）と、ウェイト付けの目標とした構成比"
                             "（目標）。「％（標本）」は非加重の構成比。"),
            "weights_title": "ウェイト：デザイン効果と範囲",
            "weights_note": ("不均等なウェイトによるデザイン効果（Kish 1965）deff = n Σw² / "
                             "(Σw)²。有効標本サイズは n / deff。"),
            "codebook_note": ("ラベル付きデータの全変数と、その出力列、コード、ラベル。派生変数は"
                              "レポートで算出した。"),
            "codebook_note_one": ("ラベル付きデータの全変数と、その出力列、コード、ラベル。"
                                  "派生変数はレポートで算出した。"),
            "pct_sample": "％（標本）", "pct_target": "％（目標）", "pct_achieved": "％（達成）",
            "diff": "差（ポイント）", "cb_column": "出力列", "cb_type": "型",
            "cb_code": "コード", "cb_key": "キー", "cb_text": "質問文", "cb_label": "ラベル",
            "cb_label_ja": "ラベル（日本語）",
        },
    },
    # what a review rule measured, by its flag column (Table 2d's detail)
    "measures": {
        "en": {"mahalanobis_d2": "Mahalanobis D²", "near_duplicate_share":
               "share of identical answers", "near_duplicate_of": "same answers as"},
        "ja": {"mahalanobis_d2": "マハラノビスD²", "near_duplicate_share": "同一回答の割合",
               "near_duplicate_of": "同一回答の相手"},
    },
    # names of the built-in cleaning rules (English: the cleaning flow's own labels)
    "rules": {
        "ja": {"screened_out": "対象外（スクリーニング）",
               "incomplete": "途中離脱（必須質問が空欄）",
               "duplicate_id": "回答者IDの重複", "duplicate_fingerprint": "端末指紋の重複",
               "near_duplicate": "ほぼ同一の回答", "trap_failed": "トラップ質問の不合格",
               "speeder": "回答時間が短すぎる", "straightliner": "グリッドでの同一回答",
               "numeric_limits": "数値回答が範囲外", "gibberish": "意味のない自由回答",
               "mahalanobis": "多変量外れ値（マハラノビスD²）",
               "even_odd": "偶奇一貫性が低い", "start": "受け取った回答",
               "preview_or_spam": "プレビュー・テスト・スパム（配信システムの状態）",
               "not_finished": "未完了（配信システムの完了フラグ）",
               "straightliner_contradictory": "逆転項目を含むグリッドでの同一回答（矛盾）"},
    },
    # the weights summary (Table 4b): statistic names and word values, by their English
    "weights_summary": {
        "ja": {"Method": "方法", "Converged": "収束", "Iterations": "反復回数",
               "Largest relative margin error": "周辺分布の最大相対誤差",
               "Respondents weighted (non-zero weight)": "ウェイト付けした回答者（ウェイト0以外）",
               "Respondents with weight 0 (excluded from weighting)":
                   "ウェイト0の回答者（ウェイト付けから除外）",
               "Sum of weights (population)": "ウェイトの合計（母集団）",
               "Mean weight": "ウェイトの平均", "Smallest weight": "最小ウェイト",
               "Largest weight": "最大ウェイト", "Largest / smallest weight": "最大／最小ウェイト",
               "Coefficient of variation of the weights": "ウェイトの変動係数",
               "Design effect of weighting (Kish), n Σw² / (Σw)²":
                   "ウェイト付けのデザイン効果（Kish）、n Σw² / (Σw)²",
               "Effective sample size, (Σw)² / Σw²": "有効標本サイズ、(Σw)² / Σw²",
               "Share of weights trimmed (%)": "切り詰めたウェイトの割合（%）",
               "yes": "はい", "NO": "いいえ", "none (unweighted)": "なし（非加重）",
               "rake": "レイキング", "poststratify": "事後層化",
               "calibrate": "キャリブレーション", "poststratify + trim": "事後層化＋切り詰め",
               "rake + trim": "レイキング＋切り詰め",
               "none (base weights {base}, not calibrated)":
                   "なし（基本ウェイト{base}、キャリブレーションなし）"},
    },
    # values of the action and status columns of the exclusion flow
    "flow_values": {
        "ja": {"exclude": "除外", "review": "確認", "applied": "適用", "off": "オフ",
               "not applicable": "該当なし", "skipped": "省略"},
    },
    # the methodology table (report.methodology): item names and value templates
    "methodology": {
        "en": {
            "notes": ("Disclosure items of the AAPOR Code of Professional Ethics and Practices "
                      "(2021), section III, and the AAPOR Transparency Initiative, as they apply "
                      "to a non-probability (opt-in) survey."),
            "survey": "Survey", "sponsor": "Sponsor", "fielded_by": "Conducted (fielded) by",
            "platform_mode": "Platform and mode", "population": "Population",
            "population_text": "{population} (country: {country})",
            "recruitment": "Sample and recruitment",
            "non_probability": "Non-probability sample.",
            "probability": "Probability sample.", "sample_design": "Sample design",
            "recruitment_not_stated": "Recruitment: not stated in the source.",
            "screening": "Screening (eligibility)", "fieldwork": "Fieldwork dates",
            "publication": "Publication", "not_stated": "not stated in the source",
            "dates": "{start} to {end}",
            "export_dates": "(interviews in the export dated {start} to {end})",
            "languages": "Languages", "questionnaire": "Questionnaire",
            "questionnaire_text": "{n} questions; full wording, codes and labels in the codebook",
            "sample_sizes": "Sample sizes",
            "sample_sizes_text": ("{raw} interviews in the export; {excluded} excluded by the "
                                  "quality checks; {kept} in the final sample (target {target})"),
            "sample_sizes_no_target": ("{raw} interviews in the export; {excluded} excluded by "
                                       "the quality checks; {kept} in the final sample (target "
                                       "not stated in the source)"),
            "completion": "Completion rate",
            "completion_na": ("Not available: the export holds completed interviews only (no "
                              "record of respondents who started and broke off)"),
            "completion_na_probability": ("Not available: the data have no status column "
                                          "recording who started and who completed the "
                                          "questionnaire"),
            "completion_text": ("{pct:.1f}% ({done} of {known} respondents who started "
                                "completed the questionnaire)"),
            "response_rate": "Response rate",
            "response_rate_text": ("Not computed: on an opt-in panel there is no frame of "
                                   "eligible units, so AAPOR response rates (RR1-RR6) are "
                                   "undefined; estimates rest on the weighting model, not on "
                                   "random selection"),
            "retention": "Retention after quality checks",
            "retention_text": "{pct:.1f}% of interviews kept",
            "moe": "Margin of error (95%, p = 50%)",
            "moe_text": ("±{moe:.1f} percentage points = 1.96 × sqrt(0.25 / n) with n = {n}, "
                         "under a model assumption: that the weighted sample behaves like a "
                         "simple random sample of the population. The sample was not drawn at "
                         "random, so this is a model-based figure (AAPOR's guidance on "
                         "non-probability samples), not a sampling margin of error"),
            "deff": "Design effect of weighting (Kish)",
            "deff_text": "{deff:.2f} = n × Σw² / (Σw)²; effective sample size {ess:.0f}",
            "moe_deff": "Margin of error with the design effect",
            "moe_deff_text": ("±{moe:.1f} percentage points = 1.96 × sqrt(0.25 / n) × "
                              "sqrt(deff), under the same model assumption"),
            "weighting": "Weighting",
            "unweighted": "None: no population targets were given; estimates are unweighted",
            "weighting_text": ("{method} of the final sample to population margins of {labels}; "
                               "{converged} after {iterations} iteration(s), largest relative "
                               "margin error {error:.1e}."),
            "converged": "converged", "not_converged": "did NOT converge",
            "trimmed": "Weights trimmed at {upper:g} × the mean weight.",
            "no_trimming": "No trimming.",
            "estimation": "Estimation",
            "estimation_text": ("{pct}; standard errors {how}{accounting}; 95% confidence "
                                "intervals for proportions on the logit scale with the design "
                                "degrees of freedom; tests of association: Rao-Scott "
                                "second-order corrected F"),
            "pct_weighted": "Weighted percentages", "pct_unweighted": "Unweighted percentages",
            "accounting": " taking {items} into account", "items_and": " and ",
            "weighting_calibration": "the weighting (calibration)",
            "by_linearization": "by Taylor linearization",
            "by_replicates": "from the replicate weights, each estimate recomputed on every "
                             "replicate",
            "weighting_redone": " (the weighting redone on each)",
            "declared_design": "the sample design as declared ({parts})",
            "data_quality": "Data-quality procedures", "limitations": "Limitations",
            "default_limitation": ("Non-probability sample: margins of error assume the "
                                   "weighted sample behaves like a random sample of the "
                                   "population."),
            "default_limitation_probability": ("Design-based margins of error cover sampling "
                                               "error only, not nonresponse, coverage or "
                                               "measurement error."),
            "traps": "Trap questions: ", "rules": "Plausibility rules: ",
            "own_rules": "Exclusion rules of this survey: ",
            "exclusion_rules": "Exclusion rules applied in order (exclusion flow, table 2a): ",
            "review_rules": "Flagged for review but kept (table 2d): ",
            "none_declared": "None declared", "and": ", ", "no_year": "n.d.",
        },
        "ja": {
            "notes": ("AAPOR職業倫理・実務規程（2021年）第III節およびAAPOR透明性イニシアチブの"
                      "開示項目のうち、非確率（オプトイン）調査に当てはまるもの。"),
            "survey": "調査名", "sponsor": "調査主体", "fielded_by": "実施機関",
            "platform_mode": "プラットフォームと調査方式", "population": "母集団",
            "population_text": "{population}（国：{country}）",
            "recruitment": "標本と募集方法",
            "non_probability": "非確率標本。",
            "probability": "確率標本。", "sample_design": "標本設計",
            "recruitment_not_stated": "募集方法は出典に記載なし。",
            "screening": "スクリーニング（対象条件）", "fieldwork": "調査期間",
            "publication": "公表文献", "not_stated": "出典に記載なし",
            "dates": "{start}～{end}",
            "export_dates": "（データ上の回答日は{start}～{end}）",
            "languages": "言語", "questionnaire": "調査票",
            "questionnaire_text": "{n}問。質問文、コード、ラベルはコードブックに掲載",
            "sample_sizes": "標本サイズ",
            "sample_sizes_text": ("データ上の回答{raw}件、品質チェックで除外{excluded}件、"
                                  "最終標本{kept}件（目標{target}件）"),
            "sample_sizes_no_target": ("データ上の回答{raw}件、品質チェックで除外{excluded}件、"
                                       "最終標本{kept}件（目標件数は出典に記載なし）"),
            "completion": "完了率",
            "completion_na": "算出不可：データには完了した回答のみが含まれる（途中離脱の記録なし）",
            "completion_na_probability": "算出不可：回答の開始と完了を記録する状態列がデータにない",
            "completion_text": "{pct:.1f}％（回答を始めた{known}人のうち{done}人が完了）",
            "response_rate": "回答率",
            "response_rate_text": ("算出しない：オプトイン型パネルには対象者の枠がないため、"
                                   "AAPORの回答率（RR1～RR6）は定義できない。推定は無作為抽出では"
                                   "なくウェイト付けのモデルに基づく"),
            "retention": "品質チェック後の保持率",
            "retention_text": "回答の{pct:.1f}％を保持",
            "moe": "誤差の幅（95％、p = 50％）",
            "moe_text": ("±{moe:.1f}ポイント = 1.96 × sqrt(0.25 / n)、n = {n}。加重後の標本が"
                         "母集団からの単純無作為標本のようにふるまうというモデル上の仮定による。"
                         "標本は無作為に抽出されていないため、これは標本誤差ではなくモデルに基づく"
                         "値である（非確率標本に関するAAPORの指針）"),
            "deff": "ウェイト付けのデザイン効果（Kish）",
            "deff_text": "{deff:.2f} = n × Σw² / (Σw)²。有効標本サイズ{ess:.0f}",
            "moe_deff": "デザイン効果を考慮した誤差の幅",
            "moe_deff_text": ("±{moe:.1f}ポイント = 1.96 × sqrt(0.25 / n) × sqrt(deff)。"
                              "同じモデル上の仮定による"),
            "weighting": "ウェイト付け",
            "unweighted": "なし：母集団の目標値がないため、推定値は非加重",
            "weighting_text": ("最終標本を{labels}の母集団の周辺分布に合わせる{method}。"
                               "{iterations}回の反復で{converged}、周辺分布の最大相対誤差"
                               "{error:.1e}。"),
            "converged": "収束", "not_converged": "収束せず",
            "trimmed": "ウェイトは平均の{upper:g}倍で切り詰めた。",
            "no_trimming": "ウェイトの切り詰めなし。",
            "estimation": "推定方法",
            "estimation_text": ("{pct}。標準誤差は{accounting}{how}。比率の95％信頼区間はデザインの"
                                "自由度によるロジット尺度の区間。関連の検定はRao-Scottの二次補正"
                                "F検定"),
            "pct_weighted": "加重比率", "pct_unweighted": "非加重の比率",
            "accounting": "{items}を考慮した", "items_and": "と",
            "weighting_calibration": "ウェイト付け（キャリブレーション）",
            "by_linearization": "テイラー線形化法",
            "by_replicates": "レプリケートウェイトによる推定（各推定値を全レプリケートで再計算）",
            "weighting_redone": "（ウェイト付けも各レプリケートで再実施）",
            "declared_design": "宣言された標本設計（{parts}）",
            "data_quality": "データ品質の手続き", "limitations": "限界",
            "default_limitation": ("非確率標本のため、誤差の幅は加重後の標本が無作為標本のように"
                                   "ふるまうと仮定している。"),
            "default_limitation_probability": ("デザインに基づく誤差の幅は標本誤差のみを表し、"
                                               "無回答・カバレッジ・測定の誤差は含まない。"),
            "traps": "トラップ質問：", "rules": "妥当性の規則：",
            "own_rules": "この調査独自の除外規則：",
            "exclusion_rules": "適用順の除外規則（除外の流れ、表2a）：",
            "review_rules": "確認対象として残した規則（表2d）：",
            "none_declared": "なし", "and": "、", "no_year": "刊行年記載なし",
        },
    },
    # the sample design of a probability sample (report.design_text): its sentences
    "design": {
        "en": {
            "random": "random sample", "cluster": "cluster sample",
            "stages": "{n}-stage cluster sample", "stratified": "Stratified {kind}",
            "n2": "two", "n3": "three", "n4": "four", "join": ", ",
            "strata": "{n} strata ({col})",
            "psus": "{n} primary sampling units ({col}) selected",
            "psus_wor": "{n} primary sampling units ({col}) selected without replacement",
            "units": "{n} units selected", "units_wor": "{n} units selected without replacement",
            "stage": "stage {k}: {n} units ({col}) selected within the units of stage {prev}",
            "with_fpc": "{kind}: {parts} ({fpc}).",
            "later_fpc": "; at stage {k} from {col}",
            "fpc": "finite population correction{stage} from {col}: {fraction}",
            "fpc_sizes": ("finite population correction{stage} from {col}: {size} in the "
                          "{where}, {fraction}"),
            "at_stage1": " at stage 1", "size_units": "{n} units", "size_psus": "{n} PSUs",
            "where_strata": "population strata", "where_all": "population",
            "fraction": "sampling fraction {lo:.1f}%",
            "fraction_strata": "sampling fraction {lo:.1f}% in every stratum",
            "fraction_range": "sampling fractions {lo:.1f}% to {hi:.1f}% across strata",
            "with_replacement": ("{kind}: {parts}; no finite population correction declared, "
                                 "so the {units} are treated as selected with replacement in "
                                 "the variance (conservative when sampling fractions are "
                                 "large)."),
            "wr_psus": "primary sampling units", "wr_units": "units",
            "replicate": ("Replicate-weight design: {n} {type} replicate weights supplied with "
                          "the data ({shown}{fay}); the strata and primary sampling units are "
                          "carried by the replicate weights, not by columns of the data."),
            "shown": "{first} ... {last}", "fay": ", Fay's factor {rho:g}",
            "base_weights": "Base (design) weights from {col}: they sum to {sum:,.0f} and {spread}",
            "all_equal": "are all {w:,.2f}", "spread": "range from {lo:,.2f} to {hi:,.2f}",
            "weights_from_fpc": ("Base weights: the inverse of the selection probabilities "
                                 "implied by the finite population correction"),
            "no_base_weights": ("No base weights declared: every respondent weighs the same "
                                "before calibration"),
            "no_calibration": "{base}; no calibration (no population targets were given): "
                              "estimates use them",
            "then_calibrated": "{base}; then {text}", "base_named": "Base weights {col}",
            "part_strata": "strata", "part_psus": "primary sampling units",
            "part_later": "later-stage units", "part_fpc": "finite population corrections",
            "part_replicates": "{type} replicate weights",
            "centre_full": "the full-sample estimate",
            "centre_mean": "the mean of the replicate estimates",
            "variance_replicates": (
                "standard errors from the {type} replicate weights: every estimate is computed "
                "again with each replicate weight and its variance is the scaled sum of squared "
                "deviations around {centre} (R survey's svrepdesign); confidence intervals use "
                "t with {degf} degrees of freedom (the rank of the replicate weights minus one)"),
            "variance": ("standard errors by Taylor linearization{with_}{multi}; confidence "
                         "intervals use t with {degf} design degrees of freedom"),
            "variance_with": " with the declared {parts}",
            "variance_multi": "; later stages add their terms (R survey's svyrecvar)",
            "moe_srs": "Margin of error under simple random sampling (95%, p = 50%)",
            "moe_srs_text": ("±{moe:.1f} percentage points = 1.96 × sqrt(0.25 / n) with n = {n}; "
                             "a reference only: the estimates' own intervals are design-based"),
            "deffs": "Design effects of the headline estimates",
            "deffs_text": ("{lo:.2f} to {hi:.2f} (whole-sample shares of the {k} headline "
                           "categories: design-based variance over that of simple random "
                           "sampling of the same size); with the largest, the margin of error at "
                           "p = 50% is ±{moe:.1f} points"),
            "precision": "Design-based precision",
            "precision_text": ("Every confidence interval in the results tables is "
                               "design-based: {variance}"),
            "moe_summary": ("margin of error (95%, p = 50%) under simple random sampling: "
                            "±{moe:.1f} points; the design-based intervals are in the appendix"),
            "moe_summary_model": ("margin of error (95%, p = 50%): ±{moe:.1f} points; with the "
                                  "design effect ±{moe_deff:.1f} points (assuming the weighted "
                                  "sample behaves like a simple random sample)"),
            "not_rates": "; the case dispositions declared are therefore not turned into rates",
            "no_dispositions": (
                "Not computed: the questionnaire declares no final dispositions of the cases "
                "released to the field (design.dispositions: counts per AAPOR category, or a "
                "file of the cases), so the number of sampled units that did not respond is "
                "not known"),
            "needs_e": "; RR3 and RR4 need e (design.dispositions.e)",
            "rates_note": "Response rates: {edition}.",
            "notes": ("Disclosure items of the AAPOR Code of Professional Ethics and Practices "
                      "(2021), section III, and the AAPOR Transparency Initiative, as they "
                      "apply to a probability sample."),
        },
        "ja": {
            "random": "無作為抽出", "cluster": "集落抽出", "stages": "{n}段集落抽出",
            "stratified": "層別{kind}", "n2": "二", "n3": "三", "n4": "四", "join": "、",
            "strata": "{n}層（{col}）",
            "psus": "第1次抽出単位{n}個（{col}）を抽出",
            "psus_wor": "第1次抽出単位{n}個（{col}）を非復元抽出",
            "units": "{n}単位を抽出", "units_wor": "{n}単位を非復元抽出",
            "stage": "第{k}段：第{prev}段の単位内で{n}単位（{col}）を抽出",
            "with_fpc": "{kind}：{parts}（{fpc}）。",
            "later_fpc": "、第{k}段の有限母集団修正は{col}による",
            "fpc": "{stage}有限母集団修正は{col}による：{fraction}",
            "fpc_sizes": "{stage}有限母集団修正は{col}による：{where}{size}、{fraction}",
            "at_stage1": "第1段の", "size_units": "{n}単位", "size_psus": "第1次抽出単位{n}個",
            "where_strata": "母集団の層全体で", "where_all": "母集団に",
            "fraction": "抽出率{lo:.1f}％", "fraction_strata": "抽出率はすべての層で{lo:.1f}％",
            "fraction_range": "抽出率は層により{lo:.1f}％～{hi:.1f}％",
            "with_replacement": ("{kind}：{parts}。有限母集団修正の宣言がないため、分散の計算では"
                                 "{units}を復元抽出されたものとして扱う（抽出率が大きい場合は"
                                 "保守的）。"),
            "wr_psus": "第1次抽出単位", "wr_units": "抽出単位",
            "replicate": ("レプリケートウェイトによるデザイン：データに付属する{type}の"
                          "レプリケートウェイト{n}個（{shown}{fay}）。層と第1次抽出単位は"
                          "データの列ではなく、レプリケートウェイトに反映されている。"),
            "shown": "{first}～{last}", "fay": "、Fayの係数{rho:g}",
            "base_weights": "基本ウェイト（設計ウェイト）は{col}による：合計{sum:,.0f}、{spread}",
            "all_equal": "すべて{w:,.2f}", "spread": "範囲は{lo:,.2f}～{hi:,.2f}",
            "weights_from_fpc": "基本ウェイト：有限母集団修正から導かれる抽出確率の逆数",
            "no_base_weights": "基本ウェイトの宣言なし：キャリブレーション前のウェイトは全員等しい",
            "no_calibration": ("{base}。キャリブレーションなし（母集団の目標値がないため）："
                               "推定にはこの基本ウェイトを用いる"),
            "then_calibrated": "{base}。その上で、{text}", "base_named": "基本ウェイトは{col}",
            "part_strata": "層", "part_psus": "第1次抽出単位", "part_later": "第2段以降の抽出単位",
            "part_fpc": "有限母集団修正", "part_replicates": "{type}のレプリケートウェイト",
            "centre_full": "全標本での推定値", "centre_mean": "レプリケート推定値の平均",
            "variance_replicates": (
                "標準誤差は{type}のレプリケートウェイトによる：各推定値をレプリケートウェイト"
                "ごとに計算し直し、分散は{centre}のまわりの偏差平方和を尺度調整したもの"
                "（Rのsurveyパッケージのsvrepdesign）。信頼区間は自由度{degf}（レプリケート"
                "ウェイトの階数から1を引いた値）のt分布による"),
            "variance": ("標準誤差は{with_}テイラー線形化法による{multi}。信頼区間は設計自由度"
                         "{degf}のt分布による"),
            "variance_with": "宣言された{parts}を考慮した",
            "variance_multi": "（第2段以降の分散項も加える。Rのsurveyパッケージのsvyrecvar）",
            "moe_srs": "単純無作為抽出を仮定した誤差の幅（95％、p = 50％）",
            "moe_srs_text": ("±{moe:.1f}ポイント = 1.96 × sqrt(0.25 / n)、n = {n}。参考値に"
                             "すぎず、各推定値の信頼区間はデザインベース"),
            "deffs": "主要結果の推定値のデザイン効果",
            "deffs_text": ("{lo:.2f}～{hi:.2f}（主要結果の{k}区分の全体での割合について、"
                           "デザインベースの分散を同じ大きさの単純無作為抽出での分散で割った値）。"
                           "最大のデザイン効果では、p = 50％での誤差の幅は±{moe:.1f}ポイント"),
            "precision": "デザインベースの精度",
            "precision_text": "集計表の信頼区間はすべてデザインベース。{variance}",
            "moe_summary": ("単純無作為抽出を仮定した誤差の幅（95％、p = 50％）：±{moe:.1f}"
                            "ポイント。デザインベースの信頼区間は付録に掲載"),
            "moe_summary_model": ("誤差の幅（95％、p = 50％）：±{moe:.1f}ポイント。デザイン効果を"
                                  "考慮すると±{moe_deff:.1f}ポイント（加重後の標本が単純無作為"
                                  "標本のようにふるまうと仮定）"),
            "not_rates": "。したがって、宣言されたケースの最終結果は回答率に換算しない",
            "no_dispositions": (
                "算出しない：実査に投入したケースの最終結果（design.dispositions：AAPORの区分"
                "ごとの件数、またはケースのファイル）が調査票で宣言されていないため、抽出された"
                "単位のうち回答しなかった数がわからない"),
            "needs_e": "。RR3とRR4にはe（design.dispositions.e）が必要",
            "rates_note": "回答率は{edition}による。",
            "notes": ("AAPOR職業倫理・実務規程（2021年）第III節およびAAPOR透明性イニシアチブの"
                      "開示項目のうち、確率標本に当てはまるもの。"),
            "edition": "AAPORの標準定義（Standard Definitions）第10版（2023年）",
            "rate_na": "算出不可",
            "rates_summary": "{rates}（{edition}。{counts}。{e}）",
            "e_none": "eの指定なし",
            "e_unknown": "eは推定できない：適格性が判明したケースがない",
            "e_share": ("e = {e:.3f}：適格性が判明したケースに占める適格ケースの割合、"
                        "((I + P) + (R + NC + O)) / (同 + NE) = {known} / {total}"),
            "e_given": "e = {e:g}（指定値）",
            "type_bootstrap": "ブートストラップ", "type_subbootstrap": "サブブートストラップ",
            "type_successive-difference": "逐次差分法", "type_other": "その他の方式",
        },
    },
    # the notes of a run and the cleaning warnings the appendix shows (Table 2c), by the
    # English form they take (report.warnings_text recognises the forms)
    "warnings": {
        "ja": {"cleaning": "クリーニング", "base_weighted": ("母集団の目標値なし：集計表は"
                                                           "基本ウェイト{col}で加重"),
               "unweighted": "母集団の目標値なし：集計表は非加重",
               "skipped": "{rule}：{reason}ため、この規則は省略した（skip_unavailable=True）",
               "column": "回答データに必要な列{cols}がない",
               "duration": "回答データに回答時間の列{cols}がない",
               "no_duration_role": "（調査票にrole: durationのメタ質問の宣言がない）",
               "question": "質問{name}に必要な列{cols}が回答データにない",
               "grid": "グリッド{name}に必要な列{cols}が回答データにない",
               "trap": "トラップ質問{name}に必要な列{cols}が回答データにない",
               "required question": "必須質問{name}に必要な列{cols}が回答データにない",
               "no_durations": "列{cols}に回答時間のある回答者がいない",
               "bad_durations": "（{n}人は負または無限大）"},
    },
    # screening conditions in words ({name}: the question, {values}: the levels)
    "operators": {
        "en": {"in": "{name} is one of {values}", "not_in": "{name} is not one of {values}",
               "eq": "{name} is {values}", "ne": "{name} is not {values}",
               "lt": "{name} < {values}", "le": "{name} <= {values}", "gt": "{name} > {values}",
               "ge": "{name} >= {values}", "between": "{name} is between {values}",
               "missing": "{name} is missing", "answered": "{name} is answered"},
        "ja": {"in": "{name}が「{values}」のいずれか",
               "not_in": "{name}が「{values}」のいずれでもない",
               "eq": "{name}が「{values}」", "ne": "{name}が「{values}」以外",
               "lt": "{name} < {values}", "le": "{name} <= {values}", "gt": "{name} > {values}",
               "ge": "{name} >= {values}", "between": "{name}が{values}の範囲",
               "missing": "{name}が無回答", "answered": "{name}に回答あり"},
    },
    # weighting methods as the methodology names them
    "methods": {
        "en": {"rake": "Raking", "poststratify": "Post-stratification",
               "calibrate": "Calibration"},
        "ja": {"rake": "レイキング", "poststratify": "事後層化", "calibrate": "キャリブレーション",
               "rake+trim": "レイキング（切り詰めあり）"},
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

"""An appendix a researcher can publish (issue 14): each defect of the issue, tested.

- provenance of the targets beside every use, and the not-stated group explained;
- the review list (Table 2d) and the review flags in the kept data; the bundled
  default reproduces the publication's n;
- citation and survey metadata from the questionnaires, checked against each other;
- published vs reproduced: joint claims, each CI beside its estimate, the verdict;
- the Japanese appendix has no English sentence outside proper names;
- HTML: each test line once, notes under the table, 0.0 for a true zero, readable
  headers.
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.errors import WeightingError
from survey_kit.report.appendix import build_appendix
from survey_kit.report.reproduce import reproduce
from survey_kit.report.run import prepare
from survey_kit.report.spec_models import QuotedSpec

ROOT = Path(__file__).resolve().parents[1]
FIRM_YAML = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
FIRM_RAW = ROOT / "sample_data" / "japan_digital_services_2024_raw.csv"
FIRM_TARGETS = ROOT / "sample_data" / "japan_firm_population_targets.csv"
CREATORS_YAML = ROOT / "questionnaires" / "japan_creators_2024.yaml"
CREATORS_RAW = ROOT / "sample_data" / "japan_creators_2024_raw.csv"


@pytest.fixture(scope="module")
def run():
    return prepare(FIRM_YAML, FIRM_RAW)


@pytest.fixture(scope="module")
def app(run):
    return build_appendix(run, lang="en", figures=False)


@pytest.fixture(scope="module")
def app_ja(run):
    return build_appendix(run, lang="ja", figures=False)


# ---------------------------------------------------------------------------
# provenance of the targets


def test_targets_file_states_its_provenance():
    t = sk.load_targets(FIRM_TARGETS)
    for var in ("size_class", "sector"):
        p = t.provenance_of(var)
        assert p.status == "illustrative" and p.illustrative
        assert p.source == "survey_kit sample generator" and p.date is None
    assert t.illustrative
    assert not t.provenance_of("no_such_variable").stated
    # a targets table without provenance columns says nothing (and is not illustrative)
    plain = sk.as_targets(pd.DataFrame({"variable": ["s", "s"], "level": ["a", "b"],
                                        "target": [1.0, 3.0]}))
    assert plain.provenance == {} and not plain.illustrative


def _targets_csv(tmp_path: Path, rows: str) -> Path:
    p = tmp_path / "t.csv"
    p.write_text("variable,level,target,status,source,date\n" + rows, encoding="utf-8")
    return p


def test_targets_provenance_errors_name_row_column_and_value(tmp_path):
    bad = _targets_csv(tmp_path, "s,a,10,official,Census,2021\ns,b,30,guessed,Census,2021\n")
    with pytest.raises(WeightingError) as err:
        sk.load_targets(bad)
    msg = str(err.value)
    assert "t.csv" in msg and "row 2" in msg and "'status'" in msg and "guessed" in msg
    assert "official or illustrative" in msg
    mixed = _targets_csv(tmp_path, "s,a,10,official,Census,2021\ns,b,30,official,Census,2016\n")
    with pytest.raises(WeightingError, match=r"row 2, column 'date'.*'2016'.*'2021'"):
        sk.load_targets(mixed)
    ok = _targets_csv(tmp_path, "s,a,10,OFFICIAL,Census,2021\ns,b,30,Official,Census,2021\n")
    assert sk.load_targets(ok).provenance_of("s").status == "official"


def test_illustrative_beside_every_use_of_the_targets(app):
    comp = app.table("composition")
    margins = app.table("weighting_margins")
    assert "% population (illustrative)" in comp.frame.columns
    assert "% target (illustrative)" in margins.frame.columns
    for t in (comp, margins):
        line = next(n for n in t.notes if n.startswith("Population targets of"))
        assert "ILLUSTRATIVE figures, not official statistics" in line
        assert "source: survey_kit sample generator" in line
        assert "japan_firm_population_targets.csv" in line
    meth = app.tables["methodology"].set_index("Item")["Value"]
    assert "ILLUSTRATIVE figures, not official statistics" in meth["Weighting"]
    html = app.to_html()
    assert html.count("ILLUSTRATIVE figures, not official statistics") >= 3


def test_official_targets_are_not_called_illustrative(tmp_path):
    src = FIRM_TARGETS.read_text(encoding="utf-8").replace(
        "illustrative,survey_kit sample generator,", "official,Economic Census 2021,2021-06-01")
    path = tmp_path / "official.csv"
    path.write_text(src, encoding="utf-8")
    app = build_appendix(prepare(FIRM_YAML, FIRM_RAW, path), figures=False)
    assert "% population" in app.table("composition").frame.columns
    text = " ".join(app.table("composition").notes)
    assert "illustrative" not in text.lower() and "official statistics; source: Economic " \
        "Census 2021; date: 2021-06-01" in text


def test_not_stated_group_explains_table_3_against_table_4a(app, run):
    comp = app.tables["composition"].loc["Firm size"]
    margins = app.tables["weighting_margins"]
    size = margins[margins["Variable"] == "Firm size"].set_index("Level")
    share_ns = size.loc["Not stated", "% target"]
    assert share_ns == pytest.approx(100 * run.data["size_class"].isna().mean())
    for level in ("Micro (1-10 employees)", "Small (11-50)", "Medium (51-500)", "Large (501+)"):
        if level not in size.index:
            continue
        # the stated levels share what the not-stated group leaves, in population proportions
        assert size.loc[level, "% target"] == pytest.approx(
            comp.loc[level, "% population"] * (100 - share_ns) / 100, rel=1e-9)
    note = next(n for n in app.notes["weighting_margins"] if "not stated" in n)
    assert f"× {(100 - share_ns) / 100:.3f}" in note and "own weighting group" in note


def test_margin_rows_cover_the_levels(app):
    margins = app.tables["weighting_margins"]
    assert set(margins.loc[margins["Variable"] == "Firm size", "Level"]) >= {"Not stated"}


# ---------------------------------------------------------------------------
# the review list and the publication's n


def test_bundled_default_keeps_the_publications_n():
    assert prepare(FIRM_YAML, FIRM_RAW).n_kept == 600
    assert prepare(CREATORS_YAML, CREATORS_RAW).n_kept == 120


def _with_review(path: Path) -> sk.Questionnaire:
    """The questionnaire with near-duplicates flagged for review instead of excluded."""
    data = sk.load_questionnaire(path).to_dict()
    data["quality"]["overrides"] = {**(data["quality"].get("overrides") or {}),
                                    "near_duplicate_action": "review"}
    return sk.Questionnaire.from_dict(data, source=path)


def test_review_list_and_review_flags_in_the_kept_data(tmp_path):
    q = _with_review(FIRM_YAML)
    run = prepare(q, FIRM_RAW)
    assert run.n_kept == 603                      # near-duplicates kept, flagged for review
    app = build_appendix(run, figures=False)
    review = app.tables["review"]
    expected = set(run.cleaning.review.index.astype(str))
    assert set(review["Respondent"]) == expected and len(review) == len(expected) > 3
    nd = review[review["Flagged by"].str.contains("Near-duplicate")]
    assert len(nd) == 3 and nd["Detail"].str.contains("same answers as ").all()
    assert not review["Detail"].str.contains("_d2|_of =|_share =").any()   # readable names
    assert "2d. Respondents kept and flagged for review" in app.titles["review"]
    out = sk.run_report(q, FIRM_RAW, out=tmp_path, formats=("md",), figures=False)
    data = pd.read_csv(out.surveys[0].files["data:csv"])
    assert {"review_near_duplicate", "review_mahalanobis"} <= set(data.columns)
    flagged = set(data.loc[data["review_near_duplicate"] | data["review_mahalanobis"],
                           "respondent_id"].astype(str))
    assert flagged == expected
    assert len(data) == 603


# ---------------------------------------------------------------------------
# citation and survey metadata


def test_bundled_surveys_metadata_agree():
    firm, creators = (sk.load_questionnaire(p).survey for p in (FIRM_YAML, CREATORS_YAML))
    assert firm.citation is not None and creators.citation is not None
    # one publication reports both surveys: the same citation but the part
    assert firm.citation.model_copy(update={"part": None}) == \
        creators.citation.model_copy(update={"part": None})
    assert firm.citation.authors == ["Kati Suominen"] and firm.citation.year is None
    assert firm.sponsor == creators.sponsor == firm.fielded_by == creators.fielded_by
    # what Appendix I states of the firms' survey ...
    assert (firm.platform, firm.target_sample_size) == ("Pollfish", 600)
    assert (str(firm.fieldwork.start), str(firm.fieldwork.end)) == ("2024-07-05", "2024-10-05")
    # ... is not copied to the creators' survey, of which the publication states none of it
    assert creators.platform is None and creators.fieldwork is None and creators.mode is None
    assert creators.target_sample_size == 120


def test_creators_appendix_does_not_state_the_firms_platform_or_dates():
    app = sk.appendix(CREATORS_YAML, CREATORS_RAW, figures=False)
    meth = app.tables["methodology"].set_index("Item")["Value"]
    assert meth["Platform and mode"] == "not stated in the source"
    assert meth["Fieldwork dates"] == "not stated in the source"
    text = app.to_markdown()
    assert "Pollfish" not in text and "2024-07-05" not in text and "2024-10-05" not in text


def test_citation_comes_from_the_questionnaire(app):
    cite = ("Kati Suominen (n.d.). Gains from Digital Services Imports in Japan: A Case for "
            "Open Digital Trade. Center for Strategic and International Studies (CSIS), "
            "Appendix I.")
    assert app.citation == cite
    assert app.tables["methodology"].set_index("Item")["Value"]["Publication"] == cite
    assert app.titles["published_vs_reproduced"].endswith("(Kati Suominen, n.d.)")
    md = app.to_markdown()
    assert cite in md and "Nextrade Group, 2024/2025" not in md


# ---------------------------------------------------------------------------
# published vs reproduced


def test_each_ci_sits_beside_its_own_estimate(app, run):
    table = app.tables["published_vs_reproduced"].set_index(app.reproduced["id"])
    micro = table.loc["sample_micro"]          # described unweighted in the publication
    share = 100 * (run.data["size_class"] == "micro").mean()
    assert micro["Unweighted %"] == pytest.approx(share)
    assert micro["Unweighted CI low"] < micro["Unweighted %"] < micro["Unweighted CI high"]
    # the weighted estimate is far from the unweighted interval: its own CI is beside it
    assert not micro["Unweighted CI low"] <= micro["Weighted %"] <= micro["Unweighted CI high"]
    assert micro["Weighted CI low"] <= micro["Weighted %"] <= micro["Weighted CI high"]
    for _, r in table.iterrows():
        for which in ("Unweighted", "Weighted"):
            lo, est, hi = r[f"{which} CI low"], r[f"{which} %"], r[f"{which} CI high"]
            assert lo - 1e-9 <= est <= hi + 1e-9, (r["Statement"], which)


def _verdict_expected(row: pd.Series) -> str:
    lo, hi = row["ci_low"], row["ci_high"]
    if row["relation"] == "mode":
        return "yes" if row["consistent"] else "no"
    pub, tol = row["published_value"], 1e-9       # bounds widened for rounding only
    ok = {"=": lo - tol <= pub <= hi + tol, ">": hi > pub, "<": lo < pub}[row["relation"]]
    return "yes" if ok else "no"


def test_verdict_column_follows_the_basis_ci(app):
    rep = app.reproduced
    shown = app.tables["published_vs_reproduced"]["Published value in 95% CI"]
    basis_lo = np.where(rep["basis"] == "weighted", rep["ci_low_weighted"],
                        rep["ci_low_unweighted"])
    np.testing.assert_allclose(rep["ci_low"], basis_lo)
    assert list(shown) == [_verdict_expected(r) for _, r in rep.iterrows()]


def test_verdict_says_no_when_the_published_value_is_outside(run):
    def q(**kw):
        base = dict(id="x", text="t", variable="foreign_value", levels=["very"])
        return QuotedSpec(**(base | kw))

    est = reproduce([q(published=50)], run.design, run.unweighted, run.instrument).iloc[0]
    lo, hi = est["ci_low"], est["ci_high"]
    assert hi - lo > 5                          # a real interval (not a calibrated margin)
    cases = [(q(published=round((lo + hi) / 2, 1)), "yes"), (q(published=hi + 1), "no"),
             (q(published=lo - 1), "no"), (q(published=lo - 1, relation=">"), "yes"),
             (q(published=hi + 1, relation=">"), "no"), (q(published=hi + 1, relation="<"), "yes"),
             (q(published=lo - 1, relation="<"), "no"),
             (QuotedSpec(id="m", text="t", statistic="mode", variable="sector",
                         published="digital_services"), "no")]
    rep = reproduce([c for c, _ in cases], run.design, run.unweighted, run.instrument)
    from survey_kit.report.reproduce import reproduced_table

    shown = reproduced_table(rep)["Published value in 95% CI"].tolist()
    assert shown == [v for _, v in cases]
    ja = reproduced_table(rep, "ja")["公表値が95％信頼区間内"].tolist()
    assert ja == [{"yes": "はい", "no": "いいえ"}[v] for _, v in cases]


def test_joint_claim_is_one_share_of_both(app, run):
    row = app.reproduced.set_index("id").loc["extremely_valuable_all"]
    both = (run.data["foreign_value"] == "extremely") & (run.data["competitiveness"] == "20_plus")
    answered = run.data["foreign_value"].notna() & run.data["competitiveness"].notna()
    assert row["unweighted"] == pytest.approx(100 * both[answered].mean())
    w = run.data["weight"]
    assert row["weighted"] == pytest.approx(100 * w[both & answered].sum() / w[answered].sum())
    assert "and Competitiveness gain from foreign services: 20% or more" in row["note"]


# ---------------------------------------------------------------------------
# Japanese


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append(data.strip())


#: three or more English words in a row
_SENTENCE = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ ,;:]+[A-Za-z][A-Za-z'’-]+){2,}")


def _proper_names(run) -> list[str]:
    """Names that stay as they are in Japanese text: the publication, its author and
    publisher, the sponsor, the source of the targets (a program's name)."""
    sv = run.questionnaire.survey
    c = sv.citation
    names = [c.title, c.subtitle or "", c.publisher, *c.authors, sv.sponsor]
    names += [p.source or "" for p in run.targets.provenance.values()]
    return sorted((n for n in names if n), key=len, reverse=True)


def english_sentences(text: str, names: list[str]) -> list[str]:
    for n in names:
        text = text.replace(n, " ")
    return _SENTENCE.findall(text)


def test_japanese_appendix_has_no_english_sentence(app_ja, run):
    names = _proper_names(run)
    parser = _Text()
    parser.feed(app_ja.to_html())
    found = [(s, t[:60]) for t in parser.texts for s in english_sentences(t, names)]
    assert found == []
    # the test can fail: the English appendix is full of sentences
    en = build_appendix(run, lang="en", figures=False).to_markdown()
    assert len(english_sentences(en, names)) > 50
    # the Markdown too, and the figures' captions
    assert english_sentences(app_ja.to_markdown(), names) == []
    from survey_kit.report.figures import _caption

    for h in run.spec.headlines:
        cap = _caption(app_ja.tables[h.id], run.questionnaire.survey.text("source_line", "ja"),
                       "ja")
        assert english_sentences(cap, names) == [], cap


def test_japanese_methodology_mixes_no_languages_in_one_sentence(app_ja):
    meth = app_ja.tables["methodology"].set_index("項目")["内容"]
    screening = meth["スクリーニング（対象条件）"]
    assert screening == ("デジタルサービスの意思決定での役割が「意思決定または承認を行う、"
                         "意思決定に影響を与える」のいずれか")
    assert "is one of" not in app_ja.to_markdown()


@settings(max_examples=60, deadline=None)
@given(width=st.integers(6, 30), picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=4))
def test_japanese_figure_labels_break_only_between_phrases(width, picks):
    from survey_kit.report.figures import _chunks, _width, _wrap

    q = sk.load_questionnaire(FIRM_YAML)
    labels = [lab for v in q.variables for lab in [q.label(v, None, "ja")] if lab]
    text = "".join(labels[i % len(labels)] for i in picks)
    lines = _wrap(text, width, "ja").split("\n")
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # every break falls on a phrase boundary, unless a phrase is wider than a line
    bounds, pos = set(), 0
    for ch in _chunks(text):
        pos += len(ch.replace(" ", ""))
        bounds.add(pos)
    long_phrase = any(_width(ch) > width for ch in _chunks(text))
    pos = 0
    for line in lines[:-1]:
        pos += len(line.replace(" ", ""))
        assert pos in bounds or long_phrase, (text, width, lines)
        assert _width(line) <= width or long_phrase


# ---------------------------------------------------------------------------
# Japanese: a probability sample (R's apistrat: strata, fpc, base weights, no targets)

API_YAML = ROOT / "questionnaires" / "api_stratified_2000.yaml"
API_DATA = ROOT / "sample_data" / "api" / "apistrat_2000.csv"
APICLUS2 = ROOT / "tests" / "fixtures" / "r" / "apiclus2.csv"


@pytest.fixture(scope="module")
def api_run():
    return prepare(API_YAML, API_DATA)


@pytest.fixture(scope="module")
def api_ja(api_run):
    return build_appendix(api_run, lang="ja")


def _questionnaire_names(run) -> list[str]:
    """Text the questionnaire itself provides and a Japanese appendix shows as written
    (it has no Japanese of its own): titles, population, country, question texts and
    labels, the headline titles of its report spec, its source line (without "Source:")."""
    q, sv = run.questionnaire, run.questionnaire.survey
    names = [sv.title, sv.population, sv.country, (sv.source_line or "").removeprefix("Source:")]
    for x in q.questions:
        names += [x.text, x.short or "", *(o.label for o in x.options),
                  *(it.text for it in x.items)]
    names += [h.title for h in run.spec.headlines]
    return sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)


def _no_english(app, names) -> list[str]:
    parser = _Text()
    parser.feed(app.to_html())
    found = [s for t in parser.texts for s in english_sentences(t, names)]
    found += english_sentences(app.to_markdown(), names)
    for fig in app.figures.values():
        found += english_sentences(fig.caption, names) + english_sentences(fig.alt, names)
    return found


def test_japanese_appendix_of_a_probability_sample_has_no_english_sentence(api_run, api_ja):
    names = _questionnaire_names(api_run)
    assert api_ja.figures
    assert _no_english(api_ja, names) == []
    # the test can fail: the English appendix of the same run is full of sentences
    en = build_appendix(api_run, lang="en", figures=False)
    assert len(english_sentences(en.to_markdown(), names)) > 50
    assert len(_no_english(en, names)) > 50


def test_japanese_design_sentences_of_apistrat(api_ja):
    meth = api_ja.tables["methodology"].set_index("項目")["内容"]
    assert meth["標本設計"] == (
        "確率標本。層別無作為抽出：3層（stype）、200単位を非復元抽出（有限母集団修正はfpcによる："
        "母集団の層全体で6,194単位、抽出率は層により2.3％～6.6％）。")
    assert meth["ウェイト付け"] == (
        "基本ウェイト（設計ウェイト）はpwによる：合計6,194、範囲は15.10～44.21。"
        "キャリブレーションなし（母集団の目標値がないため）：推定にはこの基本ウェイトを用いる")
    assert meth["デザインベースの精度"] == (
        "集計表の信頼区間はすべてデザインベース。標準誤差は宣言された層と有限母集団修正を考慮した"
        "テイラー線形化法による。信頼区間は設計自由度197のt分布による")
    assert meth["単純無作為抽出を仮定した誤差の幅（95％、p = 50％）"].startswith(
        "±6.9ポイント = 1.96 × sqrt(0.25 / n)、n = 200。")
    assert meth["主要結果の推定値のデザイン効果"].startswith("0.86～1.06（主要結果の4区分")
    assert "宣言された標本設計（層と有限母集団修正）を考慮したテイラー線形化法" in meth["推定方法"]
    assert meth["回答率"].startswith("算出しない：実査に投入したケースの最終結果")
    assert api_ja.notes["methodology"] == (
        "AAPOR職業倫理・実務規程（2021年）第III節およびAAPOR透明性イニシアチブの開示項目のうち、"
        "確率標本に当てはまるもの。",
        "回答率はAAPORの標準定義（Standard Definitions）第10版（2023年）による。")
    assert list(api_ja.tables["warnings"].iloc[:, 0]) == [
        "母集団の目標値なし：集計表は基本ウェイトpwで加重",
        "クリーニング：回答時間が短すぎる：回答データに回答時間の列durationがない（調査票に"
        "role: durationのメタ質問の宣言がない）ため、この規則は省略した（skip_unavailable=True）"]
    assert api_ja.source_line.startswith("出典：R package survey")
    for fig in api_ja.figures.values():
        assert "出典：R package survey" in fig.caption and "Source:" not in fig.caption


def test_english_design_sentences_unchanged(api_run):
    app = build_appendix(api_run, lang="en", figures=False)
    meth = dict(app.tables["methodology"].to_numpy().tolist())
    assert meth["Sample design"] == (
        "Probability sample. Stratified random sample: 3 strata (stype), 200 units selected "
        "without replacement (finite population correction from fpc: 6,194 units in the "
        "population strata, sampling fractions 2.3% to 6.6% across strata).")
    assert app.notes["methodology"][1] == ("Response rates: AAPOR Standard Definitions, 10th "
                                           "edition (2023).")
    assert list(app.tables["warnings"].iloc[:, 0]) == [
        "no population targets: the tables are weighted by the base weights 'pw'",
        "cleaning: speeder: it needs the duration column 'duration', which the responses do "
        "not have (the questionnaire declares no meta question with role: duration); skipped "
        "(skip_unavailable=True)"]
    assert app.source_line.startswith("Source: R package survey")


def test_japanese_two_stage_and_with_replacement_designs():
    from survey_kit.instrument.schema import Design
    from survey_kit.report.design_text import design_parts, structure_text, weights_text

    df = pd.read_csv(APICLUS2)
    d = Design(sample="probability", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    assert structure_text(d, df, "ja") == (
        "二段集落抽出：第1次抽出単位40個（dnum）を非復元抽出、第2段：第1段の単位内で126単位"
        "（snum）を抽出（第1段の有限母集団修正はfpc1による：母集団に第1次抽出単位757個、抽出率"
        f"{100 * 40 / 757:.1f}％、第2段の有限母集団修正はfpc2による）。")
    assert weights_text(d, df, "ja") == "基本ウェイト：有限母集団修正から導かれる抽出確率の逆数"
    assert design_parts(d, "ja") == ["第1次抽出単位", "第2段以降の抽出単位", "有限母集団修正"]
    wr = Design(sample="probability", cluster=["dnum", "snum"], weights="pw")
    assert structure_text(wr, df, "ja").endswith(
        "有限母集団修正の宣言がないため、分散の計算では第1次抽出単位を復元抽出されたものとして"
        "扱う（抽出率が大きい場合は保守的）。")
    assert english_sentences(structure_text(wr, df, "ja"), []) == []


def test_japanese_appendix_of_a_cluster_design_has_no_english_sentence(tmp_path, api_run):
    import yaml

    data = yaml.safe_load(API_YAML.read_text(encoding="utf-8"))
    data["design"] = {"sample": "probability", "weights": "pw", "cluster": "stype"}
    path = tmp_path / "api.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    run = prepare(path, API_DATA)
    app = build_appendix(run, lang="ja", figures=False)
    assert _no_english(app, _questionnaire_names(api_run)) == []
    meth = app.tables["methodology"].set_index("項目")["内容"]
    assert meth["標本設計"].startswith("確率標本。集落抽出：第1次抽出単位3個（stype）を抽出。")
    assert "設計自由度2のt分布" in meth["デザインベースの精度"]


# ---------------------------------------------------------------------------
# HTML


def test_each_test_line_once_and_notes_under_the_table(app):
    html_text = app.to_html()
    ct = app.tables["fig8_foreign_share"]
    for t in ct.to_frame().attrs.get("tests", []) or []:
        assert html_text.count(t) == 1
    block = html_text[html_text.index('id="fig8_foreign_share"'):]
    block = block[:block.index("</div>")]
    assert block.count("Rao-Scott F(") == 1
    assert block.index("Weighted percentages") > block.index("</table>")


def test_true_zero_reads_zero_not_dash(app):
    ct = app.tables["fig7_foreign_services"]
    cells = ct.cells
    zero = cells[(cells["unweighted_count"] == 0) & (cells["unweighted_base"] > 0)
                 & cells["row_kind"].isin(["level", "option"])]
    assert len(zero)                       # 'none of these' nobody chose: a true zero
    text = ct.to_markdown()
    row = next(ln for ln in text.splitlines() if ln.startswith(f"| {zero['row_label'].iloc[0]}"))
    assert "| 0.0 |" in row and "| - |" not in row


def test_headers_are_words_not_identifiers(app, app_ja):
    for a in (app, app_ja):
        html_text = a.to_html()
        heads = re.findall(r"<th[^>]*>([^<]*)</th>", html_text)
        for ident in ("n_flagged", "n_removed", "n_remaining", "pct_of_start", "text_ja",
                      "label_ja", "parameter", "difference (points)", "pct_unw"):
            assert ident not in heads, (a.lang, ident)
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", app.to_html())
    assert {"Flagged", "Removed", "Remaining", "% of interviews", "Label (Japanese)",
            "Question"} <= set(heads)


@pytest.mark.parametrize("message,expected", [
    ("it needs column 'q1', which the responses do not have", "回答データに必要な列q1がない"),
    ("it needs columns ['q3_a', 'q3_b'], which the responses do not have",
     "回答データに必要な列q3_a、q3_bがない"),
    ("it needs column(s) ['rev'], which the responses do not have",
     "回答データに必要な列revがない"),
    ("grid 'g1' needs columns ['g1_a'], which the responses do not have",
     "グリッドg1に必要な列g1_aが回答データにない"),
    ("trap 't1' needs column(s) ['t1'], which the responses do not have",
     "トラップ質問t1に必要な列t1が回答データにない"),
    ("required question 'q2' needs columns ['q2'], which the responses do not have",
     "必須質問q2に必要な列q2が回答データにない"),
    ("question 'q2' needs columns ['q2_x'], which the responses do not have",
     "質問q2に必要な列q2_xが回答データにない"),
    ("it needs the duration column 'secs', which the responses do not have",
     "回答データに回答時間の列secsがない"),
    ("no respondent has a duration in column 'secs' (3 negative or infinite)",
     "列secsに回答時間のある回答者がいない（3人は負または無限大）"),
])
def test_skipped_rule_messages_in_japanese(message, expected):
    from survey_kit.report.warnings_text import skipped_text

    assert skipped_text(message, "ja") == expected
    assert skipped_text(message, "en") == message


def test_unknown_cleaning_warnings_keep_their_english(api_run):
    from survey_kit.report.warnings_text import cleaning_warning, run_note

    odd = "speeder: median - 2 SD = 12 seconds is below the floor; the floor is used"
    assert cleaning_warning(odd, api_run, "ja") == f"クリーニング：{odd}"
    assert cleaning_warning(odd, api_run, "en") == f"cleaning: {odd}"
    assert run_note("something new", "ja") == "something new"
    assert run_note("no population targets: the tables are unweighted", "ja") == \
        "母集団の目標値なし：集計表は非加重"

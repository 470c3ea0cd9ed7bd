"""Tests of the survey appendix: report spec, derived variables, tables, renderers, figures.

The firm survey of the bundled sample is prepared once (read, clean, weight,
design) and its appendix built once without figures; every number checked
here is recomputed through the library (SurveyDesign, crosstab, weights).
"""

from __future__ import annotations

import math
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.report.appendix import Appendix, build_appendix
from survey_kit.report.derived import with_derived
from survey_kit.report.precision import margin_of_error
from survey_kit.report.run import prepare
from survey_kit.report.spec import load_report_spec
from survey_kit.errors import ReportError, UsageError
from survey_kit.tables.doc_html import html_page, table_html
from survey_kit.tables.doc_latex import table_latex, tex_escape
from survey_kit.tables.doc_markdown import md_escape, table_markdown
from survey_kit.tables.doc_xlsx import write_workbook
from survey_kit.tables.document import Table, format_value
from survey_kit.report.reproduce import indicator, reproduce

ROOT = Path(__file__).resolve().parents[1]
FIRM_YAML = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
FIRM_SPEC = ROOT / "questionnaires" / "japan_digital_services_2024.report.yaml"
CREATORS_YAML = ROOT / "questionnaires" / "japan_creators_2024.yaml"
CREATORS_SPEC = ROOT / "questionnaires" / "japan_creators_2024.report.yaml"
FIRM_RAW = ROOT / "sample_data" / "japan_digital_services_2024_raw.csv"


@pytest.fixture(scope="module")
def run():
    return prepare(FIRM_YAML, FIRM_RAW)


@pytest.fixture(scope="module")
def app(run) -> Appendix:
    return build_appendix(run, lang="en", figures=False)


# ---------------------------------------------------------------------------
# report spec


def test_bundled_specs_load_and_match_questionnaires():
    q = sk.load_questionnaire(FIRM_YAML)
    spec = load_report_spec(FIRM_SPEC, q)
    assert [h.figure for h in spec.headlines] == ["6", "7", "7", "8", "9", "9", "10", "11",
                                                  "11"]
    assert {x.id for x in spec.quoted} >= {"digital_spend_modal", "foreign_25_exporters",
                                           "cost_rise_over_40", "dx_slowed_manufacturers"}
    cq = sk.load_questionnaire(CREATORS_YAML)
    cspec = load_report_spec(CREATORS_SPEC, cq)
    assert [h.figure for h in cspec.headlines][0] == "13"
    assert cspec.quoted[0].published == 53


def _write_spec(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.report.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("body, where, what", [
    ("questionnaire: japan_digital_services_2024\nheadlines:\n"
     "  - {id: h1, title: T, rows: no_such_var, cols: sector}\n",
     "headlines[0].rows", "unknown variable 'no_such_var'"),
    ("questionnaire: japan_digital_services_2024\nheadlines:\n"
     "  - {id: h1, title: T, rows: sector, cols: employees}\n",
     "headlines[0].cols", "not categorical"),
    ("questionnaire: japan_digital_services_2024\nquoted:\n"
     "  - {id: x, text: T, variable: cost_rise, levels: [over_50], published: 17}\n",
     "quoted[0].levels[0]", "'over_50' is not a level of 'cost_rise'"),
    ("questionnaire: japan_digital_services_2024\nquoted:\n"
     "  - {id: x, text: T, variable: sector, levels: [manufacturing], published: 40,\n"
     "     domain: {variable: sector, levels: [farming]}}\n",
     "quoted[0].domain.levels[0]", "'farming' is not a level"),
    ("questionnaire: japan_digital_services_2024\nheadlines:\n"
     "  - {id: h1, title: T, rows: sector, cols: sector, colour: red}\n",
     "headlines[0].colour", "unknown key"),
    ("questionnaire: another_survey\n", "questionnaire", "not 'japan_digital_services_2024'"),
])
def test_spec_errors_name_the_yaml_path(tmp_path, firm_q, body, where, what):
    p = _write_spec(tmp_path, body)
    with pytest.raises(ReportError) as err:
        load_report_spec(p, firm_q)
    msg = str(err.value)
    assert where in msg and what in msg and "bad.report.yaml" in msg


def test_spec_missing_file(tmp_path):
    with pytest.raises(ReportError, match="report spec not found"):
        load_report_spec(tmp_path / "none.report.yaml")


# ---------------------------------------------------------------------------
# derived variables


def test_count_of_foreign_services_and_its_bands(run):
    data = run.data
    q = run.questionnaire
    opts = [f"foreign_services_{o.key}" for o in q.question("foreign_services").options
            if not o.exclusive]
    expect = data[opts].sum(axis=1, min_count=1)
    answered = data[q.multi_variables("foreign_services")].notna().any(axis=1)
    expect = expect.where(answered)
    np.testing.assert_array_equal(data["n_foreign_services"].to_numpy(), expect.to_numpy())
    band = data["n_foreign_services_band"]
    assert list(band.cat.categories) == ["0", "1", "2_4", "5_plus"]
    n = data["n_foreign_services"]
    assert (band[n >= 5] == "5_plus").all() and (band[(n >= 2) & (n <= 4)] == "2_4").all()
    assert band[n.isna()].isna().all()
    # labels flow from the spec into the instrument
    assert run.instrument.label("n_foreign_services_band", "5_plus") == "5 or more"
    assert run.instrument.label("n_foreign_services_band", "5_plus", "ja") == "5以上"


def test_grid_net_items_are_indicators(run):
    d = run.data
    col = "impact__negative_impact_dx"
    exp = d["impact_dx"].isin(["large_negative", "some_negative"]).astype(float)
    exp[d["impact_dx"].isna()] = np.nan
    np.testing.assert_array_equal(d[col].to_numpy(), exp.to_numpy())


def test_with_derived_leaves_the_questionnaire_alone(firm_q):
    spec = load_report_spec(FIRM_SPEC, firm_q)
    inst = with_derived(firm_q, spec)
    assert not firm_q.has_variable("n_foreign_services")
    assert inst.has_variable("n_foreign_services")
    assert inst.multi_variables("impact__negative")[0] == "impact__negative_impact_revenue"


# ---------------------------------------------------------------------------
# the pipeline and the tables


def test_pipeline_counts_add_up(run, app):
    assert run.n_raw == 700
    assert run.n_kept == len(run.cleaning.kept)
    assert run.n_raw == len(run.cleaning.kept) + len(run.cleaning.excluded)
    flow = app.tables["exclusion_flow"]
    assert flow["n_remaining"].iloc[-1] == run.n_kept
    assert flow["n_removed"].sum() == run.n_raw - run.n_kept
    assert run.design.is_calibrated
    w = run.data["weight"].to_numpy()
    np.testing.assert_allclose(w, run.weighting.weights.reindex(run.data.index).to_numpy())


def test_margin_of_error_equals_the_formula(app, run):
    n = int((run.data["weight"] != 0).sum())
    w = run.data["weight"].to_numpy()
    deff = n * np.sum(w ** 2) / np.sum(w) ** 2
    assert app.facts["moe"] == pytest.approx(100 * 1.96 * math.sqrt(0.25 / n), rel=1e-12)
    assert app.facts["moe_deff"] == pytest.approx(
        100 * 1.96 * math.sqrt(0.25 / n) * math.sqrt(deff), rel=1e-12)
    assert app.facts["deff_kish"] == pytest.approx(run.weighting.diagnostics["deff_kish"],
                                                   rel=1e-12)
    meth = app.tables["methodology"].set_index("Item")["Value"]
    assert meth["Margin of error (95%, p = 50%)"].startswith(f"±{app.facts['moe']:.1f} ")
    assert "1.96 × sqrt(0.25 / n)" in meth["Margin of error (95%, p = 50%)"]
    assert meth["Margin of error with the design effect"].startswith(
        f"±{app.facts['moe_deff']:.1f} ")
    assert "sqrt(deff)" in meth["Margin of error with the design effect"]
    assert "AAPOR response rates" in meth["Response rate"]
    assert meth["Sponsor"] == "Nextrade Group" and "Pollfish" in meth["Platform and mode"]


def test_margin_of_error_function():
    assert margin_of_error(600) == pytest.approx(1.96 * math.sqrt(0.25 / 600))
    with pytest.raises(UsageError):
        margin_of_error(0)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 10**6), deff=st.floats(1.0, 20.0))
def test_margin_of_error_scales_with_root_deff(n, deff):
    # the design effect acts as a smaller sample: MoE(n, deff) == MoE(n / deff)
    assert margin_of_error(n, deff) == pytest.approx(margin_of_error(n) * math.sqrt(deff))
    assert margin_of_error(n, deff) == pytest.approx(1.96 * math.sqrt(0.25 / (n / deff)))


def test_fig8_cell_equals_design_by(app, run):
    ct = app.tables["fig8_foreign_share"]
    assert isinstance(ct, sk.Crosstab)
    by = run.design.by("foreign_share", "export_intensity", stat="proportion", level="25_49")
    for band in ("none", "low", "mid", "high"):
        cell = ct.cell("25_49", band, banner_variable="export_intensity")
        assert cell["percent"] == pytest.approx(100 * by.loc[band, "estimate"], rel=1e-10)
        assert cell["ci_low"] == pytest.approx(100 * by.loc[band, "ci_low"], rel=1e-8)
    # the net "25% or more" of the high exporters is the quoted 70% figure
    net = ct.cell("25_plus", "high", banner_variable="export_intensity")
    rep = app.reproduced.set_index("id").loc["foreign_25_exporters"]
    assert rep["weighted"] == pytest.approx(net["percent"], rel=1e-10)
    # and it is what the Markdown shows
    assert f"{net['percent']:.1f}" in ct.to_markdown()


def test_composition_numbers(app, run):
    comp = app.tables["composition"]
    d = run.data
    w = d["weight"]
    row = comp.loc[("Sector", "Manufacturing")]
    hit = d["sector"] == "manufacturing"
    assert row["n"] == hit.sum()
    assert row["% unweighted"] == pytest.approx(100 * hit.mean())
    assert row["% weighted"] == pytest.approx(100 * w[hit].sum() / w.sum())
    m = run.targets.margin("sector")
    assert row["% population"] == pytest.approx(100 * m["manufacturing"] / m.sum())
    # raking reproduces the sector margin exactly (no sector missing after cleaning)
    assert d["sector"].notna().all()
    assert row["% weighted"] == pytest.approx(row["% population"], rel=1e-8)
    size = comp.loc["Firm size"]
    assert size.loc["Total", "n"] == len(d)
    assert size.drop("Total")["n"].sum() == len(d)          # not stated shown, nothing lost


def test_weighting_tables(app, run):
    m = app.tables["weighting_margins"]
    assert np.abs(m["difference (points)"]).max() < 1e-6
    s = app.tables["weighting_summary"].set_index("Statistic")["Value"]
    assert s["Method"] == "rake" and s["Converged"] == "yes"
    assert float(s["Design effect of weighting (Kish), n Σw² / (Σw)²"]) == pytest.approx(
        app.facts["deff_kish"], abs=5e-4)


def test_codebook_has_every_variable_with_en_and_ja(app, run):
    cb = app.tables["codebook"]
    for var in run.questionnaire.variables:
        assert var in set(cb["variable"]), var
    row = cb[(cb["variable"] == "sector") & (cb["key"] == "manufacturing")].iloc[0]
    assert row["code"] == 1 and row["label"] == "Manufacturing"
    assert row["label_ja"] == "製造業"
    derived = cb.loc[cb["variable"] == "n_foreign_services_band", "column"]
    assert (derived == "(derived)").all()


def test_headlines_one_per_spec_entry(app, run):
    heads = [h.id for h in run.spec.headlines]
    section = dict(app.sections)
    names = [n for k, v in section.items() if k.startswith("6.") for n in v]
    assert names == heads
    impact = app.tables["fig11_impact"]
    dx = impact.cell("impact_dx", "manufacturing", banner_variable="sector")
    rep = app.reproduced.set_index("id").loc["dx_slowed_manufacturers"]
    assert dx["percent"] == pytest.approx(rep["weighted"], rel=1e-10)
    tests = app.tables["fig6_digital_spend"].tests
    assert tests["method"].iloc[0].startswith("Rao-Scott")


# ---------------------------------------------------------------------------
# published vs reproduced


def test_reproduced_filled_for_every_quoted_figure(app, run):
    rep = app.reproduced
    assert list(rep["id"]) == [x.id for x in run.spec.quoted]
    assert rep[["unweighted", "weighted", "ci_low", "ci_high"]].notna().all().all()
    assert (rep["n"] > 0).all()
    assert rep["consistent"].notna().all()
    assert (rep["ci_low"] <= rep["ci_high"]).all()
    table = app.tables["published_vs_reproduced"]
    assert len(table) == len(rep)
    mode = rep.set_index("id").loc["digital_spend_modal"]
    assert mode["published"].startswith("5-10%") and mode["relation"] == "mode"


def test_reproduce_matches_design_estimates(run):
    # Figure 9's claim is joint: "extremely valuable AND at least 20% more competitive"
    x = next(q for q in run.spec.quoted if q.id == "extremely_valuable_digital")
    assert [(c.variable, c.levels) for c in x.also] == [("competitiveness", ["20_plus"])]
    rep = reproduce([x], run.design, run.unweighted, run.instrument).iloc[0]
    y = indicator(run.data, "foreign_value", ["extremely"]) * \
        indicator(run.data, "competitiveness", ["20_plus"])
    dom = indicator(run.data, "sector", ["digital_services"])
    by = run.design.by(y, dom, stat="proportion")
    assert rep["weighted"] == pytest.approx(100 * by.loc[1.0, "estimate"], rel=1e-12)
    assert rep["ci_low_weighted"] == pytest.approx(100 * by.loc[1.0, "ci_low"], rel=1e-12)
    sub = run.data[run.data["sector"] == "digital_services"]
    sub = sub[sub["foreign_value"].notna() & sub["competitiveness"].notna()]
    both = (sub["foreign_value"] == "extremely") & (sub["competitiveness"] == "20_plus")
    assert rep["unweighted"] == pytest.approx(100 * both.mean(), rel=1e-12)
    # one half alone is a larger share: the joint claim is not the half
    half = next(q for q in run.spec.quoted if q.id == "extremely_valuable_all")
    alone = reproduce([half.model_copy(update={"also": []})], run.design, run.unweighted,
                      run.instrument).iloc[0]
    joint = reproduce([half], run.design, run.unweighted, run.instrument).iloc[0]
    assert joint["weighted"] < alone["weighted"]
    # base "all": respondents with a missing answer stay in the denominator
    micro = next(q for q in run.spec.quoted if q.id == "sample_micro")
    r2 = reproduce([micro], run.design, run.unweighted, run.instrument).iloc[0]
    assert r2["unweighted"] == pytest.approx(100 * (run.data["size_class"] == "micro").mean())


# ---------------------------------------------------------------------------
# renderers


def _demo_table() -> Table:
    cols = pd.MultiIndex.from_tuples([("Total", "%"), ("Total", "n"), ("By size", "Small & mid"),
                                      ("By size", "Large_1")])
    frame = pd.DataFrame([[50.0, 10, np.nan, 1.25], [50.0, 12, 3.0, 4.5]], columns=cols,
                         index=pd.Index(["a | b", "c_d"], name="level"))
    return Table("demo", "Demo 100% <table>", frame, ("note 1", "note $2"), {"n": "int"})


def test_markdown_renderer():
    md = table_markdown(_demo_table())
    assert md.startswith("### Demo 100% <table>\n")
    assert "| level | Total / % | Total / n | By size / Small & mid | By size / Large_1 |" in md
    assert "| a \\| b | 50.0 | 10 |  | 1.2 |" in md
    assert "*note $2*" in md


def test_markdown_escapes_emphasis_markers():
    frame = pd.DataFrame({"rule": ["duplicate_id", "same id in column _raw_id"],
                          "n": [1, 2]})
    md = table_markdown(Table("t", "T *x*", frame,
                              ("* Unweighted base below 30: treat with caution.", "size_class")))
    assert "### T \\*x\\*" in md
    assert "| duplicate_id | 1 |" in md                    # inside a word: left alone
    assert "| same id in column \\_raw_id | 2 |" in md    # could open emphasis: escaped
    assert "*\\* Unweighted base below 30: treat with caution.*  " in md
    assert "**" not in md and md.rstrip().endswith("*size_class*")
    assert md_escape("a|b\\c\nd end_") == "a\\|b\\\\c d end\\_"


def test_html_and_latex_escape_and_group_headers():
    html = table_html(_demo_table())
    assert "Demo 100% &lt;table&gt;" in html and 'colspan="2"' in html
    tex = table_latex(_demo_table())
    assert r"\multicolumn{2}{c}{By size}" in tex and r"Small \& mid" in tex
    assert r"Demo 100\% \textless{}table\textgreater{}" in tex
    assert r"\toprule" in tex and r"\bottomrule" in tex and r"note \$2" in tex


def test_html_page_is_self_contained():
    from survey_kit.tables.document import FigureDoc

    fig = FigureDoc("f", "F", "cap", b"\x89PNG\r\n\x1a\n" + b"0" * 2000, "<svg/>")
    page = html_page("T", [("h2", "S"), ("table", _demo_table()), ("figure", fig)])
    assert 'src="data:image/png;base64,' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<link" not in page and "<script" not in page


def test_workbook_numbers_stay_numbers(tmp_path):
    from openpyxl import load_workbook

    path = write_workbook(tmp_path / "t.xlsx", [_demo_table()])
    ws = load_workbook(path)["demo"]
    assert ws["A1"].value == "Demo 100% <table>"
    values = [c.value for row in ws.iter_rows() for c in row]
    assert 50.0 in values and 10 in values and "note 1" in values
    with pytest.raises(ReportError):
        write_workbook(tmp_path / "e.xlsx", [])


def test_one_workbook_writer_for_crosstabs_frames_and_tables(tmp_path):
    """render.write_workbook is the writer behind Crosstab.to_excel and Appendix.to_excel."""
    import importlib

    from openpyxl import load_workbook

    assert importlib.import_module("survey_kit.tables.result").write_workbook is write_workbook
    df = pd.DataFrame({"level": ["a", "b"], "share": [0.25, 0.75]})
    ct = sk.crosstab(pd.DataFrame({"a": list("xyxy") * 5, "g": list("ppqq") * 5}), "a", "g")
    path = write_workbook(tmp_path / "mixed.xlsx",
                          {"'banner'": ct, "titled": df, "data": df, "demo": _demo_table()},
                          titles={"titled": "Shares"}, notes={"titled": ["a note"]},
                          formats={"titled": {"share": "f2"}})
    wb = load_workbook(path)
    assert wb.sheetnames == ["banner", "titled", "data", "demo"]
    assert wb["banner"]["A1"].value == ct.title
    titled = wb["titled"]
    assert titled["A1"].value == "Shares" and titled["A1"].font.bold
    assert titled["A3"].value == "level" and titled["B4"].number_format == "0.00"
    assert [c.value for c in titled["A"] if c.value == "a note"] == ["a note"]
    data = wb["data"]
    assert data["A1"].value == "level" and data["B2"].value == 0.25
    assert data.freeze_panes == "A2"
    assert wb["demo"]["A1"].value == "Demo 100% <table>"
    with pytest.raises(ReportError, match="give a Crosstab"):
        write_workbook(tmp_path / "bad.xlsx", {"x": [1, 2]})
    with pytest.raises(ReportError, match="mapping"):
        write_workbook(tmp_path / "bad.xlsx", [df])


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_format_value_never_shows_negative_zero(v):
    text = format_value(v, "pct")
    assert not text.startswith("-0.0") or float(text) != 0
    assert float(text) == pytest.approx(v, abs=0.051)


# ---------------------------------------------------------------------------
# appendix views


def test_appendix_views(app):
    assert callable(sk.appendix)
    frame = app.to_frame()
    assert list(frame["table"]) == list(app.tables)
    md = app.to_markdown()
    for name, obj in app.tables.items():
        title = app.titles[name]
        if isinstance(obj, pd.DataFrame):
            assert f"### {title}" in md
        else:
            assert f"**{title}**" in md
    with pytest.raises(ReportError, match="no table"):
        app.table("nope")
    with pytest.raises(UsageError):
        app.write("/tmp/never", formats=("pdf",))


def test_appendix_function_on_a_run(run):
    a2 = sk.appendix(FIRM_YAML, run, figures=False, lang="ja")
    assert a2.lang == "ja"
    ct = a2.tables["fig6_digital_spend"]
    assert "製造業" in set(ct.cells["column_label"])
    assert "調査方法" in a2.to_markdown()
    with pytest.raises(UsageError):
        sk.appendix(FIRM_YAML, run, lang="fr")


# ---------------------------------------------------------------------------
# figures


def test_japanese_figure_has_no_missing_glyphs(tmp_path):
    from survey_kit.report.figures import bar_figure, save_figure

    tidy = pd.DataFrame({"level": ["製造業", "デジタルサービス（IT・ゲーム・アニメ）"],
                         "group": ["全体", "全体"], "pct": [40.0, 60.0],
                         "ci_low": [35.0, 55.0], "ci_high": [45.0, 65.0]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = bar_figure(tidy, title="業種別の割合", caption="基数：全企業（n = 600）",
                         lang="ja", name="ja_demo")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    png, svg = save_figure(fig, tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    ET.fromstring(svg.read_text(encoding="utf-8"))
    # control: the same labels drawn with the Latin default font do lose their glyphs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bar_figure(tidy, title="業種別の割合", caption="x", lang="en")
    assert any("missing from font" in str(w.message) for w in caught)


def test_figure_input_errors():
    from survey_kit.report.figures import bar_figure

    with pytest.raises(ReportError, match="need columns"):
        bar_figure(pd.DataFrame({"level": ["a"]}), title="t", caption="c")


def test_tex_escape():
    assert tex_escape("50% & $5_x") == r"50\% \& \$5\_x"


# ---------------------------------------------------------------------------
# other configurations: trimming, no weighting, no report spec

def _creators_dict() -> dict:
    import yaml

    return yaml.safe_load(CREATORS_YAML.read_text(encoding="utf-8"))


CREATORS_RAW = ROOT / "sample_data" / "japan_creators_2024_raw.csv"
CREATORS_TARGETS = ROOT / "sample_data" / "japan_creators_population_targets.csv"


def test_trimming_declared_in_the_questionnaire():
    data = _creators_dict()
    data["weighting"]["trim_upper"] = 1.2          # weights at most 1.2 x the mean weight
    q = sk.Questionnaire.from_dict(data)
    run = prepare(q, CREATORS_RAW, CREATORS_TARGETS, spec=CREATORS_SPEC)
    w = run.data["weight"].to_numpy()
    mean = w[w > 0].mean()
    assert w.max() <= 1.2 * mean * (1 + 1e-9)
    assert "trim" in run.weighting.method
    app = build_appendix(run, figures=False)
    meth = app.tables["methodology"].set_index("Item")["Value"]
    assert "Weights trimmed at 1.2 × the mean weight" in meth["Weighting"]
    summary = app.tables["weighting_summary"].set_index("Statistic")["Value"]
    assert summary["Share of weights trimmed (%)"] > 0


def test_unweighted_survey_without_spec_gets_default_headlines():
    data = _creators_dict()
    data.pop("weighting")
    q = sk.Questionnaire.from_dict(data)          # no source: no report spec beside it
    run = prepare(q, CREATORS_RAW)
    assert run.weighting is None and (run.data["weight"] == 1).all()
    assert run.spec.headlines == [] and run.spec.quoted == []
    app = build_appendix(run, figures=False)
    meth = app.tables["methodology"].set_index("Item")["Value"]
    assert meth["Weighting"].startswith("None: no population targets")
    assert "published_vs_reproduced" not in app.tables


def test_default_spec_tabulates_substantive_questions(creators_q):
    from survey_kit.report.spec import default_report_spec

    spec = default_report_spec(creators_q)
    rows = [h.rows for h in spec.headlines]
    assert "competitiveness" in rows and "tools" in rows
    # screening, traps, their repeats and the weighting variable are left out
    for skip in ("screener_creator", "attention_colour", "foreign_budget_repeat"):
        assert skip not in rows
    assert {h.cols for h in spec.headlines} == {"screener_creator"}

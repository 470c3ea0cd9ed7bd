"""The probability-sample example (R's apistrat, sample_data/api/) end to end: the
appendix describes the declared stratified design, none of the opt-in panel wording,
and its numbers agree with R `survey` (fixtures from tests/r/api_sample_fixtures.R);
by-domain likelihood intervals of proportions against R's svyby(..., svyciprop)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import survey_kit as sk
from survey_kit.cli import main
from survey_kit.report.run import prepare

ROOT = Path(__file__).resolve().parents[1]
Q = ROOT / "questionnaires" / "api_stratified_2000.yaml"
DATA = ROOT / "sample_data" / "api" / "apistrat_2000.csv"
FIX = Path(__file__).parent / "fixtures" / "r"
REL = 1e-8


@cache
def reference() -> pd.DataFrame:
    ref = pd.read_csv(FIX / "api_sample_reference.csv", dtype=str, keep_default_na=False)
    ref = ref[ref["kind"] != "meta"].copy()
    ref["value"] = pd.to_numeric(ref["value"])
    return ref


def r_value(kind: str, var: str, stat: str, level: str = "", group: str = "") -> float:
    ref = reference()
    hit = ref[(ref["kind"] == kind) & (ref["var"] == var) & (ref["stat"] == stat)
              & (ref["level"] == level) & (ref["group"] == group)]
    assert len(hit) == 1, (kind, var, stat, level, group)
    return float(hit["value"].iloc[0])


@pytest.fixture(scope="module")
def app():
    return sk.appendix(Q, DATA, figures=False)


@pytest.fixture(scope="module")
def methodology(app):
    return dict(app.tables["methodology"].to_numpy().tolist())


def test_design_matches_r(app):
    run = prepare(Q, DATA)
    d = run.design
    assert d.degf == r_value("degf", "", "degf")
    for var in ("api00", "enroll"):
        e = d.mean(var)
        for stat in ("estimate", "se", "deff"):
            assert getattr(e, stat) == pytest.approx(r_value("mean", var, stat), rel=REL)
    for var, col in (("sch_wide", "sch.wide"), ("awards", "awards")):
        for key, level in (("yes", "Yes"), ("no", "No")):
            e = d.proportion(var, key)
            for stat in ("estimate", "se", "deff"):
                assert getattr(e, stat) == pytest.approx(r_value("prop", col, stat, level),
                                                         rel=REL)


def test_headline_table_matches_r(app):
    """The percentages and SEs of the banner table are R's svyby of the indicator."""
    frame = app.tables["growth_target_by_type"].to_frame()
    yes = frame[(frame["row_level"] == "yes") & (frame["banner_variable"] == "stype")]
    assert len(yes) == 3
    for code, level in (("E", "elementary"), ("M", "middle"), ("H", "high")):
        row = yes[yes["column_level"] == level].iloc[0]
        assert row["percent"] / 100 == pytest.approx(
            r_value("by_prop", "sch.wide", "estimate", "Yes", code), rel=REL)
        assert row["se"] / 100 == pytest.approx(
            r_value("by_prop", "sch.wide", "se", "Yes", code), rel=REL)


def test_methodology_describes_the_declared_design(methodology):
    design = methodology["Sample design"]
    assert design.startswith("Probability sample. Stratified random sample: 3 strata (stype), "
                             "200 units selected without replacement")
    assert "6,194 units in the population strata" in design
    assert "Base (design) weights from pw: they sum to 6,194" in methodology["Weighting"]
    assert "no calibration" in methodology["Weighting"]
    precision = methodology["Design-based precision"]
    assert "strata and finite population corrections" in precision
    assert f"t with {int(r_value('degf', '', 'degf'))} design degrees of freedom" in precision
    # the design effects quoted are R's (sch.wide and awards shares)
    deffs = [r_value("prop", v, "deff", lev) for v in ("sch.wide", "awards")
             for lev in ("Yes", "No")]
    assert methodology["Design effects of the headline estimates"].startswith(
        f"{min(deffs):.2f} to {max(deffs):.2f}")


def test_nothing_invented_and_no_panel_wording(app, methodology):
    text = app.to_markdown()
    assert "opt-in" not in text and "Non-probability" not in text
    assert "panel" not in " ".join(methodology.values())
    for item in ("Sponsor", "Conducted (fielded) by", "Platform and mode", "Fieldwork dates"):
        assert methodology[item] == "not stated in the source"
    assert "(target not stated in the source)" in methodology["Sample sizes"]
    assert methodology["Response rate"].startswith("Not computed: the questionnaire declares "
                                                   "no final dispositions")
    assert app.tables["weighting_summary"].set_index("Statistic").loc["Method", "Value"] == \
        "none (base weights pw, not calibrated)"


def test_response_rates_reported_when_declared(tmp_path):
    data = yaml.safe_load(Q.read_text(encoding="utf-8"))
    counts = {"I": 200, "R": 30, "NC": 20, "UO": 10, "NE": 5}
    data["design"]["dispositions"] = {"counts": counts, "e": "eligible_share"}
    path = tmp_path / "api.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    app = sk.appendix(path, DATA, figures=False)
    row = dict(app.tables["methodology"].to_numpy().tolist())["Response rate"]
    # RR1 = 200 / (250 + 10); RR3 = 200 / (250 + e 10) with e = 250 / 255
    assert "RR1 76.9%" in row
    assert f"RR3 {100 * 200 / (250 + 10 * 250 / 255):.1f}%" in row
    assert "10th edition (2023)" in row


def test_response_rates_in_japanese(tmp_path):
    data = yaml.safe_load(Q.read_text(encoding="utf-8"))
    data["design"]["dispositions"] = {"counts": {"I": 200, "R": 30, "NC": 20, "UO": 10,
                                                 "NE": 5}}
    path = tmp_path / "api.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    app = sk.appendix(path, DATA, lang="ja", figures=False)
    row = app.tables["methodology"].set_index("項目").loc["回答率", "内容"]
    assert row.startswith("RR1 76.9％、RR2 76.9％、RR3 算出不可、RR4 算出不可、RR5 80.0％")
    assert "（AAPORの標準定義（Standard Definitions）第10版（2023年）。I 200、P 0、R 30" in row
    assert row.endswith("eの指定なし）。RR3とRR4にはe（design.dispositions.e）が必要")


def test_cli_appendix_writes_the_design(tmp_path, capsys):
    code = main(["appendix", str(Q), str(DATA), "--out", str(tmp_path), "--format", "md",
                 "--no-figures"])
    err = capsys.readouterr().err
    assert code == 0, err
    md = (tmp_path / "appendix.md").read_text(encoding="utf-8")
    assert "Probability sample. Stratified random sample" in md
    assert "opt-in" not in md


def test_two_stage_design_text():
    from survey_kit.instrument.schema import Design
    from survey_kit.report.design_text import structure_text, weights_text

    df = pd.read_csv(FIX / "apiclus2.csv")
    d = Design(sample="probability", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    text = structure_text(d, df)
    assert text.startswith("Two-stage cluster sample: 40 primary sampling units (dnum) "
                           "selected without replacement, stage 2: 126 units (snum)")
    assert "757 PSUs in the population" in text and "at stage 2 from fpc2" in text
    assert "implied by the finite population correction" in weights_text(d, df)
    wr = Design(sample="probability", cluster=["dnum", "snum"], weights="pw")
    assert "treated as selected with replacement" in structure_text(wr, df)


# ---------------------------------------------------------------------------
# by-domain likelihood intervals (svyby(..., svyciprop, method = "likelihood"))
# ---------------------------------------------------------------------------

def _by_likelihood(var: str, level: str, by: str) -> pd.DataFrame:
    df = pd.read_csv(FIX / "apistrat.csv")
    if var == "acs.k3":
        df["acs.k3"] = pd.Series(np.where(df["acs.k3"] >= 20, "ge20", "lt20"),
                                 dtype=object).where(df["acs.k3"].notna())
    d = sk.SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
    return d.by(var, by, stat="proportion", level=level, ci_method="likelihood")


@pytest.mark.parametrize("kind,rel", [("by_prop_likelihood", REL),
                                      ("by_prop_likelihood_r", 5e-3)])
def test_by_likelihood_matches_r(kind, rel):
    ref = reference()
    ref = ref[ref["kind"] == kind]
    assert len(ref) == 21          # 7 domains x estimate, ci_low, ci_high
    bad = []
    for (var, level, group), sub in ref.groupby(["var", "level", "group"]):
        by, dom = group.split("=")
        got = _by_likelihood(var, level, by).loc[dom]
        for row in sub.itertuples(index=False):
            if not got[row.stat] == pytest.approx(row.value, rel=rel):
                bad.append((var, group, row.stat, got[row.stat], row.value))
    assert not bad, bad


def test_by_likelihood_equals_proportion_on_the_whole_sample():
    """One domain holding everyone gives the whole-sample likelihood interval."""
    df = pd.read_csv(FIX / "apistrat.csv").assign(all="all")
    d = sk.SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
    by = d.by("sch.wide", "all", stat="proportion", level="Yes", ci_method="likelihood")
    e = d.proportion("sch.wide", "Yes", ci_method="likelihood")
    assert by.loc["all", "ci_low"] == pytest.approx(e.ci_low, rel=1e-12)
    assert by.loc["all", "ci_high"] == pytest.approx(e.ci_high, rel=1e-12)


# ---------------------------------------------------------------------------
# the sample type decides the wording
# ---------------------------------------------------------------------------

def _methodology_of(path, **design):
    run = prepare(path, DATA, design=design or None)
    app = sk.build_appendix(run, figures=False)
    return dict(app.tables["methodology"].to_numpy().tolist()), app


def _questionnaire(tmp_path, design):
    data = yaml.safe_load(Q.read_text(encoding="utf-8"))
    if design is None:
        data.pop("design")
    else:
        data["design"] = design
    path = tmp_path / "api.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_non_probability_states_the_model_assumption(tmp_path):
    path = _questionnaire(tmp_path, {"weights": "pw",
                                     "dispositions": {"counts": {"I": 200, "R": 50}}})
    meth, app = _methodology_of(path)
    assert meth["Sample and recruitment"].startswith("Non-probability sample")
    assert "under a model assumption" in meth["Margin of error (95%, p = 50%)"]
    assert "not a sampling margin of error" in meth["Margin of error (95%, p = 50%)"]
    assert "the same model assumption" in meth["Margin of error with the design effect"]
    assert meth["Response rate"].startswith("Not computed: on an opt-in panel")
    assert "not turned into rates" in meth["Response rate"]
    assert meth["Weighting"].startswith("Base weights pw; no calibration")
    assert app.notes["methodology"][0].endswith("a non-probability (opt-in) survey.")


def test_design_flags_make_a_probability_sample(tmp_path):
    """--strata/--fpc on the command line (prepare's design=) declare a probability
    sample: the appendix describes it as the YAML section would."""
    path = _questionnaire(tmp_path, None)
    by_flags, _ = _methodology_of(path, weights="pw", strata="stype", fpc="fpc")
    by_yaml, _ = _methodology_of(Q)
    assert by_flags["Sample design"] == by_yaml["Sample design"]
    assert by_flags["Design-based precision"] == by_yaml["Design-based precision"]


def test_with_replacement_cluster_design(tmp_path):
    path = _questionnaire(tmp_path, {"sample": "probability", "weights": "pw",
                                     "cluster": "stype"})
    meth, _ = _methodology_of(path)
    assert meth["Sample design"] == (
        "Probability sample. Cluster sample: 3 primary sampling units (stype) selected; no "
        "finite population correction declared, so the primary sampling units are treated "
        "as selected with replacement in the variance (conservative when sampling fractions "
        "are large).")
    assert "primary sampling units; confidence intervals use t with 2 design degrees" in \
        meth["Design-based precision"]


def test_figure_captions_say_what_the_tables_are():
    """A sample weighted by its base weights alone (no targets) has weighted tables, and
    its figures say so too (they said "Unweighted" when no targets were given)."""
    app = sk.appendix(Q, DATA)
    assert app.figures
    for name, fig in app.figures.items():
        assert app.tables[name].weighted
        assert "Weighted percentages" in fig.caption, name
        assert "Unweighted percentages" not in fig.caption


def test_estimation_sentence_claims_only_what_was_done(methodology, tmp_path):
    """The estimation sentence names the calibration only when there was one, and says
    "unweighted" when the tables are (it said "weighted ... taking the weighting
    (calibration) into account" for base weights alone and for unweighted runs)."""
    est = methodology["Estimation"]
    assert est.startswith("Weighted percentages; standard errors by Taylor linearization "
                          "taking the sample design as declared (strata and finite population "
                          "corrections) into account;")
    assert "calibration" not in est
    # a questionnaire with no design and no targets: unweighted
    text = Q.read_text(encoding="utf-8")
    text = text[:text.index("\ndesign:")] + "\n" if "\ndesign:" in text else text
    bare = tmp_path / "api_bare.yaml"
    bare.write_text(text, encoding="utf-8")
    (tmp_path / "api_bare.report.yaml").write_text(
        (ROOT / "questionnaires" / "api_stratified_2000.report.yaml").read_text(
            encoding="utf-8"), encoding="utf-8")
    app2 = sk.appendix(bare, DATA, figures=False)
    meth = app2.tables["methodology"].set_index(app2.tables["methodology"].columns[0])
    row = meth.iloc[:, 0]["Estimation"]
    assert row.startswith("Unweighted percentages; standard errors by Taylor linearization;")

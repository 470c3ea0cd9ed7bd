"""Replicate weights declared in the questionnaire's ``design`` section or given with
``--replicate-weights/--replicate-type`` give the tables of the design built by hand
(R-checked in test_design_replicate.py), and ``weight`` calibrates them again."""

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

import survey_kit as sk
from survey_kit.cli import main

FIX = Path(__file__).parent / "fixtures" / "r"
CLUS = FIX / "replicate_columns.csv"          # apiclus1 + R's bootstrap weights bw1..bw50
STRAT = FIX / "replicate_columns_strat.csv"   # apistrat + R's JKn weights jw1..jw200

BASE = {
    "survey": {"id": "api", "title": "API sample", "sponsor": "CDE",
               "fielded_by": "CDE", "platform": "records", "mode": "records",
               "population": "California schools", "country": "US",
               "fieldwork": {"start": "2000-01-01", "end": "2000-12-31"},
               "target_sample_size": 200, "respondent_id": "cds"},
    "questions": [{"id": "api00", "text": "API 2000", "type": "numeric", "column": "api00"}],
    "quality": {"overrides": {"skip_unavailable": True}},
}


def _yaml(tmp_path, design=None, name="api.yaml", weighting=None):
    data = dict(BASE)
    if design is not None:
        data["design"] = design
    if weighting is not None:
        data["weighting"] = weighting
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _crosstab(capsys, *args):
    code = main(["crosstab", *map(str, args), "--rows", "sch.wide", "--cols", "stype",
                 "--format", "csv", "--ci", "--min-base", "2"])
    out, err = capsys.readouterr()
    return code, out, err


def _rscales():
    ref = pd.read_csv(FIX / "replicate_reference.csv", keep_default_na=False)
    r = ref[(ref.design == "cols_strat_jkn") & (ref.kind == "rscales")]
    return [float(v) for v in r["value"]]


def test_design_section_declares_jkn_columns(tmp_path, capsys):
    design = {"sample": "probability", "weights": "pw", "replicate_weights": "jw",
              "replicate_type": "JKn", "scale": 1.0, "rscales": _rscales()}
    code, out, err = _crosstab(capsys, _yaml(tmp_path, design), STRAT)
    assert code == 0, err
    df = pd.read_csv(STRAT)
    d = sk.SurveyDesign(df, weights="pw", replicate_weights="jw", replicate_type="JKn",
                        scale=1.0, rscales=_rscales())
    assert out.strip() == sk.crosstab(d, "sch.wide", "stype", ci=True, min_base=2).to_csv() \
        .strip()


def test_flags_declare_bootstrap_columns(tmp_path, capsys):
    code, out, err = _crosstab(capsys, _yaml(tmp_path), CLUS, "--base-weights", "pw",
                               "--replicate-weights", "bw", "--replicate-type", "bootstrap")
    assert code == 0, err
    df = pd.read_csv(CLUS)
    d = sk.SurveyDesign(df, weights="pw", replicate_weights="bw", replicate_type="bootstrap")
    assert out.strip() == sk.crosstab(d, "sch.wide", "stype", ci=True, min_base=2).to_csv() \
        .strip()


def test_replicates_with_strata_are_one_line(tmp_path, capsys):
    code, _, err = _crosstab(capsys, _yaml(tmp_path), CLUS, "--base-weights", "pw",
                             "--strata", "stype", "--replicate-weights", "bw",
                             "--replicate-type", "bootstrap")
    assert code == 2 and err.count("\n") == 1 and "without strata" in err


def test_weight_calibrates_every_replicate(tmp_path, capsys):
    """Post-stratified to school-type counts: every replicate column meets the counts and is
    its input column times one factor per school type (R postStratify of a svyrep design)."""
    df = pd.read_csv(CLUS)
    df = pd.concat([df, df["stype"].map({"E": 1, "H": 2, "M": 3}).rename("school")], axis=1)
    data = tmp_path / "clus.csv"
    df.to_csv(data, index=False)
    targets = tmp_path / "targets.csv"
    pd.DataFrame({"variable": ["school"] * 3, "level": ["e", "h", "m"],
                  "target": [4421, 755, 1018]}).to_csv(targets, index=False)
    options = [{"code": c, "key": k, "label": k.upper()} for c, k in ((1, "e"), (2, "h"),
                                                                     (3, "m"))]
    q = _yaml(tmp_path, {"sample": "probability", "weights": "pw"},
              weighting={"variables": ["school"], "method": "poststratify"})
    spec = yaml.safe_load(q.read_text(encoding="utf-8"))
    spec["questions"].append({"id": "school", "text": "School type", "type": "single",
                              "column": "school", "options": options})
    q.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["weight", str(q), str(data), "--targets", str(targets),
                 "--replicate-weights", "bw", "--replicate-type", "bootstrap", "--out", str(out)])
    text, err = capsys.readouterr()
    assert code == 0, err
    assert "50 bootstrap columns calibrated again" in text
    got = pd.read_csv(next(out.glob("*_weighted.csv")))
    assert len(got) == len(df)
    for k in (1, 17, 50):
        sums = got.groupby("stype")[f"weight_r{k}"].sum()
        np.testing.assert_allclose(sums[["E", "H", "M"]], [4421, 755, 1018], rtol=1e-10)
        ratio = (got[f"weight_r{k}"] / got[f"bw{k}"]).where(got[f"bw{k}"] > 0)
        spread = ratio.groupby(got["stype"]).agg(lambda r: r.max() / r.min() - 1)
        assert (spread.fillna(0) < 1e-12).all()


def test_appendix_describes_a_replicate_design(tmp_path, capsys):
    """The appendix of a design given by replicate weights says so, not "Taylor
    linearization" nor "non-probability sample" (issue 13)."""
    design = {"sample": "probability", "weights": "pw", "replicate_weights": "bw",
              "replicate_type": "bootstrap"}
    q = _yaml(tmp_path, design)
    code = main(["appendix", str(q), str(CLUS), "--out", str(tmp_path / "out"),
                 "--format", "md"])
    out, err = capsys.readouterr()
    assert code == 0, err
    text = next((tmp_path / "out").rglob("appendix.md")).read_text(encoding="utf-8")
    assert "Replicate-weight design: 50 bootstrap replicate weights supplied with the data " \
           "(bw1 ... bw50)" in text
    assert "standard errors from the bootstrap replicate weights" in text
    assert "Taylor linearization" not in text
    assert "Non-probability" not in text and "opt-in" not in text
    degf = sk.SurveyDesign(pd.read_csv(CLUS), weights="pw", replicate_weights="bw",
                           replicate_type="bootstrap").degf
    assert f"t with {degf} degrees of freedom" in text


def test_japanese_appendix_of_a_replicate_design(tmp_path):
    """The same design in a Japanese appendix: the design sentences in Japanese."""
    design = {"sample": "probability", "weights": "pw", "replicate_weights": "bw",
              "replicate_type": "bootstrap"}
    app = sk.appendix(_yaml(tmp_path, design), CLUS, lang="ja", figures=False)
    meth = app.tables["methodology"].set_index("項目")["内容"]
    assert meth["標本設計"] == (
        "確率標本。レプリケートウェイトによるデザイン：データに付属するブートストラップの"
        "レプリケートウェイト50個（bw1～bw50）。層と第1次抽出単位はデータの列ではなく、"
        "レプリケートウェイトに反映されている。")
    degf = sk.SurveyDesign(pd.read_csv(CLUS), weights="pw", replicate_weights="bw",
                           replicate_type="bootstrap").degf
    assert meth["デザインベースの精度"].startswith(
        "集計表の信頼区間はすべてデザインベース。標準誤差はブートストラップのレプリケート"
        "ウェイトによる")
    assert f"信頼区間は自由度{degf}（レプリケートウェイトの階数から1を引いた値）" in \
        meth["デザインベースの精度"]
    assert "テイラー線形化法" not in app.to_markdown()
    assert "Replicate-weight" not in app.to_markdown()

"""A declared probability sample: the questionnaire's ``design`` section and the
``--base-weights/--strata/--cluster/--fpc`` options give the same standard errors
as ``sk.SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")`` (R-checked in
test_crosstab.py) on R's apistrat data."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import survey_kit as sk
from survey_kit.cli import main
from survey_kit.errors import QuestionnaireError
from survey_kit.report.run import prepare

API = Path(__file__).parent / "fixtures" / "r" / "apistrat.csv"

BASE = {
    "survey": {"id": "apistrat", "title": "API stratified sample", "sponsor": "CDE",
               "fielded_by": "CDE", "platform": "records", "mode": "records",
               "population": "California schools", "country": "US",
               "fieldwork": {"start": "2000-01-01", "end": "2000-12-31"},
               "target_sample_size": 200, "respondent_id": "cds"},
    "questions": [{"id": "api00", "text": "API 2000", "type": "numeric", "column": "api00"}],
    "quality": {"overrides": {"skip_unavailable": True}},
}
DESIGN = {"sample": "probability", "weights": "pw", "strata": "stype", "fpc": "fpc"}


def _yaml(tmp_path, design=None, name="api.yaml"):
    data = dict(BASE)
    if design is not None:
        data["design"] = design
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference():
    df = pd.read_csv(API)
    return sk.SurveyDesign(df, weights="pw", strata="stype", fpc="fpc").proportion(
        "sch.wide", level="Yes")


def _same(got, ref):
    a, b = got.to_frame(), ref.to_frame()
    num = b.select_dtypes("number").columns
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-10)


def test_prepare_uses_the_declared_design(tmp_path, reference):
    run = prepare(_yaml(tmp_path, DESIGN), API)
    _same(run.design.proportion("sch.wide", level="Yes"), reference)
    assert "base weights 'pw'" in " ".join(run.warnings)
    np.testing.assert_allclose(run.data["weight"], pd.read_csv(API)["pw"])


def test_prepare_overrides_equal_the_yaml(tmp_path, reference):
    run = prepare(_yaml(tmp_path), API, design={"weights": "pw", "strata": "stype",
                                                "fpc": ["fpc"]})
    _same(run.design.proportion("sch.wide", level="Yes"), reference)


def test_section_is_optional(tmp_path):
    q = sk.load_questionnaire(_yaml(tmp_path))
    assert q.design is None and q.declared_design() is None
    assert sk.load_questionnaire(_yaml(tmp_path, {"sample": "non_probability"})).design.sample \
        == "non_probability"


def _crosstab(capsys, *args):
    code = main(["crosstab", *map(str, args), "--rows", "sch.wide", "--cols", "stype",
                 "--format", "csv", "--ci", "--min-base", "2"])
    out, err = capsys.readouterr()
    return code, out, err


def test_crosstab_yaml_and_flags_agree(tmp_path, capsys):
    code, by_yaml, err = _crosstab(capsys, _yaml(tmp_path, DESIGN), API)
    assert code == 0, err
    assert "base weights 'pw'" in err
    plain = _yaml(tmp_path, name="plain.yaml")
    code, by_flags, err = _crosstab(capsys, plain, API, "--base-weights", "pw", "--strata",
                                    "stype", "--fpc", "fpc")
    assert code == 0, err
    assert by_flags == by_yaml
    # and the same as the design built by hand
    df = pd.read_csv(API)
    table = sk.crosstab(sk.SurveyDesign(df, weights="pw", strata="stype", fpc="fpc"),
                        "sch.wide", "stype", ci=True, min_base=2)
    assert by_yaml.strip() == table.to_csv().strip()


def test_crosstab_without_fpc_differs(tmp_path, capsys):
    code, with_fpc, _ = _crosstab(capsys, _yaml(tmp_path, DESIGN), API)
    code2, without, err = _crosstab(capsys, _yaml(tmp_path, {"weights": "pw"}), API)
    assert code == code2 == 0, err
    assert with_fpc != without


def test_unknown_column_is_one_line(tmp_path, capsys):
    code, _, err = _crosstab(capsys, _yaml(tmp_path, {**DESIGN, "strata": "stratum"}), API)
    assert code == 2
    assert err.count("\n") == 1 and "'stratum'" in err and "design.strata" in err
    code, _, err = _crosstab(capsys, _yaml(tmp_path), API, "--base-weights", "pw",
                             "--cluster", "nope")
    assert code == 2 and err.count("\n") == 1 and "'nope'" in err


def test_fpc_length_mismatch(tmp_path, capsys):
    bad = _yaml(tmp_path, {**DESIGN, "cluster": ["dnum", "snum"], "fpc": ["fpc"]})
    with pytest.raises(QuestionnaireError, match="design.fpc"):
        sk.load_questionnaire(bad)
    code, _, err = _crosstab(capsys, bad, API)
    assert code == 2 and err.count("\n") == 1 and "fpc" in err
    code, _, err = _crosstab(capsys, _yaml(tmp_path), API, "--base-weights", "pw",
                             "--cluster", "dnum", "--cluster", "snum", "--fpc", "fpc")
    assert code == 2 and err.count("\n") == 1 and "1 fpc column(s) for 2 cluster stage(s)" in err


def test_design_column_must_fit_a_question(tmp_path):
    bad = dict(BASE, questions=BASE["questions"] + [
        {"id": "note", "text": "Note", "type": "open", "column": "name"}])
    path = tmp_path / "open.yaml"
    path.write_text(yaml.safe_dump({**bad, "design": {"strata": "note"}}), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="design.strata"):
        sk.load_questionnaire(path)

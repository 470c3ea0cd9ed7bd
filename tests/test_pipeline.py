"""Weighting as the questionnaire says (survey_kit/weighting/plan.py), shared by report and CLI.

The report (``appendix.prepare``), ``survey-kit crosstab`` and ``survey-kit
weight`` must give the same weights for the same questionnaire, including its
``weighting.trim_upper`` cap (a multiple of the mean weight).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FIRM_YAML, ROOT, SAMPLE_CSV

import survey_kit as sk
from survey_kit.errors import UsageError, WeightingError
from survey_kit.weighting.plan import Cap, WeightingPlan, targets_path, weighting_plan

FIRM_TARGETS = ROOT / "sample_data" / "japan_firm_population_targets.csv"
TARGETS_LINE = "  targets: ../sample_data/japan_firm_population_targets.csv\n"


@pytest.fixture(scope="module")
def kept():
    q = sk.load_questionnaire(FIRM_YAML)
    raw = sk.read_responses(SAMPLE_CSV, q, duplicate_ids="keep")
    return sk.clean(raw, q).kept


def _questionnaire(tmp_path: Path, extra: str = "", targets: bool = True) -> Path:
    """The firm questionnaire, with absolute targets (or none) and extra weighting keys."""
    text = FIRM_YAML.read_text(encoding="utf-8")
    assert TARGETS_LINE in text
    line = f"  targets: {FIRM_TARGETS}\n" if targets else ""
    path = tmp_path / "q.yaml"
    path.write_text(text.replace(TARGETS_LINE, line + extra), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# caps


@pytest.mark.parametrize("text, value, relative, shown", [
    ("5x", 5.0, True, "5x"), (" 2.5X ", 2.5, True, "2.5x"), ("1200", 1200.0, False, "1200"),
])
def test_cap_parse(text, value, relative, shown):
    cap = Cap.parse(text, "--trim-upper")
    assert cap == Cap(value, relative) and str(cap) == shown
    assert cap.bound(10.0) == (value * 10.0 if relative else value)


@pytest.mark.parametrize("text, match", [("lots", "multiple of the mean"), ("-3", "positive"),
                                         ("0x", "positive"), ("infx", "positive")])
def test_cap_parse_errors(text, match):
    with pytest.raises(UsageError, match=match) as err:
        Cap.parse(text, "--trim-upper")
    assert "--trim-upper" in str(err.value)


# ---------------------------------------------------------------------------
# resolving the questionnaire's weighting section


def test_plan_from_questionnaire(firm_q):
    plan = weighting_plan(firm_q)
    cfg = firm_q.weighting
    assert plan.method == cfg.method and plan.variables == tuple(cfg.variables)
    assert plan.not_stated == cfg.not_stated and plan.impute_within == cfg.impute_within
    assert plan.trim_upper is None and plan.rake_margins_only
    assert Path(plan.targets).resolve() == FIRM_TARGETS.resolve()
    assert targets_path(firm_q) == plan.targets and ".." not in Path(plan.targets).parts
    assert plan.describe() == f"rake to size_class, sector ({plan.targets})"


def test_plan_overrides(firm_q):
    plan = weighting_plan(firm_q, FIRM_TARGETS, method="poststratify", variables="size_class",
                          not_stated="exclude", impute_within=["sector"], trim_upper="4x",
                          trim_lower=0.5, seed=3)
    assert (plan.method, plan.variables, plan.not_stated) == ("poststratify", ("size_class",),
                                                              "exclude")
    assert plan.impute_within == ("sector",) and plan.seed == 3
    assert plan.trim_upper == Cap(4.0, True) and plan.trim_lower == Cap(0.5, False)
    assert not plan.rake_margins_only
    assert plan.describe().endswith(", trimmed (upper 4x, lower 0.5)")
    with pytest.raises(UsageError, match="not one of rake, poststratify, calibrate"):
        weighting_plan(firm_q, method="ipf")


def test_no_targets_no_plan(tmp_path):
    q = sk.load_questionnaire(_questionnaire(tmp_path, targets=False))
    assert targets_path(q) is None and weighting_plan(q) is None
    assert isinstance(weighting_plan(q, FIRM_TARGETS), WeightingPlan)


def test_apply_matches_rake(firm_q, kept):
    t, res = weighting_plan(firm_q).apply(kept)
    ref = sk.rake(kept, sk.load_targets(FIRM_TARGETS), variables=["size_class", "sector"],
                  not_stated="separate", impute_within="sector")
    np.testing.assert_array_equal(res.weights.to_numpy(), ref.weights.to_numpy())
    assert t.total == pytest.approx(sk.load_targets(FIRM_TARGETS).total)


def test_poststratify_on_margins_rakes_only_when_the_questionnaire_says_so(firm_q, kept):
    plan = weighting_plan(firm_q)
    from dataclasses import replace

    _, res = replace(plan, method="poststratify").apply(kept)
    assert res.method.startswith("rake")
    with pytest.raises(WeightingError, match="joint cell targets"):
        weighting_plan(firm_q, method="poststratify").apply(kept)


# ---------------------------------------------------------------------------
# the questionnaire's trimming cap, honoured everywhere


@pytest.fixture(scope="module")
def trimmed_q(tmp_path_factory):
    return _questionnaire(tmp_path_factory.mktemp("trim"), extra="  trim_upper: 3\n")


def test_questionnaire_trim_cap_is_times_the_mean(trimmed_q, kept):
    q = sk.load_questionnaire(trimmed_q)
    plan = weighting_plan(q)
    assert plan.trim_upper == Cap(3.0, True)
    _, untrimmed = weighting_plan(q, trim_upper=Cap(1e12)).apply(kept)
    _, res = plan.apply(kept)
    w0 = untrimmed.weights.to_numpy()
    w = res.weights.to_numpy()
    assert w0.max() > 3 * w0[w0 != 0].mean()           # the cap binds on the sample
    assert w.max() <= 3 * w0[w0 != 0].mean() * (1 + 1e-9)
    assert w.sum() == pytest.approx(w0.sum(), rel=1e-12)
    assert res.method.endswith("+ trim")


def test_report_crosstab_and_weight_commands_agree(trimmed_q, kept, tmp_path, capsys):
    from survey_kit.report.run import prepare
    from survey_kit.cli import main
    from survey_kit.cli.crosstab import weighted_design

    q = sk.load_questionnaire(trimmed_q)
    run = prepare(q, SAMPLE_CSV)
    report_w = run.data["weight"]
    design, note = weighted_design(kept, q)
    assert "trimmed (upper 3x)" in note
    crosstab_w = pd.Series(design.weights, index=design.frame.index)
    np.testing.assert_allclose(crosstab_w.loc[report_w.index].to_numpy(), report_w.to_numpy(),
                               rtol=1e-12)
    assert main(["weight", str(trimmed_q), str(SAMPLE_CSV), "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    written = pd.read_csv(tmp_path / f"{SAMPLE_CSV.stem}_weighted.csv",
                          dtype={"respondent_id": str})
    written = written.set_index("respondent_id")["weight"]
    np.testing.assert_allclose(written.loc[report_w.index].to_numpy(), report_w.to_numpy(),
                               rtol=1e-9)
    book = pd.read_excel(tmp_path / f"{SAMPLE_CSV.stem}_weighting_report.xlsx", sheet_name=None)
    settings = dict(zip(book["settings"].setting, book["settings"].value))
    assert settings["trim_upper"] == "3x"

"""The verdict of "published vs reproduced", on small hand-made inputs with known answers.

The rule (survey_kit/report/reproduce.py, :func:`consistent`): a figure stated
as "x%" is consistent when x lies in the *closed* 95% interval
``[ci_low, ci_high]`` -- a value exactly on a bound is consistent; "over x%"
when ``ci_high > x`` and "under x%" when ``ci_low < x`` (touching is not
enough); a modal band when the modal level of the data is the published one.

The hand-made sample: 10 respondents, 4 "individual" and 6 "firm". Unweighted,
the share of individuals is 40% with the logit interval of R's ``svyciprop``
on 9 degrees of freedom, computed here from the formula
``expit(logit(p) ± t_{0.975, 9} · se / (p (1 - p)))``, ``se = sqrt(p (1 - p) / 9)``:
[12.51%, 75.65%]. Weighted (individuals 3, firms 1) the share is 66.7%,
interval [30.0%, 90.3%].
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import survey_kit as sk
from survey_kit.errors import ReportError
from survey_kit.report.appendix import build_appendix
from survey_kit.report.reproduce import (
    consistent,
    indicator,
    reproduce,
    reproduced_table,
    verdict_text,
)
from survey_kit.report.run import prepare
from survey_kit.report.spec_models import QuotedSpec, ReportSpec

ROOT = Path(__file__).resolve().parents[1]
CREATORS_YAML = ROOT / "questionnaires" / "japan_creators_2024.yaml"
CREATORS_RAW = ROOT / "sample_data" / "japan_creators_2024_raw.csv"

VERDICT_EN = "Published value in 95% CI"
VERDICT_JA = "公表値が95％信頼区間内"


def _logit_ci(p: float, n: int) -> tuple[float, float]:
    """Unweighted logit 95% CI of a proportion (percent), as R's svyciprop on n - 1 df."""
    se = math.sqrt(p * (1 - p) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * se / (p * (1 - p))
    logit = math.log(p / (1 - p))
    return 100 / (1 + math.exp(-(logit - half))), 100 / (1 + math.exp(-(logit + half)))


LOW, HIGH = _logit_ci(0.4, 10)          # 12.51..., 75.65...


@pytest.fixture(scope="module")
def sample():
    frame = pd.DataFrame({"screener_creator": ["individual"] * 4 + ["firm"] * 6,
                          "w": [3.0] * 4 + [1.0] * 6})
    return {"unweighted": sk.SurveyDesign(frame),
            "weighted": sk.SurveyDesign(frame, weights="w"),
            "q": sk.load_questionnaire(CREATORS_YAML)}


def _share(pid: str, published: float, relation: str = "=", basis: str = "weighted"
           ) -> QuotedSpec:
    return QuotedSpec(id=pid, text=f"{relation} {published}", variable="screener_creator",
                      levels=["individual"], published=published, relation=relation,
                      basis=basis)


def _verdicts(sample, quoted, weighted: bool = False) -> list:
    design = sample["weighted"] if weighted else sample["unweighted"]
    rep = reproduce(quoted, design, sample["unweighted"], sample["q"])
    return list(rep["consistent"])


# ---------------------------------------------------------------------------
# the rule, on numbers


@pytest.mark.parametrize("published, relation, expected", [
    (50.0, "=", True),          # inside
    (40.0, "=", True),          # exactly on the lower bound: closed interval
    (60.0, "=", True),          # exactly on the upper bound
    (39.99, "=", False),        # just below
    (60.01, "=", False),        # just above
    (59.0, ">", True),          # "over 59%": the CI reaches above 59
    (60.0, ">", False),         # "over 60%": the CI only touches 60
    (61.0, ">", False),
    (41.0, "<", True),          # "under 41%": the CI reaches below 41
    (40.0, "<", False),         # touching is not enough
    (39.0, "<", False),
])
def test_consistent_rule(published, relation, expected):
    assert consistent(published, relation, 40.0, 60.0) is expected


def test_consistent_bound_tolerance_is_tiny():
    # rounding noise on a bound still counts as on it; a thousandth of a point does not
    assert consistent(60.0 + 1e-12, "=", 40.0, 60.0) is True
    assert consistent(40.0 - 1e-12, "=", 40.0, 60.0) is True
    assert consistent(60.001, "=", 40.0, 60.0) is False
    assert consistent(39.999, "=", 40.0, 60.0) is False


@pytest.mark.parametrize("relation", ["=", ">", "<"])
def test_no_interval_gives_no_verdict(relation):
    assert consistent(50.0, relation, float("nan"), 60.0) is None
    assert consistent(50.0, relation, 40.0, float("inf")) is None


# ---------------------------------------------------------------------------
# the rule, through reproduce() on a hand-made design


def test_hand_made_interval_is_the_formula(sample):
    rep = reproduce([_share("x", 40)], sample["unweighted"], sample["unweighted"],
                    sample["q"]).iloc[0]
    assert rep["weighted"] == pytest.approx(40.0, rel=1e-12)
    assert rep["ci_low"] == pytest.approx(LOW, rel=1e-10)
    assert rep["ci_high"] == pytest.approx(HIGH, rel=1e-10)
    assert rep["n"] == 10 and rep["published"] == "40%"


def test_share_inside_outside_and_on_the_bounds(sample):
    rep = reproduce([_share("x", 40)], sample["unweighted"], sample["unweighted"],
                    sample["q"]).iloc[0]
    lo, hi = rep["ci_low"], rep["ci_high"]
    quoted = [_share("inside", 40.0),
              _share("just_below", round(lo - 0.01, 4)),
              _share("just_above", round(hi + 0.01, 4)),
              _share("on_low", lo),
              _share("on_high", hi),
              _share("far_below", 5.0),
              _share("far_above", 95.0)]
    assert _verdicts(sample, quoted) == [True, False, False, True, True, False, False]


def test_over_and_under_through_reproduce(sample):
    quoted = [_share("over_inside", 70.0, ">"),       # CI reaches 75.65 > 70
              _share("over_beyond", 80.0, ">"),
              _share("under_inside", 15.0, "<"),      # CI starts at 12.51 < 15
              _share("under_beyond", 10.0, "<")]
    assert _verdicts(sample, quoted) == [True, False, True, False]


def test_verdict_follows_the_basis(sample):
    # 20% lies in the unweighted CI [12.5, 75.7] but not in the weighted one [30.0, 90.3]
    quoted = [_share("unw", 20.0, basis="unweighted"), _share("w", 20.0, basis="weighted")]
    rep = reproduce(quoted, sample["weighted"], sample["unweighted"], sample["q"])
    assert rep["weighted"].tolist() == pytest.approx([200 / 3] * 2)
    assert rep["ci_low"].iloc[0] == pytest.approx(LOW, rel=1e-10)
    assert rep["ci_low"].iloc[1] > 20.0
    assert list(rep["consistent"]) == [True, False]


def test_mode_verdict(sample):
    quoted = [QuotedSpec(id=k, text=k, statistic="mode", variable="screener_creator",
                         published=k) for k in ("firm", "individual")]
    rep = reproduce(quoted, sample["unweighted"], sample["unweighted"], sample["q"])
    assert list(rep["level"]) == ["Staff of a creative firm"] * 2
    assert list(rep["consistent"]) == [True, False]
    # weighted, individuals are the mode
    rep_w = reproduce(quoted, sample["weighted"], sample["unweighted"], sample["q"])
    assert list(rep_w["consistent"]) == [False, True]


# ---------------------------------------------------------------------------
# the rendered verdict column


@pytest.mark.parametrize("lang, column, words", [
    ("en", VERDICT_EN, ["yes", "no", "no", "yes", ""]),
    ("ja", VERDICT_JA, ["はい", "いいえ", "いいえ", "はい", ""]),
])
def test_reproduced_table_verdict_column(sample, lang, column, words):
    quoted = [_share("inside", 40.0), _share("below", 12.0), _share("above", 76.0),
              _share("on_high", HIGH)]
    rep = reproduce(quoted, sample["unweighted"], sample["unweighted"], sample["q"], lang)
    no_estimate = rep.iloc[[0]].assign(id="none", ci_low=np.nan, ci_high=np.nan,
                                       consistent=None)
    rep = pd.concat([rep, no_estimate], ignore_index=True)
    table = reproduced_table(rep, lang)
    assert list(table[column]) == words
    assert [verdict_text(c, lang) for c in (True, False, None)] == [words[0], words[1], ""]


@pytest.fixture(scope="module")
def creators_run():
    return prepare(CREATORS_YAML, CREATORS_RAW)


@pytest.mark.parametrize("lang, column, yes, no", [
    ("en", VERDICT_EN, "yes", "no"),
    ("ja", VERDICT_JA, "はい", "いいえ"),
])
def test_appendix_table_shows_the_verdict(creators_run, lang, column, yes, no):
    """Section 7 of a real appendix, with quoted figures placed around the data's CI."""
    run = creators_run
    probe = QuotedSpec(id="probe", text="probe", variable="screener_creator",
                       levels=["individual"], published=50)
    ci = reproduce([probe], run.design, run.unweighted, run.instrument).iloc[0]
    lo, hi = ci["ci_low"], ci["ci_high"]
    quoted = [probe.model_copy(update={"id": name, "text": f"Statement {name}",
                                       "published": value})
              for name, value in (("inside", (lo + hi) / 2), ("below", lo - 0.05),
                                  ("above", hi + 0.05), ("on_bound", hi))]
    spec = ReportSpec(questionnaire=run.questionnaire.id, quoted=quoted)
    app = build_appendix(dataclasses.replace(run, spec=spec), lang=lang, figures=False)
    table = app.tables["published_vs_reproduced"]
    assert list(table[column]) == [yes, no, no, yes]
    assert list(app.reproduced["consistent"]) == [True, False, False, True]
    md = app.to_markdown()
    for name, word in (("inside", yes), ("below", no), ("above", no), ("on_bound", yes)):
        row = next(line for line in md.splitlines() if f"Statement {name} |" in line)
        assert f"| {word} |" in row, row


def test_indicator_missing_and_base_all():
    f = pd.DataFrame({"a": pd.Categorical(["x", "y", None], categories=["x", "y"])})
    np.testing.assert_array_equal(indicator(f, "a", ["x"]), [1.0, 0.0, np.nan])
    np.testing.assert_array_equal(indicator(f, "a", ["x"], base="all"), [1.0, 0.0, 0.0])
    with pytest.raises(ReportError):
        indicator(f, "b", ["x"])

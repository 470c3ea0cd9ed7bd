"""Out-of-core designs (survey_kit.engine, SurveyDesign.from_parquet): the same numbers as
the in-memory SurveyDesign on the same data, to 1e-10 relative, on DuckDB, on Dask (a
LocalCluster of two workers) and on the pandas engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.design.engine_design import EngineDesign
from survey_kit.engine.source import choose_engine, is_parquet_source, parquet_files

pytest.importorskip("duckdb")
pytest.importorskip("dask.dataframe")

N = 100_000
MARGINS = {"size": {"s": 4e5, "m": 3e5, "l": 2e5},
           "sector": {"it": 2e5, "mf": 3e5, "rt": 2e5, "sv": 2e5},
           "region": {str(i): 1.8e5 for i in range(1, 6)}}
LAYOUTS = {
    "weights": dict(weights="w"),
    "strata_fpc_sizes": dict(strata="st", fpc="N"),
    "strata_fpc_fractions": dict(strata="st", fpc="f"),
    "clustered_fpc": dict(weights="w", strata="st", cluster="psu", fpc="Npsu"),
}


def _frame(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    st_ = rng.integers(0, 5, n)
    return pd.DataFrame({
        "st": np.array(list("ABCDE"))[st_],
        "psu": rng.integers(0, 40, n),
        "N": np.array([1e5, 2e5, 5e4, 8e4, 4e5])[st_],
        "Npsu": np.array([60, 50, 45, 80, 100])[st_],
        "f": np.array([0.2, 0.1, 0.4, 0.25, 0.05])[st_],
        "w": rng.uniform(1, 4, n),
        "size": rng.choice(["s", "m", "l"], n, p=[.5, .3, .2]),
        "sector": rng.choice(["it", "mf", "rt", "sv"], n),
        "region": rng.choice(list("12345"), n),
        "y": np.where(rng.random(n) < .05, np.nan, rng.normal(10, 3, n)),
        "q": pd.Series(rng.choice(["a", "b", "c", "d", None], n, p=[.3, .3, .2, .15, .05])),
    })


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    frame = _frame(N)
    frame.iloc[: N // 2].to_parquet(folder / "part-0.parquet", index=False)
    frame.iloc[N // 2:].to_parquet(folder / "part-1.parquet", index=False)
    return folder, pd.read_parquet(folder)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as lc, distributed.Client(lc) as c:
        yield c


def _close(a: float, b: float, rtol: float = 1e-10) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=0, equal_nan=True))


def _same_estimate(a, b) -> None:
    for f in ("estimate", "se", "ci_low", "ci_high", "deff", "df"):
        assert _close(getattr(a, f), getattr(b, f)), (f, getattr(a, f), getattr(b, f))
    assert (a.n, a.n_missing, a.level) == (b.n, b.n_missing, b.level)


def _estimates(d, ref) -> None:
    _same_estimate(d.mean("y"), ref.mean("y"))
    _same_estimate(d.total("y"), ref.total("y"))
    _same_estimate(d.proportion("q", "b"), ref.proportion("q", "b"))
    a, b = d.chisq("q", "sector"), ref.chisq("q", "sector")
    assert _close(a.statistic, b.statistic) and _close(a.pvalue, b.pvalue, 1e-8)
    assert a.warnings == b.warnings                # respondents counted, not atoms
    assert (a.details["n_used"], a.details["n_missing"]) == (b.details["n_used"],
                                                             b.details["n_missing"])
    assert np.allclose(a.df, b.df, rtol=1e-10, atol=0)


@pytest.mark.parametrize("engine, layout", [("duckdb", "weights"),
                                            ("duckdb", "strata_fpc_sizes"),
                                            ("duckdb", "clustered_fpc"),
                                            ("pandas", "strata_fpc_fractions")])
def test_estimates_equal_in_memory(data, engine, layout):
    folder, frame = data
    kw = LAYOUTS[layout]
    d = sk.SurveyDesign.from_parquet(folder, engine=engine, **kw)
    assert d.engine_name == engine and d.n == N
    ref = sk.SurveyDesign(frame, **kw)
    assert d.degf == ref.degf
    _estimates(d, ref)
    if layout.startswith("strata_fpc"):
        return                                 # weighting: the two other layouts
    _estimates(d.rake(MARGINS), ref.rake(MARGINS))
    ps = {"size": MARGINS["size"]}
    _estimates(d.poststratify(ps), ref.poststratify(ps))


def test_dask_on_a_local_cluster_equals_in_memory(data, cluster):
    folder, frame = data
    kw = LAYOUTS["clustered_fpc"]
    d = sk.SurveyDesign.from_parquet(str(folder / "part-*.parquet"), engine="dask", **kw)
    assert d.engine_name == "dask"
    ref = sk.SurveyDesign(frame, **kw)
    import dask.dataframe as dd                   # a Dask DataFrame read from anywhere
    same = sk.SurveyDesign.from_parquet(dd.read_parquet(str(folder)), **kw)
    assert same.engine_name == "dask" and _close(same.mean("y").se, ref.mean("y").se)
    _estimates(d.rake(MARGINS), ref.rake(MARGINS))


def _same_table(a, b) -> None:
    for name in ("cells", "tests", "comparisons"):
        x, y = getattr(a, name), getattr(b, name)
        assert list(x.columns) == list(y.columns) and len(x) == len(y)
        for c in x.columns:
            if name == "tests" and c == "warnings":
                continue          # the in-memory general path words its missing-data note
            if pd.api.types.is_float_dtype(y[c]):
                xv, yv = x[c].to_numpy(float), y[c].to_numpy(float)
                scale = np.nanmax(np.abs(yv)) if np.isfinite(yv).any() else 1.0
                assert np.allclose(xv, yv, rtol=1e-10, atol=1e-12 * scale, equal_nan=True), \
                    (name, c)
            else:
                assert (x[c].astype(str).to_numpy() == y[c].astype(str).to_numpy()).all(), \
                    (name, c)


@pytest.mark.parametrize("layout", ["weights", "clustered_fpc"])
def test_banner_on_a_raked_design_equals_in_memory(data, layout):
    folder, frame = data
    kw = LAYOUTS[layout]
    d = sk.SurveyDesign.from_parquet(folder, engine="duckdb", **kw).rake(MARGINS)
    ref = sk.SurveyDesign(frame, **kw).rake(MARGINS)
    args = dict(rows=["q", "size"], cols=["sector", "region"])
    a, b = sk.crosstab(d, **args), sk.crosstab(ref, **args)
    _same_table(a, b)
    assert a.tests["n"].tolist() == b.tests["n"].tolist()
    assert len(a.comparisons) > 0 and len(a.tests) == 4


@pytest.mark.parametrize("engine", ["duckdb", "pandas", "dask"])
def test_weights_are_written_back_in_row_order(data, engine, tmp_path):
    folder, frame = data
    d = sk.SurveyDesign.from_parquet(folder, weights="w", engine=engine).rake(MARGINS)
    ref = sk.SurveyDesign(frame, weights="w").rake(MARGINS)
    out = d.write_weights(tmp_path / "raked.parquet", name="w_raked")
    back = pd.read_parquet(out)
    assert len(back) == N and list(back.columns[:len(frame.columns)]) == list(frame.columns)
    assert np.allclose(back["w_raked"].to_numpy(), ref.weights, rtol=1e-10, atol=0)
    # the written dataset is a design again, with the same estimates as the raked design
    again = sk.SurveyDesign.from_parquet(out, weights="w_raked", engine="duckdb")
    assert _close(again.mean("y").estimate, ref.mean("y").estimate)
    side = pd.read_parquet(d.write_weights(tmp_path / "side.parquet", columns=["st"]))
    assert list(side.columns) == ["st", "weight"]
    assert np.allclose(side["weight"].to_numpy(), ref.weights, rtol=1e-10, atol=0)


def test_bad_inputs_raise_survey_kit_errors(data, tmp_path):
    folder, frame = data
    with pytest.raises(sk.DesignError, match="not in the data"):
        sk.SurveyDesign.from_parquet(folder, weights="nope", engine="duckdb")
    with pytest.raises(sk.UsageError, match="one stage"):
        sk.SurveyDesign.from_parquet(folder, cluster=["psu", "st"], engine="duckdb")
    with pytest.raises(sk.UsageError, match="engine must be one of"):
        sk.SurveyDesign.from_parquet(folder, engine="spark")
    with pytest.raises(sk.DataError, match="does not exist"):
        sk.SurveyDesign.from_parquet(tmp_path / "missing.parquet")
    bad = frame.head(50).assign(w=np.r_[-1.0, np.ones(49)])
    bad.to_parquet(tmp_path / "bad.parquet")
    for engine in ("duckdb", "pandas"):
        d = sk.SurveyDesign.from_parquet(tmp_path / "bad.parquet", weights="w", engine=engine)
        with pytest.raises(sk.DesignError, match="1 weight"):
            d.mean("y")
    d = sk.SurveyDesign.from_parquet(folder, weights="w", engine="duckdb").rake(MARGINS)
    with pytest.raises(sk.DesignError, match="already raked"):
        d.rake(MARGINS)


def test_sources_and_engine_choice(data):
    folder, _ = data
    assert len(parquet_files(folder)) == 2 == len(parquet_files([folder / "part-0.parquet",
                                                                 folder / "part-1.parquet"]))
    assert is_parquet_source(folder) and is_parquet_source("x/*.parquet")
    assert not is_parquet_source("x.csv")
    assert choose_engine("auto", parquet_files(folder)) == "pandas"
    assert choose_engine("auto", parquet_files(folder), threshold=10) == "duckdb"
    assert isinstance(sk.SurveyDesign.from_parquet(folder), EngineDesign)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 300), clustered=st.booleans())
def test_atoms_give_the_in_memory_variance(seed, n, clustered):
    """Any data: the atoms' moments reproduce the respondent-level linearization."""
    frame = _frame(n, seed)
    frame["psu"] = frame["psu"] % 6
    kw = dict(weights="w", strata="st", lonely_psu="adjust",
              **({"cluster": "psu"} if clustered else {}))
    ref = sk.SurveyDesign(frame, **kw)
    d = EngineDesign.from_parquet(frame, **kw)
    assert d.engine_name == "pandas"
    _same_estimate(d.mean("y"), ref.mean("y"))
    if frame["q"].notna().sum() and (frame["q"] == "a").any():
        _same_estimate(d.proportion("q", "a"), ref.proportion("q", "a"))


def _cli(capsys, *argv):
    from survey_kit.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_engine_paths(capsys, tmp_path):
    from conftest import FIRM_YAML, SAMPLE_CSV

    q = sk.load_questionnaire(FIRM_YAML)
    raw = sk.read_responses(SAMPLE_CSV, q, duplicate_ids="keep")
    kept = sk.clean(raw, q).kept
    kept.to_parquet(tmp_path / "kept.parquet", index=False)
    targets = sk.load_targets(q.source.parent / q.weighting.targets)
    ref = sk.SurveyDesign(kept).rake(targets, variables=q.weighting.variables,
                                     not_stated="separate")
    code, out, err = _cli(capsys, "weight", FIRM_YAML, tmp_path / "kept.parquet",
                          "--engine", "duckdb", "--out", tmp_path / "w")
    assert code == 0, err
    assert "duckdb: grouped sums" in err                   # progress on stderr
    back = pd.read_parquet(tmp_path / "w" / "kept_weighted.parquet")
    assert np.allclose(back["weight"].to_numpy(), ref.weights, rtol=1e-10, atol=0)
    code, out, err = _cli(capsys, "crosstab", FIRM_YAML, tmp_path / "kept.parquet",
                          "--rows", "foreign_share", "--cols", "export_intensity",
                          "--engine", "duckdb")
    assert code == 0, err
    table = sk.crosstab(ref, "foreign_share", "export_intensity", questionnaire=q)
    assert out.strip() == table.to_text().strip()
    code, out, err = _cli(capsys, "crosstab", FIRM_YAML, SAMPLE_CSV, "--rows", "foreign_share",
                          "--cols", "export_intensity", "--engine", "dask")
    assert code == 2 and "reads Parquet datasets" in err
    # options that clean or collapse would be ignored out of core: refused by name
    code, out, err = _cli(capsys, "crosstab", FIRM_YAML, tmp_path / "kept.parquet",
                          "--rows", "foreign_share", "--cols", "export_intensity",
                          "--engine", "duckdb", "--rule", "speeder_action=off")
    assert code == 2 and "--rule apply to the in-memory path" in err
    code, out, err = _cli(capsys, "weight", FIRM_YAML, tmp_path / "kept.parquet",
                          "--engine", "duckdb", "--collapse", "size=micro+small",
                          "--out", tmp_path / "w2")
    assert code == 2 and "--collapse apply to the in-memory path" in err


def test_a_duckdb_relation_or_query_is_a_source(data, tmp_path):
    """A table or a SQL query of the caller's own DuckDB connection: the design over it
    equals the in-memory design of the same rows, and weights are written back."""
    import duckdb

    folder, frame = data
    con = duckdb.connect()
    con.execute(f"CREATE VIEW survey AS SELECT * FROM read_parquet('{folder}/*.parquet')")
    kw = LAYOUTS["clustered_fpc"]
    d = sk.SurveyDesign.from_parquet(con.table("survey"), **kw)
    assert d.engine_name == "duckdb"
    ref = sk.SurveyDesign(frame, **kw)
    _estimates(d, ref)
    _estimates(d.rake(MARGINS), ref.rake(MARGINS))
    # a query: the rows it selects, in the order it gives them
    # (ordered by a unique key, so the rows come in the same order on every evaluation)
    q = con.sql("SELECT * FROM survey WHERE region <> '5' ORDER BY w")
    sub = q.df()
    dq = sk.SurveyDesign.from_parquet(q, weights="w", strata="st", cluster="psu")
    refq = sk.SurveyDesign(sub, weights="w", strata="st", cluster="psu")
    _estimates(dq, refq)
    margins = MARGINS | {"region": {str(i): 2.25e5 for i in range(1, 5)}}
    out = dq.rake(margins).write_weights(tmp_path / "q.parquet", name="w_raked")
    back = pd.read_parquet(out)
    assert len(back) == len(sub) and back["y"].equals(sub["y"])
    np.testing.assert_allclose(back["w_raked"], refq.rake(margins).weights, rtol=1e-10)
    with pytest.raises(sk.SurveyKitError, match="own connection"):
        sk.SurveyDesign.from_parquet(con.table("survey"), weights="w", threads=2)


@pytest.mark.filterwarnings("ignore:.*after one round")
@pytest.mark.parametrize("engine, layout, method", [
    ("duckdb", dict(), "rake"),
    ("pandas", dict(strata="st", cluster="psu"), "rake"),
    ("duckdb", dict(strata="st"), "poststratify")])
def test_trimmed_weights_equal_in_memory(data, engine, layout, method, tmp_path):
    """Trimming after raking or post-stratification (R trimWeights, strict and not): the
    same weights, estimates, SEs and tests as SurveyDesign.trim, the calibration step still
    residualising with the calibrated weights."""
    folder, frame = data
    d = sk.SurveyDesign.from_parquet(folder, engine=engine, **layout)
    ref = sk.SurveyDesign(frame, **layout)
    targets = MARGINS if method == "rake" else {"size": MARGINS["size"]}
    d, ref = getattr(d, method)(targets), getattr(ref, method)(targets)
    mean = d.mean_weight()
    assert _close(mean, float(np.mean(ref.weights)))
    for kw in (dict(upper=1.05 * mean, strict=True), dict(lower=0.5 * mean, upper=1.1 * mean)):
        t, tref = d.trim(**kw), ref.trim(**kw)
        assert t.trim_notes and "trimmed to" in t.trim_notes[0]
        _estimates(t, tref)
        a = sk.crosstab(t, rows="q", cols=["sector", "region"])
        _same_table(a, sk.crosstab(tref, rows="q", cols=["sector", "region"]))
    path = t.write_weights(tmp_path / "trimmed.parquet")
    back = pd.read_parquet(path)["weight"].to_numpy()
    assert np.allclose(back, np.asarray(tref.weights), rtol=1e-10, atol=0)
    assert not np.allclose(back, np.asarray(ref.weights))    # the trimming did something


def test_trimming_refuses_base_weights_that_vary_within_the_cells(data):
    folder, _ = data
    d = sk.SurveyDesign.from_parquet(folder, weights="w", engine="duckdb")
    with pytest.raises(sk.SurveyKitError, match="trim in memory"):
        d.rake(MARGINS).trim(upper=3.0)
    with pytest.raises(sk.SurveyKitError, match="after rake"):
        d.trim(upper=3.0)


def test_cli_trims_as_the_questionnaire_says(capsys, tmp_path):
    """The questionnaire's trim_upper (and --trim-upper/--trim-lower) are applied out of
    core as in memory: the weights written equal WeightingPlan.apply's."""
    from conftest import FIRM_YAML, SAMPLE_CSV

    q = sk.load_questionnaire(FIRM_YAML)
    kept = sk.clean(sk.read_responses(SAMPLE_CSV, q, duplicate_ids="keep"), q).kept
    kept.to_parquet(tmp_path / "kept.parquet", index=False)
    text = FIRM_YAML.read_text(encoding="utf-8").replace(
        "targets: ../sample_data/", f"targets: {FIRM_YAML.parent.parent / 'sample_data'}/")
    text = text.replace("  method: rake\n", "  method: rake\n  trim_upper: 1.3\n")
    yaml = tmp_path / "firms_trimmed.yaml"
    yaml.write_text(text, encoding="utf-8")
    q2 = sk.load_questionnaire(yaml)
    from survey_kit.weighting.plan import weighting_plan

    for extra, caps in (((), {}), (("--trim-lower", "0.5x", "--trim-upper", "1.2x"),
                                   dict(trim_lower="0.5x", trim_upper="1.2x"))):
        _, res = weighting_plan(q2, **caps).apply(kept)
        assert res.method.endswith("+ trim")
        out = tmp_path / f"w{len(extra)}"
        code, _, err = _cli(capsys, "weight", yaml, tmp_path / "kept.parquet",
                            "--engine", "duckdb", "--out", out, *extra)
        assert code == 0, err
        back = pd.read_parquet(out / "kept_weighted.parquet")["weight"].to_numpy()
        assert np.allclose(back, res.weights.to_numpy(), rtol=1e-10, atol=0)
        assert back.max() < (1.3 if not extra else 1.2) * back.mean() * (1 + 1e-9)


@pytest.mark.parametrize("engine, layout, method, bounds", [
    ("duckdb", "weights", "linear", None),
    ("pandas", "clustered_fpc", "raking", None),
    ("duckdb", "weights", "logit", (0.5, 6.0)),
    ("duckdb", "none", "linear", None)])
def test_calibrated_designs_equal_in_memory(data, engine, layout, method, bounds):
    """GREG, raking and logit calibration to categorical margins (R calibrate): the same
    weights and the same GREG-residual SEs as SurveyDesign.calibrate, base weights varying
    within the cells; then trimmed."""
    folder, frame = data
    kw = LAYOUTS.get(layout, {})
    d = sk.SurveyDesign.from_parquet(folder, engine=engine, **kw).calibrate(MARGINS, method,
                                                                            bounds)
    ref = sk.SurveyDesign(frame, **kw).calibrate(MARGINS, method, bounds)
    _estimates(d, ref)
    _same_table(sk.crosstab(d, rows="q", cols=["size", "region"]),
                sk.crosstab(ref, rows="q", cols=["size", "region"]))
    if layout == "weights":
        with pytest.raises(sk.SurveyKitError, match="trim in memory"):
            d.trim(upper=3.0)
    elif layout == "none":                 # one weight per cell: trimmed exactly
        cap = 1.02 * d.mean_weight()
        _estimates(d.trim(upper=cap, strict=True), ref.trim(upper=cap, strict=True))


def test_cli_calibrates_out_of_core(capsys, tmp_path):
    """--method calibrate (--calfun) out of core writes SurveyDesign.calibrate's weights."""
    from conftest import FIRM_YAML, SAMPLE_CSV

    q = sk.load_questionnaire(FIRM_YAML)
    kept = sk.clean(sk.read_responses(SAMPLE_CSV, q, duplicate_ids="keep"), q).kept
    kept.to_parquet(tmp_path / "kept.parquet", index=False)
    targets = sk.load_targets(q.source.parent / q.weighting.targets)
    ref = sk.SurveyDesign(kept).calibrate(targets, "raking", variables=q.weighting.variables,
                                          not_stated="separate")
    code, out, err = _cli(capsys, "weight", FIRM_YAML, tmp_path / "kept.parquet", "--engine",
                          "duckdb", "--method", "calibrate", "--calfun", "raking",
                          "--out", tmp_path / "w")
    assert code == 0, err
    assert "calibrate to" in out
    back = pd.read_parquet(tmp_path / "w" / "kept_weighted.parquet")["weight"].to_numpy()
    assert np.allclose(back, ref.weights, rtol=1e-10, atol=0)


def test_cli_duckdb_settings(capsys, tmp_path, data):
    """--memory-limit and --threads reach DuckDB; a bad size, or a setting for another
    engine, is one line naming it (exit 2)."""
    from conftest import FIRM_YAML

    folder, _ = data
    args = ["crosstab", FIRM_YAML, folder, "--rows", "q", "--cols", "sector", "--unweighted",
            "--engine"]
    code, out, err = _cli(capsys, *args, "duckdb", "--memory-limit", "1GB", "--threads", "1")
    assert code == 0, err
    assert "sector" in out
    code, _, err = _cli(capsys, *args, "duckdb", "--memory-limit", "3XB")
    assert code == 2 and "memory_limit='3XB'" in err and "Traceback" not in err
    code, _, err = _cli(capsys, *args, "dask", "--threads", "2")
    assert code == 2 and "--engine dask does not use them" in err


REPLICATE_CASES = {
    "bootstrap": dict(weights="w", replicate_weights="bw", replicate_type="bootstrap"),
    "jkn_multipliers_mse": dict(weights="w", replicate_weights=r"^jm\d+$", replicate_type="JKn",
                                rscales=0.8, mse=True, combined_weights=False),
    "fay": dict(weights="w", replicate_weights=[f"fw{r}" for r in range(16)],
                replicate_type="Fay", fay_rho=0.5),
}


@pytest.fixture(scope="module")
def replicate_data(tmp_path_factory):
    """100,000 rows with three sets of replicate columns: bootstrap analysis weights (40),
    jackknife multipliers (30) and Fay weights (16)."""
    rng = np.random.default_rng(5)
    frame = _frame(N, seed=8)
    w = frame["w"].to_numpy()
    cols = {f"bw{r}": w * rng.poisson(1.0, N) for r in range(40)}
    cols |= {f"jm{r}": np.where(rng.random(N) < 1 / 30, 0.0, 30 / 29) for r in range(30)}
    cols |= {f"fw{r}": w * np.where(rng.random(N) < 0.5, 0.5, 1.5) for r in range(16)}
    frame = pd.concat([frame, pd.DataFrame(cols)], axis=1)
    folder = tmp_path_factory.mktemp("replicates")
    frame.to_parquet(folder / "puf.parquet", index=False)
    return folder / "puf.parquet", frame


@pytest.mark.parametrize("engine, case", [("duckdb", "bootstrap"),
                                          ("pandas", "jkn_multipliers_mse"), ("duckdb", "fay")])
def test_replicate_designs_equal_in_memory(replicate_data, engine, case):
    """Replicate-weight designs out of core (R svrepdesign): means, totals, proportions with
    every interval type, and degf equal the in-memory SurveyDesign's."""
    path, frame = replicate_data
    kw = REPLICATE_CASES[case]
    d = sk.SurveyDesign.from_parquet(path, engine=engine, **kw)
    ref = sk.SurveyDesign(frame, **kw)
    assert d.degf == ref.degf and d.n == N
    _same_estimate(d.mean("y"), ref.mean("y"))
    _same_estimate(d.total("y"), ref.total("y"))
    for method in ("logit", "mean", "beta"):
        _same_estimate(d.proportion("q", "b", ci_method=method),
                       ref.proportion("q", "b", ci_method=method))
    with pytest.raises(sk.SurveyKitError, match="not offered on a replicate-weight design"):
        d.chisq("q", "sector")
    with pytest.raises(sk.SurveyKitError, match=r"tables \(sk.crosstab\): not offered"):
        sk.crosstab(d, rows="q", cols="sector")


def test_replicate_design_on_a_local_cluster(replicate_data, cluster):
    path, frame = replicate_data
    kw = REPLICATE_CASES["bootstrap"]
    d = sk.SurveyDesign.from_parquet(str(path), engine="dask", **kw)
    ref = sk.SurveyDesign(frame, **kw)
    assert d.engine_name == "dask" and d.degf == ref.degf
    _same_estimate(d.proportion("q", "c"), ref.proportion("q", "c"))
    _same_estimate(d.mean("y"), ref.mean("y"))


def test_cli_refuses_a_replicate_design_out_of_core(capsys, replicate_data):
    """Replicate weights on the command line's out-of-core path are refused by name (they
    were ignored before), pointing to the Python API and --engine pandas."""
    from conftest import FIRM_YAML

    path, _ = replicate_data
    code, _, err = _cli(capsys, "crosstab", FIRM_YAML, path, "--rows", "q", "--cols", "sector",
                        "--engine", "duckdb", "--replicate-weights", "bw",
                        "--replicate-type", "bootstrap")
    assert code == 2 and "replicate weights" in err and "--engine pandas" in err


def test_engine_errors_are_one_line_naming_the_file(capsys, tmp_path):
    """A file that is not Parquet, or a weight column of text, is a one-line error naming
    the file or column on every engine path, never DuckDB's SQL echo or a traceback."""
    from conftest import FIRM_YAML

    bad = tmp_path / "bad.parquet"
    bad.write_text("not a parquet file")
    code, _, err = _cli(capsys, "crosstab", FIRM_YAML, bad, "--rows", "q", "--cols", "sector",
                        "--engine", "duckdb", "--unweighted")
    assert code == 2 and "damaged or not Parquet" in err and len(err.strip().splitlines()) == 1
    frame = _frame(500)
    frame["wtxt"] = "x"
    frame.to_parquet(tmp_path / "text_weights.parquet", index=False)
    for engine in ("duckdb", "pandas"):
        d = sk.SurveyDesign.from_parquet(tmp_path / "text_weights.parquet", weights="wtxt",
                                         engine=engine)
        with pytest.raises(sk.SurveyKitError, match="missing, infinite or negative"):
            d.mean("y")

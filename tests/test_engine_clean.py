"""Cleaning out of core (``survey-kit clean --engine duckdb``): the questionnaire's rules in
DuckDB give the flags, reasons and flow of the in-memory ``sk.clean`` on the same Parquet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import FIRM_YAML, SAMPLE_CSV

import survey_kit as sk
from survey_kit import clean_parquet
from survey_kit.errors import UsageError

pytest.importorskip("duckdb")

#: rules that need every respondent in memory, switched off for the out-of-core runs
OFF = {f"{r}_action": "off" for r in ("near_duplicate", "gibberish", "mahalanobis",
                                      "even_odd")}
N = 100_000


def _raw() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_CSV, dtype={"Q16": str, "respondent_id": str})


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """100,000 rows: the sample tiled, with new ids and fingerprints per copy (repeats kept
    within a copy), random durations (some blank, negative or zero) and answers changed at
    random (blanks, other codes, missing codes)."""
    rng = np.random.default_rng(11)
    raw = _raw()
    k = -(-N // len(raw))
    frame = pd.concat([raw] * k, ignore_index=True).iloc[:N].copy()
    copy = np.repeat(np.arange(k), len(raw))[:N].astype(str)
    frame["respondent_id"] = frame["respondent_id"] + "_" + copy
    fp = frame["device_fingerprint"]
    frame["device_fingerprint"] = fp.where(fp.isna(), fp + "_" + copy)
    dur = rng.gamma(4.0, 140.0, N).round()
    dur[rng.random(N) < 0.01] = np.nan
    dur[rng.random(N) < 0.002] = -5
    dur[rng.random(N) < 0.002] = 0
    frame["duration_sec"] = dur
    for col in ("S1", "Q1", "Q5", "Q8", "Q12_1", "Q12_2", "Q13_3", "Q4a", "Q4b", "Q3"):
        x = frame[col].astype("Float64")
        pick = rng.random(N)
        values = pd.Series(x.dropna().unique())
        x[pick < 0.02] = pd.NA
        swap = pick > 0.97
        x[swap] = values.sample(int(swap.sum()), replace=True, random_state=1).to_numpy()
        frame[col] = x.astype("Int64") if col not in ("Q4a", "Q4b", "Q3") else x
    folder = tmp_path_factory.mktemp("big")
    frame.to_parquet(folder / "big.parquet", index=False)
    (folder / "parts").mkdir()
    frame.iloc[:40_000].to_parquet(folder / "parts" / "p0.parquet", index=False)
    frame.iloc[40_000:].to_parquet(folder / "parts" / "p1.parquet", index=False)
    q = sk.load_questionnaire(FIRM_YAML)
    overrides = dict(OFF, speeder_fraction="0.4", trap_max_failures="1")
    mem = sk.clean(sk.read_responses(folder / "big.parquet", q, duplicate_ids="keep"), q,
                   **overrides)
    return folder, q, overrides, mem


def _same(res, mem) -> None:
    pd.testing.assert_frame_equal(res.flow, mem.flow)
    flagged = pd.read_parquet(res.flagged)
    assert len(flagged) == mem.n_raw
    applied = mem.flow.loc[mem.flow["status"] == "applied", "rule"].tolist()
    assert [c for c in flagged if c.startswith("flag_")] == [f"flag_{r}" for r in applied]
    for r in applied:
        assert (flagged[f"flag_{r}"].to_numpy() == mem.flags[r].to_numpy()).all(), r
    excluded = ~pd.Index(flagged["respondent_id"]).isin(mem.kept["_raw_id"]) | \
        pd.Index(mem.flags.index).isin(mem.excluded.index)
    assert (flagged["excluded"].to_numpy() == excluded).all()
    reason = pd.Series(mem.excluded["reason"]).reindex(mem.flags.index)
    assert flagged["exclusion_reason"].fillna("").tolist() == reason.fillna("").tolist()
    kept = pd.read_parquet(res.kept).set_index("respondent_id")
    _same_labelled(kept, mem.kept)


def _same_labelled(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    """The kept file out of core is the in-memory labelled frame: the same index, columns
    in order, missing cells and values (option keys, numbers, text, times)."""
    assert got.index.tolist() == ref.index.tolist()
    assert list(got.columns) == list(ref.columns)
    for c in ref.columns:
        a, b = got[c], ref[c]
        na, nb = a.isna().to_numpy(), b.isna().to_numpy()
        assert (na == nb).all(), c
        av, bv = a[~na], b[~nb]
        if pd.api.types.is_float_dtype(bv):
            assert (av.to_numpy(float) == bv.to_numpy(float)).all(), c
        else:
            assert (av.astype(str).to_numpy() == bv.astype(str).to_numpy()).all(), c


def test_out_of_core_equals_in_memory_at_100k(big, tmp_path):
    folder, q, overrides, mem = big
    assert mem.n_raw == N and 0 < len(mem.excluded) < N
    res = clean_parquet(folder / "big.parquet", q, tmp_path, overrides=overrides)
    _same(res, mem)
    # a folder of parts is the same dataset, in file order
    res = clean_parquet(folder / "parts", q, tmp_path / "parts", overrides=overrides)
    _same(res, mem)


@pytest.mark.parametrize("extra", [{"speeder_method": "sd"}, {"straightliner_action": "review",
                                                               "incomplete_action": "off"}])
def test_other_parameters_equal_in_memory(tmp_path, extra):
    q = sk.load_questionnaire(FIRM_YAML)
    _raw().to_parquet(tmp_path / "raw.parquet", index=False)
    over = dict(OFF, **extra)
    mem = sk.clean(sk.read_responses(tmp_path / "raw.parquet", q, duplicate_ids="keep"), q,
                   **over)
    res = clean_parquet(tmp_path / "raw.parquet", q, tmp_path / "o", overrides=over)
    _same(res, mem)


def test_a_model_rule_the_questionnaire_makes_not_applicable_runs_as_in_memory(tmp_path):
    """even_odd needs 5 scales; the firm questionnaire has fewer, so out of core it is
    "not applicable" (as in memory) instead of refused, and the flows are equal."""
    q = sk.load_questionnaire(FIRM_YAML)
    _raw().to_parquet(tmp_path / "raw.parquet", index=False)
    over = {k: v for k, v in OFF.items() if k != "even_odd_action"}
    mem = sk.clean(sk.read_responses(tmp_path / "raw.parquet", q, duplicate_ids="keep"), q,
                   **over)
    res = clean_parquet(tmp_path / "raw.parquet", q, tmp_path / "o", overrides=over)
    _same(res, mem)
    status = res.flow.set_index("rule")["status"]
    assert status["even_odd"] == "not applicable"


def test_model_rules_are_refused_by_name(tmp_path):
    q = sk.load_questionnaire(FIRM_YAML)
    _raw().to_parquet(tmp_path / "raw.parquet", index=False)
    with pytest.raises(UsageError, match="near_duplicate, gibberish, mahalanobis need"):
        clean_parquet(tmp_path / "raw.parquet", q, tmp_path / "o")
    with pytest.raises(UsageError, match="not offered"):
        clean_parquet(tmp_path / "raw.parquet", q, tmp_path / "o", overrides=OFF,
                      engine="dask")


def test_unknown_codes_are_errors_as_in_memory(tmp_path):
    q = sk.load_questionnaire(FIRM_YAML)
    raw = _raw()
    raw.loc[3, "Q1"] = 77
    raw.to_parquet(tmp_path / "raw.parquet", index=False)
    with pytest.raises(sk.DataError) as exc:
        clean_parquet(tmp_path / "raw.parquet", q, tmp_path / "o", overrides=OFF)
    assert exc.value.column == "Q1" and "77" in str(exc.value)


def _cli(capsys, *argv):
    from survey_kit.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_clean_out_of_core(capsys, tmp_path):
    raw = _raw()
    raw.to_parquet(tmp_path / "raw.parquet", index=False)
    offs = [a for r in OFF for a in ("--rule", f"{r}=off")]
    code, out, err = _cli(capsys, "clean", FIRM_YAML, tmp_path / "raw.parquet", "--out",
                          tmp_path / "o", "--engine", "duckdb", "--rule", "speeder_fraction=0.4",
                          *offs)
    assert code == 0, err
    for name in ("raw_flagged.parquet", "raw_kept.parquet", "raw_flow.csv"):
        assert (tmp_path / "o" / name).is_file()
    assert "Exclusion flow" in out and "survey-kit: writing raw_flagged.parquet" in err
    q = sk.load_questionnaire(FIRM_YAML)
    mem = sk.clean(sk.read_responses(tmp_path / "raw.parquet", q, duplicate_ids="keep"), q,
                   **OFF, speeder_fraction=0.4)
    flow = pd.read_csv(tmp_path / "o" / "raw_flow.csv")
    code, _, err = _cli(capsys, "clean", FIRM_YAML, SAMPLE_CSV, "--out", tmp_path / "m",
                        "--rule", "speeder_fraction=0.4", *offs, "--format", "csv")
    assert code == 0, err
    ref = pd.read_csv(tmp_path / "m" / "japan_digital_services_2024_raw_flow.csv")
    pd.testing.assert_frame_equal(flow, ref)
    assert flow["n_remaining"].iloc[-1] == len(mem.kept)
    # a model-based rule switched on: exit 2, one line naming it, no traceback
    code, out, err = _cli(capsys, "clean", FIRM_YAML, tmp_path / "raw.parquet", "--out",
                          tmp_path / "o2", "--engine", "duckdb",
                          *[a for r in OFF if "gibberish" not in r
                            for a in ("--rule", f"{r}=off")])
    assert code == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "gibberish" in err
    assert "--rule gibberish_action=off" in err
    # a missing column names the column
    raw.drop(columns=["duration_sec"]).to_parquet(tmp_path / "nodur.parquet", index=False)
    code, out, err = _cli(capsys, "clean", FIRM_YAML, tmp_path / "nodur.parquet", "--out",
                          tmp_path / "o3", "--engine", "duckdb", *offs)
    assert code == 2 and "duration_sec" in err and "Traceback" not in err
    code, out, err = _cli(capsys, "clean", FIRM_YAML, tmp_path / "raw.parquet", "--out",
                          tmp_path / "o4", "--engine", "dask", *offs)
    assert code == 2 and "not offered" in err


def test_clean_weight_crosstab_out_of_core_end_to_end(tmp_path, capsys):
    """clean --engine duckdb writes the kept rows as the labelled frame, which weight and
    crosstab --engine duckdb take as they are: the weights and the table equal the in-memory
    pipeline's on the same export."""
    from survey_kit.cli import main

    q = sk.load_questionnaire(FIRM_YAML)
    raw = _raw()
    repeat = raw.iloc[[3]].copy()                 # a repeated id kept by the rules switched
    raw = pd.concat([raw, repeat], ignore_index=True)   # off below: the index reads "<id>~2"
    raw.to_parquet(tmp_path / "export.parquet", index=False)
    over = dict(OFF, duplicate_id_action="off", duplicate_fingerprint_action="off")
    rules = [a for k, v in over.items() for a in ("--rule", f"{k}={v}")]
    assert main(["clean", str(FIRM_YAML), str(tmp_path / "export.parquet"), "--out",
                 str(tmp_path / "c"), "--engine", "duckdb", *rules]) == 0
    mem = sk.clean(sk.read_responses(tmp_path / "export.parquet", q, duplicate_ids="keep"), q,
                   **over).kept
    kept_path = tmp_path / "c" / "export_kept.parquet"
    got = pd.read_parquet(kept_path).set_index("respondent_id")
    assert got.index.str.endswith("~2").sum() >= 1          # repeats, as read_responses names them
    _same_labelled(got, mem)
    assert main(["weight", str(FIRM_YAML), str(kept_path), "--engine", "duckdb", "--out",
                 str(tmp_path / "w")]) == 0
    targets = sk.load_targets(q.source.parent / q.weighting.targets)
    ref = sk.SurveyDesign(mem).rake(targets, variables=q.weighting.variables,
                                    not_stated="separate")
    back = pd.read_parquet(tmp_path / "w" / "export_kept_weighted.parquet")
    assert np.allclose(back["weight"].to_numpy(), ref.weights, rtol=1e-10, atol=0)
    capsys.readouterr()
    assert main(["crosstab", str(FIRM_YAML), str(kept_path), "--rows", "foreign_share",
                 "--cols", "export_intensity", "--engine", "duckdb"]) == 0
    out = capsys.readouterr().out
    table = sk.crosstab(ref, "foreign_share", "export_intensity", questionnaire=q)
    assert out.strip() == table.to_text().strip()

"""AAPOR outcome rates (Standard Definitions, 10th edition, 2023): hand-computed worked
examples, the order the definitions imply (hypothesis), per-case dispositions with a
code mapping, and the questionnaire's design.dispositions section."""

from __future__ import annotations

import math

import numpy as np
import pydantic
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.errors import DataError, QuestionnaireError, UsageError
from survey_kit.instrument.schema import Dispositions
from survey_kit.report.response_rates import CATEGORIES, declared_rates, response_rates

# a worked example: 1,000 cases released
EXAMPLE = {"I": 400, "P": 50, "R": 150, "NC": 200, "O": 50, "UH": 60, "UO": 40, "NE": 50}


def test_worked_example_by_hand():
    rr = response_rates(EXAMPLE, e=0.5)
    i, p, r, nc, o, uh, uo = 400, 50, 150, 200, 50, 60, 40
    known = (i + p) + (r + nc + o)              # 850 known eligible
    assert rr["RR1"] == pytest.approx(i / (known + uh + uo))              # 400 / 950
    assert rr["RR2"] == pytest.approx((i + p) / (known + uh + uo))        # 450 / 950
    assert rr["RR3"] == pytest.approx(i / (known + 0.5 * (uh + uo)))      # 400 / 900
    assert rr["RR4"] == pytest.approx((i + p) / (known + 0.5 * (uh + uo)))
    assert rr["RR5"] == pytest.approx(i / known)
    assert rr["RR6"] == pytest.approx((i + p) / known)
    assert rr["COOP1"] == pytest.approx(i / ((i + p) + r + o))            # 400 / 650
    assert rr["COOP2"] == pytest.approx((i + p) / ((i + p) + r + o))
    assert rr["COOP3"] == pytest.approx(i / ((i + p) + r))                # 400 / 600
    assert rr["COOP4"] == pytest.approx((i + p) / ((i + p) + r))          # 0.75
    assert rr["REF1"] == pytest.approx(r / (known + uh + uo))
    assert rr["REF2"] == pytest.approx(r / (known + 0.5 * (uh + uo)))
    assert rr["REF3"] == pytest.approx(r / known)
    assert rr["CON1"] == pytest.approx(((i + p) + r + o) / (known + uh + uo))
    assert rr["CON2"] == pytest.approx(((i + p) + r + o) / (known + 0.5 * (uh + uo)))
    assert rr["CON3"] == pytest.approx(((i + p) + r + o) / known)
    # round numbers to read against the formulas
    assert (rr["RR1"], rr["RR3"], rr["COOP4"]) == pytest.approx((400 / 950, 4 / 9, 0.75))
    assert rr.n_cases == 1000


def test_e_eligible_share_and_missing_e():
    rr = response_rates(EXAMPLE, e="eligible_share")
    assert rr.e == pytest.approx(850 / 900)                 # E / (E + NE)
    assert rr["RR3"] == pytest.approx(400 / (850 + 850 / 900 * 100))
    assert "850 / 900" in rr.e_basis
    no_e = response_rates(EXAMPLE)
    for name in ("RR3", "RR4", "REF2", "CON2"):
        assert math.isnan(no_e[name]) and "needs e" in no_e.reasons[name]
    assert no_e["RR1"] == pytest.approx(400 / 950)
    # without unknown eligibility, e does not matter
    known_only = response_rates({"I": 8, "R": 2})
    assert known_only["RR3"] == known_only["RR1"] == known_only["RR5"] == 0.8


def test_result_object_views():
    rr = response_rates(EXAMPLE, e=0.5)
    frame = rr.to_frame()
    assert list(frame.index[:6]) == ["RR1", "RR2", "RR3", "RR4", "RR5", "RR6"]
    assert len(frame) == 16 and frame["note"].eq("").all()
    assert frame.loc["COOP3", "formula"] == "I / ((I + P) + R)"
    assert rr.counts_frame().loc["NE", "cases"] == 50
    assert "RR1 42.1%" in rr.summary() and "10th edition (2023)" in rr.summary()
    assert "RR1" in str(rr)
    with pytest.raises(UsageError, match="no rate 'RR7'"):
        rr["RR7"]


def test_per_case_dispositions_and_codes():
    cases = ["I"] * 4 + ["P", "R", "NC", "UH", "NE"]
    assert response_rates(cases).counts == {"I": 4, "P": 1, "R": 1, "NC": 1, "O": 0,
                                            "UH": 1, "UO": 0, "NE": 1}
    codes = {"I": [1.1], "P": 1.2, "R": ["2.11", "2.12"], "NC": 2.2, "NE": [4.1, 4.2]}
    rr = response_rates(["1.1", "1.1", "1.2", "2.11", "2.12", "2.2", "4.1"], codes=codes)
    assert rr.counts["R"] == 2 and rr.counts["NE"] == 1
    assert rr["RR1"] == pytest.approx(2 / 6)
    # 1, 1.0 and "1" are the same code
    assert response_rates([1, 1.0, "1", 3], codes={"I": 1, "R": 3}).counts["I"] == 3


@pytest.mark.parametrize("bad,match", [
    ({"I": 3, "X": 1}, "unknown disposition category 'X'"),
    ({"I": -1}, "not a whole number >= 0"),
    ({"I": 2.5}, "not a whole number >= 0"),
    ({"I": 0}, "no cases"),
    ("I", "not the string"),
])
def test_bad_counts(bad, match):
    with pytest.raises(UsageError, match=match):
        response_rates(bad)


def test_bad_cases_name_the_row():
    with pytest.raises(UsageError, match=r"disposition '7' \(row 3"):
        response_rates([1, 2, 7], codes={"I": 1, "R": 2})
    with pytest.raises(UsageError, match="row 2 has no disposition"):
        response_rates(["I", None])
    with pytest.raises(UsageError, match="mapped to both"):
        response_rates([1], codes={"I": 1, "R": [1]})
    with pytest.raises(UsageError, match="e must be"):
        response_rates({"I": 1}, e=1.5)


counts = st.fixed_dictionaries({c: st.integers(0, 10_000) for c in CATEGORIES})


@given(counts, st.floats(0, 1))
def test_orderings(c, e):
    rr = response_rates(c if sum(c.values()) else {**c, "I": 1}, e=e)
    r = {k: v for k, v in rr.rates.items()}

    def le(a, b):
        if np.isfinite(r[a]) and np.isfinite(r[b]):
            assert r[a] <= r[b] * (1 + 1e-12), (a, b, r)

    for a, b in (("RR1", "RR2"), ("RR3", "RR4"), ("RR5", "RR6"), ("RR1", "RR3"),
                 ("RR3", "RR5"), ("RR2", "RR4"), ("RR4", "RR6"), ("COOP1", "COOP2"),
                 ("COOP3", "COOP4"), ("COOP1", "COOP3"), ("COOP2", "COOP4"),
                 ("REF1", "REF2"), ("REF2", "REF3"), ("CON1", "CON2"), ("CON2", "CON3"),
                 ("RR5", "COOP1")):
        le(a, b)
    for v in r.values():
        assert np.isnan(v) or 0 <= v <= 1
    # e = 1 counts every unknown as eligible (RR3 = RR1); e = 0 none (RR3 = RR5)
    one = response_rates(c if sum(c.values()) else {**c, "I": 1}, e=1.0)
    zero = response_rates(c if sum(c.values()) else {**c, "I": 1}, e=0.0)
    for x, y in ((one["RR3"], one["RR1"]), (zero["RR3"], zero["RR5"])):
        assert (np.isnan(x) and np.isnan(y)) or x == pytest.approx(y)


@given(counts)
def test_not_eligible_cases_change_nothing_but_e(c):
    base = {**c, "I": c["I"] + 1}
    more_ne = {**base, "NE": base["NE"] + 7}
    a, b = response_rates(base, e=0.3), response_rates(more_ne, e=0.3)
    for k in a.rates:
        assert (np.isnan(a[k]) and np.isnan(b[k])) or a[k] == pytest.approx(b[k])


# ---------------------------------------------------------------------------
# the questionnaire's design.dispositions
# ---------------------------------------------------------------------------

BASE = {
    "survey": {"id": "probe", "title": "Probe", "population": "Firms", "country": "JP"},
    "questions": [{"id": "q1", "text": "Q1", "type": "numeric", "column": "q1"}],
}


def _load(tmp_path, dispositions):
    data = {**BASE, "design": {"sample": "probability", "dispositions": dispositions}}
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return sk.load_questionnaire(path)


def test_declared_counts_and_file(tmp_path):
    q = _load(tmp_path, {"counts": {"I": 40, "R": 10}})
    assert declared_rates(q.design.dispositions, q.source)["RR1"] == 0.8
    (tmp_path / "cases.csv").write_text("case,final\n1,110\n2,110\n3,211\n4,410\n5,310\n",
                                        encoding="utf-8")
    q = _load(tmp_path, {"file": "cases.csv", "column": "final", "e": 0.5,
                         "codes": {"I": [110], "R": [211], "NE": [410], "UH": [310]}})
    rr = declared_rates(q.design.dispositions, q.source)
    assert rr.counts["I"] == 2 and rr.counts["NE"] == 1
    assert rr["RR3"] == pytest.approx(2 / (3 + 0.5))


def test_declared_file_errors(tmp_path):
    (tmp_path / "cases.csv").write_text("case,final\n1,110\n2,999\n", encoding="utf-8")
    q = _load(tmp_path, {"file": "cases.csv", "column": "final", "codes": {"I": [110]}})
    with pytest.raises(DataError, match=r"disposition '999' \(row 3.*design.dispositions.codes"):
        declared_rates(q.design.dispositions, q.source)
    q = _load(tmp_path, {"file": "cases.csv", "column": "status"})
    with pytest.raises(DataError, match="no column 'status'"):
        declared_rates(q.design.dispositions, q.source)


@pytest.mark.parametrize("disp,where", [
    ({}, "design.dispositions"),
    ({"counts": {"I": 1}, "file": "x.csv", "column": "c"}, "design.dispositions"),
    ({"file": "x.csv"}, "design.dispositions.column"),
    ({"counts": {"I": -2}}, "design.dispositions.counts"),
    ({"counts": {"I": 2}, "e": 2.0}, "design.dispositions.e"),
])
def test_section_checks(tmp_path, disp, where):
    with pytest.raises(QuestionnaireError, match=where.replace(".", r"\.")):
        _load(tmp_path, disp)


def test_schema_model_is_frozen():
    d = Dispositions(counts={"I": 1})
    with pytest.raises(pydantic.ValidationError):
        d.counts = None


def test_readme_response_rates_example_runs(capsys):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S)
                 if "response_rates" in b)
    exec(compile(block, "README.md", "exec"), {})
    first = capsys.readouterr().out.splitlines()[0].split()
    assert float(first[0]) == pytest.approx(400 / 950)
    assert float(first[1]) == pytest.approx(400 / (850 + 850 / 900 * 100))


def test_validate_lists_the_dispositions(tmp_path, capsys):
    from survey_kit.cli import main

    q = _load(tmp_path, {"file": "missing.csv", "column": "final"})
    assert main(["validate", str(q.source)]) == 0
    out = capsys.readouterr().out
    assert "Design:         probability; dispositions: missing.csv, column final " \
           "(file not found)" in out

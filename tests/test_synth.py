"""Tests of the synthetic sample generator and of the committed sample_data/.

The defect checks below are written independently of the generator: they read
the raw CSV as text, decode it with the questionnaire and re-detect every kind
of planted defect, so the planted-defects files can serve as ground truth for
the cleaning module.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.sample import generator as synth
from survey_kit.errors import QuestionnaireError, UsageError
from survey_kit.instrument.questionnaire import Questionnaire, load_questionnaire
from survey_kit.io.read import read_responses

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
QDIR = ROOT / "questionnaires"
DIGITAL = "japan_digital_services_2024"
CREATORS = "japan_creators_2024"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """The sample written afresh through the CLI command ``generate-sample`` (with its
    output rules: the folder gets the manifest of the files survey-kit wrote, which is
    committed too, so that ``survey-kit generate-sample --out sample_data`` may replace
    them without ``--force``)."""
    from survey_kit.cli import main

    out = tmp_path_factory.mktemp("sample")
    assert main(["generate-sample", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module", params=[DIGITAL, CREATORS])
def survey(request) -> tuple[str, Questionnaire, pd.DataFrame, pd.DataFrame]:
    sid = request.param
    q = load_questionnaire(QDIR / f"{sid}.yaml")
    raw = pd.read_csv(SAMPLE / f"{sid}_raw.csv", dtype=str, keep_default_na=False)
    planted = pd.read_csv(SAMPLE / f"{sid}_planted_defects.csv", dtype=str,
                          keep_default_na=False)
    planted["row"] = planted["row"].astype(int)
    return sid, q, raw, planted


# ---------------------------------------------------------------------------
# an independent decoder and defect detector


def _columns(q: Questionnaire) -> list[str]:
    return [q.survey.respondent_id] + [info.column for info in q.variables.values()
                                       if info.column is not None]


def _decode(q: Questionnaire, raw: pd.DataFrame) -> dict[str, pd.Series]:
    """Variable -> Series of option keys / floats / text; blank -> None/NaN, missing -> '!key'."""
    out: dict[str, pd.Series] = {}
    for name, info in q.variables.items():
        if info.column is None:
            continue
        qu = q.question(info.question)
        cell = raw[info.column]
        if qu.type in ("single", "likert", "grid"):
            mapping = {str(o.code): o.key for o in qu.options}
            mapping |= {f"{m.code:g}": "!" + m.key for m in qu.missing}
            mapping[""] = None
            out[name] = cell.map(mapping)
            assert out[name].notna().sum() == (cell != "").sum(), f"unknown code in {name}"
        elif qu.type in ("multi", "numeric"):
            out[name] = pd.to_numeric(cell.replace("", np.nan))
        else:
            out[name] = cell.replace("", None)
    return out


def _gibberish(text: str) -> bool:
    t = text.strip()
    if re.fullmatch(r"(.+?)\1+", t):
        return True
    return re.search(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]", t) is None


def _similarity(frame: pd.DataFrame, open_cols: list[str],
                answered: pd.DataFrame | None = None) -> np.ndarray:
    """Share of identical substantive answers: the largest of (a) all columns, blank ==
    blank, (b) the same without open ends, (c) closed items both answered (>= 10)."""
    def count(cols, mask=None):
        s = np.zeros((len(frame), len(frame)))
        for c in cols:
            v = pd.factorize(frame[c])[0]
            same = v[:, None] == v[None, :]
            if mask is not None:
                given = mask[c].to_numpy()
                same &= given[:, None] & given[None, :]
            s += same
        return s
    closed = [c for c in frame.columns if c not in open_cols]
    a = count(closed)
    b = count(open_cols)
    out = np.maximum((a + b) / frame.shape[1], a / len(closed))
    if answered is not None:
        both = answered[closed].to_numpy(dtype=float)
        m = both @ both.T
        agree = count(closed, answered)
        out = np.maximum(out, np.where(m >= 10, agree / np.maximum(m, 1), 0))
    return out


def _answered(q: Questionnaire, raw: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """True where a cell holds a real answer (not blank, not a missing code)."""
    out = {}
    by_col = {info.column: q.question(info.question) for info in q.variables.values()
              if info.column is not None}
    for c in cols:
        missing = {f"{m.code:g}" for m in by_col[c].missing}
        out[c] = (raw[c] != "") & ~raw[c].isin(missing)
    return pd.DataFrame(out, index=raw.index)


def _detect(q: Questionnaire, raw: pd.DataFrame) -> dict[str, set[int]]:
    """Rows (0-based) failing each quality check, computed from the raw export alone."""
    v = _decode(q, raw)
    n = len(raw)
    found: dict[str, set[int]] = {}

    def add(name: str, mask) -> None:
        rows = set(np.flatnonzero(np.asarray(mask, dtype=bool)).tolist())
        if rows:
            found[name] = rows

    def key_of(var: str, value) -> str:
        for o in q.question(q.variable(var).question).options:
            if value in (o.key, o.code):
                return o.key
        return value

    c = q.survey.screening[0]
    allowed = [key_of(c.question, x) for x in c.value]
    screened = v[c.question].notna() & ~v[c.question].isin(allowed)
    add("screened_out", screened)

    blank_required = np.zeros(n, dtype=bool)
    for qu in q.questions:
        if qu.required:
            names = [x for x, info in q.variables.items()
                     if info.question == qu.id and info.column is not None]
            blank_required |= np.all([v[x].isna() for x in names], axis=0)
    partial = blank_required & ~screened
    add("partial", partial)
    judged = ~(screened | partial)

    dur = pd.to_numeric(raw[q.variables[q.meta_column("duration")].column])
    fast_all = dur < dur.median() / 3
    fast_judged = dur < dur[judged].median() / 3
    assert (fast_all[judged] == fast_judged[judged]).all(), "speeders depend on the median used"
    add("speeder", fast_all & judged)

    for t in q.quality.traps:
        if t.type == "instructed":
            expected = [key_of(t.question, e) for e in t.expected]
            x = v[t.question]
            add(t.id, judged & x.notna() & ~x.isin(expected))
        else:
            levels = q.levels(t.question)
            a = v[t.question].map({k: i for i, k in enumerate(levels)})
            b = v[t.repeat].map({k: i for i, k in enumerate(q.levels(t.repeat))})
            add(t.id, judged & ((a - b).abs() > t.tolerance))

    for g in q.grids():
        items = q.grid_variables(g.id)
        grid = pd.DataFrame({x: v[x] for x in items})
        add(f"straightline:{g.id}", judged & grid.notna().all(axis=1)
            & grid.eq(grid.iloc[:, 0], axis=0).all(axis=1))

    for r in q.quality.rules:
        if r.kind == "range":
            x = v[r.question]
            codes = [m.code for m in q.question(r.question).missing]
            x = x.where(~x.isin(codes))
            add(r.id, judged & ((x < r.min) | (x > r.max)))
        elif r.kind == "sum":
            parts = pd.DataFrame({x: v[x] for x in r.questions})
            total = parts.sum(axis=1, min_count=len(r.questions))
            add(r.id, judged & ((total < r.min) | (total > r.max)))
        elif r.kind == "band_match":
            x = v[r.numeric]
            band = pd.Series(None, index=raw.index, dtype=object)
            for b in q.question(r.numeric).bands.levels:
                band[(x >= b.min) & (x <= b.max)] = b.key
            cat = v[r.question]
            add(r.id, judged & band.notna() & cat.isin(q.levels(r.question)) & (band != cat))
        elif r.kind == "implies":
            when = np.all([v[cc.question] == cc.value for cc in r.when], axis=0)
            then = np.all([v[cc.question].isin(cc.value) for cc in r.then], axis=0)
            add(r.id, judged & when & ~then)

    for name in q.quality.open_ended:
        text = v[name]
        add(f"gibberish:{name}", judged & text.notna()
            & text.fillna("").map(_gibberish).astype(bool))

    idcol = raw[q.survey.respondent_id]
    dup_id = idcol.duplicated()
    add("duplicate_id", dup_id)
    subst = [info.column for info in q.variables.values()
             if info.column is not None and q.question(info.question).type != "meta"]
    fp = raw[q.variables[q.meta_column("fingerprint")].column]
    dup_fp = raw.assign(_fp=fp).duplicated(subset=["_fp"] + subst) & ~dup_id
    add("duplicate_fingerprint", dup_fp)
    open_cols = [q.variables[x].column for x in q.quality.open_ended]
    rows = np.flatnonzero(judged)
    part = raw.iloc[rows][subst]
    sim = _similarity(part, open_cols, _answered(q, part, subst))
    earlier = np.tril(sim, -1).max(axis=1) >= 0.85
    near = np.zeros(n, dtype=bool)
    near[rows[earlier]] = True
    add("near_duplicate", near & ~dup_id.to_numpy() & ~dup_fp.to_numpy())
    return found


# ---------------------------------------------------------------------------
# the committed files


def test_committed_sample_is_reproduced_byte_for_byte(regenerated):
    committed = sorted(p.name for p in SAMPLE.iterdir() if p.is_file())
    fresh = sorted(p.name for p in regenerated.iterdir() if p.is_file())
    assert fresh == committed
    for name in committed:
        assert (regenerated / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_files_are_utf8_with_unix_line_endings():
    # the synthetic files and the folders of public data sets beside them (sample_data/api)
    for path in sorted(p for p in SAMPLE.rglob("*") if p.is_file()):
        data = path.read_bytes()
        assert b"\r" not in data, path.name
        data.decode("utf-8")
        assert data.endswith(b"\n"), path.name


def test_generate_sample_equals_committed_raw(survey):
    sid, _q, _raw, _ = survey
    frame = sk.generate_sample(sid, seed=synth.DEFAULT_SEED)
    text = frame.to_csv(index=False, lineterminator="\n")
    assert text == (SAMPLE / f"{sid}_raw.csv").read_text(encoding="utf-8")


def test_raw_columns_follow_the_instrument(survey):
    _sid, q, raw, _ = survey
    assert list(raw.columns) == _columns(q)
    assert raw.columns[0] == q.survey.respondent_id


def test_codes_are_valid(survey):
    _sid, q, raw, _ = survey
    for info in q.variables.values():
        if info.column is None:
            continue
        qu = q.question(info.question)
        cell = raw[info.column]
        given = cell[cell != ""]
        if qu.type in ("single", "likert", "grid"):
            valid = {str(o.code) for o in qu.options} | {f"{m.code:g}" for m in qu.missing}
            assert set(given) <= valid, (info.column, set(given) - valid)
        elif qu.type == "multi":
            assert set(given) <= {"0", "1"}, info.column
        elif qu.type == "numeric":
            assert given.str.fullmatch(r"-?\d+").all(), info.column
    # a multi question is answered as a whole or not at all; exclusive options stand alone
    for qu in q.questions:
        if qu.type != "multi":
            continue
        block = raw[[o.column for o in qu.options]]
        blank = block.eq("")
        assert (blank.all(axis=1) | ~blank.any(axis=1)).all(), qu.id


def test_meta_columns_are_plausible(survey):
    _sid, q, raw, _ = survey
    dur = pd.to_numeric(raw[q.variables[q.meta_column("duration")].column])
    assert (dur > 0).all()
    if q.meta_column("start_time"):
        start = pd.to_datetime(raw[q.variables["start_time"].column])
        end = pd.to_datetime(raw[q.variables["end_time"].column])
        assert ((end - start).dt.total_seconds() == dur).all()
        fw = q.survey.fieldwork
        assert start.min() >= pd.Timestamp(fw.start)
        assert start.max() < pd.Timestamp(fw.end) + pd.Timedelta(days=6)
    fp = raw[q.variables[q.meta_column("fingerprint")].column]
    assert fp.str.fullmatch(r"[0-9a-f]{16}").all()


def test_open_ends_are_realistic(survey):
    _sid, q, raw, planted = survey
    col = q.variables["comments"].column
    bad = set(planted.loc[planted["defect"].str.startswith("gibberish"), "row"])
    text = raw[col].drop(index=list(bad))
    given = text[text != ""]
    assert 0.25 < len(given) / len(text) < 0.6          # many blank
    japanese = given.str.contains(r"[\u3040-\u30ff\u4e00-\u9fff]")
    assert 0.6 < japanese.mean() < 0.95                 # mostly Japanese, some English
    assert not given.map(_gibberish).any()


def test_planted_defects_are_exactly_what_a_checker_finds(survey):
    _sid, q, raw, planted = survey
    found = _detect(q, raw)
    listed = {d: set(g["row"]) for d, g in planted.groupby("defect")}
    assert set(found) == set(listed)
    for d, rows in listed.items():
        assert found[d] == rows, (d, sorted(found[d] ^ rows))


def test_planted_file_ids_match_the_raw_rows(survey):
    _sid, q, raw, planted = survey
    idcol = q.survey.respondent_id
    assert (raw[idcol].iloc[planted["row"]].to_numpy() == planted[idcol].to_numpy()).all()
    frame_id = raw[idcol] + np.where(raw[idcol].duplicated(), "~" + (
        raw.groupby(idcol).cumcount() + 1).astype(str), "")
    assert (frame_id.iloc[planted["row"]].to_numpy() == planted["frame_id"].to_numpy()).all()


def test_defect_counts_match_readme(survey):
    sid, _q, raw, planted = survey
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    section = text.split(f"(`{sid}_raw.csv`)", 1)[1].split("\n## ", 1)[0]
    table = dict(re.findall(r"^\| `([^`]+)` \| [^|]+ \| (\d+) \|$",
                            section.split("### Planted defects", 1)[1], re.MULTILINE))
    counts = planted.groupby("defect").size()
    assert {k: int(x) for k, x in table.items()} == counts.to_dict()
    bad = planted["row"].nunique()
    assert f"- raw rows: {len(raw)}" in section
    assert f"- rows with at least one planted defect: {bad}" in section
    assert f"- rows without a planted defect (what cleaning should keep): {len(raw) - bad}" \
        in section


def test_defect_rates_are_realistic(survey):
    sid, _q, raw, planted = survey
    target = {DIGITAL: (700, 600), CREATORS: (140, 120)}[sid]
    assert len(raw) == target[0]
    kept = len(raw) - planted["row"].nunique()
    assert abs(kept - target[1]) <= 5
    per_row = planted.groupby("row").size()
    assert (per_row > 1).sum() >= 2                   # some respondents carry several defects


def test_near_duplicates_and_honest_rows_are_well_separated(survey):
    _sid, q, raw, planted = survey
    found = _detect(q, raw)
    excluded = found.get("screened_out", set()) | found.get("partial", set())
    rows = np.array([i for i in range(len(raw)) if i not in excluded])
    subst = [info.column for info in q.variables.values()
             if info.column is not None and q.question(info.question).type != "meta"]
    part = raw.iloc[rows][subst]
    sim = _similarity(part, [q.variables["comments"].column], _answered(q, part, subst))
    np.fill_diagonal(sim, 0)
    copies = set(planted.loc[planted["defect"].isin(
        ["duplicate_id", "duplicate_fingerprint", "near_duplicate"]), "row"])
    is_copy = np.isin(rows, list(copies))
    honest = sim[~is_copy][:, ~is_copy]
    assert honest.max() < 0.80
    near = np.isin(rows, list(planted.loc[planted["defect"] == "near_duplicate", "row"]))
    best = sim[near].max(axis=1)
    assert (best >= 0.9).all() and (best < 1).all()


# ---------------------------------------------------------------------------
# the paper's findings on the rows without defects


def _clean_keys(sid: str) -> tuple[Questionnaire, dict[str, pd.Series]]:
    q = load_questionnaire(QDIR / f"{sid}.yaml")
    raw = pd.read_csv(SAMPLE / f"{sid}_raw.csv", dtype=str, keep_default_na=False)
    planted = pd.read_csv(SAMPLE / f"{sid}_planted_defects.csv")
    keep = ~raw.index.isin(planted["row"])
    v = _decode(q, raw)
    return q, {k: s[keep].reset_index(drop=True) for k, s in v.items()}


def test_firm_survey_headlines_hold_on_clean_rows():
    q, v = _clean_keys(DIGITAL)
    n = len(v["sector"])
    assert 585 <= n <= 615
    spend = v["digital_spend"][v["digital_spend"].isin(q.levels("digital_spend"))]
    assert spend.value_counts().idxmax() == "5_10"
    services = pd.DataFrame({x: v[x] for x in q.multi_variables("foreign_services")
                             if not x.endswith("_none")}).sum(axis=1)
    assert (services >= 1).all()
    assert (services >= 5).mean() > 0.5
    share = v["export_share"]
    fs = v["foreign_share"]
    answered = fs.isin(q.levels("foreign_share"))
    over = fs.isin(["25_49", "50_74", "75_100"])
    high = over[(share > 25) & answered].mean()
    none = over[(share == 0) & answered].mean()
    assert abs(high - 0.70) <= 0.12 and abs(none - 0.10) <= 0.12 and high - none > 0.4
    ext = v["foreign_value"] == "extremely"
    digi = v["sector"] == "digital_services"
    assert abs(ext.mean() - 0.31) <= 0.06
    assert abs(ext[digi].mean() - 0.35) <= 0.08
    assert abs((v["foreign_value"] == "very").mean() - 0.32) <= 0.06
    assert abs((ext & (v["competitiveness"] == "20_plus")).mean() - 0.31) <= 0.06
    cost = v["cost_rise"][v["cost_rise"].isin(q.levels("cost_rise"))]
    assert abs(cost.isin(["11_20", "21_40", "over_40"]).mean() - 0.47) <= 0.06
    assert abs((cost == "over_40").mean() - 0.17) <= 0.05
    manuf = v["sector"] == "manufacturing"
    neg = v["impact_dx"][manuf].isin(["large_negative", "some_negative"]).mean()
    assert abs(neg - 0.35) <= 0.07
    reasons = {k: v[f"reasons_{k}"].mean() for k in ("quality", "diversity", "security",
                                                      "price", "unavailable")}
    assert reasons["quality"] > reasons["diversity"] > reasons["security"] > reasons["price"]
    assert abs(reasons["unavailable"] - 0.25) <= 0.06
    sizes = v["size_class"].value_counts(normalize=True)
    for key, p in {"micro": .27, "small": .11, "medium": .24, "large": .28,
                   "!not_stated": .10}.items():
        assert abs(sizes[key] - p) <= 0.03, key
    not_stated = v["size_class"] == "!not_stated"
    assert (v["employees"][not_stated].isna() | (v["employees"][not_stated] == -99)).all()
    sectors = v["sector"].value_counts(normalize=True)
    for key, p in {"manufacturing": .40, "business_services": .30,
                   "digital_services": .30}.items():
        assert abs(sectors[key] - p) <= 0.03, key
    bands = pd.cut(share, [-1, 0, 10, 25, 100], labels=["none", "low", "mid", "high"])
    mix = bands.value_counts(normalize=True)
    for key, p in {"none": .35, "low": .25, "mid": .15, "high": .25}.items():
        assert abs(mix[key] - p) <= 0.03, key
    gap = (v["revenue_japan_pct"] + share - 100).abs()
    assert gap.max() <= 2 and (gap > 0).any()
    # missing codes are used where respondents chose them
    for var in ("digital_spend", "foreign_share", "cost_rise"):
        assert (v[var] == "!dont_know").any(), var


def test_creators_headline_holds_on_clean_rows():
    _q, v = _clean_keys(CREATORS)
    assert 115 <= len(v["field"]) <= 125
    over = v["foreign_budget"] == "over_25"
    ten = v["competitiveness"].isin(["10_19", "20_plus"])
    assert abs(ten[over].mean() - 0.53) <= 0.10
    assert ten[over].mean() > ten[v["foreign_budget"] == "up_to_25"].mean()
    kind = v["screener_creator"].value_counts(normalize=True)
    assert abs(kind["individual"] - 0.55) <= 0.05 and abs(kind["firm"] - 0.45) <= 0.05


def test_readme_reports_the_realised_figures():
    q, v = _clean_keys(DIGITAL)
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    fs = v["foreign_share"]
    over = fs.isin(["25_49", "50_74", "75_100"])[fs.isin(q.levels("foreign_share"))]
    high = 100 * over[v["export_share"] > 25].mean()
    ext = 100 * (v["foreign_value"] == "extremely").mean()
    assert f"| Foreign share 25%+, firms exporting over 25% of revenue | 70.0 | {high:.1f} |" \
        in text
    assert f"| Foreign services 'extremely' valuable | 31.0 | {ext:.1f} |" in text
    _qc, vc = _clean_keys(CREATORS)
    over = vc["foreign_budget"] == "over_25"
    ten = 100 * vc["competitiveness"].isin(["10_19", "20_plus"])[over].mean()
    assert f"| 10%+ more competitive, creators spending over 25% abroad | 53.0 | {ten:.1f} |" \
        in text


# ---------------------------------------------------------------------------
# population targets


@pytest.mark.parametrize("sid", [DIGITAL, CREATORS])
def test_population_targets_files(sid):
    q = load_questionnaire(QDIR / f"{sid}.yaml")
    path = (QDIR / q.weighting.targets).resolve()
    assert path.parent == SAMPLE
    text = path.read_text(encoding="utf-8")
    comments = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert any("ILLUSTRATIVE" in ln for ln in comments)
    assert any("Statistics Bureau of Japan" in ln for ln in comments)
    t = pd.read_csv(path, comment="#", keep_default_na=False)
    assert list(t.columns) == ["variable", "level", "target", "status", "source", "date"]
    # the provenance columns say what the comments say: illustrative, no reference date
    assert (t["status"] == "illustrative").all() and (t["date"] == "").all()
    assert sk.load_targets(path).illustrative
    assert set(t["variable"]) == set(q.weighting.variables)
    for var, g in t.groupby("variable"):
        assert set(g["level"]) == set(q.levels(var)) - {"neither"}
    totals = t.groupby("variable")["target"].sum()
    assert totals.nunique() == 1
    assert (t["target"] > 0).all()
    assert t.equals(synth.population_targets(sid).astype(t.dtypes.to_dict()))


def test_micro_firms_are_most_numerous():
    t = synth.population_targets(DIGITAL).set_index(["variable", "level"])["target"]
    size = t["size_class"]
    assert size.idxmax() == "micro" and size["micro"] > 2 * size.drop("micro").sum()


# ---------------------------------------------------------------------------
# the API


def test_generate_is_deterministic_and_seed_sensitive():
    # questionnaire objects are never cached: each call simulates afresh
    a = sk.generate_sample(load_questionnaire(QDIR / f"{CREATORS}.yaml"), seed=11, n=100)
    b = sk.generate_sample(load_questionnaire(QDIR / f"{CREATORS}.yaml"), seed=11, n=100)
    c = sk.generate_sample(load_questionnaire(QDIR / f"{CREATORS}.yaml"), seed=12, n=100)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert len(a) == 100


def test_results_are_copies():
    a = sk.generate_sample(CREATORS)
    a.iloc[0, 0] = "changed"
    assert sk.generate_sample(CREATORS).iloc[0, 0] != "changed"


def test_other_sizes_scale_the_defects():
    raw = sk.generate_sample(DIGITAL, seed=5, n=1000)
    planted = synth.planted_defects(DIGITAL, seed=5, n=1000)
    assert len(raw) == 1000
    rate = planted["row"].nunique() / len(raw)
    assert 0.12 < rate < 0.16
    q = load_questionnaire(QDIR / f"{DIGITAL}.yaml")
    found = _detect(q, raw.astype("string").fillna("").astype(object))
    listed = {d: set(g["row"]) for d, g in planted.groupby("defect")}
    assert found == listed


@settings(max_examples=5, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(100, 300),
       sid=st.sampled_from([DIGITAL, CREATORS]))
def test_property_any_seed_plants_exactly_what_is_found(seed, n, sid):
    """For any seed and size the defect list is exactly what the checker finds."""
    path = QDIR / f"{sid}.yaml"
    q = load_questionnaire(path)
    raw = sk.generate_sample(path, seed=seed, n=n)        # one simulation, cached
    planted = synth.planted_defects(path, seed=seed, n=n)
    assert len(raw) == n
    assert planted["row"].between(0, n - 1).all()
    found = _detect(q, raw.astype("string").fillna("").astype(object))
    assert found == {d: set(g["row"]) for d, g in planted.groupby("defect")}


def test_accepts_path_and_questionnaire():
    q = load_questionnaire(QDIR / f"{CREATORS}.yaml")
    a = sk.generate_sample(q, seed=2, n=100)
    b = sk.generate_sample(QDIR / f"{CREATORS}.yaml", seed=2, n=100)
    pd.testing.assert_frame_equal(a, b)


def test_any_instrument_gets_a_sample(tmp_path):
    data = {
        "survey": {"id": "toy", "title": "Toy", "sponsor": "x", "fielded_by": "x",
                   "platform": "x", "mode": "online", "population": "firms", "country": "JP",
                   "fieldwork": {"start": "2024-01-01", "end": "2024-01-31"},
                   "target_sample_size": 100,
                   "screening": [{"question": "ok", "op": "in", "value": ["yes"]}]},
        "questions": [
            {"id": "secs", "text": "t", "type": "meta", "role": "duration", "column": "secs"},
            {"id": "fp", "text": "f", "type": "meta", "role": "fingerprint", "column": "fp"},
            {"id": "ok", "text": "ok?", "type": "single", "column": "A", "required": True,
             "options": [{"code": 1, "key": "yes", "label": "Yes"},
                         {"code": 2, "key": "no", "label": "No"}]},
            {"id": "staff", "text": "staff", "type": "numeric", "column": "B", "min": 1,
             "max": 1000, "integer": True, "required": True},
            {"id": "mood", "text": "m", "type": "grid", "options": [
                {"code": 1, "key": "lo", "label": "Low"}, {"code": 2, "key": "mid", "label": "Mid"},
                {"code": 3, "key": "hi", "label": "High"}],
             "items": [{"id": "m1", "text": "a", "column": "C1"},
                       {"id": "m2", "text": "b", "column": "C2"},
                       {"id": "m_trap", "text": "pick High", "column": "C3"}]},
            {"id": "tools", "text": "t", "type": "multi", "options": [
                {"code": i, "key": f"t{i}", "label": f"T{i}", "column": f"E_{i}"}
                for i in range(1, 6)]},
            {"id": "plan", "text": "p", "type": "single", "column": "F", "options": [
                {"code": i, "key": f"p{i}", "label": f"P{i}"} for i in range(1, 5)]},
            {"id": "note", "text": "n", "type": "open", "column": "D"},
        ],
        "quality": {"traps": [{"id": "trap_mood", "type": "instructed", "question": "m_trap",
                               "expected": ["hi"]}],
                    "rules": [{"id": "staff_range", "kind": "range", "question": "staff",
                               "min": 1, "max": 1000}],
                    "open_ended": ["note"]},
    }
    import yaml

    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    q = load_questionnaire(path)
    raw = sk.generate_sample(path, seed=4, n=250)
    assert list(raw.columns) == ["respondent_id", "secs", "fp", "A", "B", "C1", "C2", "C3",
                                 "E_1", "E_2", "E_3", "E_4", "E_5", "F", "D"]
    planted = synth.planted_defects(path, seed=4, n=250)
    assert {"screened_out", "speeder", "trap_mood", "staff_range", "straightline:mood",
            "duplicate_id"} <= set(planted["defect"])
    text = raw.astype("string").fillna("").astype(object)
    found = _detect(q, text)
    listed = {d: set(g["row"]) for d, g in planted.groupby("defect")}
    assert found == listed


@pytest.mark.parametrize("kwargs, match", [
    ({"survey": "no_such_survey"}, "unknown survey"),
    ({"survey": 3}, "survey must be"),
    ({"survey": DIGITAL, "n": 10}, "at least"),
    ({"survey": DIGITAL, "n": 100.5}, "whole number"),
    ({"survey": DIGITAL, "seed": -1}, "seed"),
])
def test_bad_arguments_raise_usage_error(kwargs, match):
    with pytest.raises(UsageError, match=match):
        sk.generate_sample(**kwargs)


def test_profile_needs_its_questions():
    text = (QDIR / f"{CREATORS}.yaml").read_text(encoding="utf-8")
    import yaml
    data = yaml.safe_load(text)
    data["questions"] = [x for x in data["questions"] if x["id"] != "tools"]
    q = Questionnaire.from_dict(data)
    with pytest.raises(QuestionnaireError, match="tools"):
        sk.generate_sample(q)


def test_cli_generate_sample_prints_the_files(tmp_path, capsys, monkeypatch):
    import argparse

    from survey_kit.cli import generate

    calls = []

    def fake(out, seed):
        calls.append((out, seed))
        return [Path(out) / "README.md"]

    monkeypatch.setattr(synth, "write_sample", fake)
    parser = argparse.ArgumentParser()
    generate.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["generate-sample", "--out", str(tmp_path), "--seed", "7"])
    assert args.run(args) == 0
    assert calls == [(str(tmp_path), 7)]
    assert "README.md" in capsys.readouterr().out


def test_cli_is_registered():
    from survey_kit import cli

    assert "generate" in cli.COMMANDS


def test_careless_near_duplicates_agree_with_the_plan(survey):
    from survey_kit.cleaning.careless.near_duplicates import near_duplicates

    _sid, q, raw, planted = survey
    found = _detect(q, raw)
    excluded = found.get("screened_out", set()) | found.get("partial", set())
    rows = np.array([i for i in range(len(raw)) if i not in excluded])
    items = [info.column for info in q.variables.values() if info.column is not None
             and q.question(info.question).type not in ("meta", "open")]
    part = raw.iloc[rows][items]
    codes = np.where(_answered(q, part, items).to_numpy(),
                     part.apply(lambda c: pd.factorize(c)[0]).to_numpy(), -1)
    flagged = set(rows[near_duplicates(codes).flagged])
    copies = set(planted.loc[planted["defect"].isin(
        ["duplicate_id", "duplicate_fingerprint", "near_duplicate"]), "row"])
    assert flagged == copies


def test_read_responses_accepts_the_sample(survey):
    sid, q, raw, planted = survey
    frame = read_responses(SAMPLE / f"{sid}_raw.csv", q, duplicate_ids="keep")
    assert len(frame) == len(raw)
    assert list(frame.index[planted["row"]]) == list(planted["frame_id"])

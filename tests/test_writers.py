"""Writers that keep everything: SPSS/Stata files with every label, workbooks whose numbers
are numbers, SVG figures with real text, and a codebook that fits the survey.

Each test reproduces a defect found by reading the outputs as a user would (issues 12 and
14) and checks the output file itself (pyreadstat, openpyxl, an XML parser), not the code
that wrote it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


# ---------------------------------------------------------------------------
# SVG figures: labels as <text>, not glyph outlines


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(el.itertext()).strip() for el in root.iter(f"{SVG}text")]


def test_svg_figure_holds_its_labels_as_text(tmp_path):
    from survey_kit.report.figures import bar_figure, save_figure

    tidy = pd.DataFrame({"level": ["Uses cloud services", "Does not"],
                         "group": ["Total", "Total"], "pct": [62.0, 38.0],
                         "ci_low": [55.1, 31.2], "ci_high": [68.4, 44.9]})
    fig = bar_figure(tidy, title="Cloud use among firms", caption="Base: all firms (n = 200)",
                     name="cloud")
    _, path = save_figure(fig, tmp_path)
    svg = path.read_text(encoding="utf-8")
    texts = _svg_texts(svg)
    for label in ("Uses cloud services", "Does not", "Cloud use among firms",
                  "Base: all firms (n = 200)", "62%", "38%"):
        assert label in texts, (label, texts)
    # no glyph outlines: matplotlib names them after the font ("DejaVuSans-43")
    assert not re.search(r'id="DejaVuSans-', svg)


def test_japanese_svg_figure_holds_its_labels_as_text():
    from survey_kit.report.figures import bar_figure

    tidy = pd.DataFrame({"level": ["製造業", "デジタルサービス"], "group": ["全体", "全体"],
                         "pct": [40.0, 60.0], "ci_low": [35.0, 55.0], "ci_high": [45.0, 65.0]})
    fig = bar_figure(tidy, title="業種別の割合", caption="基数：全企業", lang="ja")
    texts = _svg_texts(fig.svg)
    assert "製造業" in texts and "業種別の割合" in texts
    assert "IPAexGothic" in fig.svg       # the font is named for the viewer


# ---------------------------------------------------------------------------
# workbooks: numbers as numbers, formats set, one percentage convention

#: text that a reader would take for a number, a percentage or an interval ("710,000",
#: "[3.4, 9.9]", "2.90e-11", "0.0%")
NUMBER_TEXT = re.compile(r"^\s*[\[(]?[-+]?\d[\d,]*(\.\d+)?([eE][-+]?\d+)?%?\s*"
                         r"([,;]\s*[-+]?\d[\d,]*(\.\d+)?%?)?[\])]?\s*$")
#: (sheet, header) of columns whose cells are labels or quotations, numbers or not: the
#: codebook's keys and labels (an option labelled "1"), the figure numbers and the published
#: wording of a quoted figure ("over 50%")
LABEL_COLUMNS = {("codebook", "Key"), ("codebook", "Label"), ("codebook", "Label (Japanese)"),
                 ("published_vs_reproduced", "Figure"),
                 ("published_vs_reproduced", "Published")}


@pytest.fixture(scope="module")
def firm_run():
    from survey_kit.report.run import prepare

    return prepare(ROOT / "questionnaires" / "japan_digital_services_2024.yaml",
                   ROOT / "sample_data" / "japan_digital_services_2024_raw.csv")


@pytest.fixture(scope="module")
def firm_workbook(firm_run, tmp_path_factory):
    from openpyxl import load_workbook

    from survey_kit.report.appendix import build_appendix

    folder = tmp_path_factory.mktemp("xlsx")
    files = build_appendix(firm_run, figures=False).write(folder, ["xlsx"], figures=False,
                                                          csv=False)
    return load_workbook(files["xlsx"])


def _header_of(ws, cell) -> str:
    """The header text above ``cell`` in a titled sheet (row 3), or ''."""
    head = ws.cell(row=3, column=cell.column).value
    return str(head) if head is not None else ""


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def test_every_workbook_cell_that_holds_a_number_is_a_formatted_number(firm_workbook):
    wb = firm_workbook
    text_numbers, unformatted = [], []
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and NUMBER_TEXT.match(c.value):
                    if c.column == 1 and ws.title.startswith("fig"):
                        continue                       # a banner row label ("1" service)
                    if c.row == 3:
                        continue                       # a column heading (the overlap's steps)
                    if (ws.title, _header_of(ws, c)) not in LABEL_COLUMNS:
                        text_numbers.append((ws.title, c.coordinate, c.value))
                if _is_number(c.value) and c.number_format == "General":
                    unformatted.append((ws.title, c.coordinate, c.value))
    assert text_numbers == []
    assert unformatted == []


def test_one_percentage_convention_in_every_sheet(firm_workbook, firm_run):
    """Percentages are 0-100 with the format '0.0' in every sheet (never fractions, '0.0%')."""
    pct_cells = 0
    for ws in firm_workbook:
        for row in ws.iter_rows():
            for c in row:
                if _is_number(c.value):
                    assert "%" not in c.number_format, (ws.title, c.coordinate)
                    if c.number_format == "0.0" and "%" in _header_of(ws, c):
                        assert -1e-9 <= c.value <= 100 + 1e-9, (ws.title, c.coordinate)
                        pct_cells += 1
    assert pct_cells > 50
    # a banner: the percentage of the Total column is the crosstab's percent, 0-100
    ws = firm_workbook["fig9_foreign_value"]
    row = next(r for r in ws.iter_rows() if r[0].value == "Extremely valuable")
    est = firm_run.design.proportion("foreign_value", "extremely").estimate
    assert row[1].value == pytest.approx(100 * est, rel=1e-9)
    assert row[1].number_format == "0.0"


def test_banner_confidence_bounds_are_numbers_in_their_own_cells(firm_workbook, firm_run):

    ws = firm_workbook["fig9_foreign_value"]
    rows = list(ws.iter_rows())
    at = next(i for i, r in enumerate(rows) if r[0].value == "Extremely valuable")
    low, high = rows[at + 1], rows[at + 2]
    if low[0].value is None:          # letters in a sub-row first
        low, high = rows[at + 2], rows[at + 3]
    assert (low[0].value, high[0].value) == ("CI lower bound", "CI upper bound")
    est = firm_run.design.proportion("foreign_value", "extremely")
    for cell, want in ((low[1], est.ci_low), (high[1], est.ci_high)):
        assert _is_number(cell.value) and cell.number_format == "0.0"
        assert cell.value == pytest.approx(100 * float(want), rel=1e-6)
    assert all(_is_number(c.value) for c in low[1:5] + high[1:5])
    notes = [r[0].value for r in rows if isinstance(r[0].value, str)
             and "confidence intervals" in r[0].value]
    assert notes and "brackets" not in notes[0]


def test_weighting_summary_values_are_numbers(firm_workbook, firm_run):
    ws = firm_workbook["weighting_summary"]
    values = {r[0].value: r[1] for r in ws.iter_rows(min_row=4) if r[0].value}
    total = values["Sum of weights (population)"]
    assert _is_number(total.value) and total.number_format == "#,##0"
    assert total.value == pytest.approx(firm_run.data["weight"].sum(), rel=1e-12)
    assert values["Largest relative margin error"].number_format == "0.00E+00"
    assert values["Iterations"].value == firm_run.weighting.iterations
    assert values["Method"].value == "rake"
    deff = values["Design effect of weighting (Kish), n Σw² / (Σw)²"]
    w = firm_run.data["weight"].to_numpy()
    assert deff.value == pytest.approx(len(w) * (w ** 2).sum() / w.sum() ** 2, rel=1e-12)
    assert deff.number_format == "0.000"


# ---------------------------------------------------------------------------
# codebook: readable headers, no Japanese columns for an English-only survey,
# durations in the unit the instrument declares

CREATORS_YAML = ROOT / "questionnaires" / "japan_creators_2024.yaml"
CREATORS_RAW = ROOT / "sample_data" / "japan_creators_2024_raw.csv"
FIRM_YAML = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
FIRM_RAW = ROOT / "sample_data" / "japan_digital_services_2024_raw.csv"


def _creators_dict() -> dict:
    import yaml

    return yaml.safe_load(CREATORS_YAML.read_text(encoding="utf-8"))


def _without_japanese(node):
    if isinstance(node, dict):
        return {k: _without_japanese(v) for k, v in node.items() if not k.endswith("_ja")}
    if isinstance(node, list):
        return [_without_japanese(v) for v in node]
    return node


def test_english_only_codebook_has_no_japanese_columns():
    import survey_kit as sk
    from survey_kit.report.appendix import build_appendix
    from survey_kit.report.run import prepare

    q = sk.Questionnaire.from_dict(_without_japanese(_creators_dict()))
    targets = ROOT / "sample_data" / "japan_creators_population_targets.csv"
    app = build_appendix(prepare(q, CREATORS_RAW, targets), figures=False)
    assert _shown(app, "codebook") == ["Variable", "Export column", "Type", "Question", "Code",
                                       "Key", "Label"]
    assert not {"text_ja", "label_ja"} & set(app.tables["codebook"].columns)
    assert "Japanese" not in " ".join(app.notes["codebook"])
    # Japanese headers on an English-only survey still show its (English) texts
    ja = build_appendix(prepare(q, CREATORS_RAW, targets), lang="ja", figures=False)
    assert len(_shown(ja, "codebook")) == 7
    # control: the bilingual survey keeps both languages, under readable headers
    both = build_appendix(prepare(CREATORS_YAML, CREATORS_RAW), figures=False)
    cols = _shown(both, "codebook")
    assert "Label (Japanese)" in cols
    assert not {"text_ja", "label_ja", "column"} & set(cols)


def _shown(app, name):
    """The headers a table is shown under (None: the column is not shown)."""
    heads = app.headers[name]
    shown = [heads.get(c, c) for c in app.tables[name].columns]
    return [h for h in shown if h is not None]


def test_durations_in_minutes_are_printed_as_minutes(tmp_path):
    import survey_kit as sk

    data = _creators_dict()
    for qq in data["questions"]:
        if qq.get("role") == "duration":
            qq["unit"] = "minutes"
            qq["text"] = "Time to complete (minutes)"
    q = sk.Questionnaire.from_dict(data)
    raw = pd.read_csv(CREATORS_RAW, dtype=str)
    raw["duration_sec"] = (raw["duration_sec"].astype(float) / 60).round(2).astype(str)
    path = tmp_path / "minutes.csv"
    raw.to_csv(path, index=False)
    frame = sk.read_responses(path, q, duplicate_ids="keep")
    flow = sk.clean(frame, q).flow.set_index("rule")
    text = flow.loc["speeder", "parameter"]
    median = frame["duration"].median()
    assert median < 60                                   # minutes, not seconds
    assert " min)" in text and " s)" not in text and " s" not in text.split("=")[-1]
    row = q.codebook().query("variable == 'duration'").iloc[0]
    assert row["label"] == "duration in minutes"
    assert q.duration_unit() == ("minutes", "min", 60.0)


def test_duration_from_start_and_end_times_is_in_the_declared_unit(tmp_path):
    import survey_kit as sk
    import yaml

    data = yaml.safe_load(FIRM_YAML.read_text(encoding="utf-8"))
    for qq in data["questions"]:
        if qq.get("role") == "duration":
            qq["unit"] = "min"
    q = sk.Questionnaire.from_dict(data)
    raw = pd.read_csv(FIRM_RAW, dtype=str).drop(columns=["duration_sec"])
    path = tmp_path / "no_duration.csv"
    raw.to_csv(path, index=False)
    frame = sk.read_responses(path, q, duplicate_ids="keep")
    want = (frame["end_time"] - frame["start_time"]).dt.total_seconds() / 60
    assert frame["duration"].to_numpy() == pytest.approx(want.to_numpy(), nan_ok=True)


def test_unknown_duration_unit_is_refused():
    import survey_kit as sk

    data = _creators_dict()
    for qq in data["questions"]:
        if qq.get("role") == "duration":
            qq["unit"] = "fortnights"
    with pytest.raises(sk.QuestionnaireError, match=r"unit.*fortnights.*seconds, minutes"):
        sk.Questionnaire.from_dict(data)


# ---------------------------------------------------------------------------
# SPSS / Stata: read a real file, write it back with every label

PUBLIC = ROOT / "tests" / "fixtures" / "public"
SAMPLE_Q = PUBLIC / "pyreadstat_sample.yaml"


def _stat_read(path):
    import pyreadstat

    reader = pyreadstat.read_sav if str(path).endswith(".sav") else pyreadstat.read_dta
    return reader(str(path), user_missing=True, apply_value_formats=False)


@pytest.mark.parametrize("ext", ["sav", "dta"])
def test_public_file_round_trip_keeps_every_label(tmp_path, ext):
    """pyreadstat's sample file: two mapped labelled columns, four unmapped ones (a number,
    a date, a datetime, a time) -- all labels, formats and value types come back."""
    import survey_kit as sk

    src = PUBLIC / f"pyreadstat_sample.{ext}"
    frame = sk.read_responses(src, SAMPLE_Q)           # dates back to 1583 read fine
    out = sk.write_responses(frame, tmp_path / f"back.{ext}", SAMPLE_Q)
    d0, m0 = _stat_read(src)
    d1, m1 = _stat_read(out)
    assert sorted(d1.columns) == sorted(d0.columns)     # mapped columns first, then the rest
    # every variable label, the id's and the unmapped columns' included
    assert m1.column_names_to_labels == m0.column_names_to_labels
    assert {k: {float(c): v for c, v in lab.items()} for k, lab in
            m1.variable_value_labels.items()} == {k: {float(c): v for c, v in lab.items()}
                                                  for k, lab in m0.variable_value_labels.items()}
    # the unmapped columns keep their declared formats and their values, dates as dates
    for c in ("mynum", "mydate", "dtime", "mytime"):
        assert m1.original_variable_types[c] == m0.original_variable_types[c], c
        pd.testing.assert_series_equal(d1[c], d0[c], check_dtype=False)
    # the mapped codes are whole numbers with an integer format
    integer = "F8.0" if ext == "sav" else "%9.0f"
    assert m1.original_variable_types["mylabl"] == integer
    assert m1.original_variable_types["myord"] == integer
    assert d1["mylabl"].tolist() == d0["mylabl"].tolist()
    if ext == "sav":
        assert m1.variable_measure["myord"] == "ordinal"
        assert m1.variable_measure["mynum"] == m0.variable_measure["mynum"]


def test_unmapped_labelled_columns_keep_value_labels_and_missing_ranges(tmp_path):
    """pyreadstat's sample with user-missing values: the labelled columns the instrument
    does not map keep their value labels, missing values and ranges, and measure."""
    import survey_kit as sk
    import yaml

    data = yaml.safe_load(SAMPLE_Q.read_text(encoding="utf-8"))
    data["survey"]["respondent_id"] = "mynum"      # the one column without a blank
    data["questions"] = [{"id": "name", "text": "character", "type": "open",
                          "column": "mychar"}]
    q = sk.Questionnaire.from_dict(data)
    src = PUBLIC / "pyreadstat_sample_missing.sav"
    frame = sk.read_responses(src, q)
    assert frame.attrs["column_meta"]["myord"]["missing"] == [-1.0, -2.0, -3.0]
    out = sk.write_responses(frame, tmp_path / "back.sav", q)
    d0, m0 = _stat_read(src)
    d1, m1 = _stat_read(out)
    for c in ("mylabl", "myord"):
        assert m1.variable_value_labels[c] == m0.variable_value_labels[c]
        assert m1.missing_ranges[c] == m0.missing_ranges[c]
        assert m1.variable_measure[c] == m0.variable_measure[c]
        assert m1.original_variable_types[c] == m0.original_variable_types[c]
        pd.testing.assert_series_equal(d1[c], d0[c])   # -1 and -3 kept as values
    assert m1.column_names_to_labels == m0.column_names_to_labels


def test_report_data_labels_every_column_and_holds_the_bands(firm_run, tmp_path):
    """The report's .sav: the weight, the counts and every band (the size classes, the
    export intensity used as table columns, the count's bands) are in it, labelled;
    bands are labelled integers, codes have integer formats."""
    from survey_kit.report.outputs import _write_data

    files = _write_data(firm_run, tmp_path)
    df, meta = _stat_read(files["data:sav"])
    labels = meta.column_names_to_labels
    assert all(labels.get(c) for c in df.columns), [c for c in df.columns if not labels.get(c)]
    assert labels["weight"].startswith("Final weight (rake")
    assert df["weight"].to_numpy() == pytest.approx(firm_run.data["weight"].to_numpy(),
                                                    rel=1e-12)
    inst = firm_run.instrument
    for band in ("size_from_employees", "export_intensity", "n_foreign_services_band"):
        assert pd.api.types.is_numeric_dtype(df[band].dtype), band
        levels = inst.levels(band)
        assert meta.variable_value_labels[band] == {
            float(j): inst.label(band, k) for j, k in enumerate(levels, start=1)}
        assert meta.variable_measure[band] == "ordinal"
        want = pd.Categorical(firm_run.data[band]).codes + 1.0
        got = df[band].fillna(0).to_numpy()
        assert (got == want).all(), band
    for c in ("S1", "Q1", "Q3", "Q7_1", "Q13_1", "export_intensity", "n_foreign_services"):
        assert meta.original_variable_types[c] == "F8.0", c
    assert meta.original_variable_types["weight"] != "F8.0"
    assert not any(t.startswith("A") for c, t in meta.original_variable_types.items()
                   if c.endswith("_band"))


def test_names_spss_cannot_hold_get_legal_names_with_the_original_as_label(tmp_path):
    import survey_kit as sk

    q = sk.load_questionnaire(CREATORS_YAML)
    frame = sk.read_responses(CREATORS_RAW, q, duplicate_ids="keep")
    assert "_raw_id" in frame.columns
    extra = frame.assign(**{"Duration (in seconds)": 1.5, "Duration_in_seconds": 2.0,
                            "BY": 3.0})
    out = sk.write_responses(extra, tmp_path / "plain.sav")        # no questionnaire
    df, meta = _stat_read(out)
    labels = meta.column_names_to_labels
    assert "raw_id" in df.columns and labels["raw_id"] == "_raw_id"
    assert labels["Duration_in_seconds_2"] == "Duration (in seconds)"
    assert df["Duration_in_seconds"].eq(2.0).all()               # the legal name keeps its own
    assert labels["BY_"] == "BY"
    # with the questionnaire the internal column never reaches the file
    out = sk.write_responses(frame, tmp_path / "q.sav", q)
    df, _ = _stat_read(out)
    assert not [c for c in df.columns if "raw_id" in c]
    dta, _ = _stat_read(sk.write_responses(extra, tmp_path / "plain.dta"))
    assert "Duration_in_seconds_2" in dta.columns


def test_text_codes_keep_their_value_labels(tmp_path):
    """A string-coded labelled column (region codes such as UKC) the instrument does not
    map keeps its labels in SPSS."""
    import pyreadstat
    import survey_kit as sk

    q = sk.load_questionnaire(CREATORS_YAML)
    raw = pd.read_csv(CREATORS_RAW, dtype=str)
    raw["region"] = ["UKC", "UKD"] * (len(raw) // 2) + ["UKC"] * (len(raw) % 2)
    num = {c: pd.to_numeric(raw[c]) for c in raw.columns
           if c not in ("respondent_id", "region", "device_type", "device_fingerprint")
           and pd.to_numeric(raw[c], errors="coerce").notna().sum() == raw[c].notna().sum()}
    raw = raw.assign(**num)
    src = tmp_path / "regions.sav"
    pyreadstat.write_sav(raw, str(src), column_labels={"region": "NUTS 1 region"},
                         variable_value_labels={"region": {"UKC": "North East",
                                                           "UKD": "North West"}})
    frame = sk.read_responses(src, q, duplicate_ids="keep")
    df, meta = _stat_read(sk.write_responses(frame, tmp_path / "back.sav", q))
    assert meta.variable_value_labels["region"] == {"UKC": "North East", "UKD": "North West"}
    assert meta.column_names_to_labels["region"] == "NUTS 1 region"


def test_report_on_a_sav_keeps_the_labels_of_unmapped_columns(tmp_path):
    """Issue 12: `report` on a .sav dropped the SPSS labels of the columns the
    questionnaire does not map; the report's data now carry them."""
    import pyreadstat
    import survey_kit as sk

    q = sk.load_questionnaire(CREATORS_YAML)
    frame = sk.read_responses(CREATORS_RAW, q, duplicate_ids="keep")
    src = tmp_path / "creators.sav"
    sk.write_responses(frame, src, q)
    raw, meta = pyreadstat.read_sav(str(src), user_missing=True)
    raw["panel"] = ([1.0, 2.0] * len(raw))[:len(raw)]
    labels = {c: meta.column_names_to_labels[c] for c in raw.columns if c != "panel"}
    pyreadstat.write_sav(raw, str(src), column_labels=labels | {"panel": "Panel source"},
                         variable_value_labels=meta.variable_value_labels | {
                             "panel": {1.0: "Panel A", 2.0: "Panel B"}},
                         missing_ranges=meta.missing_ranges or None)
    targets = ROOT / "sample_data" / "japan_creators_population_targets.csv"
    result = sk.run_report(q, src, targets, out=tmp_path / "out", formats=["md"],
                           figures=False)
    path = result.surveys[0].files["data:sav"]
    df, out = pyreadstat.read_sav(str(path))
    assert out.column_names_to_labels["panel"] == "Panel source"
    assert out.variable_value_labels["panel"] == {1.0: "Panel A", 2.0: "Panel B"}
    assert out.original_variable_types["panel"] == "F8.2"       # as the source declared it
    assert out.column_names_to_labels["weight"].startswith("Final weight")
    assert out.original_variable_types["Q1"] == "F8.0"         # the instrument's codes


@settings(max_examples=200)
@given(names=st.lists(st.text(min_size=1, max_size=80) | st.sampled_from(
    ["a", "A", "a b", "a_b", "_raw_id", "raw_id", "BY", "by", "x" * 70, "v1", "1"]),
    min_size=1, max_size=8, unique=True),
       fmt=st.sampled_from(["sav", "dta"]))
def test_legal_names_are_legal_unique_and_stable(names, fmt):
    from survey_kit.io.stat_columns import _SAV_OK, _DTA_OK, _renames, legal_name

    renames = _renames(names, fmt)
    final = [renames.get(n, n) for n in names]
    assert len({n.lower() for n in final}) == len(final)          # unique (SPSS ignores case)
    for n in final:
        assert (_SAV_OK if fmt == "sav" else _DTA_OK).match(n), n
        assert (len(n.encode("utf-8")) <= 64) if fmt == "sav" else len(n) <= 32
        assert legal_name(n, fmt) == n                            # a legal name stays


def test_weight_and_clean_workbooks_store_settings_as_numbers(tmp_path, capsys):
    """The weighting report's settings and the cleaning parameters stored every value as
    text ("0", "0.0"); numbers are numbers now."""
    from openpyxl import load_workbook

    from survey_kit.cli import main

    targets = ROOT / "sample_data" / "japan_creators_population_targets.csv"
    assert main(["weight", str(CREATORS_YAML), str(CREATORS_RAW), "--targets", str(targets),
                 "--out", str(tmp_path / "w")]) == 0
    assert main(["clean", str(CREATORS_YAML), str(CREATORS_RAW), "--out",
                 str(tmp_path / "c")]) == 0
    capsys.readouterr()
    wb = load_workbook(next((tmp_path / "w").glob("*.xlsx")))
    settings = {r[0].value: r[1].value for r in wb["settings"].iter_rows(min_row=2)}
    assert settings["iterations"] == 1 and settings["seed"] == 0
    assert isinstance(settings["max_margin_error"], (int, float))
    assert settings["method"] == "poststratify"
    wb = load_workbook(next((tmp_path / "c").glob("*.xlsx")))
    params = {r[0].value: r[1].value for r in wb["parameters"].iter_rows(min_row=2)}
    assert isinstance(params["speeder_fraction"], float)
    assert not any(isinstance(v, str) and NUMBER_TEXT.match(v) for v in params.values())


@pytest.mark.parametrize("ext,name,legal", [("sav", "1 source", "v1_source"),
                                            ("dta", "p" * 40, "p" * 32)])
def test_extra_columns_with_illegal_names_are_renamed(tmp_path, ext, name, legal):
    """Formerly 'cannot write the SPSS/Stata file' without naming the column: now a legal
    name, the original kept as the variable label."""
    import survey_kit as sk

    q = sk.load_questionnaire(CREATORS_YAML)
    frame = sk.read_responses(CREATORS_RAW, q, duplicate_ids="keep").assign(**{name: 1.0})
    df, meta = _stat_read(sk.write_responses(frame, tmp_path / f"x.{ext}", q))
    assert legal in df.columns and name not in df.columns
    assert meta.column_names_to_labels[legal] == name

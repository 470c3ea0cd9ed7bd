"""Readers and writers of raw exports: every format gives the same labelled frame."""

from __future__ import annotations

import io as _io
import json
import re
import time

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from conftest import FIRM_YAML, SAMPLE_CSV
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.errors import DataError, UsageError
from survey_kit.io.export import to_export
from survey_kit.io.raw import TEXT_DTYPE
from survey_kit.io.read import read_responses
from survey_kit.io.write import convert_responses, write_responses


@pytest.fixture
def labelled(firm_csv, firm_q):
    return read_responses(firm_csv, firm_q)


def _stat_ready(raw: pd.DataFrame) -> pd.DataFrame:
    """A raw export as pyreadstat writes it: float codes, object text."""
    out = raw.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.Int64Dtype):
            out[c] = out[c].astype(float)
        elif not pd.api.types.is_numeric_dtype(out[c].dtype):
            out[c] = out[c].astype(object)
    return out


def _qualtrics_text(raw: pd.DataFrame) -> str:
    """A Qualtrics-style export: names, question text, ImportId JSON, then the data."""
    cols = list(raw.columns)
    buf = _io.StringIO()
    buf.write(",".join(cols) + "\n")
    buf.write(",".join(f'"Question text of {c}, as shown"' for c in cols) + "\n")
    ids = [json.dumps({"ImportId": f"QID{i}"}) for i, _ in enumerate(cols)]
    buf.write(",".join('"' + t.replace('"', '""') + '"' for t in ids) + "\n")
    raw.to_csv(buf, index=False, header=False)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# the labelled frame, cell by cell


def test_labelled_frame_follows_the_contract(labelled, firm_q):
    f = labelled
    assert f.index.name == "respondent_id"
    assert f.index.tolist() == ["R001", "R002", "R003", "R004", "R005", "R006"]
    assert f.index.dtype == TEXT_DTYPE
    # categoricals: option keys in instrument order; ordered for likert and grid only
    assert f["sector"].cat.categories.tolist() == firm_q.levels("sector")
    assert not f["sector"].cat.ordered
    assert f["foreign_value"].cat.ordered and f["impact_revenue"].cat.ordered
    assert f["foreign_value"].cat.categories.tolist() == ["extremely", "very", "moderately",
                                                          "slightly", "not_at_all"]
    assert f.loc["R001", "foreign_value"] == "extremely"      # code 5 is the first option
    # missing codes -> NaN, reason kept
    assert np.isnan(f.loc["R002", "employees"])
    assert f.loc["R002", "employees__missing"] == "not_stated"
    assert pd.isna(f.loc["R002", "size_class"])
    assert f.loc["R002", "size_class__missing"] == "not_stated"
    assert f.loc["R002", "digital_spend__missing"] == "dont_know"
    assert f.loc["R003", "foreign_share__missing"] == "dont_know"
    # blank = unanswered: NaN in both columns
    assert pd.isna(f.loc["R006", "employees"]) and pd.isna(f.loc["R006", "employees__missing"])
    assert pd.isna(f.loc["R006", "digital_spend"]) and pd.isna(
        f.loc["R006", "digital_spend__missing"])
    assert "sector__missing" not in f.columns            # no missing codes declared
    assert f["size_class__missing"].cat.categories.tolist() == ["not_stated"]
    # numerics and bands; out of range kept, in no band
    assert f["employees"].dtype == np.float64
    assert f.loc["R005", "employees"] == 1200.0
    assert f["size_from_employees"].tolist()[:5] == ["micro", np.nan, "small", "medium", "large"]
    assert f["size_from_employees"].cat.ordered
    assert f.loc["R005", "export_share"] == 150.0
    assert pd.isna(f.loc["R005", "export_intensity"])
    assert f["export_intensity"].tolist()[:4] == ["none", "mid", "high", "low"]
    # multi: 1/0, blank cells of an answered question are 0, all blank -> NaN
    assert f.loc["R001", "foreign_services_none"] == 1.0
    assert f.loc["R003", "foreign_services_crm"] == 0.0       # blank cell in an answered row
    assert f.loc[["R002"], firm_q.multi_variables("foreign_services")].isna().all(axis=None)
    assert f.loc[["R001"], firm_q.multi_variables("reasons")].isna().all(axis=None)
    assert f[firm_q.multi_variables("reasons")].dtypes.eq(np.float64).all()
    # grid blank
    assert pd.isna(f.loc["R003", "impact_profitability"])
    # open text: Japanese, comma and line break kept; blank or whitespace -> NaN; "NA" kept
    assert f.loc["R001", "comments"] == "クラウドの料金が下がれば助かります。"
    assert f.loc["R003", "comments"] == "便利です, でも\n価格が高い"
    assert f.loc["R004", "comments"] == "NA"
    assert pd.isna(f.loc["R002", "comments"]) and pd.isna(f.loc["R006", "comments"])
    # meta
    assert f["duration"].dtype == np.float64 and f.loc["R001", "duration"] == 754.0
    assert f["start_time"].dtype == "datetime64[ns]"
    assert f.loc["R001", "end_time"] == pd.Timestamp("2024-07-05 09:12:34")
    assert f.loc["R005", "device"] == "tablet"
    # extra export columns kept under their own names
    assert f["panel_source"].tolist()[:2] == ["pub_a", "pub_b"]
    assert f["quota_cell"].dtype == np.int64
    # attrs
    assert f.attrs["questionnaire"] == "japan_digital_services_2024"
    assert f.attrs["source"].endswith("firm_raw.csv")
    assert f.attrs["warnings"] == []
    assert f.attrs["first_row"] == 2
    assert f.attrs["columns"]["extra"] == ["panel_source", "quota_cell"]
    assert f.attrs["columns"]["missing"] == []


def test_column_order_follows_the_instrument(labelled, firm_q):
    cols = list(labelled.columns)
    assert cols[:3] == ["start_time", "end_time", "duration"]
    assert cols.index("employees__missing") == cols.index("employees") + 1
    assert cols.index("size_from_employees") == cols.index("employees__missing") + 1
    assert cols[-2:] == ["panel_source", "quota_cell"]
    assert set(firm_q.variables) <= set(cols)


def test_questionnaire_as_path_and_top_level_names(firm_csv, labelled):
    frame = sk.read_responses(firm_csv, str(FIRM_YAML))
    pd.testing.assert_frame_equal(frame, labelled)
    assert sk.write_responses is write_responses
    assert sk.to_export is to_export and sk.convert_responses is convert_responses


def test_creators_instrument(tmp_path, creators_q):
    raw = pd.DataFrame({
        "respondent_id": ["c1", "c2", "c3"], "duration_sec": [300, 12.5, np.nan],
        "device_type": ["mobile", "desktop", "mobile"], "device_fingerprint": ["a", "b", "c"],
        "S1": [1, 2, 3], "Q1": [1, 5, 3], "Q2": [0, 30, 100], "Q3": [1, 98, 2],
        "Q4_1": [1, 0, np.nan], "Q4_2": [0, 1, np.nan], "Q4_3": [0, 0, np.nan],
        "Q4_4": [0, 0, np.nan], "Q4_5": [1, 0, np.nan], "Q4_6": [0, 0, np.nan],
        "Q4_99": [0, 0, np.nan], "Q5": [2, 3, 4], "Q6_1": [5, 4, 3], "Q6_2": [1, 2, 3],
        "Q6_3": [5, 5, 1], "Q6_4": [4, 4, 4], "Q7": [2, 2, 1], "Q8": [1, 98, 2],
        "Q9": ["配信手数料が高い", "", "Great tools"],
    })
    path = tmp_path / "creators.csv"
    raw.to_csv(path, index=False)
    f = read_responses(path, creators_q)
    assert f["screener_creator"].tolist() == ["individual", "firm", "neither"]
    assert f["export_intensity"].tolist() == ["none", "high", "high"]
    assert f["duration"].tolist()[:2] == [300.0, 12.5]
    assert f.loc["c2", "foreign_budget__missing"] == "dont_know"
    assert f.loc[["c3"], creators_q.multi_variables("tools")].isna().all(axis=None)
    out = tmp_path / "creators.sav"
    write_responses(f, out, creators_q)
    pd.testing.assert_frame_equal(read_responses(out, creators_q), f)


# ---------------------------------------------------------------------------
# every format gives the same frame

WRITE_CASES = [
    ("csv-utf8", "out.csv", {}),
    ("csv-utf8-bom", "out.csv", {"encoding": "utf-8-sig"}),
    ("csv-cp932", "out.csv", {"encoding": "cp932"}),
    ("tsv", "out.tsv", {}),
    ("xlsx", "out.xlsx", {}),
    ("sav", "out.sav", {}),
    ("dta", "out.dta", {}),
    ("parquet", "out.parquet", {}),
    ("qualtrics", "out.csv", {"format": "qualtrics"}),
]


@pytest.mark.parametrize("name,kw", [(c[1], c[2]) for c in WRITE_CASES],
                         ids=[c[0] for c in WRITE_CASES])
def test_write_then_read_gives_identical_frame(tmp_path, labelled, firm_q, name, kw):
    path = write_responses(labelled, tmp_path / name, firm_q, **kw)
    back = read_responses(path, firm_q)
    pd.testing.assert_frame_equal(back, labelled)
    assert back.attrs["warnings"] == []
    assert not list(tmp_path.glob(".*.tmp"))          # atomic write left no temporary file


def _independent_files(tmp_path, raw):
    """The raw export written by pandas / pyreadstat directly, not by survey_kit."""
    files = {}
    files["utf8-bom"] = tmp_path / "bom.csv"
    raw.to_csv(files["utf8-bom"], index=False, encoding="utf-8-sig")
    files["cp932"] = tmp_path / "sjis.csv"
    raw.to_csv(files["cp932"], index=False, encoding="cp932")
    files["xlsx"] = tmp_path / "raw.xlsx"
    raw.to_excel(files["xlsx"], index=False)
    files["parquet"] = tmp_path / "raw.parquet"
    raw.to_parquet(files["parquet"], index=False)
    files["dta"] = tmp_path / "raw.dta"
    pyreadstat.write_dta(_stat_ready(raw), files["dta"])
    files["sav"] = tmp_path / "raw.sav"
    pyreadstat.write_sav(_stat_ready(raw), files["sav"],
                         variable_value_labels={"Q1": {1: "Manufacturing", 2: "Business, legal "
                                                       "and financial services", 3: "デジタル"}})
    files["qualtrics"] = tmp_path / "qualtrics.csv"
    files["qualtrics"].write_text(_qualtrics_text(raw), encoding="utf-8")
    return files


@pytest.mark.parametrize("kind", ["utf8-bom", "cp932", "xlsx", "parquet", "dta", "sav",
                                  "qualtrics"])
def test_independently_written_files_read_the_same(tmp_path, firm_raw, labelled, firm_q, kind):
    path = _independent_files(tmp_path, firm_raw)[kind]
    frame = read_responses(path, firm_q)
    pd.testing.assert_frame_equal(frame, labelled)
    expected_format = {"utf8-bom": "csv", "cp932": "csv"}.get(kind, kind)
    assert frame.attrs["format"] == expected_format
    if kind == "cp932":
        assert frame.attrs["encoding"] == "cp932"
    if kind == "utf8-bom":
        assert frame.attrs["encoding"] == "utf-8-sig"
    if kind == "qualtrics":
        assert frame.attrs["first_row"] == 4


def test_declared_encodings(tmp_path, firm_raw, labelled, firm_q):
    path = tmp_path / "sjis.csv"
    firm_raw.to_csv(path, index=False, encoding="cp932")
    for enc in ("cp932", "CP932", "ms932"):
        pd.testing.assert_frame_equal(read_responses(path, firm_q, encoding=enc), labelled)
    bom = tmp_path / "bom.csv"
    firm_raw.to_csv(bom, index=False, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(read_responses(bom, firm_q, encoding="utf-8"), labelled)


def test_excel_unicode_text_export(tmp_path, firm_raw, labelled, firm_q):
    path = tmp_path / "unicode.txt"          # Excel's "Unicode text": UTF-16, tab-separated
    firm_raw.to_csv(path, index=False, sep="\t", encoding="utf-16")
    frame = read_responses(path, firm_q)
    assert frame.attrs["encoding"] == "utf-16"
    pd.testing.assert_frame_equal(frame, labelled)


def test_header_without_responses(tmp_path, firm_raw, labelled, firm_q):
    path = tmp_path / "none.csv"
    firm_raw.head(0).to_csv(path, index=False)
    frame = read_responses(path, firm_q)
    assert len(frame) == 0
    assert list(frame.columns) == list(labelled.columns)
    assert frame.attrs["warnings"] == ["the file holds a header but no responses"]


def test_qualtrics_excel_workbook(tmp_path, firm_raw, labelled, firm_q):
    text = _qualtrics_text(firm_raw)
    table = pd.read_csv(_io.StringIO(text), header=None, dtype=str, keep_default_na=False)
    path = tmp_path / "qualtrics.xlsx"
    table.to_excel(path, index=False, header=False)
    frame = read_responses(path, firm_q)
    assert frame.attrs["first_row"] == 4
    pd.testing.assert_frame_equal(frame, labelled)


def test_bundled_sample_in_every_format(tmp_path, firm_q):
    ref = read_responses(SAMPLE_CSV, firm_q, duplicate_ids="keep")
    assert len(ref) > 100 and ref.attrs["columns"]["missing"] == []
    for name, kw in [(c[1], c[2]) for c in WRITE_CASES]:
        path = write_responses(ref, tmp_path / name, firm_q, **kw)
        pd.testing.assert_frame_equal(read_responses(path, firm_q, duplicate_ids="keep"), ref)
    # written back in the export layout, the sample is the same text, cell for cell
    raw = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    again = pd.read_csv(write_responses(ref, tmp_path / "again.csv", firm_q), dtype=str,
                        keep_default_na=False)
    pd.testing.assert_frame_equal(again, raw)


def test_bundled_creators_sample(tmp_path, creators_q):
    path = SAMPLE_CSV.with_name("japan_creators_2024_raw.csv")
    ref = read_responses(path, creators_q, duplicate_ids="keep")
    for name in ("c.sav", "c.xlsx", "c.dta"):
        out = write_responses(ref, tmp_path / name, creators_q)
        pd.testing.assert_frame_equal(read_responses(out, creators_q, duplicate_ids="keep"), ref)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    again = pd.read_csv(write_responses(ref, tmp_path / "again.csv", creators_q), dtype=str,
                        keep_default_na=False)
    pd.testing.assert_frame_equal(again, raw)


# ---------------------------------------------------------------------------
# SPSS labels


def test_sav_has_variable_value_and_missing_labels(tmp_path, labelled, firm_q):
    path = write_responses(labelled, tmp_path / "labels.sav", firm_q)
    data, meta = pyreadstat.read_sav(path, user_missing=True)
    labels = meta.column_names_to_labels
    assert labels["Q1"] == firm_q.question("sector").text
    assert labels["Q12_1"] == f"{firm_q.question('impact').text} - Revenue"
    assert labels["Q7_99"] == f"{firm_q.question('foreign_services').text} - None of these"
    assert labels["respondent_id"] == "Respondent ID"
    vl = meta.variable_value_labels
    assert vl["Q1"] == {1.0: "Manufacturing", 2.0: "Business, legal and financial services",
                        3.0: "Digital services (IT, gaming, animation)"}
    assert vl["Q5"][98.0] == "Don't know"
    assert vl["Q2"] == {-99.0: "Prefer not to say"}
    assert vl["Q7_1"] == {0.0: "Not selected", 1.0: "Communications (video calls, messaging)"}
    assert meta.missing_ranges["Q2"] == [{"lo": -99.0, "hi": -99.0}]
    assert meta.missing_ranges["Q5"] == [{"lo": 98.0, "hi": 98.0}]
    assert "Q1" not in meta.missing_ranges
    assert meta.variable_measure["Q8"] == "ordinal"
    assert meta.variable_measure["Q1"] == "nominal"
    assert meta.variable_measure["Q2"] == "scale"
    assert meta.file_label == firm_q.title
    # the codes themselves: user-missing codes are written where __missing says so
    data = data.set_index("respondent_id")
    assert data.loc["R002", "Q2"] == -99 and data.loc["R002", "Q5"] == 98
    assert np.isnan(data.loc["R006", "Q2"])                  # blank stays system-missing
    assert data.loc["R001", "Q8"] == 5
    assert data.loc["R003", "Q16"] == "便利です, でも\n価格が高い"
    # SPSS itself treats them as missing
    plain, _ = pyreadstat.read_sav(path)
    assert plain["Q2"].isna().sum() == 2


def test_sav_roundtrip_keeps_duplicates(tmp_path, firm_raw, firm_q):
    firm_raw.loc[3, "respondent_id"] = "R001"
    src = tmp_path / "dups.csv"
    firm_raw.to_csv(src, index=False)
    frame = read_responses(src, firm_q, duplicate_ids="keep")
    assert frame.index.tolist()[3] == "R001~2"
    assert frame["_raw_id"].tolist()[3] == "R001"
    out = convert_responses(src, tmp_path / "dups.sav", firm_q, duplicate_ids="keep")
    pd.testing.assert_frame_equal(read_responses(out, firm_q, duplicate_ids="keep"), frame)
    with pytest.raises(DataError, match="appear more than once"):
        read_responses(out, firm_q)


def test_sav_value_labels_checked_against_instrument(tmp_path, firm_raw, firm_q):
    base = _stat_ready(firm_raw)
    unknown = tmp_path / "unknown_label.sav"
    pyreadstat.write_sav(base, unknown, variable_value_labels={
        "Q1": {1: "Manufacturing", 2: "Business", 3: "Digital", 4: "Agriculture"}})
    with pytest.raises(DataError) as info:
        read_responses(unknown, firm_q)
    msg = str(info.value)
    assert "code 4 labelled 'Agriculture'" in msg and "'sector'" in msg
    assert info.value.column == "Q1" and info.value.file == str(unknown)

    swapped = tmp_path / "swapped.sav"
    pyreadstat.write_sav(base, swapped, variable_value_labels={
        "Q1": {1: "Digital services (IT, gaming, animation)", 2: "Manufacturing"}})
    with pytest.raises(DataError, match="code 1 is labelled 'Digital services.*'digital_services'"):
        read_responses(swapped, firm_q)

    worded = tmp_path / "worded.sav"
    pyreadstat.write_sav(base, worded, variable_value_labels={
        "Q1": {1: "製造業", 2: "Business and finance", 3: "Digital"}})
    frame = read_responses(worded, firm_q)
    assert any("worded differently" in w and "'Q1'" in w for w in frame.attrs["warnings"])

    multi = tmp_path / "multi_label.sav"
    pyreadstat.write_sav(base, multi, variable_value_labels={"Q7_1": {0: "no", 1: "yes",
                                                                      2: "maybe"}})
    with pytest.raises(DataError, match="code 2 labelled 'maybe'"):
        read_responses(multi, firm_q)


def test_sav_rows_are_case_numbers(tmp_path, firm_raw, firm_q):
    raw = _stat_ready(firm_raw)
    raw.loc[2, "Q9"] = 7
    path = tmp_path / "bad.sav"
    pyreadstat.write_sav(raw, path)
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    assert info.value.row == 3 and info.value.column == "Q9" and info.value.value == 7


# ---------------------------------------------------------------------------
# to_export, writers without a questionnaire, conversions


def test_to_export_restores_the_raw_layout(labelled, firm_raw, firm_q):
    out = to_export(labelled, firm_q)
    assert list(out.columns) == list(firm_raw.columns)
    expected = firm_raw.copy()
    # documented normalisations: blank option of an answered multi -> 0; blank text -> NaN
    expected.loc[2, "Q7_3"] = 0
    expected.loc[5, "Q16"] = np.nan
    for c in expected.columns:
        if isinstance(expected[c].dtype, pd.Int64Dtype):
            assert out[c].dtype == "Int64", c
            assert out[c].tolist() == expected[c].tolist(), c
    assert out["Q2"].tolist()[:2] == [8, -99]
    assert out["Q16"].isna().tolist() == expected["Q16"].isna().tolist()
    assert out["start_time"].tolist()[0] == pd.Timestamp("2024-07-05 09:00:00")
    assert out["quota_cell"].tolist() == firm_raw["quota_cell"].tolist()


def test_to_export_errors(labelled, firm_q):
    with pytest.raises(DataError, match="lacks 1 variable.*'sector'"):
        to_export(labelled.drop(columns=["sector"]), firm_q)
    bad = labelled.copy()
    bad["sector"] = bad["sector"].astype(str).replace("manufacturing", "mining")
    with pytest.raises(DataError, match="not option keys of question 'sector'") as info:
        to_export(bad, firm_q)
    assert info.value.value == "mining" and info.value.row == "R001"
    both = labelled.copy()
    both.loc["R001", "employees__missing"] = "not_stated"
    with pytest.raises(DataError, match="both an answer"):
        to_export(both, firm_q)
    with pytest.raises(UsageError):
        to_export(labelled.to_numpy(), firm_q)


def test_to_export_accepts_plain_key_strings(labelled, firm_q):
    plain = labelled.copy()
    plain["sector"] = plain["sector"].astype(object)
    pd.testing.assert_frame_equal(to_export(plain, firm_q), to_export(labelled, firm_q))


def test_write_without_questionnaire(tmp_path, labelled):
    csv = write_responses(labelled, tmp_path / "labelled.csv")
    back = pd.read_csv(csv)
    assert back.columns[0] == "respondent_id"
    assert back["sector"].tolist()[0] == "manufacturing"
    sav = write_responses(labelled, tmp_path / "labelled.sav")
    data, meta = pyreadstat.read_sav(sav)
    assert meta.variable_value_labels["sector"] == {1.0: "manufacturing",
                                                    2.0: "business_services",
                                                    3.0: "digital_services"}
    assert data["sector"].tolist()[:3] == [1.0, 2.0, 3.0]
    assert meta.variable_measure["foreign_value"] == "ordinal"


def test_writer_errors(tmp_path, labelled, firm_q):
    emoji = labelled.copy()
    emoji.loc["R001", "comments"] = "great 👍"
    with pytest.raises(DataError, match="cannot be written in cp932") as info:
        write_responses(emoji, tmp_path / "x.csv", firm_q, encoding="cp932")
    assert info.value.value == "👍"
    assert not (tmp_path / "x.csv").exists()
    with pytest.raises(DataError, match="unsupported file extension '.json'"):
        write_responses(labelled, tmp_path / "x.json", firm_q)
    with pytest.raises(UsageError, match="unknown format"):
        write_responses(labelled, tmp_path / "x.csv", firm_q, format="feather")
    with pytest.raises(DataError) as info:
        write_responses(labelled.drop(columns="sector"), tmp_path / "y.csv", firm_q)
    assert info.value.file == str(tmp_path / "y.csv")


def test_failed_write_keeps_the_old_file(tmp_path, labelled, firm_q):
    path = write_responses(labelled, tmp_path / "keep.csv", firm_q)
    before = path.read_bytes()
    with pytest.raises(DataError):
        write_responses(labelled.drop(columns="sector"), path, firm_q)
    assert path.read_bytes() == before


def test_writes_are_byte_identical(tmp_path, labelled, firm_q):
    """SPSS and Stata headers and XLSX properties carry a time: it is fixed (issue 15)."""
    fmts = ("csv", "tsv", "qualtrics", "xlsx", "sav", "dta", "parquet")
    first = {f: write_responses(labelled, tmp_path / f"a_{f}.{f}", firm_q, format=f).read_bytes()
             for f in fmts}
    time.sleep(1.2)
    for f in fmts:
        again = write_responses(labelled, tmp_path / f"b_{f}.{f}", firm_q, format=f)
        assert again.read_bytes() == first[f], f
    for f, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        data, meta = reader(str(tmp_path / f"b_{f}.{f}"))
        assert meta.creation_time == pd.Timestamp("2000-01-01 00:00:00")
        assert len(data) == len(labelled)
        pd.testing.assert_frame_equal(read_responses(tmp_path / f"b_{f}.{f}", firm_q), labelled)
    import openpyxl

    props = openpyxl.load_workbook(tmp_path / "b_xlsx.xlsx").properties
    assert props.created == props.modified == pd.Timestamp("2000-01-01").to_pydatetime()


def test_sav_header_fields_are_where_the_format_puts_them(tmp_path):
    from survey_kit.io.spss_stata import fix_sav_time

    path = tmp_path / "x.sav"
    pyreadstat.write_sav(pd.DataFrame({"a": [1.0]}), str(path), file_label="label")
    head = path.read_bytes()[:120]
    assert re.fullmatch(rb"\d\d [A-Z][a-z]{2} \d\d", head[92:101])       # creation_date
    assert re.fullmatch(rb"\d\d:\d\d:\d\d", head[101:109])               # creation_time
    assert head[109:114] == b"label"                                     # file_label
    fix_sav_time(path)
    assert path.read_bytes()[92:109] == b"01 Jan 0000:00:00"


def test_uncached_formula_is_refused(tmp_path, firm_raw, firm_q):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(list(firm_raw.columns))
    for rec in firm_raw.astype(object).where(firm_raw.notna(), None).itertuples(index=False):
        ws.append(list(rec))
    ws["I4"] = "=2+1"                 # Q1 of R003, saved by openpyxl without a result
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(DataError, match=r"sheet 'Export': 1 cell\(s\) hold a formula without a "
                                        r"saved result \(I4\).*save it again.*export the sheet "
                                        "as CSV") as info:
        read_responses(tmp_path / "f.xlsx", firm_q)
    assert (info.value.row, info.value.column) == (4, "I")


def test_ragged_and_blank_named_csv(tmp_path, firm_csv, firm_q):
    text = firm_csv.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    excel = tmp_path / "excel.csv"
    excel.write_text(header + ",,\n" + rest.replace("\nR", ",,\nR"), encoding="utf-8")
    frame = read_responses(excel, firm_q)
    assert frame.attrs["warnings"] == ["2 column(s) with a blank name and no data left out "
                                       "(spreadsheet column(s) AZ, BA)"]
    pd.testing.assert_frame_equal(frame, read_responses(firm_csv, firm_q))
    cut = tmp_path / "cut.csv"
    cut.write_text(text.rstrip("\n")[:-10], encoding="utf-8")
    with pytest.raises(DataError, match=r"the last row \(row 7\) has \d+ of the header's 51 "
                                        "cells: the file looks truncated"):
        read_responses(cut, firm_q)


def test_csv_writer_quotes_a_lone_carriage_return(tmp_path, labelled, firm_q):
    frame = labelled.copy()
    frame["comments"] = frame["comments"].astype(object)
    frame.loc["R001", "comments"] = "fine\r=HYPERLINK(\"http://x\")"
    back = read_responses(write_responses(frame, tmp_path / "cr.csv", firm_q), firm_q)
    assert back.loc["R001", "comments"] == "fine\r=HYPERLINK(\"http://x\")"
    assert back.index.tolist() == frame.index.tolist()


def test_convert_responses(tmp_path, firm_csv, labelled, firm_q):
    out = convert_responses(firm_csv, tmp_path / "c.parquet", firm_q)
    pd.testing.assert_frame_equal(read_responses(out, firm_q), labelled)
    out2 = convert_responses(labelled, tmp_path / "c.xlsx", FIRM_YAML)
    pd.testing.assert_frame_equal(read_responses(out2, firm_q), labelled)


# ---------------------------------------------------------------------------
# what real exports look like


def test_missing_columns_allow(tmp_path, firm_raw, firm_q):
    path = tmp_path / "short.csv"
    firm_raw.drop(columns=["Q9", "Q7_3", "Q12_2"]).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    msg = str(info.value)
    assert "3 column(s) the questionnaire names are not in the file" in msg
    assert "'Q9' (competitiveness)" in msg and "missing_columns='allow'" in msg
    assert info.value.column == "Q7_3"
    frame = read_responses(path, firm_q, missing_columns="allow")
    assert frame["competitiveness"].isna().all()
    assert frame["competitiveness"].cat.categories.tolist() == firm_q.levels("competitiveness")
    assert frame["foreign_services_crm"].isna().all()
    np.testing.assert_array_equal(frame["foreign_services_cloud"].to_numpy()[:3],
                                  [0.0, np.nan, 1.0])
    assert frame["impact_profitability"].isna().all()
    assert len(frame.attrs["warnings"]) == 3
    assert any("'Q9' (competitiveness) is not in the file" in w for w in frame.attrs["warnings"])
    assert frame.attrs["columns"]["missing"] == ["Q7_3", "Q9", "Q12_2"]


def test_not_required_question_still_needs_its_column(tmp_path, firm_raw, firm_q):
    assert not firm_q.question("comments").required
    path = tmp_path / "nocomments.csv"
    firm_raw.drop(columns=["Q16"]).to_csv(path, index=False)
    with pytest.raises(DataError, match="'Q16' \\(comments\\)"):
        read_responses(path, firm_q)


def test_duration_from_start_and_end(tmp_path, firm_raw, labelled, firm_q):
    path = tmp_path / "nodur.csv"
    firm_raw.drop(columns=["duration_sec"]).to_csv(path, index=False)
    frame = read_responses(path, firm_q)
    assert frame["duration"].tolist() == labelled["duration"].tolist()
    assert any("duration computed from" in w for w in frame.attrs["warnings"])


def test_label_text_full_width_digits_and_time_formats(tmp_path, firm_raw, labelled, firm_q):
    raw = firm_raw.astype(object)
    raw["Q1"] = ["Manufacturing", "business_services", "デジタルサービス（IT・ゲーム・アニメ）",
                 "manufacturing ", "Digital services (IT, gaming, animation)",
                 "Business, legal and financial services"]
    raw["Q5"] = ["1-4%", "Don't know", "３", "over_20", "1", np.nan]
    raw["Q7_1"] = ["", np.nan, "Communications (video calls, messaging)", 0, 1, 1]
    raw["Q2"] = ["8", "回答しない", "４５", "300", "1,200", ""]
    raw["duration_sec"] = ["00:12:34", "4:30", "1738", 550, "0:02:00", 660]
    raw["start_time"] = ["2024/07/05 09:00:00", "2024-07-06T10:15:30", "2024/07/08 21:01:02",
                         "2024-08-01 08:00:00", "09/12/2024 12:00:00", "2024-10-01 07:30:00"]
    path = tmp_path / "messy.csv"
    raw.to_csv(path, index=False)
    frame = read_responses(path, firm_q)
    for col in ("sector", "digital_spend", "digital_spend__missing", "employees",
                "employees__missing", "foreign_services_communications", "duration",
                "start_time"):
        pd.testing.assert_series_equal(frame[col], labelled[col], check_names=True)


def test_empty_rows_are_skipped_with_a_warning(tmp_path, firm_raw, firm_q):
    firm_raw["Q16"] = firm_raw["Q16"].str.replace("\n", " ")     # one line per record here
    text = firm_raw.to_csv(index=False).splitlines()
    blank = ",".join([""] * firm_raw.shape[1])
    text.insert(3, blank)            # becomes row 4
    text.insert(5, "")               # an empty line: row 6
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    frame = read_responses(path, firm_q)
    assert len(frame) == 6
    assert frame.attrs["warnings"] == ["2 empty row(s) skipped: 4, 6"]
    # row numbers after the gaps are still the rows the user sees
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[7].startswith("R005,")
    fields = lines[7].split(",")
    q1 = firm_raw.columns.get_loc("Q1")
    fields[q1] = "9"
    lines[7] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    assert info.value.row == 8 and info.value.column == "Q1" and info.value.value == 9


def test_extra_column_named_like_a_variable(tmp_path, firm_raw, firm_q):
    raw = firm_raw.assign(sector=["x"] * 6)
    path = tmp_path / "clash.csv"
    raw.to_csv(path, index=False)
    frame = read_responses(path, firm_q)
    assert frame["sector"].tolist()[0] == "manufacturing"
    assert frame["sector__export"].tolist() == ["x"] * 6
    assert any("kept as 'sector__export'" in w for w in frame.attrs["warnings"])


def test_ids_keep_leading_zeros_and_are_text(tmp_path, firm_raw, firm_q):
    raw = firm_raw.assign(respondent_id=["0001", "0002", "0003", "0004", "0005", "0006"])
    path = tmp_path / "zeros.csv"
    raw.to_csv(path, index=False)
    assert read_responses(path, firm_q).index.tolist()[0] == "0001"
    numeric = firm_raw.assign(respondent_id=[101, 102, 103, 104, 105, 106])
    xlsx = tmp_path / "ids.xlsx"
    numeric.to_excel(xlsx, index=False)
    assert read_responses(xlsx, firm_q).index.tolist()[0] == "101"


# ---------------------------------------------------------------------------
# errors name file, row, column and value


def _write(tmp_path, raw, name="bad.csv"):
    path = tmp_path / name
    raw.to_csv(path, index=False)
    return path


def test_unknown_code(tmp_path, firm_raw, firm_q):
    firm_raw.loc[2, "Q1"] = 7
    path = _write(tmp_path, firm_raw)
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    err = info.value
    assert (err.file, err.row, err.column, err.value) == (str(path), 4, "Q1", 7)
    msg = str(err)
    assert msg.startswith(f"{path}, row 4, column 'Q1', value 7:")
    assert "unknown code(s) for question 'sector'" in msg
    assert "valid codes 1=manufacturing, 2=business_services, 3=digital_services" in msg
    assert "What to do:" in msg
    assert err.problems[0]["count"] == 1


def test_many_offending_cells_are_counted(tmp_path, firm_raw, firm_q):
    big = pd.concat([firm_raw] * 5, ignore_index=True)
    big["respondent_id"] = [f"R{i:03d}" for i in range(len(big))]
    big["Q8"] = 9                       # every row wrong
    big["Q2"] = big["Q2"].astype(object)
    big.loc[4, "Q2"] = "lots"
    path = _write(tmp_path, big)
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    msg = str(info.value)
    assert "31 cell(s) in 2 column(s)" in msg
    assert "column 'Q2': 1 non-numeric value(s) for numeric question 'employees' (row 6: 'lots')"\
        in msg
    assert "column 'Q8': 30 unknown code(s)" in msg
    assert "row 2: 9; row 3: 9; row 4: 9; row 5: 9; row 6: 9; and 25 more" in msg
    assert info.value.column == "Q2" or info.value.column == "Q8"


def test_missing_code_not_declared_is_unknown(tmp_path, firm_raw, firm_q):
    firm_raw.loc[0, "Q9"] = 98          # competitiveness declares no missing codes
    with pytest.raises(DataError, match="column 'Q9': 1 unknown code"):
        read_responses(_write(tmp_path, firm_raw), firm_q)


def test_non_numeric_numeric(tmp_path, firm_raw, firm_q):
    firm_raw["Q4b"] = firm_raw["Q4b"].astype(object)
    firm_raw.loc[1, "Q4b"] = "about 20"
    path = _write(tmp_path, firm_raw)
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    err = info.value
    assert (err.row, err.column, err.value) == (3, "Q4b", "about 20")
    assert "non-numeric value(s) for numeric question 'export_share'" in str(err)
    assert "enter numbers" in str(err)


def test_non_integer_code_is_unknown(tmp_path, firm_raw, firm_q):
    firm_raw["Q3"] = firm_raw["Q3"].astype(float)
    firm_raw.loc[0, "Q3"] = 1.5
    with pytest.raises(DataError, match="row 2, column 'Q3', value 1.5"):
        read_responses(_write(tmp_path, firm_raw), firm_q)


def test_invalid_multi_value(tmp_path, firm_raw, firm_q):
    firm_raw.loc[0, "Q10_2"] = 3
    with pytest.raises(DataError, match="option 'diversity' of multi question 'reasons'") as info:
        read_responses(_write(tmp_path, firm_raw), firm_q)
    assert (info.value.row, info.value.column, info.value.value) == (2, "Q10_2", 3)


def test_invalid_datetime(tmp_path, firm_raw, firm_q):
    firm_raw.loc[1, "end_time"] = "yesterday"
    with pytest.raises(DataError, match="not dates and times") as info:
        read_responses(_write(tmp_path, firm_raw), firm_q)
    assert (info.value.row, info.value.column, info.value.value) == (3, "end_time", "yesterday")


def test_missing_column(tmp_path, firm_raw, firm_q):
    path = _write(tmp_path, firm_raw.drop(columns=["Q13_3"]))
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    assert info.value.column == "Q13_3" and info.value.file == str(path)
    assert "'Q13_3' (attitudes)" in str(info.value)


def test_missing_id_column(tmp_path, firm_raw, firm_q):
    path = _write(tmp_path, firm_raw.rename(columns={"respondent_id": "rid"}))
    with pytest.raises(DataError, match="respondent id column 'respondent_id' is missing"):
        read_responses(path, firm_q)


def test_duplicate_ids(tmp_path, firm_raw, firm_q):
    firm_raw.loc[[3, 5], "respondent_id"] = "R002"
    path = _write(tmp_path, firm_raw)
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    err = info.value
    assert (err.row, err.column, err.value) == (5, "respondent_id", "R002")   # first repeat
    assert "1 respondent id(s) appear more than once (3 rows): 'R002' in rows 3, 5, 7" in str(err)
    assert "duplicate_ids='keep'" in str(err)
    frame = read_responses(path, firm_q, duplicate_ids="keep")
    assert frame.index.tolist() == ["R001", "R002", "R003", "R002~2", "R005", "R002~3"]
    assert frame["_raw_id"].tolist() == ["R001", "R002", "R003", "R002", "R005", "R002"]
    assert frame.index.is_unique


def test_blank_id(tmp_path, firm_raw, firm_q):
    firm_raw.loc[4, "respondent_id"] = " "
    with pytest.raises(DataError, match="respondent id is blank in 1 row") as info:
        read_responses(_write(tmp_path, firm_raw), firm_q)
    assert info.value.row == 6


def test_duplicate_header(tmp_path, firm_raw, firm_q):
    raw = firm_raw.rename(columns={"Q9": "Q8"})
    path = tmp_path / "duphead.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match="column name 'Q8' appears twice") as info:
        read_responses(path, firm_q)
    assert info.value.row == 1


def test_bad_extension(tmp_path, firm_raw, firm_q):
    path = tmp_path / "raw.json"
    path.write_text("{}")
    with pytest.raises(DataError, match="unsupported file extension '.json'") as info:
        read_responses(path, firm_q)
    assert info.value.file == str(path)
    with pytest.raises(UsageError, match="unknown format"):
        read_responses(path, firm_q, format="json")
    csv = _write(tmp_path, firm_raw, "data.json")
    assert len(read_responses(csv, firm_q, format="csv")) == 6


def test_truncated_xlsx(tmp_path, labelled, firm_q):
    good = write_responses(labelled, tmp_path / "good.xlsx", firm_q)
    bad = tmp_path / "truncated.xlsx"
    bad.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(DataError, match="cannot be read as an Excel workbook") as info:
        read_responses(bad, firm_q)
    assert info.value.file == str(bad)


def test_csv_saved_as_xlsx(tmp_path, firm_csv, firm_q):
    bad = tmp_path / "really_csv.xlsx"
    bad.write_bytes(firm_csv.read_bytes())
    with pytest.raises(DataError, match="cannot be read as an Excel workbook"):
        read_responses(bad, firm_q)


def test_unknown_sheet(tmp_path, labelled, firm_q):
    path = write_responses(labelled, tmp_path / "s.xlsx", firm_q)
    with pytest.raises(DataError, match="sheet 'Data' not found; the workbook has sheets "
                                        "'responses'"):
        read_responses(path, firm_q, sheet="Data")
    pd.testing.assert_frame_equal(read_responses(path, firm_q, sheet="responses"), labelled)


def test_binary_garbage_as_csv(tmp_path, firm_q):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DataError, match="binary file, not CSV text"):
        read_responses(path, firm_q)
    noisy = tmp_path / "noise.csv"
    rng = np.random.default_rng(7)
    noisy.write_bytes(b"respondent_id,Q1\nR1,1\n" + bytes(rng.integers(128, 256, 400,
                                                                          dtype=np.uint8)))
    with pytest.raises(DataError, match="neither UTF-8 nor CP932") as info:
        read_responses(noisy, firm_q)
    assert info.value.row == 3 and info.value.column == "respondent_id"


def test_garbage_sav_dta_parquet(tmp_path, firm_q):
    for name, kind in [("x.sav", "an SPSS file"), ("x.dta", "a Stata file"),
                       ("x.parquet", "a Parquet file")]:
        path = tmp_path / name
        path.write_bytes(b"not really " * 50)
        with pytest.raises(DataError, match=f"cannot be read as {kind}"):
            read_responses(path, firm_q)


def test_malformed_csv(tmp_path, firm_csv, firm_q):
    lines = firm_csv.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2] + ",extra,cells"
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 3 has 53 cells where the header has 51") as info:
        read_responses(path, firm_q)
    assert info.value.row == 3


def test_empty_and_missing_files(tmp_path, firm_q):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match="the file is empty"):
        read_responses(empty, firm_q)
    with pytest.raises(DataError, match="file not found") as info:
        read_responses(tmp_path / "absent.csv", firm_q)
    assert info.value.file == str(tmp_path / "absent.csv")
    with pytest.raises(DataError, match="folder"):
        read_responses(tmp_path, firm_q, format="csv")


def test_wrong_encoding_declared(tmp_path, firm_raw, firm_csv, firm_q):
    sjis = tmp_path / "sjis.csv"
    firm_raw.to_csv(sjis, index=False, encoding="cp932")
    with pytest.raises(DataError) as info:
        read_responses(sjis, firm_q, encoding="utf-8")
    err = info.value
    assert err.file == str(sjis) and err.row == 2 and err.column == "Q16"
    assert "not utf-8 text" in str(err) and "encoding='cp932'" in str(err)
    firm_raw.loc[0, "Q16"] = "①髙橋"        # characters of cp932 that shift_jis lacks
    firm_raw.to_csv(sjis, index=False, encoding="cp932")
    with pytest.raises(DataError, match="not shift_jis text.*try encoding='cp932'") as info:
        read_responses(sjis, firm_q, encoding="shift_jis")
    assert info.value.row == 2
    assert read_responses(sjis, firm_q).loc["R001", "comments"] == "①髙橋"
    with pytest.raises(DataError, match="declared but the file is UTF-8"):
        read_responses(firm_csv, firm_q, encoding="cp932")
    with pytest.raises(UsageError, match="unknown encoding 'latin-9000'"):
        read_responses(firm_csv, firm_q, encoding="latin-9000")


def test_qualtrics_rows_start_at_four(tmp_path, firm_raw, firm_q):
    firm_raw.loc[0, "Q14"] = 8
    path = tmp_path / "q.csv"
    path.write_text(_qualtrics_text(firm_raw), encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_responses(path, firm_q)
    assert (info.value.row, info.value.column, info.value.value) == (4, "Q14", 8)
    plain = _write(tmp_path, firm_raw, "plain.csv")
    with pytest.raises(DataError, match="does not hold Qualtrics ImportId"):
        read_responses(plain, firm_q, format="qualtrics")


def test_bad_options(firm_csv, firm_q):
    with pytest.raises(UsageError, match="missing_columns"):
        read_responses(firm_csv, firm_q, missing_columns="ignore")
    with pytest.raises(UsageError, match="duplicate_ids"):
        read_responses(firm_csv, firm_q, duplicate_ids="drop")
    with pytest.raises(UsageError, match="questionnaire must be"):
        read_responses(firm_csv, 42)


# ---------------------------------------------------------------------------
# properties and speed

def random_raw(q, rng: np.random.Generator, n: int) -> pd.DataFrame:
    """A random raw export of ``q``: valid codes, declared missing codes and blanks."""
    cols: dict[str, object] = {"respondent_id": [f"X{i:05d}" for i in range(n)]}

    def codes(question, size):
        pool = [o.code for o in question.options] + [m.code for m in question.missing]
        v = rng.choice(pool, size).astype(float)
        v[rng.random(size) < 0.1] = np.nan
        return v

    for qq in q.questions:
        if qq.type in ("single", "likert"):
            cols[qq.column] = codes(qq, n)
        elif qq.type == "grid":
            for it in qq.items:
                cols[it.column] = codes(qq, n)
        elif qq.type == "multi":
            skip = rng.random(n) < 0.2
            for o in qq.options:
                v = (rng.random(n) < 0.4).astype(float)
                v[skip] = np.nan
                cols[o.column] = v
        elif qq.type == "numeric":
            v = rng.integers(0, 2000, n).astype(float)
            for m in qq.missing:
                v[rng.random(n) < 0.05] = m.code
            v[rng.random(n) < 0.05] = np.nan
            cols[qq.column] = v
        elif qq.type == "open":
            words = np.array(["", "良い", "高い, でも便利", "ok", "改善してほしい"])
            cols[qq.column] = words[rng.integers(0, len(words), n)]
        elif qq.role == "duration":
            cols[qq.column] = rng.integers(60, 3000, n)
        elif qq.role in ("start_time", "end_time"):
            t = pd.Timestamp("2024-07-05") + pd.to_timedelta(rng.integers(0, 10**7, n), "s")
            cols[qq.column] = t.strftime("%Y-%m-%d %H:%M:%S")
        else:
            cols[qq.column] = rng.choice(["a", "b", "c"], n)
    return pd.DataFrame(cols)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 40),
       fmt=st.sampled_from(["csv", "sav", "parquet", "dta"]))
def test_property_roundtrip_and_missing_accounting(tmp_path_factory, seed, n, fmt):
    q = sk.load_questionnaire(FIRM_YAML)
    rng = np.random.default_rng(seed)
    raw = random_raw(q, rng, n)
    d = tmp_path_factory.mktemp("prop")
    src = d / "raw.csv"
    raw.to_csv(src, index=False)
    frame = read_responses(src, q)
    # every cell is an answer, a missing reason or blank: nothing is lost
    for qq in q.questions:
        if qq.type in ("single", "likert") and qq.missing:
            codes = raw[qq.column]
            answered = frame[qq.id].notna().sum()
            reasons = frame[qq.id + "__missing"].notna().sum()
            assert answered == codes.isin([o.code for o in qq.options]).sum()
            assert reasons == codes.isin([m.code for m in qq.missing]).sum()
            assert answered + reasons + codes.isna().sum() == n
    back = read_responses(write_responses(frame, d / f"out.{fmt}", q), q)
    pd.testing.assert_frame_equal(back, frame)


def test_reads_100k_rows(tmp_path, firm_raw, firm_q):
    """A large export reads completely (its speed is measured in benchmarks/, not here)."""
    for j in range(60 - firm_raw.shape[1]):    # pad to 60 columns with extra export columns
        firm_raw[f"extra_{j}"] = j
    header, body = firm_raw.to_csv(index=False).split("\n", 1)
    copies = 100_000 // len(firm_raw) + 1
    text = header + "\n" + "".join(body.replace("R00", f"B{k}_") for k in range(copies))
    path = tmp_path / "big.csv"
    path.write_text(text, encoding="utf-8")
    frame = read_responses(path, firm_q)
    assert frame.shape[0] == copies * len(firm_raw) >= 100_000
    assert frame.attrs["columns"]["in_file"] == 60
    assert frame.index.is_unique


def test_a_parquet_dataset_of_parts_reads_as_one_export(tmp_path, capsys):
    """A folder, a glob or a list of Parquet parts (as a query engine writes them) is one
    response file, in order, for read_responses and for the commands."""
    from conftest import FIRM_YAML, SAMPLE_CSV

    from survey_kit.cli import main
    from survey_kit.io.formats import read_raw

    frame = read_raw(SAMPLE_CSV).frame
    parts = tmp_path / "export"
    (parts / "wave=2").mkdir(parents=True)   # files are read in path order
    frame.iloc[:250].to_parquet(parts / "part-0.parquet", index=False)
    frame.iloc[250:].to_parquet(parts / "wave=2" / "part-1.parquet", index=False)
    q = sk.load_questionnaire(FIRM_YAML)
    ref = sk.read_responses(SAMPLE_CSV, q, duplicate_ids="keep")
    for source in (parts, f"{parts}/**/*.parquet",
                   [parts / "part-0.parquet", parts / "wave=2" / "part-1.parquet"]):
        got = sk.read_responses(source, q, duplicate_ids="keep")
        assert len(got) == len(ref) == 700
        pd.testing.assert_frame_equal(got, ref, check_index_type=False)
    code = main(["clean", str(FIRM_YAML), str(parts), "--out", str(tmp_path / "c"),
                 "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (tmp_path / "c" / "export_kept.csv").exists()
    code = main(["report", str(FIRM_YAML), str(tmp_path / "empty"), "--out", str(tmp_path / "r")])
    out, err = capsys.readouterr()
    assert code == 2 and "file not found" in err and "Traceback" not in err
    (tmp_path / "none").mkdir()
    code = main(["appendix", str(FIRM_YAML), str(tmp_path / "none"), "--out", str(tmp_path / "a")])
    out, err = capsys.readouterr()
    assert code == 2 and "holds no .parquet file" in err

"""`survey-kit validate`: exit 0 on valid input, 2 with a clear message (no traceback) if not."""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from conftest import CREATORS_YAML, FIRM_YAML, SAMPLE_CSV

from survey_kit.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def firm_yaml(tmp_path):
    """The firm questionnaire without population targets: validate weights the kept
    respondents as the later commands would, and six rows cannot be weighted to the
    firm targets (that refusal is tested in test_validate_refuses_what_weighting_refuses)."""
    text = FIRM_YAML.read_text(encoding="utf-8")
    path = tmp_path / "firm_untargeted.yaml"
    path.write_text(re.sub(r"\n  targets: [^\n]*\n", "\n", text), encoding="utf-8")
    return path


def test_good_instrument(capsys):
    code, out, err = run(capsys, "validate", FIRM_YAML)
    assert code == 0, err
    assert "Use of Digital Services in Japanese Companies (japan_digital_services_2024)" in out
    assert "Questions:      24 (meta 6, single 9, numeric 3, multi 2, likert 1, grid 2, open 1)" \
        in out
    assert "Variables:      50" in out
    assert "Traps:          3" in out and "trap_fruit: instructed, attention_fruit expects apple" \
        in out
    assert "Rules:          6 (range 3, sum 1, band_match 1, implies 1)" in out
    assert "Weighting:      rake on size_class, sector" in out
    assert "Targets:        size_class (4 levels), sector (3 levels); counts, total 710,000" \
        in out
    assert "Result: the questionnaire is valid." in out
    assert err == ""


def test_good_creators_instrument(capsys):
    code, out, _ = run(capsys, "validate", CREATORS_YAML)
    assert code == 0
    assert "Traps:          3" in out and "poststratify on screener_creator" in out


def test_good_responses(capsys, firm_csv, firm_yaml):
    code, out, err = run(capsys, "validate", firm_yaml, firm_csv)
    assert code == 0, err
    assert "Rows:             6 (first respondent on row 2)" in out
    assert "51 in the file; 49 mapped to the questionnaire" in out
    assert "Extra columns:    2 kept as they are: panel_source, quota_cell" in out
    assert "Duplicate ids:    0" in out
    # per-variable missing summary: blanks and missing-code reasons
    line = next(t for t in out.splitlines() if t.strip().startswith("employees "))
    assert line.split() == ["employees", "1", "1", "-"]
    assert "dont_know" in out and "not_stated" in out
    assert "Warnings:         none" in out
    assert "Result: the questionnaire and responses are valid." in out


def test_duplicates_are_reported_not_fatal(capsys, tmp_path, firm_raw, firm_yaml):
    firm_raw.loc[4, "respondent_id"] = "R001"
    path = tmp_path / "dups.csv"
    firm_raw.to_csv(path, index=False)
    code, out, _ = run(capsys, "validate", firm_yaml, path)
    assert code == 0
    assert "Duplicate ids:    1 id(s) repeated in 2 rows ('R001' x2)" in out
    assert "valid (1 warning)" in out


def test_bundled_sample(capsys):
    code, out, _ = run(capsys, "validate", FIRM_YAML, SAMPLE_CSV)
    assert code == 0
    with SAMPLE_CSV.open(encoding="utf-8") as fh:
        n = sum(1 for _ in fh) - 1       # the sample has no line breaks inside answers
    assert f"Rows:             {n} (first respondent on row 2)" in out
    assert "49 mapped to the questionnaire" in out


def test_xlsx_sheet_and_encoding_options(capsys, tmp_path, firm_raw, firm_yaml):
    xlsx = tmp_path / "r.xlsx"
    with __import__("pandas").ExcelWriter(xlsx) as w:
        firm_raw.head(1).to_excel(w, sheet_name="notes", index=False)
        firm_raw.to_excel(w, sheet_name="data", index=False)
    code, out, _ = run(capsys, "validate", firm_yaml, xlsx, "--sheet", "1")
    assert code == 0 and "Rows:             6" in out
    code, out, _ = run(capsys, "validate", firm_yaml, xlsx, "--sheet", "data")
    assert code == 0 and "(xlsx)" in out
    sjis = tmp_path / "r.csv"
    firm_raw.to_csv(sjis, index=False, encoding="cp932")
    code, out, _ = run(capsys, "validate", firm_yaml, sjis, "--encoding", "cp932")
    assert code == 0 and "(csv, cp932)" in out


def _bad_yaml(tmp_path):
    data = yaml.safe_load(FIRM_YAML.read_text(encoding="utf-8"))
    bad = copy.deepcopy(data)
    i = next(k for k, q in enumerate(bad["questions"]) if q["id"] == "sector")
    bad["questions"][i]["options"][2]["code"] = 1
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    return path, i


def test_bad_instrument(capsys, tmp_path):
    path, i = _bad_yaml(tmp_path)
    code, out, err = run(capsys, "validate", path)
    assert code == 2
    assert f"questions[{i}].options[2].code: duplicate code 1" in err
    assert err.startswith("survey-kit validate: error: ")
    assert "Traceback" not in err and "Traceback" not in out


def test_broken_yaml_and_missing_file(capsys, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("survey:\n  id: x\n  title: [oops\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", broken)
    assert code == 2 and "not valid YAML" in err and "line " in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "validate", tmp_path / "absent.yaml")
    assert code == 2 and "file not found" in err and "Traceback" not in err


def test_bad_responses(capsys, tmp_path, firm_raw):
    firm_raw.loc[1, "Q5"] = 7
    path = tmp_path / "bad.csv"
    firm_raw.to_csv(path, index=False)
    code, out, err = run(capsys, "validate", FIRM_YAML, path)
    assert code == 2
    assert f"{path}, row 3, column 'Q5', value 7" in err
    assert "unknown code(s) for question 'digital_spend'" in err
    assert "Traceback" not in err and "Traceback" not in out
    assert "Result:" not in out


def test_missing_columns_error_and_allow(capsys, tmp_path, firm_raw, firm_yaml):
    path = tmp_path / "short.csv"
    firm_raw.drop(columns=["Q9"]).to_csv(path, index=False)
    code, _, err = run(capsys, "validate", firm_yaml, path)
    assert code == 2 and "'Q9' (competitiveness)" in err and "--missing-columns allow" in err
    code, _, err = run(capsys, "validate", firm_yaml, path, "--missing-columns", "allow")
    # Q9 (competitiveness) is required: left empty, cleaning would exclude everybody and
    # weight would refuse, so validate does
    assert code == 2 and "cleaning would exclude all 6 respondents" in err
    code, out, _ = run(capsys, "validate", firm_yaml, path, "--missing-columns", "allow",
                       "--rule", "incomplete_action=off")
    assert code == 0
    assert "Missing columns:  1 left empty: Q9" in out
    assert "column 'Q9' (competitiveness) is not in the file" in out
    assert "valid (1 warning)" in out


def test_unreadable_responses(capsys, tmp_path):
    ext = tmp_path / "r.json"
    ext.write_text("{}")
    code, _, err = run(capsys, "validate", FIRM_YAML, ext)
    assert code == 2 and "unsupported file extension '.json'" in err
    garbage = tmp_path / "r.xlsx"
    garbage.write_bytes(b"\x00\x01garbage" * 100)
    code, _, err = run(capsys, "validate", FIRM_YAML, garbage)
    assert code == 2 and "cannot be read as an Excel workbook" in err
    assert "Traceback" not in err


def test_wrong_encoding(capsys, tmp_path, firm_raw):
    sjis = tmp_path / "r.csv"
    firm_raw.to_csv(sjis, index=False, encoding="cp932")
    code, _, err = run(capsys, "validate", FIRM_YAML, sjis, "--encoding", "utf-8")
    assert code == 2 and "not utf-8 text" in err and "Traceback" not in err
    code, _, err = run(capsys, "validate", FIRM_YAML, sjis, "--encoding", "klingon")
    assert code == 2 and "unknown encoding 'klingon'" in err


def test_help_lists_validate(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "validate" in capsys.readouterr().out

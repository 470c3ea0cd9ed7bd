"""``survey-kit init`` on SPSS and Stata files shipped with pyreadstat's tests.

Labels, text codes, user-missing codes and multiple-response sets come from the
files themselves (tests/fixtures/public/SOURCES.md); nothing is typed by hand.
"""

from __future__ import annotations

import pytest
from init_steps import PUBLIC, init, pipeline

import survey_kit as sk
from survey_kit.cli import main

ALLTYPES = PUBLIC / "pyreadstat_simple_alltypes.sav"
MISSING = PUBLIC / "pyreadstat_sample_missing.sav"
STATA = PUBLIC / "pyreadstat_sample.dta"
CHAR = PUBLIC / "pyreadstat_missing_char.sav"


def test_labels_text_codes_missing_codes_and_sets_come_from_the_file(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, ALLTYPES))
    x = q.question("x")
    assert x.type == "single"
    assert [(o.code, o.label) for o in x.options][:3] == [(1, "red"), (2, "green"), (3, "blue")]
    # 4 and 9 are in the data without a label: the code stands in, and a comment says so
    assert [(o.code, o.label) for o in x.options][3:] == [(4, "4"), (9, "9")]
    assert [m.code for m in x.missing] == [7, 8, 99]            # the file's user-missing codes
    # a string variable with value labels keeps its text codes
    grid = q.question("categorical_array")      # the file's category set
    assert grid.type == "grid" and [o.code for o in grid.options] == ["a", "b", "c", "d"]
    # the dichotomy multiple-response set is a multi-select with the variables' labels
    multi = q.question("mymrset")
    assert multi.type == "multi"
    assert [(o.column, o.label) for o in multi.options] == [
        ("bool1", "Response #1"), ("bool2", "Response #2"), ("bool3", "Response #3")]
    assert multi.text == "My multiple response set"
    # a numeric variable: the labelled code 999 and the range -999..0 are missing codes
    assert [m.code for m in q.question("z").missing] == [-9, 999]
    text = (tmp_path / "q.yaml").read_text(encoding="utf-8")
    assert "code(s) 4, 9 are in the data but have no value label" in text


def test_string_coded_variable_reads_and_validates(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, ALLTYPES))
    frame = sk.read_responses(ALLTYPES, q)
    assert frame["ca_subvar_1"].tolist() == ["code_a", "code_a", "code_b", "code_b", "code_a",
                                             "code_b"]
    assert frame["mymrset_response_1"].tolist()[:4] == [1.0, 1.0, 0.0, 0.0]
    assert frame["x__missing"].dropna().tolist() == ["code_8"]


def test_validate_on_string_labels_against_integer_codes_is_an_error_not_a_traceback(
        tmp_path, capsys):
    # the traceback of the issue: a .sav whose labelled variable holds text codes ('a'),
    # declared in the questionnaire with integer codes
    q = {"survey": {"id": "chars", "title": "Chars", "respondent_id": None},
         "questions": [{"id": "mychar", "text": "Character", "type": "single",
                        "column": "mychar", "options": [{"code": 1, "key": "one", "label": "1"},
                                                        {"code": 2, "key": "two",
                                                         "label": "2"}]}]}
    path = tmp_path / "q.yaml"
    import yaml
    path.write_text(yaml.safe_dump(q), encoding="utf-8")
    assert main(["validate", str(path), str(CHAR)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "mychar" in err


def test_text_user_missing_code_is_a_missing_code(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, CHAR))
    assert main(["validate", str(tmp_path / "q.yaml"), str(CHAR)]) == 0
    qq = q.question("mychar")
    # one labelled code ('a') and the user-missing 'Z': too few answer codes for a
    # single question, so it is read as text, and the comment says why
    assert qq.type == "open"


@pytest.mark.parametrize("path,weight_on,rows,cols", [
    (ALLTYPES, "ca_subvar_1", "x", "ca_subvar_1"),      # weighting on a text-coded item
    (STATA, "mylabl", "myord", "mylabl"),
])
def test_public_file_goes_through_every_step(tmp_path, path, weight_on, rows, cols):
    q = pipeline(tmp_path, path, weight_on=weight_on, rows=rows, cols=cols)
    written = list((tmp_path / "report").glob("*/data/*.sav"))
    assert written
    import pyreadstat
    _, meta = pyreadstat.read_sav(str(written[0]), metadataonly=True)
    # value labels read from the file are written back
    col = sk.load_questionnaire(q).variable(weight_on).column
    assert meta.variable_value_labels[col]


def test_ordinal_measure_gives_likert_and_user_missing_codes(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, MISSING))
    myord = q.question("myord")
    assert myord.type == "likert"               # SPSS measurement level: ordinal
    assert [(m.code, m.label) for m in myord.missing] == [(-3, "-3"), (-2, "-2"),
                                                          (-1, "missing")]
    assert q.question("mydate").type == "meta"
    assert q.survey.respondent_id is None       # no id column: rows numbered
    frame = sk.read_responses(MISSING, q)
    assert frame.index.tolist() == [str(i) for i in range(1, 8)]    # row numbers of the file
    assert frame["myord__missing"].dropna().tolist() == ["missing", "code_m3"]


def test_readme_your_own_survey_commands_run(tmp_path, monkeypatch):
    import re
    import shlex
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Your own survey"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "fixtures").symlink_to(root / "tests" / "fixtures")
    monkeypatch.chdir(tmp_path)
    lines = [ln for ln in block.splitlines() if ln.strip()]
    assert [ln.split()[1] for ln in lines if ln.startswith("survey-kit")] == [
        "init", "validate", "clean", "weight", "crosstab", "report"]
    for line in lines:
        if line.startswith("survey-kit "):
            assert main(shlex.split(line)[1:]) == 0, line
        else:
            subprocess.run(line, shell=True, check=True, cwd=tmp_path)
    assert (tmp_path / "out" / "mine" / "report").is_dir()

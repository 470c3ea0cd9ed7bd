"""``survey-kit init``: guesses it writes as comments, and the errors it gives.

Small files made in the test (the public files are in test_init_spss.py,
test_init_qualtrics.py and test_init_xlsform.py).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from init_steps import PUBLIC

import survey_kit as sk
from survey_kit.cli import main
from survey_kit.instrument.infer.facts import ColumnFacts, FileFacts
from survey_kit.instrument.infer.qsf import draft_from_qsf, parse_qsf


def test_weight_is_only_a_commented_guess(tmp_path):
    import pyreadstat

    data = tmp_path / "w.sav"
    frame = pd.DataFrame({"caseid": [1.0, 2.0, 3.0], "region": ["UKC", "UKD", "UKC"],
                          "pspwght": [0.8, 1.1, 1.1]})
    pyreadstat.write_sav(frame, str(data), column_labels={"region": "Region",
                                                         "pspwght": "Post-stratification weight"},
                         variable_value_labels={"region": {"UKC": "North East",
                                                           "UKD": "North West"}})
    out = tmp_path / "q.yaml"
    assert main(["init", str(data), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    q = sk.load_questionnaire(out)
    assert q.design is None                                  # not declared, only suggested
    assert "# guess: column 'pspwght' looks like a weight" in text
    assert "#   weights: pspwght" in text
    assert q.survey.respondent_id == "caseid"
    assert [(o.code, o.label) for o in q.question("region").options] == [
        ("UKC", "North East"), ("UKD", "North West")]
    assert main(["validate", str(out), str(data)]) == 0


def test_qsf_embedded_data_numeric_entry_and_choice_text(tmp_path):
    qsf = {"SurveyEntry": {"SurveyName": "Shop", "SurveyLanguage": "EN"},
           "SurveyElements": [
               {"Element": "FL", "Payload": {"Type": "Root", "Flow": [
                   {"Type": "EmbeddedData", "EmbeddedData": [{"Field": "panel"}]}]}},
               {"Element": "SQ", "Payload": {
                   "QuestionID": "QID1", "DataExportTag": "Q1", "QuestionType": "TE",
                   "Selector": "SL", "QuestionText": "Employees?",
                   "Validation": {"Settings": {"ContentType": "ValidNumber"}}}},
               {"Element": "SQ", "Payload": {
                   "QuestionID": "QID2", "DataExportTag": "Q2", "QuestionType": "MC",
                   "Selector": "SAVR", "QuestionText": "Sector",
                   "Choices": {"1": {"Display": "Retail"},
                               "2": {"Display": "Other", "TextEntry": "true"}},
                   "ChoiceOrder": ["1", "2"]}}]}
    facts = FileFacts("shop.csv", "qualtrics", (
        ColumnFacts("ResponseId", kind="text", values=("R_1", "R_2"), n=2, unique=True,
                    import_id="_recordId"),
        ColumnFacts("Q1", values=(3.0, 12.0), n=2, import_id="QID1_TEXT"),
        ColumnFacts("Q2", values=(1.0, 2.0), n=2, import_id="QID2"),
        ColumnFacts("Q2_2_TEXT", kind="text", values=("farm",), n=2, n_blank=1,
                    import_id="QID2_2_TEXT"),
        ColumnFacts("panel", kind="text", values=("a", "b"), n=2, import_id="panel")))
    d = draft_from_qsf(parse_qsf(qsf, "shop.qsf"), facts).finish()
    got = {q.data["id"]: q.data for q in d.questions}
    assert got["Q1"]["type"] == "numeric"
    assert got["Q2"]["options"][1] == {"code": 2, "key": "other", "label": "Other"}
    assert got["Q2_2_TEXT"]["type"] == "open"
    assert got["Q2_2_TEXT"]["text"] == "Sector - Other (text)"
    assert got["panel"]["type"] == "meta" and got["panel"]["text"] == "Embedded data: panel"
    assert d.quality["overrides"]["speeder_action"] == "off"     # no duration in the file


def test_init_errors_name_the_file_and_exit_2(tmp_path, capsys):
    out = tmp_path / "q.yaml"
    assert main(["init", str(tmp_path / "nope.sav"), "--out", str(out)]) == 2
    assert "nope.sav" in capsys.readouterr().err
    bad = tmp_path / "bad.qsf"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["init", str(PUBLIC / "qualtrics_qualtRics_sample.csv"), "--qsf", str(bad),
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.qsf" in err and "not a Qualtrics .qsf file" in err and "Traceback" not in err
    wrong = tmp_path / "wrong.qsf"
    wrong.write_text(json.dumps({"SurveyEntry": {}}), encoding="utf-8")
    assert main(["init", str(PUBLIC / "qualtrics_qualtRics_sample.csv"), "--qsf", str(wrong),
                 "--out", str(out)]) == 2
    assert "no SurveyElements" in capsys.readouterr().err
    assert main(["init", str(PUBLIC / "qualtrics_qualtRics_sample.csv"), "--xlsform",
                 str(PUBLIC / "qualtricstools_single_answer_mc.qsf"), "--out", str(out)]) == 2
    assert "XLSForm" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:
        main(["init", "a.csv", "--qsf", "a.qsf", "--xlsform", "a.xlsx", "--out", str(out)])
    assert exc.value.code == 2


def test_init_reads_workbooks_and_parquet_alike(tmp_path):
    frame = pd.DataFrame({"respondent_id": ["a", "b", "c", "d"], "Q1": [1, 2, 2, 1],
                          "Q9_1": [1, 0, 1, 1], "Q9_2": [0, 0, 1, 1]})
    frame.to_excel(tmp_path / "d.xlsx", index=False)
    frame.to_parquet(tmp_path / "d.parquet", index=False)
    a = sk.questionnaire_from(tmp_path / "d.xlsx").to_dict()
    b = sk.questionnaire_from(tmp_path / "d.parquet").to_dict()
    assert a["questions"] == b["questions"]
    assert [q["type"] for q in a["questions"]] == ["single", "multi"]

"""Questionnaire schema: malformed instruments fail with the YAML path; accessors work."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import CREATORS_YAML, FIRM_YAML

from survey_kit.errors import QuestionnaireError
from survey_kit.instrument.questionnaire import Questionnaire, load_questionnaire

BASE = yaml.safe_load(FIRM_YAML.read_text(encoding="utf-8"))


def qi(data: dict, qid: str) -> int:
    """Position of question ``qid`` in the instrument dict."""
    return next(i for i, q in enumerate(data["questions"]) if q["id"] == qid)


def question(data: dict, qid: str) -> dict:
    return data["questions"][qi(data, qid)]


def _dup_code(d):
    question(d, "sector")["options"][1]["code"] = 1


def _unknown_key(d):
    question(d, "sector")["colour"] = "red"


def _missing_title(d):
    del d["survey"]["title"]


def _missing_text(d):
    del question(d, "sector")["text"]


def _overlapping_bands(d):
    question(d, "employees")["bands"]["levels"][1]["min"] = 10   # micro is 1-10


def _net_unknown_level(d):
    question(d, "foreign_value")["nets"][0]["levels"].append("superb")


def _trap_bad_expected(d):
    d["quality"]["traps"][1]["expected"] = ["banana"]


def _rule_unknown_question(d):
    d["quality"]["rules"][0]["question"] = "export_shares"


def _multi_without_column(d):
    del question(d, "reasons")["options"][2]["column"]


def _grid_one_item(d):
    g = question(d, "impact")
    g["items"] = g["items"][:1]


def _meta_without_role(d):
    del question(d, "device")["role"]


def _duplicate_question_id(d):
    question(d, "sector")["id"] = "screener_role"


def _unknown_type(d):
    question(d, "sector")["type"] = "dropdown"


def _missing_code_is_answer(d):
    question(d, "digital_spend")["missing"][0]["code"] = 3


def _screening_in_not_list(d):
    d["survey"]["screening"][0]["value"] = "decision_maker"


def _weighting_unknown_variable(d):
    d["weighting"]["variables"].append("region")


def _column_used_twice(d):
    question(d, "size_class")["column"] = "Q1"


def _min_above_max(d):
    question(d, "export_share")["min"] = 200


def _code_not_integer(d):
    # a text code ("UKC") is allowed since the instrument can hold string-coded
    # variables; a fractional number is neither an integer nor a text code
    question(d, "sector")["options"][0]["code"] = 1.5


def _single_without_options(d):
    q = question(d, "sector")
    q["options"] = []


def _open_ended_not_open(d):
    d["quality"]["open_ended"].append("sector")


S, E = qi(BASE, "sector"), qi(BASE, "employees")

# (id, edit, expected YAML path, expected fragment of the message)
CASES = [
    ("duplicate option code", _dup_code, f"questions[{S}].options[1].code", "duplicate code 1"),
    ("unknown key", _unknown_key, f"questions[{S}].colour", "unknown key"),
    ("missing survey key", _missing_title, "survey.title", "required key is missing"),
    ("missing question key", _missing_text, f"questions[{S}].text", "required key is missing"),
    ("overlapping bands", _overlapping_bands, f"questions[{E}].bands.levels[1].min",
     "band 'small' overlaps band 'micro'"),
    ("net with unknown level", _net_unknown_level,
     f"questions[{qi(BASE, 'foreign_value')}].nets[0].levels[2]", "unknown level 'superb'"),
    ("trap expects an invalid code", _trap_bad_expected, "quality.traps[1].expected[0]",
     "'banana' is not a valid code or key of question 'attention_fruit'"),
    ("rule names an unknown question", _rule_unknown_question, "quality.rules[0].question",
     "unknown question 'export_shares'"),
    ("multi option without column", _multi_without_column,
     f"questions[{qi(BASE, 'reasons')}].options[2].column", "needs its own export column"),
    ("grid with one item", _grid_one_item, f"questions[{qi(BASE, 'impact')}].items",
     "a grid needs at least two items"),
    ("meta without role", _meta_without_role, f"questions[{qi(BASE, 'device')}].role",
     "a meta column needs a role"),
    ("duplicate question id", _duplicate_question_id, f"questions[{S}].id",
     "duplicate question id 'screener_role'"),
    ("unknown question type", _unknown_type, f"questions[{S}].type", "'single'"),
    ("missing code equals an answer code", _missing_code_is_answer,
     f"questions[{qi(BASE, 'digital_spend')}].missing[0].code",
     "missing code 3 is also an answer code"),
    ("condition 'in' without a list", _screening_in_not_list, "survey.screening[0].value",
     "op 'in' needs a list"),
    ("weighting on an unknown variable", _weighting_unknown_variable, "weighting.variables[2]",
     "unknown question 'region'"),
    ("export column used twice", _column_used_twice,
     f"questions[{qi(BASE, 'size_class')}].column", "export column 'Q1' is already used"),
    ("min above max", _min_above_max, f"questions[{qi(BASE, 'export_share')}].min",
     "min 200 is above max 100"),
    ("code not an integer", _code_not_integer, f"questions[{S}].options[0].code",
     "valid integer"),
    ("single without options", _single_without_options, f"questions[{S}].options",
     "needs at least one option"),
    ("open_ended names a closed question", _open_ended_not_open, "quality.open_ended[1]",
     "'sector' is not an open question"),
]


@pytest.mark.parametrize("edit,path,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_instrument_names_yaml_path(edit, path, fragment):
    data = copy.deepcopy(BASE)
    edit(data)
    with pytest.raises(QuestionnaireError) as info:
        Questionnaire.from_dict(data, source="bad.yaml")
    err = info.value
    assert err.path == path
    assert fragment in err.message
    assert str(err).startswith(f"bad.yaml, {path}")
    assert f"{path}" in str(err) and fragment in str(err)


def test_duplicate_code_message_format():
    data = copy.deepcopy(BASE)
    _dup_code(data)
    with pytest.raises(QuestionnaireError, match=r"questions\[\d+\]\.options\[\d+\]\.code: "
                                                 r"duplicate code"):
        Questionnaire.from_dict(data)


def test_not_a_mapping():
    with pytest.raises(QuestionnaireError, match="must hold a mapping"):
        Questionnaire.from_dict(["survey", "questions"], source="x.yaml")


def test_invalid_yaml_names_line(tmp_path):
    text = FIRM_YAML.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text) if t.startswith("  title:"))
    text[line] = "  title: [unclosed"
    bad = tmp_path / "broken.yaml"
    bad.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(bad)
    msg = str(info.value)
    assert msg.startswith(str(bad))
    assert "not valid YAML" in msg
    # the parser reports the line where the flow sequence breaks: at or after our line
    reported = int(msg.split("line ")[1].split(",")[0])
    assert reported >= line + 1


def test_tab_indentation_yaml_line(tmp_path):
    bad = tmp_path / "tabs.yaml"
    bad.write_text("survey:\n  id: x\n\ttitle: y\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"line 3, column 1: not valid YAML"):
        load_questionnaire(bad)


def test_file_not_found(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(QuestionnaireError, match="file not found") as info:
        load_questionnaire(missing)
    assert info.value.file == str(missing)


def test_not_utf8(tmp_path):
    bad = tmp_path / "sjis.yaml"
    bad.write_bytes("survey:\n  title: 調査\n".encode("cp932"))
    with pytest.raises(QuestionnaireError, match="UTF-8"):
        load_questionnaire(bad)


# ---------------------------------------------------------------------------
# accessors on the real instruments


def test_real_instruments_load(firm_q, creators_q):
    assert firm_q.id == "japan_digital_services_2024"
    assert creators_q.id == "japan_creators_2024"
    assert firm_q.title == "Use of Digital Services in Japanese Companies"
    assert len(firm_q.questions) == 24
    assert repr(firm_q) == ("Questionnaire('japan_digital_services_2024', 24 questions, "
                            "50 variables)")
    assert firm_q.source == FIRM_YAML
    assert creators_q.survey.target_sample_size == 120


def test_levels_and_labels(firm_q):
    assert firm_q.levels("size_class") == ["micro", "small", "medium", "large"]
    assert firm_q.levels("foreign_value") == ["extremely", "very", "moderately", "slightly",
                                              "not_at_all"]
    assert firm_q.label("size_class", "micro") == "Micro (1-10 employees)"
    assert firm_q.label("size_class", "micro", lang="ja") == "零細（1〜10人）"
    assert firm_q.label("sector") == "Sector"
    assert firm_q.label("sector", lang="ja") == "業種"
    assert firm_q.labels("sector") == {
        "manufacturing": "Manufacturing",
        "business_services": "Business, legal and financial services",
        "digital_services": "Digital services (IT, gaming, animation)"}
    assert firm_q.labels("export_intensity", lang="ja")["high"] == "25％超"


def test_variables_kinds_and_columns(firm_q):
    v = firm_q.variables
    assert v["sector"].kind == "categorical" and v["sector"].column == "Q1"
    assert v["foreign_value"].kind == "ordinal"
    assert v["impact_revenue"].kind == "ordinal" and v["impact_revenue"].column == "Q12_1"
    assert v["foreign_services_none"].kind == "binary" and v["foreign_services_none"].column == \
        "Q7_99"
    assert v["employees"].kind == "numeric"
    assert v["size_from_employees"].column is None        # derived from bands
    assert v["comments"].kind == "text"
    assert v["duration"].kind == "meta" and v["duration"].column == "duration_sec"
    assert firm_q.has_variable("att_trap") and not firm_q.has_variable("nope")


def test_nets(firm_q):
    nets = firm_q.nets("foreign_value")
    assert [n.key for n in nets] == ["top2"] and nets[0].levels == ["extremely", "very"]
    assert [n.key for n in firm_q.nets("export_intensity")] == ["exporter"]
    assert firm_q.nets("export_share") == []        # the net is on the bands, not the number
    assert firm_q.nets("impact_revenue") == []


def test_multi_grid_meta_score(firm_q, creators_q):
    assert firm_q.multi_variables("reasons") == [
        "reasons_quality", "reasons_diversity", "reasons_security", "reasons_price",
        "reasons_unavailable", "reasons_integration"]
    assert firm_q.grid_variables("attitudes")[2] == "att_trap"
    assert [g.id for g in firm_q.grids()] == ["impact", "attitudes"]
    assert firm_q.meta_column("duration") == "duration"
    assert firm_q.meta_column("start_time") == "start_time"
    assert creators_q.meta_column("start_time") is None
    assert firm_q.score("foreign_value") == {"extremely": 5.0, "very": 4.0, "moderately": 3.0,
                                             "slightly": 2.0, "not_at_all": 1.0}
    assert firm_q.score("size_from_employees") == {"micro": 1.0, "small": 2.0, "medium": 3.0,
                                                   "large": 4.0}


def test_quality_and_weighting(firm_q, creators_q):
    assert [t.id for t in firm_q.quality.traps] == ["trap_grid_row", "trap_fruit",
                                                    "trap_foreign_share"]
    assert len(firm_q.quality.rules) == 6
    assert firm_q.quality.open_ended == ["comments"]
    assert firm_q.weighting.variables == ["size_class", "sector"]
    assert firm_q.weighting.method == "rake"
    assert creators_q.weighting.method == "poststratify"


def test_codebook(firm_q):
    cb = firm_q.codebook()
    assert isinstance(cb, pd.DataFrame)
    assert list(cb.columns) == ["question", "variable", "column", "type", "text", "text_ja",
                                "code", "key", "label", "label_ja"]
    sector = cb[cb["variable"] == "sector"]
    assert sector["key"].tolist() == ["manufacturing", "business_services", "digital_services"]
    assert sector["code"].tolist() == [1, 2, 3]
    missing = cb[(cb["variable"] == "employees") & (cb["type"] == "missing")]
    assert missing["code"].tolist() == [-99] and missing["key"].tolist() == ["not_stated"]
    assert (cb["variable"] == "impact_hiring").sum() == 5


def test_unknown_names_raise(firm_q):
    with pytest.raises(QuestionnaireError, match="unknown variable 'sectr'; valid names"):
        firm_q.levels("sectr")
    with pytest.raises(QuestionnaireError, match="unknown question 'q99'"):
        firm_q.question("q99")
    with pytest.raises(QuestionnaireError, match="is single, not multi"):
        firm_q.multi_variables("sector")


def test_from_dict_roundtrip_equals_file():
    q = Questionnaire.from_dict(copy.deepcopy(BASE))
    assert q.variables == load_questionnaire(FIRM_YAML).variables
    assert Path(CREATORS_YAML).exists()


def test_to_dict_round_trips_through_from_dict(firm_q):
    from survey_kit.instrument.questionnaire import Questionnaire

    again = Questionnaire.from_dict(firm_q.to_dict())
    assert again.to_dict() == firm_q.to_dict()
    assert list(again.variables) == list(firm_q.variables)


def test_atomic_write_gives_ordinary_file_mode(tmp_path):
    import os

    from survey_kit._files import write_text

    mask = os.umask(0o022)
    try:
        path = write_text(tmp_path / "t.txt", "x")
    finally:
        os.umask(mask)
    assert (path.stat().st_mode & 0o777) == 0o644

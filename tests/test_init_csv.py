"""``survey-kit init`` on a plain CSV (inference) and the YAML it writes.

The bundled synthetic export carries no metadata at all: its structure (ids,
paradata, multi-selects ``Q7_1..Q7_99``, grids ``Q12_1..Q12_6``) is recovered
from names and values, and every guess is a comment. Properties: any text the
draft holds reads back unchanged from the YAML, and any small table drafts a
questionnaire that reads the table.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
from conftest import SAMPLE_CSV
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from init_steps import init

import survey_kit as sk
from survey_kit._yaml import parse_yaml
from survey_kit.cli import main
from survey_kit.errors import QuestionnaireError
from survey_kit.instrument.infer.yaml_text import scalar


def test_plain_csv_structure_is_inferred_and_marked_as_guesses(tmp_path):
    path = init(tmp_path, SAMPLE_CSV)
    q = sk.load_questionnaire(path)
    text = path.read_text(encoding="utf-8")
    assert q.survey.respondent_id == "respondent_id"
    assert "some ids in 'respondent_id' repeat" in text       # the export has repeats
    assert q.question("duration_sec").role == "duration"
    assert q.question("device_fingerprint").role == "fingerprint"
    q7 = q.question("Q7")
    assert q7.type == "multi" and q7.options[-1].column == "Q7_99"
    assert q7.options[-1].code == 99
    q12 = q.question("Q12")
    assert q12.type == "grid" and [i.column for i in q12.items] == [f"Q12_{j}"
                                                                   for j in range(1, 7)]
    assert [o.code for o in q12.options] == [1, 2, 3, 4, 5]
    assert q.question("Q2").type == "numeric" and q.question("Q16").type == "open"
    # every inferred code list and grouping is a commented guess (the codes stand in as
    # labels: the file has none)
    inferred = [x for x in q.questions if x.type in ("single", "multi", "grid")]
    assert text.count("# guess:") == len(inferred) == 14
    assert main(["validate", str(path), str(SAMPLE_CSV)]) == 0


def test_text_codes_that_look_like_numbers_are_read_as_text(tmp_path):
    data = tmp_path / "r.csv"
    data.write_text("id,region\nA,01\nB,02\nC,01\n", encoding="utf-8")
    q = sk.Questionnaire.from_dict({
        "survey": {"id": "r", "title": "R", "respondent_id": "id"},
        "questions": [{"id": "region", "text": "Region", "type": "single", "column": "region",
                       "options": [{"code": "01", "key": "north", "label": "North"},
                                   {"code": "02", "key": "south", "label": "South"}]}]})
    frame = sk.read_responses(data, q)
    assert frame["region"].tolist() == ["north", "south", "north"]
    out = sk.write_responses(frame, tmp_path / "back.csv", q)
    assert out.read_text(encoding="utf-8").splitlines()[1:] == ["A,01", "B,02", "C,01"]


def test_text_code_on_a_multi_option_is_refused():
    q = {"survey": {"id": "m", "title": "M"},
         "questions": [{"id": "m", "text": "M", "type": "multi", "options": [
             {"code": "a", "key": "a", "label": "A", "column": "m_a"},
             {"code": 2, "key": "b", "label": "B", "column": "m_b"}]}]}
    try:
        sk.Questionnaire.from_dict(q)
    except QuestionnaireError as exc:
        assert exc.path == "questions[0].options[0].code"
    else:
        raise AssertionError("a text code on a multi option was accepted")


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.integers(-10**6, 10**6),
                 st.sampled_from(["yes", "No", "off", "null", "~", "1:20", "0x1F", "1e3",
                                  "2024-01-01", ".inf", "- a", "a: b", "#x", " x", "@x"])))
def test_any_value_reads_back_unchanged(value):
    text = f"a: {scalar(value)}\nb: [{scalar(value)}]\nc: {{k: {scalar(value)}}}\n"
    data = parse_yaml(text, QuestionnaireError)
    assert data == {"a": value, "b": [value], "c": {"k": value}}


_WORDS = st.text(string.ascii_letters + " -'", min_size=1, max_size=8).filter(str.strip)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(3, 12), codes=st.lists(st.integers(-3, 9), min_size=1, max_size=4),
       words=st.lists(_WORDS, min_size=1, max_size=3), seed=st.integers(0, 1000))
def test_any_small_table_drafts_a_questionnaire_that_reads_it(tmp_path_factory, n, codes,
                                                              words, seed):
    rng = np.random.default_rng(seed)
    tmp = tmp_path_factory.mktemp("draft")
    frame = pd.DataFrame({
        "id": [f"r{i}" for i in range(n)],
        "code": rng.choice(codes, n),
        "word": rng.choice(words, n),
        "amount": np.round(rng.normal(100, 30, n), 1),
        "item_1": rng.integers(1, 6, n), "item_2": rng.integers(1, 6, n),
    })
    data = tmp / "t.csv"
    frame.to_csv(data, index=False)
    out = tmp / "q.yaml"
    q = sk.init_questionnaire(data, out)
    assert sk.init_questionnaire(data, out).read_bytes() == q.read_bytes()
    read = sk.read_responses(data, sk.load_questionnaire(q))
    assert len(read) == n and read.index.tolist() == frame["id"].tolist()

"""Issue 12 (part): Qualtrics semantics, typed-text traps, the survey's own exclusion rules,
straight-lining with reverse-keyed items, validate and CLI parity.

Real exports: the two Qualtrics test exports of the qualtRics R package
(tests/fixtures/public/SOURCES.md). Larger Qualtrics files are generated here
(synthetic: three header rows as Qualtrics writes them, made-up answers).
"""

from __future__ import annotations

import argparse
import json
import re
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FIRM_YAML
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.cleaning.completion import completion
from survey_kit.cleaning.rules.traps import normalise_typed
from survey_kit.cli import build_parser, main
from survey_kit.errors import DataError, QuestionnaireError
from survey_kit.report.methodology import _status_completion

PUBLIC = Path(__file__).parent / "fixtures" / "public"
SAMPLE_3ROW = PUBLIC / "qualtrics_qualtRics_sample.csv"
SAMPLE_LEGACY = PUBLIC / "qualtrics_qualtRics_sample_legacy.csv"

SURVEY = """\
survey:
  id: qualtrics_study
  title: A Qualtrics study
  sponsor: not stated
  fielded_by: not stated
  platform: Qualtrics
  mode: online
  population: not stated
  country: not stated
  fieldwork: {start: 2017-07-18, end: 2017-07-18}
  target_sample_size: 200
  respondent_id: RESPONDENT_ID
"""

QUESTIONS = """\
questions:
  - id: q1
    text: This is a multiple choice question.
    type: single
    column: Q1
    options:
      - {code: 1, key: one, label: One}
      - {code: 2, key: two, label: Two}
  - id: q2
    text: This is a free text question.
    type: open
    column: Q2
"""


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def questionnaire(tmp_path: Path, rid: str = "ResponseId", extra: str = "") -> Path:
    return write(tmp_path, SURVEY.replace("RESPONDENT_ID", rid) + QUESTIONS + extra)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- reading real Qualtrics exports ------------------------------------------------------

def test_three_row_export_roles_dates_and_duration(tmp_path):
    frame = sk.read_responses(SAMPLE_3ROW, questionnaire(tmp_path))
    assert frame.attrs["first_row"] == 4 and frame.attrs["format"] == "qualtrics"
    info = frame.attrs["qualtrics"]
    assert info["layout"] == "three-row"
    assert info["columns"] == {"response_type": "Status", "finished": "Finished",
                               "progress": "Progress", "duration": "Duration (in seconds)",
                               "start_time": "StartDate", "end_time": "EndDate",
                               "recorded_date": "RecordedDate"}
    assert frame["StartDate"].dtype.kind == "M" and frame["RecordedDate"].dtype.kind == "M"
    assert frame.loc["R_2YPOQ602ER1jkf1", "Duration (in seconds)"] == 38.0
    assert frame.loc["R_2YPOQ602ER1jkf1", "q1"] == "two"


def test_legacy_export_label_row_is_never_data(tmp_path):
    # the legacy layout's second row holds labels ("ResponseID", question texts); read as
    # data it would be a respondent with the answer "This is a multiple choice question."
    frame = sk.read_responses(SAMPLE_LEGACY, questionnaire(tmp_path, rid="ResponseID"))
    assert list(frame.index) == ["R_2YPOQ602ER1jkf1"]
    assert frame.attrs["first_row"] == 3
    assert frame.attrs["qualtrics"]["layout"] == "legacy"
    assert frame.attrs["qualtrics"]["columns"]["finished"] == "Finished"
    assert any("legacy Qualtrics export" in w for w in frame.attrs["warnings"])
    # the V columns take their row-2 names, unless the questionnaire names a V column
    frame = sk.read_responses(SAMPLE_LEGACY, questionnaire(tmp_path, rid="V1"))
    assert list(frame.index) == ["R_2YPOQ602ER1jkf1"] and "Status" in frame.columns


def test_legacy_export_forced_and_refused_formats(tmp_path):
    plain = write(tmp_path, "id,Q1\nr1,1\n", "plain.csv")
    with pytest.raises(DataError, match="legacy Qualtrics header"):
        sk.read_responses(plain, questionnaire(tmp_path, rid="id"), format="qualtrics")


# -- a Qualtrics study: previews, spam, unfinished, completion ---------------------------

def qualtrics_export(path: Path, *, finished: int = 201, unfinished: int = 10,
                     previews: int = 3, spam: int = 2, choice_text: bool = False) -> Path:
    """A synthetic export in Qualtrics' three-row layout (made-up answers)."""
    names = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished",
             "RecordedDate", "ResponseId", "Q1", "Q2"]
    texts = ["Start Date", "End Date", "Response Type", "Progress", "Duration (in seconds)",
             "Finished", "Recorded Date", "Response ID", "This is a multiple choice question.",
             "This is a free text question."]
    ids = ["startDate", "endDate", "status", "progress", "duration", "finished",
           "recordedDate", "_recordId", "QID1", "QID2_TEXT"]
    rows = []
    kinds = ([(0, 1)] * finished + [(0, 0)] * unfinished + [(1, 1)] * previews
             + [(8, 1)] * spam)
    for i, (status, done) in enumerate(kinds):
        st_ = ({0: "IP Address", 1: "Survey Preview", 8: "Spam"}[status] if choice_text
               else status)
        fin = ("True" if done else "False") if choice_text else done
        rows.append(["2024-07-05 10:00:00", "2024-07-05 10:09:00", st_, 100 if done else 40,
                     300 + i % 50 if done else 90, fin, "2024-07-05 10:09:00", f"R_{i:05d}",
                     1 + i % 2 if done else "", "fine" if done else ""])
    lines = [",".join(names), ",".join(texts),
             ",".join('"' + json.dumps({"ImportId": x}).replace('"', '""') + '"' for x in ids)]
    lines += [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("choice_text", [False, True], ids=["codes", "choice-text"])
def test_previews_spam_and_unfinished_are_excluded_with_a_reason(tmp_path, choice_text):
    q = sk.load_questionnaire(questionnaire(tmp_path))
    raw = sk.read_responses(qualtrics_export(tmp_path / "export.csv", choice_text=choice_text),
                            q, duplicate_ids="keep")
    res = sk.clean(raw, q)
    flow = res.flow.set_index("rule")
    assert flow.loc["preview_or_spam", ["status", "n_removed"]].tolist() == ["applied", 5]
    assert flow.loc["not_finished", ["status", "n_removed"]].tolist() == ["applied", 10]
    assert res.excluded["reason"].value_counts().to_dict() == {"not_finished": 10,
                                                               "preview_or_spam": 5}
    assert len(res.kept) + len(res.excluded) == len(raw) == 216     # nothing silently
    # the speeder rule found its duration in "Duration (in seconds)"
    assert "median of completes (322.5 s)" in flow.loc["speeder", "parameter"]


def test_completion_rate_of_201_finished_respondents(tmp_path):
    # the issue: the appendix said 0% for 201 finished respondents, because the export's
    # Finished column (1/0) was declared as the meta role 'status' and read as text
    declared = """\
  - {id: finished, text: Finished, type: meta, role: status, column: Finished}
"""
    path = questionnaire(tmp_path, extra=declared)
    q = sk.load_questionnaire(path)
    raw = sk.read_responses(qualtrics_export(tmp_path / "export.csv"), q, duplicate_ids="keep")
    c = completion(raw, q)
    assert (c.finished, c.started, c.not_responses) == (201, 211, 5)
    text = _status_completion(types.SimpleNamespace(raw=raw, questionnaire=q))
    assert text.startswith("95.3% (201 of 211 respondents who started finished; from finished")


def test_completion_from_a_status_text_column():
    q = sk.load_questionnaire(FIRM_YAML)
    frame = pd.DataFrame({"status": ["complete", "incomplete", "Completed", "partial", None]})
    qq = types.SimpleNamespace(meta_column=lambda role: "status" if role == "status" else None)
    c = completion(frame, qq)
    assert (c.finished, c.started, c.source) == (2, 4, "status")   # 'incomplete' is not done
    assert completion(pd.DataFrame({"x": [1]}), q) is None


def test_not_finished_from_progress_without_a_finished_flag():
    q = sk.load_questionnaire(FIRM_YAML)
    from survey_kit.cleaning.context import Context
    from survey_kit.cleaning.rules.platform import flag_not_finished

    frame = pd.DataFrame({"Progress": [100, 99, np.nan]})
    frame.attrs["qualtrics"] = {"columns": {"progress": "Progress"}}
    out = flag_not_finished(Context(frame, q, {"skip_unavailable": False}), "not_finished")
    assert out.flagged.tolist() == [False, True, False]


# -- typed-text traps and the survey's own exclusion rules -------------------------------

TEXT_TRAP = """\
  - id: phrase
    text: "Please type 'I read the instructions' below."
    type: open
    column: Q3
quality:
  traps:
    - {id: typed, type: text, question: phrase, expected: [I read the instructions]}
    - {id: typed_code, type: text, question: q2, pattern: "ok-?\\\\d{3}"}
"""


def trap_frame(tmp_path: Path, phrases: list, codes: list) -> tuple[sk.Questionnaire, pd.DataFrame]:
    q = sk.load_questionnaire(questionnaire(tmp_path, rid="id", extra=TEXT_TRAP))
    n = len(phrases)
    df = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "Q1": [1] * n, "Q2": codes,
                       "Q3": phrases})
    df.to_csv(tmp_path / "t.csv", index=False)
    return q, sk.read_responses(tmp_path / "t.csv", q)


def test_text_trap_ignores_case_spaces_and_full_width_and_fails_a_pasted_id(tmp_path):
    phrases = ["I read the instructions", "  i READ the   instructions ",
               "Ｉ ｒｅａｄ ｔｈｅ ｉｎｓｔｒｕｃｔｉｏｎｓ", "R_2YPOQ602ER1jkf1", None]
    q, raw = trap_frame(tmp_path, phrases, ["OK-123"] * 5)
    res = sk.clean(raw, q, speeder_action="off")            # no durations in these files
    assert res.flags["failed_typed"].tolist() == [False, False, False, True, True]
    assert res.excluded["reason"].to_dict() == {"r3": "trap_failed", "r4": "trap_failed"}


def test_text_trap_pattern_matches_the_whole_answer_case_insensitive(tmp_path):
    q, raw = trap_frame(tmp_path, ["I read the instructions"] * 4,
                        ["ok123", "OK-456", "ok-12", "say ok-123"])
    res = sk.clean(raw, q, speeder_action="off")
    assert res.flags["failed_typed_code"].tolist() == [False, False, True, True]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1,
               max_size=12), st.lists(st.booleans(), min_size=12, max_size=12),
       st.integers(0, 3))
def test_typed_text_is_case_and_space_blind(phrase, upper, spaces):
    # letters whose upper and lower case fold apart (Turkish dotless i: 'ı'.upper() is 'I')
    # have no case-blind comparison; they are left out of the property
    assume(all(c.upper().casefold() == c.lower().casefold() for c in phrase))
    varied = "".join(c.upper() if u else c.lower() for c, u in zip(phrase, upper))
    varied = " " * spaces + " ".join(varied) + " " * spaces
    a, b = normalise_typed(pd.Series([phrase, varied])).tolist()
    assert a == b


def test_text_trap_refused_on_a_closed_question_or_bad_pattern(tmp_path):
    bad_q = TEXT_TRAP.replace("question: phrase, expected", "question: q1, expected")
    with pytest.raises(QuestionnaireError, match="not open text"):
        sk.load_questionnaire(questionnaire(tmp_path, extra=bad_q))
    bad_p = TEXT_TRAP.replace('"ok-?\\\\d{3}"', '"ok-(["')
    with pytest.raises(QuestionnaireError, match="not a valid regular expression"):
        sk.load_questionnaire(questionnaire(tmp_path, extra=bad_p))


EXCLUDE_IF = """\
quality:
  rules:
    - id: pasted_ids
      kind: exclude_if
      label: Pasted a response id into the comment
      when: [{question: q2, op: matches, value: "^R_[A-Za-z0-9]{15}$"}]
    - id: said_one
      kind: exclude_if
      action: review
      when: [{question: q1, op: eq, value: one}, {question: q2, op: answered}]
"""


def test_exclude_if_rules_appear_in_the_flow_like_the_builtin_ones(tmp_path):
    q = sk.load_questionnaire(questionnaire(tmp_path, rid="id", extra=EXCLUDE_IF))
    df = pd.DataFrame({"id": ["a", "b", "c", "d"], "Q1": [1, 2, 1, 2],
                       "Q2": ["R_2YPOQ602ER1jkf1", "fine", None, "r_2ypoq602er1jkf1"]})
    df.to_csv(tmp_path / "t.csv", index=False)
    raw = sk.read_responses(tmp_path / "t.csv", q)
    res = sk.clean(raw, q, speeder_action="off")
    flow = res.flow.set_index("rule")
    assert flow.loc["pasted_ids", ["action", "n_flagged", "n_removed"]].tolist() == \
        ["exclude", 2, 2]
    assert flow.loc["pasted_ids", "label"] == "Pasted a response id into the comment"
    assert sorted(res.excluded.index) == ["a", "d"]
    assert flow.loc["said_one", ["action", "n_flagged", "n_removed"]].tolist() == \
        ["review", 1, 0]                                      # 'c' left q2 blank
    assert res.excluded.loc["a", "reasons"] == "pasted_ids; said_one"
    # switched from the command line as any built-in rule
    assert len(sk.clean(raw, q, pasted_ids_action="off", speeder_action="off").excluded) == 0


def test_exclude_if_needs_when_and_a_valid_regular_expression(tmp_path):
    with pytest.raises(QuestionnaireError, match="needs 'when' conditions"):
        sk.load_questionnaire(questionnaire(tmp_path, extra=EXCLUDE_IF.replace(
            "      when: [{question: q2, op: matches", "      then: [{question: q2, op: matches")))
    with pytest.raises(QuestionnaireError, match="not a valid regular expression"):
        sk.load_questionnaire(questionnaire(tmp_path, extra=EXCLUDE_IF.replace(
            '"^R_[A-Za-z0-9]{15}$"', '"(["')))


# -- straight-lining: contradictory (reverse-keyed) vs same-direction ------------------

def grid_survey(tmp_path: Path, reverse: bool) -> sk.Questionnaire:
    items = "\n".join(
        f"      - {{id: it{k}, text: Item {k}, column: G{k}"
        + (", reverse: true" if reverse and k % 2 else "") + "}" for k in range(1, 5))
    grid = f"""\
  - id: scale
    text: How much do you agree?
    type: grid
    options:
      - {{code: 1, key: sd, label: Strongly disagree}}
      - {{code: 2, key: d, label: Disagree}}
      - {{code: 3, key: n, label: Neither}}
      - {{code: 4, key: a, label: Agree}}
      - {{code: 5, key: sa, label: Strongly agree}}
    items:
{items}
"""
    return sk.load_questionnaire(questionnaire(tmp_path, rid="id", extra=grid))


def grid_answers(tmp_path: Path, q) -> pd.DataFrame:
    rows = [[5, 5, 5, 5], [3, 3, 3, 3], [5, 1, 5, 1], [1, 1, 1, 1], [4, 2, 4, 3]]
    df = pd.DataFrame(rows, columns=[f"G{k}" for k in range(1, 5)])
    df.insert(0, "id", [f"r{i}" for i in range(len(rows))])
    df["Q1"], df["Q2"] = 1, "x"
    df.to_csv(tmp_path / "g.csv", index=False)
    return sk.read_responses(tmp_path / "g.csv", q)


def test_straightlining_across_reverse_keyed_items_is_excluded(tmp_path):
    q = grid_survey(tmp_path, reverse=True)
    res = sk.clean(grid_answers(tmp_path, q), q, speeder_action="off")
    assert res.excluded["reason"].to_dict() == {"r0": "straightliner_contradictory",
                                                "r3": "straightliner_contradictory"}
    assert list(res.review.index) == ["r1"]          # all 'neither': no contradiction
    assert res.review.loc["r1", "reasons"] == "straightliner"


def test_straightlining_on_a_same_direction_grid_is_flagged_for_review(tmp_path):
    q = grid_survey(tmp_path, reverse=False)
    raw = grid_answers(tmp_path, q)
    res = sk.clean(raw, q, speeder_action="off")
    flow = res.flow.set_index("rule")
    assert flow.loc["straightliner_contradictory", "status"] == "not applicable"
    assert len(res.excluded) == 0 and list(res.review.index) == ["r0", "r1", "r3"]
    res = sk.clean(raw, q, straightliner_action="exclude", speeder_action="off")
    assert sorted(res.excluded.index) == ["r0", "r1", "r3"]


# -- validate: what later commands would refuse ----------------------------------------

def test_validate_names_rules_that_cannot_run(capsys, tmp_path):
    # the questionnaire declares no duration and the file has none: clean would refuse
    path = questionnaire(tmp_path, rid="id")
    data = write(tmp_path, "id,Q1,Q2\nr1,1,a\nr2,2,b\n", "d.csv")
    code, out, err = run(capsys, "validate", path, data)
    assert code == 2 and "Traceback" not in err
    assert "clean would refuse this file" in err and "rule 'speeder'" in err
    assert "duration column 'duration'" in err
    assert "--rule NAME_action=off" in err and "--skip-unavailable" in err
    code, _, err = run(capsys, "clean", path, data, "--out", tmp_path / "c")
    assert code == 2 and "rule 'speeder'" in err            # ... as validate said
    code, out, err = run(capsys, "validate", path, data, "--skip-unavailable")
    assert code == 0, err
    assert "speeder: it needs the duration column" in out
    code, out, err = run(capsys, "validate", path, data, "--rule", "speeder_action=off")
    assert code == 0, err


def test_validate_refuses_what_weighting_refuses(capsys, firm_csv):
    code, _, err = run(capsys, "validate", FIRM_YAML, firm_csv)
    assert code == 2 and "cannot weight" in err and "--collapse size_class=" in err


@pytest.mark.parametrize("edit,quoted", [
    ("      - {code: 1, key: \"yes\", label: I agree}\n", True),
    ("      - {code: 1, key: yes, label: I agree}\n", False),
])
def test_yaml_booleans_named_by_line_and_one_option_consent(tmp_path, edit, quoted):
    text = SURVEY.replace("RESPONDENT_ID", "id") + """\
  screening:
    - {question: consent, value: [1]}
questions:
  - id: consent
    text: I agree to take part.
    type: single
    column: Q0
    options:
""" + edit
    path = write(tmp_path, text)
    line = text.splitlines().index(edit.rstrip("\n")) + 1
    if quoted:
        q = sk.load_questionnaire(path)           # a one-option consent question
        assert [o.key for o in q.question("consent").options] == ["yes"]
        return
    with pytest.raises(QuestionnaireError, match=rf"boolean true \(line {line}\)"):
        sk.load_questionnaire(path)


def test_validate_rule_action_off_names_the_line(capsys, tmp_path):
    text = questionnaire(tmp_path, rid="id", extra=EXCLUDE_IF.replace(
        "      action: review", "      action: off")).read_text(encoding="utf-8")
    path = write(tmp_path, text, "off.yaml")
    line = text.splitlines().index("      action: off") + 1
    code, _, err = run(capsys, "validate", path)
    assert code == 2 and f"boolean false (line {line})" in err
    assert "quality.rules[1].action" in err


# -- CLI parity --------------------------------------------------------------------------

CLEANING = ("clean", "weight", "crosstab", "appendix", "report", "validate")
WEIGHTING = ("weight", "crosstab", "appendix", "report", "validate")


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def options_of(p: argparse.ArgumentParser) -> set[str]:
    return {o for a in p._actions for o in a.option_strings}


def test_every_command_that_cleans_or_weights_takes_the_same_options():
    subs = subparsers()
    for name in CLEANING:
        assert {"--rule", "--skip-unavailable", "--missing-columns"} <= options_of(subs[name]), \
            name
    for name in WEIGHTING:
        assert "--collapse" in options_of(subs[name]), name
        assert "--not-stated" in options_of(subs[name]), name


def test_not_stated_on_every_command_that_weights(capsys, tmp_path):
    """A survey whose questionnaire says nothing of respondents with a missing weighting
    variable: each weighting command refuses, naming the option it takes, and the option
    gives the weights the questionnaire's own weighting.not_stated gives."""
    text = FIRM_YAML.read_text(encoding="utf-8")
    assert "\n  not_stated: separate\n" in text
    bare = tmp_path / "bare.yaml"
    bare.write_text(re.sub(r"\n  targets: \.\./", f"\n  targets: {FIRM_YAML.parents[1]}/",
                           text).replace("\n  not_stated: separate\n", "\n"), encoding="utf-8")
    raw = FIRM_YAML.parents[1] / "sample_data" / "japan_digital_services_2024_raw.csv"
    rows = ["--rows", "foreign_share", "--cols", "export_intensity", "--format", "csv"]
    code, _, err = run(capsys, "crosstab", bare, raw, *rows)
    assert code == 2 and "--not-stated" in err
    code, with_option, err = run(capsys, "crosstab", bare, raw, *rows, "--not-stated",
                                 "separate")
    assert code == 0, err
    code, declared, err = run(capsys, "crosstab", FIRM_YAML, raw, *rows)
    assert code == 0 and with_option == declared
    code, _, err = run(capsys, "validate", bare, raw, "--not-stated", "separate")
    assert code == 0, err
    code, _, err = run(capsys, "appendix", bare, raw, "--not-stated", "exclude", "--out",
                       tmp_path / "a", "--format", "md", "--no-figures")
    assert code == 0, err
    code, _, err = run(capsys, "crosstab", bare, raw, *rows, "--unweighted",
                       "--not-stated", "separate")
    assert code == 2 and "--not-stated" in err


def _errors(capsys, tmp_path: Path, firm_raw: pd.DataFrame) -> list[tuple[str, str]]:
    """(command, stderr) of errors each command raises on bad input."""
    short = tmp_path / "short.csv"
    firm_raw.drop(columns=["Q9"]).to_csv(short, index=False)
    tiny = tmp_path / "tiny.csv"
    firm_raw.to_csv(tiny, index=False)
    nodur = tmp_path / "nodur.yaml"
    nodur.write_text(re.sub(r"\n  targets: \.\./", f"\n  targets: {FIRM_YAML.parents[1]}/",
                            FIRM_YAML.read_text(encoding="utf-8"))
                     .replace("  - {id: duration, text: Time to complete (seconds), type: meta, "
                              "role: duration, column: duration_sec}\n", ""), encoding="utf-8")
    out = []
    extra = {"clean": ["--out", tmp_path / "o1"], "weight": ["--out", tmp_path / "o2"],
             "crosstab": ["--rows", "sector", "--cols", "size_class"],
             "appendix": ["--out", tmp_path / "o3"], "report": ["--out", tmp_path / "o4"],
             "validate": []}
    for cmd in CLEANING:
        for q, data, more in ((FIRM_YAML, short, []), (nodur, tiny, []),
                              (FIRM_YAML, tiny, ["--rule", "speeder_fraktion=2"]),
                              (FIRM_YAML, tiny, ["--collapse", "size_class"]),
                              (FIRM_YAML, tiny, [])):
            if (data == tiny and q == FIRM_YAML and not more or "--collapse" in more) \
                    and cmd not in WEIGHTING:
                continue                  # the weighting's refusals: commands that weight
            code, _, err = run(capsys, cmd, q, data, *extra[cmd], *more)
            assert code == 2 and "Traceback" not in err, (cmd, err)
            out.append((cmd, err))
    return out


def test_no_error_message_points_to_an_option_the_command_lacks(capsys, tmp_path, firm_raw):
    subs = subparsers()
    seen = set()
    for cmd, err in _errors(capsys, tmp_path, firm_raw):
        for opt in set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", err)):
            seen.add(opt)
            assert opt in options_of(subs[cmd]), f"{cmd}: {opt} in {err}"
    # the messages do point to options: the test would pass vacuously otherwise
    assert {"--missing-columns", "--rule", "--skip-unavailable", "--collapse"} <= seen


# -- the commands on Qualtrics exports ---------------------------------------------------

def test_commands_on_the_real_exports(capsys, tmp_path):
    q = questionnaire(tmp_path)
    code, out, err = run(capsys, "clean", q, SAMPLE_3ROW, "--out", tmp_path / "c")
    assert code == 0, err
    flow = pd.read_csv(tmp_path / "c" / "qualtrics_qualtRics_sample_flow.csv").set_index("rule")
    assert flow.loc[["preview_or_spam", "not_finished", "speeder"], "status"].tolist() == \
        ["applied"] * 3
    assert flow.loc["speeder", "parameter"].startswith("duration < 1/3 x median of completes "
                                                       "(38 s)")
    # the legacy layout has no duration column: validate says so before clean does
    legacy = questionnaire(tmp_path, rid="ResponseID")
    code, _, err = run(capsys, "validate", legacy, SAMPLE_LEGACY)
    assert code == 2 and "rule 'speeder'" in err
    code, out, err = run(capsys, "validate", legacy, SAMPLE_LEGACY, "--skip-unavailable")
    assert code == 0, err
    assert "Rows:             1 (first respondent on row 3)" in out


def test_crosstab_of_a_qualtrics_export_leaves_out_previews(capsys, tmp_path):
    q = questionnaire(tmp_path)
    export = qualtrics_export(tmp_path / "export.csv")
    code, out, err = run(capsys, "crosstab", q, export, "--rows", "q1", "--cols", "q1",
                         "--unweighted", "--format", "csv")
    assert code == 0, err
    assert "201 of 216 respondents kept after cleaning; unweighted" in err
    code, out, err = run(capsys, "crosstab", q, export, "--rows", "q1", "--cols", "q1",
                         "--unweighted", "--rule", "preview_or_spam_action=review")
    assert code == 0 and "206 of 216 respondents kept" in err


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 2, 4, 8, 9, 12, 16, 17]),
                          st.sampled_from([0, 1, None])), min_size=1, max_size=40))
def test_completion_counts_every_real_respondent_once(rows):
    status = [s for s, _ in rows]
    fin = [f for _, f in rows]
    frame = pd.DataFrame({"Status": status, "Finished": pd.array(fin, dtype="Int64")})
    frame.attrs["qualtrics"] = {"columns": {"response_type": "Status", "finished": "Finished"}}
    q = types.SimpleNamespace(meta_column=lambda role: None)
    c = completion(frame, q)
    real = [f for s, f in rows if s not in (1, 2, 8, 9, 12, 17)]
    known = [f for f in real if f is not None]
    if not known:
        assert c is None
        return
    assert (c.finished, c.started) == (sum(known), len(known))
    assert c.not_responses == len(rows) - len(real)


def test_legacy_export_saved_as_a_workbook(tmp_path):
    table = pd.read_csv(SAMPLE_LEGACY, header=None, dtype=str, keep_default_na=False)
    xlsx = tmp_path / "legacy.xlsx"
    table.iloc[:, :15].to_excel(xlsx, header=False, index=False)
    frame = sk.read_responses(xlsx, questionnaire(tmp_path, rid="ResponseID"))
    assert list(frame.index) == ["R_2YPOQ602ER1jkf1"] and frame.attrs["first_row"] == 3
    assert frame.attrs["qualtrics"]["columns"]["response_type"] == "Status"

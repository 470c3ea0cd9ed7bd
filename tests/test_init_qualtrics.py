"""``survey-kit init`` on Qualtrics exports: with the .qsf, and from the header rows alone.

Files from public repositories (tests/fixtures/public/SOURCES.md): a 2016 export
with its .qsf (three header rows, ImportIds written ``{'ImportId': 'QID4-1-1'}``),
a legacy export (``V1``, ``V2``, ... over a label row) with its .qsf, and the
current three-row export and the legacy export of the qualtRics package.
"""

from __future__ import annotations

from init_steps import PUBLIC, init, pipeline

import survey_kit as sk
from survey_kit.cli import main

BETTER = PUBLIC / "qualtricstools_better_sample_survey.csv"
BETTER_QSF = PUBLIC / "qualtricstools_better_sample_survey.qsf"
LEGACY = PUBLIC / "qualtricstools_single_answer_mc_legacy.csv"
LEGACY_QSF = PUBLIC / "qualtricstools_single_answer_mc.qsf"
THREE_ROWS = PUBLIC / "qualtrics_qualtRics_sample.csv"
TWO_ROWS = PUBLIC / "qualtrics_sample_legacy.csv"


def test_qsf_gives_texts_choices_recodes_matrices_and_multiple_answers(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, BETTER, "--qsf", str(BETTER_QSF)))
    assert q.survey.title == "Better Sample Survey" and q.survey.languages == ["en"]
    assert q.survey.respondent_id == "ResponseID"
    fav = q.question("q2_favorite")
    assert fav.type == "single" and fav.text.startswith("Please select your favorite fruit")
    assert [(o.code, o.label) for o in fav.options] == [(1, "Canteloupe"), (2, "Kiwi"),
                                                         (3, "Pomagranite")]
    vol = q.question("q3_volunteer")                 # multiple answer, exclusive last choice
    assert vol.type == "multi"
    assert [(o.column, o.exclusive) for o in vol.options] == [
        ("q3_volunteer_1", False), ("q3_volunteer_2", False), ("q3_volunteer_3", False),
        ("q3_volunteer_4", True)]
    rank = q.question("q4_rank")                     # matrix: statements are items
    assert rank.type == "grid"
    assert [i.text for i in rank.items] == ["Cantaloupe", "Kiwi", "Pomegranate"]
    # the recode of the fourth scale point (-1) is kept as the export has it
    assert [(o.code, o.label) for o in rank.options] == [
        (1, "Enjoy"), (2, "Ambivalent"), (3, "Dislike"), (-1, "Never Tried It")]
    assert q.question("q5_position").type == "open"
    assert q.question("StartDate").role == "start_time"


#: QualtricsTools' responses are Qualtrics *test* responses (Status 2, "Survey Test")
#: whose start and end times are equal (duration 0 s): preview_or_spam excludes all ten
#: and the speeder rule nine of ten, leaving nothing to weight, so the pipeline tests
#: switch both rules off (cleaning overrides, not codes or labels). The clean step on
#: the draft as written is tested in test_qsf_draft_computes_durations_from_start_and_end.
TEST_RESPONSES = {"speeder_action": "off", "preview_or_spam_action": "off"}


def test_qsf_draft_goes_through_every_step(tmp_path):
    # --no-data: see the next test.
    pipeline(tmp_path, BETTER, "--qsf", str(BETTER_QSF), weight_on="q2_favorite",
             rows="q4_rank_1", cols="q2_favorite", overrides=TEST_RESPONSES,
             report_args=("--no-data",))


def test_qsf_draft_report_writes_the_data_too(tmp_path):
    pipeline(tmp_path, BETTER, "--qsf", str(BETTER_QSF), weight_on="q2_favorite",
             rows="q4_rank_1", cols="q2_favorite", overrides=TEST_RESPONSES)


def test_qsf_draft_computes_durations_from_start_and_end(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, BETTER, "--qsf", str(BETTER_QSF)))
    assert q.question("duration").role == "duration"
    frame = sk.read_responses(BETTER, q)
    assert frame["duration"].max() <= 1.0            # the test responses took no time
    flow = sk.clean(frame, q).flow.set_index("rule")
    assert flow.loc["preview_or_spam", "n_removed"] == 10     # all are test responses
    flow = sk.clean(frame, q, preview_or_spam_action="off").flow.set_index("rule")
    assert flow.loc["speeder", "n_flagged"] == 9
    assert flow["n_remaining"].iloc[-1] == 1


def test_legacy_export_with_qsf_reads_the_label_row_as_header(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, LEGACY, "--qsf", str(LEGACY_QSF)))
    assert q.survey.respondent_id == "V1"            # 'ResponseID' in the label row
    assert q.question("Q4").options[0].code == 10     # custom recode values
    assert main(["validate", str(tmp_path / "q.yaml"), str(LEGACY)]) == 0
    frame = sk.read_responses(LEGACY, q)
    assert len(frame) == 5 and frame.attrs["first_row"] == 3     # label row not data
    assert frame.index[0] == "R_862TbryT6hpIAfP"
    assert frame["mc_question_five_TEXT"].notna().any()


def test_three_row_export_without_qsf(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, THREE_ROWS))
    assert main(["validate", str(tmp_path / "q.yaml"), str(THREE_ROWS)]) == 0
    assert q.survey.respondent_id == "ResponseId"
    assert q.question("Duration_in_seconds").role == "duration"
    assert q.question("Q2").text == "This is a free text question."     # second header row
    assert q.question("Q2").type == "open"
    # the export holds a duration, so the speeder rule is left on
    assert "speeder_action" not in q.quality.overrides


def test_legacy_two_row_export_without_qsf(tmp_path):
    q = sk.load_questionnaire(init(tmp_path, TWO_ROWS))
    assert main(["validate", str(tmp_path / "q.yaml"), str(TWO_ROWS)]) == 0
    assert q.survey.respondent_id == "V1"
    assert q.question("Q1").text == "This is a multiple choice question."
    assert q.question("StartDate").column == "V8"
    frame = sk.read_responses(TWO_ROWS, q)
    assert len(frame) == 1 and frame.index[0] == "R_2YPOQ602ER1jkf1"


def test_legacy_export_with_qsf_goes_through_every_step(tmp_path):
    # Qualtrics test responses again: both rules switched off, as above; nothing else
    # is edited
    pipeline(tmp_path, LEGACY, "--qsf", str(LEGACY_QSF), weight_on="Q3", rows="Q5",
             cols="Q3", overrides=TEST_RESPONSES)


def test_choice_text_entry_and_seen_but_unanswered(tmp_path):
    data = PUBLIC / "qualtricstools_text_entry_components.csv"
    qsf = PUBLIC / "qualtricstools_text_entry_components.qsf"
    q = sk.load_questionnaire(init(tmp_path, data, "--qsf", str(qsf)))
    # all 15 are Qualtrics test responses: validate says cleaning would empty the file
    assert main(["validate", str(tmp_path / "q.yaml"), str(data)]) == 2
    assert main(["validate", str(tmp_path / "q.yaml"), str(data),
                 *(f"--rule={k}={v}" for k, v in TEST_RESPONSES.items())]) == 0
    multi = q.question("MCMA_text")
    assert multi.type == "multi" and [m.code for m in multi.missing] == [-99]
    assert q.question("MCMA_text_1_TEXT").type == "open"
    text = (tmp_path / "q.yaml").read_text(encoding="utf-8").replace("\n  # ", " ")
    assert "Qualtrics' 'seen but unanswered'" in text
    frame = sk.read_responses(data, q)
    assert (frame["MCMA_text__missing"] == "code_m99").any()

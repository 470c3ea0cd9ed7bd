"""``survey-kit init --xlsform`` on a form from pyxform's test suite.

An XLSForm holds no responses, so the test generates them from the form (seeded,
one row per interview, columns named as KoboToolbox exports them: the group path
joined by ``/``, a select_multiple split into one 0/1 column per choice); the
questionnaire then comes from the form alone, with no hand edit.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from init_steps import PUBLIC, init, pipeline

import survey_kit as sk
from survey_kit.instrument.infer.xlsform import read_xlsform

FORM = PUBLIC / "pyxform_flat_xlsform_test.xlsx"


def responses(path, n=40, seed=7):
    """Synthetic interviews for the form (generated in the test, not public data)."""
    form = read_xlsform(FORM)
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {"_uuid": [f"uuid-{i:04d}" for i in range(n)]}
    groups: list[str] = []
    repeat = 0
    for row in form.survey:
        typ = (row.get("type") or "").lower()
        word = typ.replace("_", " ")
        name = row.get("name")
        if word in ("begin group", "begin repeat"):
            groups.append(name or "")
            repeat += word == "begin repeat"
            continue
        if word in ("end group", "end repeat"):
            groups = groups[:-1]
            repeat -= word == "end repeat"
            continue
        if repeat or not name or word == "note":
            continue
        col = "/".join([*groups, name])
        m = re.match(r"select[_ ](one|multiple) (\S+)", typ)
        if m:
            choices = [c for c, _ in form.choices[m.group(2)]]
            if m.group(1) == "one":
                cols[col] = rng.choice(choices, n)
            else:
                for c in choices:
                    cols[f"{col}/{c}"] = rng.integers(0, 2, n)
        elif typ == "integer":
            cols[col] = rng.integers(1, 90, n)
        elif typ == "decimal":
            cols[col] = np.round(rng.uniform(0, 10, n), 2)
        elif typ == "text":
            cols[col] = [f"answer {i}" for i in rng.integers(0, 10**6, n)]
        elif typ in ("start", "end"):
            start = pd.Timestamp("2024-05-01 09:00") + pd.to_timedelta(
                rng.integers(0, 86400 * 20, n), "s")
            t = start if typ == "start" else start + pd.to_timedelta(
                rng.integers(200, 900, n), "s")
            cols[col] = t.strftime("%Y-%m-%d %H:%M:%S")
    pd.DataFrame(cols).to_csv(path, index=False)
    return path


def test_form_gives_choices_with_text_codes_groups_and_multi_selects(tmp_path):
    data = responses(tmp_path / "interviews.csv")
    q = sk.load_questionnaire(init(tmp_path, data, "--xlsform", str(FORM)))
    assert q.survey.title == "Flat test"                       # settings: form_title
    assert q.survey.respondent_id == "_uuid"
    skip = q.question("skip_to_end")
    assert [(o.code, o.key, o.label) for o in skip.options] == [("yes", "yes", "Yes"),
                                                                ("no", "no", "No")]
    assert q.question("a_integer").integer and q.question("a_decimal").type == "numeric"
    assert q.question("my_name").column == "everything/my_name"   # group path
    multi = q.question("select_multiple_test")
    assert [o.column for o in multi.options] == [
        "everything/group_test/select_multiple_test/yes",
        "everything/group_test/select_multiple_test/no"]
    assert q.question("start").role == "start_time" and q.question("end").role == "end_time"
    frame = sk.read_responses(data, q)
    assert set(frame["skip_to_end"].dropna()) == {"yes", "no"}
    text = (tmp_path / "q.yaml").read_text(encoding="utf-8")
    assert 'code: "yes"' in text               # YAML would read a bare yes as true
    assert "left out): acknowledge_test" in text.replace("\n# ", " ")


def test_form_draft_goes_through_every_step(tmp_path):
    data = responses(tmp_path / "interviews.csv")
    # --no-data: the report's .sav copy of the data needs SPSS names for columns such as
    # 'everything/my_name' (the writers' part of issue 12; tested below)
    pipeline(tmp_path, data, "--xlsform", str(FORM), weight_on="skip_to_end",
             rows="label_test", cols="skip_to_end", report_args=("--no-data",))


def test_form_draft_report_writes_the_data_too(tmp_path):
    data = responses(tmp_path / "interviews.csv")
    pipeline(tmp_path, data, "--xlsform", str(FORM), weight_on="skip_to_end",
             rows="label_test", cols="skip_to_end")

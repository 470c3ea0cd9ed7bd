"""survey_kit itself: the reference every peer is checked against.

Each ``setup_<task>`` gets the generated arrays, does the untimed preparation
(the labelled DataFrame, a design) and returns ``(run, extract)``: ``run()`` is
what is timed, ``extract(out)`` turns its result into comparable numbers.
"""

from __future__ import annotations

import numpy as np

from . import _common as c

NAME = "survey_kit"
NOTES = {
    "rake": "sk.rake(frame, targets, tol=1e-8): max relative margin error < 1e-8",
    "chisq_fixed": "sk.svychisq(SurveyDesign(frame, weights='w'), 'cat4', 'cat5') (F, default)",
    "chisq_raked": "sk.svychisq on SurveyDesign(frame).rake(targets, tol=1e-10): "
                   "calibration-aware SEs (raking residuals, as R)",
    "clean": "sk.clean(frame, questionnaire): every default rule",
    "banner": "sk.crosstab(design, 4 questions x 5 options, 3 banners x 4 levels)",
}


def version() -> str:
    import survey_kit

    return survey_kit.__version__


def setup_rake(data):
    import survey_kit as sk

    frame = c.frame(data)
    targets = c.targets()

    def run():
        return sk.rake(frame, targets, tol=1e-8, max_iter=1000)

    def extract(res):
        return {"weights": res.weights.to_numpy(), "iterations": res.iterations,
                "converged": bool(res.converged), "max_margin_error": res.max_margin_error}

    return run, extract


def _chisq_extract(res):
    return {"F": float(res.statistic), "ndf": float(res.df[0]), "ddf": float(res.df[1]),
            "p": float(res.pvalue)}


def setup_chisq_fixed(data):
    import survey_kit as sk

    design = sk.SurveyDesign(c.frame(data), weights="w")

    def run():
        return sk.svychisq(design, "cat4", "cat5")

    return run, _chisq_extract


def setup_chisq_raked(data):
    import survey_kit as sk

    design = sk.SurveyDesign(c.frame(data)).rake(c.targets(), tol=1e-10, max_iter=1000)

    def run():
        return sk.svychisq(design, "cat4", "cat5")

    return run, _chisq_extract


# -- cleaning -----------------------------------------------------------------

def questionnaire_dict() -> dict:
    """A small instrument declaring the benchmark's variables (30 grid items in 3 grids)."""
    def single(qid, levels, required=False):
        return {"id": qid, "text": qid.replace("_", " "), "type": "single", "column": qid,
                "required": required,
                "options": [{"code": i + 1, "key": k, "label": k} for i, k in enumerate(levels)]}

    likert = [{"code": i + 1, "key": k, "label": f"level {k}"} for i, k in enumerate(c.LIKERT)]
    grids = []
    for g in range(3):
        items = [name for name in c.GRID_ITEMS if name.startswith(f"g{g + 1}_")]
        grids.append({"id": f"grid{g + 1}", "text": f"Grid {g + 1}", "type": "grid",
                      "options": likert, "required": True,
                      "items": [{"id": it, "text": it, "column": it} for it in items]})
    questions = [
        {"id": "duration", "text": "Time to complete (s)", "type": "meta", "role": "duration",
         "column": "duration"},
        single("size_class", c.SIZE, required=True), single("sector", c.SECTOR, required=True),
        single("region", c.REGION), single("outcome", c.OUTCOME), single("cat4", c.CAT4),
        single("cat5", c.CAT5), single("attention", c.ATTENTION),
        {"id": "employees", "text": "Employees", "type": "numeric", "column": "employees",
         "integer": True, "min": 1, "max": 500000},
        *grids,
    ]
    return {
        "survey": {"id": "bench", "title": "Benchmark panel", "sponsor": "bench",
                   "fielded_by": "bench", "platform": "synthetic", "mode": "online",
                   "population": "firms", "country": "Japan",
                   "fieldwork": {"start": "2024-01-01", "end": "2024-02-01"},
                   "target_sample_size": 1000},
        "questions": questions,
        "quality": {"traps": [{"id": "trap_attention", "type": "instructed",
                               "question": "attention", "expected": ["apple"]}],
                    "rules": [{"id": "employees_range", "kind": "range",
                               "question": "employees", "min": 1, "max": 500000}]},
    }


def setup_clean(data):
    import survey_kit as sk

    q = sk.Questionnaire.from_dict(questionnaire_dict())
    frame = c.frame(data, grid=True)

    def run():
        return sk.clean(frame, q)

    def extract(res):
        return {"kept": len(res.kept), "excluded": len(res.excluded)}

    return run, extract


# -- banner -------------------------------------------------------------------

def setup_banner(data):
    """20 rows (4 single questions x 5 options) by 12 columns (3 banners x 4 levels)."""
    import pandas as pd

    import survey_kit as sk

    frame = c.frame(data)
    n = len(frame)
    # rows: cat5 and three more 5-option answers built from the grid; banner: size, cat4, b3
    grid = data["grid"]
    rows = {"cat5": frame["cat5"]}
    for k in range(3):
        rows[f"item{k + 1}"] = pd.Categorical.from_codes(grid[:, k].astype(np.int64), c.LIKERT,
                                                         ordered=True)
    extra = pd.DataFrame(rows, index=frame.index).drop(columns="cat5")
    frame = pd.concat([frame, extra], axis=1)
    frame["region4"] = pd.Categorical.from_codes((data["region"] % 4).astype(np.int64),
                                                 ["r1", "r2", "r3", "r4"])
    design = sk.SurveyDesign(frame, weights="w")
    row_vars = ["cat5", "item1", "item2", "item3"]
    col_vars = ["size_class", "cat4", "region4"]

    def run():
        return sk.crosstab(design, row_vars, col_vars)

    def extract(tab):
        nrows = int(tab.cells.groupby(["block", "row_level"]).ngroups)
        return {"rows": nrows, "columns": int(len(tab.columns) - 1), "n": n}

    return run, extract


TASKS = {"rake": setup_rake, "chisq_fixed": setup_chisq_fixed,
         "chisq_raked": setup_chisq_raked, "clean": setup_clean, "banner": setup_banner}

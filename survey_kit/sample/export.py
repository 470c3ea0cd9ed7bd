"""The sample as files: the raw export layout, the planted-defects table, their names.

:func:`encode` writes the working sheet with the instrument's codes into the
export columns, in file order (blank cells for unanswered questions, codes as
nullable integers); :func:`describe` lists every planted defect with the row it
sits in, the ids and a short description.

Example
-------
>>> import pandas as pd
>>> raw_name("japan_creators_2024"), defects_name("japan_creators_2024")
('japan_creators_2024_raw.csv', 'japan_creators_2024_planted_defects.csv')
>>> print(csv_text(pd.DataFrame({"id": ["a"], "share": [1 / 3]})), end="")
id,share
a,0.333333
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..instrument.questionnaire import Questionnaire
from .defects import ORDER, kind_of
from .variables import InstrumentView

__all__ = ["csv_text", "defects_name", "describe", "encode", "raw_name", "targets_name"]


def encode(inst: InstrumentView, sheet: dict, meta: dict, order: np.ndarray) -> pd.DataFrame:
    """The raw export: instrument codes, blanks for unanswered questions, file order."""
    cols: dict[str, Any] = {inst.id_column: pd.array(meta["id"][order], dtype=object)}
    starts = pd.to_datetime(meta["start"][order], unit="s")
    ends = pd.to_datetime((meta["start"] + meta["duration"]).astype(np.int64)[order], unit="s")
    for name, kind in inst.kind.items():
        col = inst.column[name]
        if kind == "meta":
            role = inst.q.question(name).role
            if role == "start_time":
                cols[col] = starts.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
            elif role == "end_time":
                cols[col] = ends.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
            elif role == "duration":
                cols[col] = pd.array(meta["duration"][order].astype(np.int64), dtype="Int64")
            elif role in ("device", "os", "fingerprint"):
                cols[col] = meta[role][order].astype(object)
            elif role == "status":
                cols[col] = np.full(order.size, "complete", dtype=object)
            else:
                cols[col] = np.full(order.size, None, dtype=object)
            continue
        x = sheet[name][order]
        if kind == "cat":
            codes = pd.Series(x, dtype=object).map(inst.codes[name]).to_numpy(dtype=float)
            cols[col] = pd.array(np.where(np.isnan(codes), 0, codes).astype(np.int64),
                                 dtype="Int64")
            cols[col][np.isnan(codes)] = pd.NA
        elif kind == "multi":
            xf = np.asarray(x, dtype=float)
            cols[col] = pd.array(np.nan_to_num(xf).astype(np.int64), dtype="Int64")
            cols[col][np.isnan(xf)] = pd.NA
        elif kind == "num":
            xf = np.asarray(x, dtype=float)
            qu = inst.q.question(inst.qid[name])
            if qu.integer or np.all(np.isnan(xf) | (xf == np.round(xf))):
                cols[col] = pd.array(np.nan_to_num(xf).astype(np.int64), dtype="Int64")
                cols[col][np.isnan(xf)] = pd.NA
            else:
                cols[col] = xf
        else:
            cols[col] = np.asarray(x, dtype=object)
    return pd.DataFrame(cols)


def describe(inst: InstrumentView, raw: pd.DataFrame, sheet: dict, meta: dict,
             defects: pd.DataFrame, position: np.ndarray) -> pd.DataFrame:
    """The planted-defects table: position, ids, defect and a short description."""
    idcol = raw[inst.id_column]
    frame_id = (idcol + np.where(idcol.duplicated(), "~" + (
        idcol.groupby(idcol).cumcount() + 1).astype(str), "")).astype(object)
    row = defects["row"].to_numpy()
    pos = position[row]
    detail = np.full(row.size, "", dtype=object)
    rank = {k: i for i, k in enumerate(ORDER)}

    def show(name: str, r: np.ndarray) -> np.ndarray:
        x = sheet[name][r]
        if inst.kind[name] in ("cat", "open"):
            s = pd.Series(x, dtype=object).fillna("(blank)").astype(str)
            s = s.str.replace(r"^!(?=[A-Za-z])", "", regex=True)   # '!dont_know' -> 'dont_know'
            return (name + "=" + s).to_numpy(dtype=object)
        s = pd.Series(np.asarray(x, float))
        txt = s.round(6).astype(str).str.replace(r"\.0$", "", regex=True).where(
            s.notna(), "(blank)")
        return (name + "=" + txt).to_numpy(dtype=object)

    kinds = defects["defect"].map(lambda d: kind_of(inst, d)).to_numpy()
    for d in defects["defect"].unique():
        m = (defects["defect"] == d).to_numpy()
        r = row[m]
        kind = kinds[m][0]
        if kind == "screened_out":
            c = inst.q.survey.screening[0]
            detail[m] = show(c.question, r) + "; rest of the questionnaire blank"
        elif kind == "partial":
            first = np.full(r.size, "", dtype=object)
            for qu in reversed(inst.questions):
                if qu.required:
                    v = sheet[inst.vars_of[qu.id][0]][r]
                    blank = pd.isna(pd.Series(v, dtype=object)).to_numpy()
                    first[blank] = qu.id
            detail[m] = "required questions blank from " + first + " on"
        elif kind == "speeder":
            detail[m] = "duration " + pd.Series(meta["duration"][r]).astype(np.int64).astype(
                str).to_numpy(dtype=object) + " s"
        elif kind == "instructed":
            t = inst.traps[d]
            detail[m] = show(t.question, r) + " (expected " + "/".join(
                inst.key_of(t.question, e) for e in t.expected) + ")"
        elif kind == "consistency":
            t = inst.traps[d]
            detail[m] = show(t.question, r) + ", " + show(t.repeat, r)
        elif kind == "straightline":
            gid = d.split(":", 1)[1]
            items = inst.q.grid_variables(gid)
            detail[m] = f"all {len(items)} items of {gid} = " + pd.Series(
                sheet[items[0]][r], dtype=object).astype(str).to_numpy(dtype=object)
        elif kind == "gibberish":
            detail[m] = show(d.split(":", 1)[1], r)
        elif kind == "rule":
            rule = inst.rules[d]
            names = [x for x in (rule.question, rule.numeric) if x] + list(rule.questions) + [
                c.question for c in (*rule.when, *rule.then)]
            parts = [show(x, r) for x in dict.fromkeys(names)]
            detail[m] = parts[0]
            for p in parts[1:]:
                detail[m] = detail[m] + ", " + p
        else:
            of = position[defects.loc[m, "of"].to_numpy()]
            ofid = frame_id.to_numpy()[of]
            what = {"duplicate_id": "same respondent id and answers as row ",
                    "duplicate_fingerprint": "same device fingerprint and answers as row ",
                    "near_duplicate": "near copy of the answers of row "}[d]
            detail[m] = what + pd.Series(of).astype(str).to_numpy(dtype=object) + " (" + ofid + ")"
    out = pd.DataFrame({
        "row": pos,
        inst.id_column: raw[inst.id_column].to_numpy()[pos],
        "frame_id": frame_id.to_numpy()[pos],
        "defect": defects["defect"].to_numpy(),
        "detail": detail,
    })
    out["_k"] = [rank[kind_of(inst, d)] for d in out["defect"]]
    out = out.sort_values(["row", "_k", "defect"], kind="stable").drop(columns="_k")
    return out.reset_index(drop=True)


def csv_text(frame: pd.DataFrame) -> str:
    """A table as the files of ``sample_data/`` hold it: no index, ``\\n`` line ends."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.6g")


def raw_name(sid: str) -> str:
    """File name of the raw export of survey ``sid``."""
    return f"{sid}_raw.csv"


def defects_name(sid: str) -> str:
    """File name of the planted-defects list of survey ``sid``."""
    return f"{sid}_planted_defects.csv"


def targets_name(q: Questionnaire) -> str:
    """File name of the population targets (the one the questionnaire's weighting names)."""
    if q.weighting is not None and q.weighting.targets:
        return Path(q.weighting.targets).name
    return f"{q.survey.id}_population_targets.csv"

"""Derived variables of a report spec: in the instrument (labels) and in the data (values).

Two kinds of variable are computed by the report rather than read from an
export:

- a **count** (``derived:`` in the spec): the number of options of a
  multi-select question selected, exclusive ("none of these") options not
  counted, with optional bands and nets;
- a **grid net** (a headline whose ``rows`` is a grid question and that
  gives a ``net``): per grid item, whether the answer is in the net's levels.

:func:`with_derived` adds them to the questionnaire, so their labels flow to
tables; :func:`add_derived` adds their values to the data.

Example
-------
>>> import pandas as pd
>>> import survey_kit as sk
>>> from survey_kit.report.spec_models import ReportSpec
>>> q = sk.load_questionnaire("questionnaires/japan_creators_2024.yaml")
>>> spec = ReportSpec.model_validate({"questionnaire": q.id, "derived": [
...     {"id": "n_tools", "count": "tools", "label": "Number of tools used"}]})
>>> columns = [f"tools_{o.key}" for o in q.question("tools").options]   # last: "none"
>>> frame = pd.DataFrame([[1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1], [None] * 7],
...                      columns=columns, dtype=float)
>>> add_derived(frame, with_derived(q, spec), spec)["n_tools"].tolist()
[2.0, 0.0, nan]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReportError, SurveyKitError
from ..instrument.questionnaire import Questionnaire
from .spec_models import DerivedVariable, HeadlineSpec, ReportSpec

__all__ = ["add_derived", "grid_net_id", "with_derived"]


def grid_net_id(headline: HeadlineSpec) -> str:
    """Id of the multi-select question a grid headline's ``net`` becomes (``<grid>__<net>``)."""
    return f"{headline.rows}__{headline.net.key}"


def _count_question(d: DerivedVariable) -> dict[str, Any]:
    """A count as a numeric question (with its bands and nets)."""
    return {"id": d.id, "text": d.label, "text_ja": d.label_ja, "type": "numeric",
            "column": f"derived:{d.id}", "integer": True, "min": 0,
            "short": d.label, "short_ja": d.label_ja,
            "bands": d.bands.model_dump() if d.bands is not None else None,
            "nets": [n.model_dump() for n in d.nets]}


def _grid_net_question(q: Questionnaire, h: HeadlineSpec) -> dict[str, Any] | None:
    """A grid headline's net as a multi-select question of the grid items; None if not a grid."""
    try:
        grid = q.question(h.rows)
    except SurveyKitError:
        return None
    if grid.type != "grid":
        return None
    qid = grid_net_id(h)
    short = grid.short or grid.text
    short_ja = grid.short_ja or grid.text_ja
    text_ja = f"{short_ja}：{h.net.label_ja or h.net.label}" if short_ja else None
    return {
        "id": qid, "type": "multi",
        "text": f"{short}: {h.net.label}", "text_ja": text_ja,
        "short": f"{short}: {h.net.label}", "short_ja": text_ja,
        "options": [{"code": i + 1, "key": it.id, "label": it.text, "label_ja": it.text_ja,
                     "column": f"derived:{qid}_{it.id}"}
                    for i, it in enumerate(grid.items)]}


def with_derived(questionnaire: Questionnaire, spec: ReportSpec) -> Questionnaire:
    """The questionnaire plus the spec's derived variables, so labels flow to tables.

    A count becomes a numeric question (with its bands and nets); a grid
    headline with a ``net`` becomes a multi-select question whose options are
    the grid items (selected = answer in the net). Their ``column`` reads
    ``derived:<name>``: they are computed by :func:`add_derived`, never read
    from an export. The questionnaire given is left unchanged.
    """
    q = questionnaire
    extra = [_count_question(d) for d in spec.derived]
    for h in spec.headlines:
        if h.net is not None and (question := _grid_net_question(q, h)) is not None:
            extra.append(question)
    if not extra:
        return q
    data = q.to_dict()  # the validated instrument, as a mapping
    data["questions"] = list(data["questions"]) + extra
    return Questionnaire.from_dict(data, source=q.source)


def _add_count(out: pd.DataFrame, instrument: Questionnaire, d: DerivedVariable) -> None:
    """Add count ``d`` (and its bands) to ``out`` in place."""
    qq = instrument.question(d.count)
    cols = [f"{qq.id}_{o.key}" for o in qq.options if not o.exclusive]
    allc = [f"{qq.id}_{o.key}" for o in qq.options]
    lacking = [c for c in allc if c not in out.columns]
    if lacking:
        raise ReportError(f"derived variable {d.id!r} counts question {qq.id!r}, but the "
                          f"data lack its columns {lacking}", column=lacking[0])
    vals = out[allc].to_numpy(dtype=float, na_value=np.nan)
    answered = ~np.isnan(vals).all(axis=1)
    count = np.nansum(out[cols].to_numpy(dtype=float, na_value=np.nan), axis=1)
    count = np.where(answered, count, np.nan)
    out[d.id] = count
    if d.bands is not None:
        keys = [b.key for b in d.bands.levels]
        pos = np.full(len(out), -1, dtype=np.intp)
        for j, b in enumerate(d.bands.levels):
            pos[(count >= b.min) & (count <= b.max)] = j
        out[d.bands.id] = pd.Categorical.from_codes(pos, categories=keys, ordered=True)


def _add_grid_net(out: pd.DataFrame, instrument: Questionnaire, h: HeadlineSpec) -> None:
    """Add the per-item indicators of grid net ``h`` to ``out`` in place."""
    grid = instrument.question(h.rows)
    for it in grid.items:
        s = out[it.id]
        isin = s.isin(h.net.levels).to_numpy()
        out[f"{grid_net_id(h)}_{it.id}"] = np.where(s.isna().to_numpy(), np.nan,
                                                    isin.astype(float))


def add_derived(frame: pd.DataFrame, instrument: Questionnaire, spec: ReportSpec) -> pd.DataFrame:
    """A copy of ``frame`` with the spec's derived variables added (vectorised).

    Counts: number of non-exclusive options selected (NaN if the question was
    not answered) and their bands (an ordered Categorical of band keys).
    Grid nets: per item 1.0 when the answer is in the net, 0.0 when it is
    not, NaN when the item was not answered. ``instrument`` is the
    questionnaire from :func:`with_derived`.
    """
    out = frame.copy()
    for d in spec.derived:
        _add_count(out, instrument, d)
    derived_ids = {x.id for x in instrument.questions}
    for h in spec.headlines:
        if h.net is not None and grid_net_id(h) in derived_ids:
            _add_grid_net(out, instrument, h)
    return out

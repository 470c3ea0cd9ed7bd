"""A draft from the data file alone: SPSS/Stata labels, Qualtrics header rows, or a plain CSV.

Columns are taken in file order. The respondent id is found by its name
(:mod:`.meta`) and unique values. Columns that belong together become one
question at the place of the first:

* an SPSS multiple-response set: a dichotomy set is a multi-select, a category
  set whose variables share their value labels a grid;
* columns of one Qualtrics question (the ``QID`` of their ImportIds): 0/1 (or 1
  and blank) columns a multi-select, columns of one scale a grid; the question
  text is the part of the header text before `` - ``, the items' the part after;
* in a plain CSV, columns named ``stem_1``, ``stem_2``, ... (or ``stem.1``): a
  multi-select if they hold 0/1, a grid if they hold one scale, and in an SPSS or
  Stata file a grid if they share their value labels.

Everything else is one question per column (:func:`.labels.column_question`).
Every guess is a comment in the draft.

Example
-------
>>> from .facts import ColumnFacts, FileFacts
>>> cols = (ColumnFacts("id", kind="text", values=("a", "b"), n=2, unique=True),
...         ColumnFacts("Q7_1", values=(0.0, 1.0), n=2), ColumnFacts("Q7_2", values=(1.0,), n=2,
...         n_blank=1))
>>> d = draft_from_file(FileFacts("x.csv", "csv", cols))
>>> d.survey["respondent_id"], [(q.data["id"], q.data["type"]) for q in d.questions]
('id', [('Q7', 'multi')])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .draft import Draft, Names, code_text, option_keys, options_of, plain_text, survey_section
from .facts import ColumnFacts, FileFacts
from .labels import GUESS_CODES, column_question, missing_of
from .meta import is_id_name, is_weight_name, meta_role

__all__ = ["Group", "draft_from_file", "emit_claimed", "emit_columns", "header_notes",
           "id_column", "id_notes"]

_STEM = re.compile(r"^(.*?[A-Za-z].*?)[_.](\d+)$")
_QID = re.compile(r"^(QID\d+)(?:[#_\-](.+))?$")


@dataclass
class Group:
    """Columns that form one question."""

    kind: str                       # multi or grid
    stem: str
    columns: list[ColumnFacts]
    text: str | None = None         # question text the file states
    how: str = ""                   # where the grouping comes from (for the comment)


def id_column(facts: FileFacts) -> str | None:
    """The respondent id: a column named like one, with no blank and unique values (a
    few repeats allowed: cleaning reports repeated ids)."""
    for c in facts.columns:
        named = is_id_name(c.name) or (facts.legacy_qualtrics and c.label
                                       and is_id_name(c.label))
        answered = c.n - c.n_blank
        if named and c.n_blank == 0 and answered and not c.value_labels and \
                (c.unique or c.n_distinct >= 0.95 * answered):
            return c.name
    return None


def id_notes(facts: FileFacts, id_col: str | None) -> list[str]:
    """A comment when the id column repeats some ids."""
    col = facts.column(id_col) if id_col else None
    if col is None or col.unique:
        return []
    return [f"some ids in {id_col!r} repeat: read the file with duplicate_ids='keep' "
            "(--duplicate-ids keep) so that cleaning reports them"]


def draft_from_file(facts: FileFacts) -> Draft:
    """A draft questionnaire from a data file and the metadata it carries."""
    id_col = id_column(facts)
    survey, notes = survey_section(facts.path, facts.file_label, id_col)
    notes += id_notes(facts, id_col)
    draft = Draft(survey, header=header_notes(facts), survey_notes=notes)
    emit_columns(draft, facts, [c for c in facts.columns if c.name != id_col], Names())
    return draft


def header_notes(facts: FileFacts, extra: str = "") -> list[str]:
    """The comments at the top of a drafted questionnaire."""
    return [f"Questionnaire drafted by `survey-kit init` from {facts.path} "
            f"({facts.format}{extra}). Codes, labels and texts are the file's own; every guess "
            "is marked 'guess:' in a comment. Check them, then run `survey-kit validate` on "
            "this file and the data."]


def emit_columns(draft: Draft, facts: FileFacts, columns: list[ColumnFacts],
                 names: Names) -> None:
    """Add a question for each of ``columns`` (groups at their first column)."""
    infer = facts.format not in ("sav", "dta")
    groups = _groups(facts, columns, infer)
    member = {c.name: g for g in groups for c in g.columns}
    done: set[str] = set()
    for col in columns:
        if col.name in done:
            continue
        g = member.get(col.name)
        if g is not None:
            done.update(c.name for c in g.columns)
            made = _group_question(g, names, facts)
            if made is not None:
                draft.add(*made)
                continue
            for c in g.columns:
                data, notes = column_question(c, names, infer)
                draft.add(data, *notes)
            continue
        data, notes = column_question(col, names, infer)
        draft.add(data, *notes)
        if data["type"] == "numeric" and is_weight_name(col.name, col.label):
            _weight_guess(draft, col)


def emit_claimed(draft: Draft, facts: FileFacts, claimed: dict[str, Any], id_col: str | None,
                 names: Names) -> None:
    """Add the questions a survey definition made, in the order of their first column
    in the file; columns it does not know are drafted from the file alone, in place.

    ``claimed`` maps a column to the (question data, comments, columns) that holds it.
    """
    done: set[int] = set()
    rest: list[ColumnFacts] = []
    for col in facts.columns:
        if col.name == id_col:
            continue
        made = claimed.get(col.name)
        if made is None:
            rest.append(col)
            continue
        if rest:
            emit_columns(draft, facts, rest, names)
            rest = []
        if id(made) not in done:
            done.add(id(made))
            draft.add(made[0], *made[1])
    if rest:
        emit_columns(draft, facts, rest, names)


def _weight_guess(draft: Draft, col: ColumnFacts) -> None:
    if draft.commented:
        return
    draft.commented += [
        f"# guess: column {col.name!r} looks like a weight by its name or label. If it is the",
        "# design (base) weight, uncomment these lines (see the README on sample designs):",
        "# design:",
        f"#   weights: {col.name}",
    ]


# ---------------------------------------------------------------------------
# grouping


def _groups(facts: FileFacts, columns: list[ColumnFacts], infer: bool) -> list[Group]:
    by_name = {c.name: c for c in columns}
    groups: list[Group] = []
    taken: set[str] = set()
    for name, s in sorted(facts.mr_sets.items()):
        cols = [by_name[v] for v in s.get("variable_list", []) if v in by_name]
        if len(cols) < 2 or any(c.name in taken for c in cols):
            continue
        if s.get("is_dichotomy") and _is_binary(cols, s.get("counted_value")):
            groups.append(Group("multi", name, cols, s.get("label") or None,
                                "the file's multiple-response (dichotomy) set"))
        elif _shared_labels(cols):
            groups.append(Group("grid", name, cols, s.get("label") or None,
                                "the file's multiple-response (category) set"))
        else:
            continue
        taken.update(c.name for c in cols)
    rest = [c for c in columns if c.name not in taken]
    groups += _qid_groups(rest) if any(c.import_id for c in rest) else _stem_groups(rest, infer)
    return groups


def _is_binary(cols: list[ColumnFacts], counted: Any = 1) -> bool:
    """Number columns holding only 0 and 1 (blanks aside): the 0/1 columns of a
    multi-select. A set counting another value than 1 is not read as one."""
    if counted not in (None, 1, 1.0):
        return False
    return all(c.kind == "number" and set(map(float, c.values)) <= {0.0, 1.0} for c in cols)


def _shared_labels(cols: list[ColumnFacts]) -> bool:
    first = cols[0].value_labels
    return bool(first) and all(c.value_labels == first for c in cols[1:])


def _scale(cols: list[ColumnFacts]) -> bool:
    """Columns of one small scale of whole numbers (or shared value labels)."""
    if _shared_labels(cols):
        return True
    if any(c.value_labels or c.kind != "number" or not c.integer for c in cols):
        return False
    codes = set().union(*(set(c.values) for c in cols))
    return 2 <= len(codes) <= max(GUESS_CODES, 11)


def _classify(stem: str, cols: list[ColumnFacts], how: str, infer: bool) -> Group | None:
    if infer and all(c.kind == "number" and not c.value_labels for c in cols) and \
            _is_binary(cols) and any(c.values for c in cols):
        return Group("multi", stem, cols, None, how)
    if _scale(cols) and (infer or _shared_labels(cols)):
        return Group("grid", stem, cols, None, how)
    return None


def _stem_groups(columns: list[ColumnFacts], infer: bool) -> list[Group]:
    runs: dict[str, list[ColumnFacts]] = {}
    for c in columns:
        m = _STEM.match(c.name)
        if m and not meta_role(c.name):
            runs.setdefault(m.group(1), []).append(c)
    out = []
    for stem, cols in runs.items():
        if len(cols) >= 2:
            g = _classify(stem, cols, f"columns named {stem}_1, {stem}_2, ...", infer)
            if g is not None:
                out.append(g)
    return out


def _qid_groups(columns: list[ColumnFacts]) -> list[Group]:
    runs: dict[str, list[ColumnFacts]] = {}
    for c in columns:
        m = _QID.match(c.import_id or "")
        if m and m.group(2) and "TEXT" not in m.group(2).upper():
            runs.setdefault(m.group(1), []).append(c)
    out = []
    for qid, cols in runs.items():
        if len(cols) >= 2:
            g = _classify(_common_stem(cols), cols, f"Qualtrics question {qid} (ImportIds)",
                          True)
            if g is not None:
                g.text = _split_label(cols[0])[0]
                out.append(g)
    return out


def _common_stem(cols: list[ColumnFacts]) -> str:
    m = _STEM.match(cols[0].name)
    return m.group(1) if m else cols[0].name


def _split_label(col: ColumnFacts) -> tuple[str | None, str | None]:
    """(question text, item text) of a header text ``Question - Item``."""
    if not col.label:
        return None, None
    text = plain_text(col.label)
    if " - " in text:
        q, _, item = text.rpartition(" - ")
        return q.strip() or None, item.strip() or None
    return text, None


# ---------------------------------------------------------------------------
# one question from a group


def _group_question(g: Group, names: Names, facts: FileFacts
                    ) -> tuple[dict[str, Any], str] | None:
    qid = names.ident(g.stem)
    text = plain_text(g.text) if g.text else None
    note = f"guess: {len(g.columns)} columns read as one {g.kind} question ({g.how})"
    if not text:
        text = g.stem
        note += "; no question text in the file, the stem stands in"
    item_texts = [(_split_label(c)[1] or (plain_text(c.label) if c.label else None) or c.name)
                  for c in g.columns]
    if g.kind == "multi":
        keys = option_keys([(j + 1, t) for j, t in enumerate(item_texts)])
        opts = [{"code": _suffix(c.name, j + 1), "key": k, "label": t, "column": c.name}
                for j, (c, k, t) in enumerate(zip(g.columns, keys, item_texts))]
        if len({o["code"] for o in opts}) < len(opts):
            for j, o in enumerate(opts):
                o["code"] = j + 1
        for o in opts:
            names.take(f"{qid}_{o['key']}")
        data = {"id": qid, "text": text, "type": "multi", "options": opts}
        return data, note
    labels: dict[Any, str] = {}
    values: set[Any] = set()
    for c in g.columns:
        labels.update({k: v for k, v in c.value_labels.items() if not c.is_missing(k)})
        values.update(v for v in c.values if not c.is_missing(v))
    codes = sorted(values | set(labels), key=lambda v: (isinstance(v, str), v))
    opts, bare = options_of([(v, labels.get(v)) for v in codes])
    if len(opts) < 2:
        return None
    items = [{"id": names.ident(c.name), "text": t, "column": c.name}
             for c, t in zip(g.columns, item_texts)]
    data = {"id": qid, "text": text, "type": "grid", "options": opts, "items": items}
    missing, mnotes = missing_of(g.columns[0])
    if missing:
        data["missing"] = missing
    if bare:
        note += (f"; code(s) {', '.join(map(code_text, bare))} have no label in the file, "
                 "the code stands in")
    for m in mnotes:
        note += "; " + m
    return data, note


def _suffix(name: str, default: int) -> int:
    m = _STEM.match(name)
    return int(m.group(2)) if m else default

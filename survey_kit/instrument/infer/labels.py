"""One column as one question: from its value labels, missing codes and values.

What SPSS and Stata files declare is used as it is: value labels become options
(a ``string`` variable keeps its text codes, e.g. region ``UKC``), user-missing
codes become missing codes, the measurement level ``ordinal`` makes a likert
question. Where a file declares nothing (a plain CSV), :func:`column_question`
guesses from the values and says so in a comment.

Example
-------
>>> from .facts import ColumnFacts
>>> col = ColumnFacts("region", label="Region", kind="text", values=("UKC", "UKD"),
...                   value_labels={"UKC": "North East", "UKD": "North West"}, n=2)
>>> data, notes = column_question(col, Names(), infer_codes=False)
>>> data["type"], [o["code"] for o in data["options"]], notes
('single', ['UKC', 'UKD'], [])
"""

from __future__ import annotations

import re
from typing import Any

from .draft import Names, code_text, options_of, plain_text
from .facts import ColumnFacts
from .meta import meta_role

__all__ = ["GUESS_CODES", "column_question", "missing_of", "text_of"]

#: a plain CSV column of whole numbers with 2..GUESS_CODES distinct values is guessed
#: to hold codes (a single-choice question)
GUESS_CODES = 7
#: a plain CSV text column with 2..GUESS_TEXTS distinct values is guessed to hold answers
GUESS_TEXTS = 12


def text_of(col: ColumnFacts) -> tuple[str, list[str]]:
    """The question text: the column's label, else its name (with a comment)."""
    if col.label and plain_text(col.label):
        return plain_text(col.label), []
    return col.name, [f"no question text in the file for column {col.name!r}: its name "
                      "stands in"]


def missing_of(col: ColumnFacts) -> tuple[list[dict[str, Any]], list[str]]:
    """Missing codes: the file's user-missing codes (and labelled or observed codes in its
    missing ranges), labelled by the file's value label or else by the code."""
    codes = list(col.missing)
    for v in [*col.value_labels, *col.values]:
        if col.is_missing(v) and v not in codes:
            codes.append(v)
    codes = sorted(codes, key=lambda c: (isinstance(c, str), c))
    pairs = [(c, col.value_labels.get(c)) for c in codes]
    opts, bare = options_of(pairs)
    notes = ([f"missing code(s) {', '.join(bare)} have no label in the file; the code "
              "stands in" ] if bare else [])
    return opts, notes


def column_question(col: ColumnFacts, names: Names, infer_codes: bool
                    ) -> tuple[dict[str, Any], list[str]]:
    """The question for one column (not part of a grid or multi-select)."""
    text, notes = text_of(col)
    legacy = re.fullmatch(r"V\d+", col.name) and col.label and meta_role(col.label)
    qid = names.ident(col.label if legacy else col.name)
    base: dict[str, Any] = {"id": qid, "text": text}
    role = meta_role(col.name) or (meta_role(col.label) if col.label else None)
    if col.kind == "datetime" or (role and not col.value_labels):
        if role in (None, "duration") and col.kind == "datetime":
            role = "other"
        if role == "duration" and col.kind != "number":
            role = "other"
        return {**base, "type": "meta", "role": role or "other", "column": col.name}, notes
    labelled = {k: v for k, v in col.value_labels.items() if not col.is_missing(k)}
    if labelled:
        return _labelled(col, base, labelled, notes)
    if col.kind == "text":
        return _text(col, base, notes, infer_codes)
    if infer_codes and col.integer and 2 <= len(col.values) <= GUESS_CODES:
        opts, _ = options_of([(v, None) for v in col.values])
        return {**base, "type": "single", "column": col.name, "options": opts}, [
            *notes, f"guess: {len(col.values)} whole-number values, read as codes of a "
            "single-choice question; the file has no labels, so each code stands for its "
            "label: write the labels, or make it numeric"]
    return _numeric(col, base, notes, [])


def _labelled(col: ColumnFacts, base: dict[str, Any], labelled: dict[Any, str],
              notes: list[str]) -> tuple[dict[str, Any], list[str]]:
    extra = col.unlabelled_values()
    scale = col.measure == "scale" and len(extra) > len(labelled)
    if scale or (col.kind == "number" and not col.few_values):
        return _numeric(col, base, notes, list(labelled))
    codes = sorted({*labelled, *extra}, key=lambda c: (isinstance(c, str), c))
    opts, bare = options_of([(c, labelled.get(c)) for c in codes])
    if len(opts) < 2:
        return ((_numeric(col, base, notes, list(labelled))) if col.kind == "number" else
                ({**base, "type": "open", "column": col.name},
                 [*notes, f"one labelled code ({code_text(codes[0])}) only: read as text"]))
    kind = "likert" if col.measure == "ordinal" else "single"
    data = {**base, "type": kind, "column": col.name, "options": opts}
    missing, mnotes = missing_of(col)
    if missing:
        data["missing"] = missing
    if bare:
        notes = [*notes, f"code(s) {', '.join(bare)} are in the data but have no value label "
                 "in the file; the code stands in as the label"]
    return data, [*notes, *mnotes]


def _numeric(col: ColumnFacts, base: dict[str, Any], notes: list[str],
             labelled_codes: list[Any]) -> tuple[dict[str, Any], list[str]]:
    if col.kind != "number":
        return {**base, "type": "open", "column": col.name}, notes
    data: dict[str, Any] = {**base, "type": "numeric", "column": col.name}
    if col.integer and col.values:
        data["integer"] = True
    missing, mnotes = missing_of(col)
    known = {m["code"] for m in missing}
    guessed = [c for c in labelled_codes if c not in known]
    if guessed:
        more, _ = options_of([(c, col.value_labels.get(c)) for c in guessed])
        missing = sorted(missing + more, key=lambda m: m["code"])
        keys = set()
        for m in missing:            # keys stay unique across the two sources
            while m["key"] in keys:
                m["key"] += "_x"
            keys.add(m["key"])
        mnotes = [*mnotes, f"guess: labelled code(s) {', '.join(map(code_text, guessed))} of "
                  "a numeric variable read as missing codes; confirm"]
    if missing:
        data["missing"] = missing
    return data, [*notes, *mnotes]


def _text(col: ColumnFacts, base: dict[str, Any], notes: list[str], infer_codes: bool
          ) -> tuple[dict[str, Any], list[str]]:
    n_answered = col.n - col.n_blank
    if (infer_codes and 2 <= len(col.values) <= GUESS_TEXTS
            and len(col.values) * 2 <= max(n_answered, 1)):
        opts, _ = options_of([(v, v) for v in col.values])
        return {**base, "type": "single", "column": col.name, "options": opts}, [
            *notes, f"guess: {len(col.values)} distinct texts, read as the answers of a "
            "single-choice question (the texts are the codes and labels); make it open if "
            "it is free text"]
    return {**base, "type": "open", "column": col.name}, notes

"""A draft questionnaire as commented YAML, in the layout of the bundled questionnaires.

Questions are block mappings; options, missing codes and grid items one flow
mapping per line (``- {code: 1, key: agree, label: Agree}``), as in
``questionnaires/*.yaml``. A word is written plain only when YAML cannot read
it as anything but that text (letters, digits, spaces, ``_`` and ``-``, and not
one of YAML 1.1's booleans or nulls such as ``yes``, ``off``, ``null``); any
other text is double-quoted (JSON's escapes are valid YAML), so the file reads
back to exactly the strings and codes of the draft. The output holds nothing
that changes from run to run, so the same file gives the same bytes.

Example
-------
>>> print(scalar("Strongly agree"), scalar("yes"), scalar("01"), scalar(3), scalar(None))
Strongly agree "yes" "01" 3 null
>>> d = Draft({"id": "s", "title": "S"}, header=["made from s.sav"])
>>> _ = d.add({"id": "q1", "text": "Q1", "type": "single", "column": "Q1",
...            "options": [{"code": 1, "key": "a", "label": "A"},
...                        {"code": 2, "key": "b", "label": "B: C"}]}, "a note")
>>> print(draft_yaml(d), end="")
# made from s.sav
survey:
  id: s
  title: S
<BLANKLINE>
questions:
  # a note
  - id: q1
    text: Q1
    type: single
    column: Q1
    options:
      - {code: 1, key: a, label: A}
      - {code: 2, key: b, label: "B: C"}
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from .draft import Draft

__all__ = ["draft_yaml", "scalar"]

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_\- ]*$")
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
_WIDTH = 96
#: keys whose list entries are written one flow mapping per line
_FLOW_LISTS = frozenset({"options", "missing", "items", "levels", "nets"})


def scalar(value: Any) -> str:
    """One value as YAML text that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if (_PLAIN.match(text) and not text.endswith((" ", "-")) and "  " not in text
            and text.lower() not in _RESERVED):
        return text
    return _NOT_PRINTABLE.sub(_escape, json.dumps(text, ensure_ascii=False))


#: characters YAML does not allow in a file, and its line breaks NEL, LS and PS (which
#: a reader would fold into spaces): escaped in double quotes (YAML 1.1, 5.1 and 5.4)
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd"
                            "\U00010000-\U0010ffff]")


def _escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def _flow(item: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in item.items()) + "}"


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return _flow(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return scalar(v)


def _comment(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}# {line}" for line in textwrap.wrap(text, _WIDTH - indent - 2,
                                                        break_long_words=False,
                                                        break_on_hyphens=False)]


def _mapping(data: dict[str, Any], indent: int, first: str = "") -> list[str]:
    """A block mapping; ``first`` prefixes its first line (``"- "`` in a list)."""
    lines = []
    pad = " " * indent
    for i, (k, v) in enumerate(data.items()):
        lead = (pad[:-len(first)] + first) if (i == 0 and first) else pad
        if k in _FLOW_LISTS and isinstance(v, list):
            lines.append(f"{lead}{k}:")
            lines += [f"{pad}  - {_value(x)}" for x in v]
        elif isinstance(v, dict):
            lines.append(f"{lead}{k}:")
            lines += _mapping(v, indent + 2)
        else:
            lines.append(f"{lead}{k}: {_value(v)}")
    return lines


def draft_yaml(draft: Draft) -> str:
    """The draft as the text of a questionnaire YAML file, comments included."""
    lines: list[str] = []
    for note in draft.header:
        lines += _comment(note, 0)
    lines.append("survey:")
    for note in draft.survey_notes:
        lines += _comment(note, 2)
    lines += _mapping(draft.survey, 2)
    lines += ["", "questions:"]
    for q in draft.questions:
        for note in q.notes:
            lines += _comment(note, 2)
        lines += _mapping(q.data, 4, first="- ")
    if draft.quality:
        lines += ["", "quality:"]
        for note in draft.quality_notes:
            lines += _comment(note, 2)
        lines += _mapping(draft.quality, 2)
    if draft.commented:
        lines.append("")
        lines += draft.commented
    return "\n".join(lines) + "\n"

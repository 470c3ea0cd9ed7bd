"""The public surface is pinned: names, signatures, CLI commands and options.

``tests/fixtures/public_api.json`` records ``dir(survey_kit)``, the signature of
every public function, class and public method, and every CLI subcommand with
its option strings. A change to any of them fails here; a deliberate one is
made by regenerating the file (``python tests/test_public_api.py --write``)
and documenting the rename (with a deprecation alias) in the README.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "public_api.json"


def _signature(obj) -> str:
    """The signature as text, with module paths of annotations dropped (they move)."""
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "<no signature>"
    return re.sub(r"survey_kit(?:\.\w+)*\.(\w+)", r"\1", text)


def _members(cls) -> dict[str, str]:
    out = {}
    for name, value in sorted(vars(cls).items()):
        if name.startswith("_") and name not in ("__init__", "__call__"):
            continue
        if isinstance(value, property):
            out[name] = "property"
        elif isinstance(value, (staticmethod, classmethod)):
            out[name] = _signature(value.__func__)
        elif callable(value):
            out[name] = _signature(value)
    return out


def _cli() -> dict[str, list[str]]:
    from survey_kit.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: sorted(opt for action in p._actions for opt in action.option_strings)
            + [f"<{action.dest}>" for action in p._actions if not action.option_strings]
            for name, p in sorted(sub.choices.items())}


def surface() -> dict:
    """What a user can reach: names, signatures, public methods, CLI options."""
    import survey_kit as sk

    api = {}
    for name in sorted(sk.__all__):
        obj = getattr(sk, name)
        entry = {"kind": "class" if inspect.isclass(obj) else "function",
                 "signature": _signature(obj)}
        if inspect.isclass(obj):
            mro = [c for c in obj.__mro__ if c.__module__.startswith("survey_kit")]
            members: dict[str, str] = {}
            for c in reversed(mro):
                members.update(_members(c))
            entry["members"] = members
        api[name] = entry
    names = [n for n in dir(sk) if not n.startswith("_")]
    return {"dir": sorted(n for n in names if not inspect.ismodule(getattr(sk, n))),
            "api": api, "cli": _cli()}


def test_public_surface_is_unchanged():
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(surface()))
    assert actual["dir"] == expected["dir"]
    assert actual["cli"] == expected["cli"]
    for name, entry in expected["api"].items():
        assert actual["api"][name] == entry, name
    assert actual["api"].keys() == expected["api"].keys()


if __name__ == "__main__":  # pragma: no cover - regenerates the fixture
    if "--write" in sys.argv:
        FIXTURE.write_text(json.dumps(surface(), indent=1, sort_keys=True) + "\n",
                           encoding="utf-8")
    else:
        print(json.dumps(surface(), indent=1, sort_keys=True))

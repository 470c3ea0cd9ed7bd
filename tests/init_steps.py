"""Shared steps of the tests of ``survey-kit init`` on real public files.

Each public fixture goes init -> validate -> clean -> weight -> crosstab ->
report through the command line with no hand edit of the drafted questionnaire.
The files carry no population targets, so :func:`targets_from_data` makes them
in the test from the data (equal targets for the levels observed among the kept
respondents: a stand-in to exercise weighting, not a claim about any population).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

import survey_kit as sk
from survey_kit.cli import main

PUBLIC = Path(__file__).parent / "fixtures" / "public"


def init(tmp: Path, data: Path, *source: str, name: str = "q.yaml") -> Path:
    """Run ``survey-kit init`` twice; the two outputs must be byte-identical."""
    out = tmp / name
    assert main(["init", str(data), *source, "--out", str(out)]) == 0
    first = out.read_bytes()
    assert main(["init", str(data), *source, "--out", str(out)]) == 0
    assert out.read_bytes() == first, "init is not deterministic"
    return out


def targets_from_data(tmp: Path, q: Path, data: Path, variable: str,
                      read: dict | None = None) -> Path:
    """Equal targets (1,000 each) for the levels of ``variable`` observed among the
    respondents cleaning keeps."""
    qq = sk.load_questionnaire(q)
    frame = sk.clean(sk.read_responses(data, qq, **(read or {})), qq).kept
    levels = [str(v) for v in frame[variable].dropna().unique()]
    assert len(levels) >= 2, f"{variable} needs two observed levels to weight on"
    path = tmp / "targets.csv"
    pd.DataFrame({"variable": variable, "level": sorted(levels), "target": 1000}).to_csv(
        path, index=False)
    return path


def set_override(q: Path, name: str, value: object) -> None:
    """Set one cleaning override in a drafted questionnaire (no code or label is touched)."""
    data = yaml.safe_load(q.read_text(encoding="utf-8"))
    data.setdefault("quality", {}).setdefault("overrides", {})[name] = value
    q.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def pipeline(tmp: Path, data: Path, *source: str, weight_on: str, rows: str, cols: str,
             read_args: tuple[str, ...] = (), overrides: dict | None = None,
             report_args: tuple[str, ...] = ()) -> Path:
    """init -> validate -> clean -> weight -> crosstab -> report; returns the questionnaire.

    ``overrides`` are cleaning overrides set in the draft before cleaning (only where a
    test file cannot feed a rule, said at the call)."""
    q = init(tmp, data, *source)
    for name, value in (overrides or {}).items():
        set_override(q, name, value)
    assert main(["validate", str(q), str(data), *read_args]) == 0
    assert main(["clean", str(q), str(data), *read_args, "--out", str(tmp / "clean")]) == 0
    targets = targets_from_data(tmp, q, data, weight_on)
    assert main(["weight", str(q), str(data), *read_args, "--targets", str(targets),
                 "--out", str(tmp / "weight")]) == 0
    assert main(["crosstab", str(q), str(data), *read_args, "--rows", rows, "--cols", cols,
                 "--targets", str(targets)]) == 0
    assert main(["report", str(q), str(data), *read_args, "--targets", str(targets),
                 *report_args, "--out", str(tmp / "report")]) == 0
    assert list((tmp / "report").glob("*/appendix.md"))
    return q

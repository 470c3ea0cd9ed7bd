"""``survey-kit clean``: apply the quality rules to a response file and write the audit.

Reads the responses with ``sk.read_responses(path, q, duplicate_ids="keep")``
(so that repeated respondent ids reach the duplicate rule), runs
``sk.clean`` and writes to ``--out DIR`` (each file atomically):

* ``<stem>_kept.csv`` -- the respondents retained;
* ``<stem>_excluded.csv`` -- the respondents removed, with ``reason`` (the first
  rule that fired) and ``reasons`` (all rules that fired);
* ``<stem>_review.csv`` -- kept respondents flagged by review rules;
* ``<stem>_flags.csv`` -- one row per raw respondent: a column per rule and the
  indices behind them;
* ``<stem>_flow.csv`` -- the exclusion flow; ``<stem>_overlap.csv`` -- rules x rules;
* ``<stem>_cleaning.xlsx`` -- every table above plus the parameters and warnings.

Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
(an open answer, an id) is written with a leading apostrophe so that a
spreadsheet does not run it, unless ``--no-escape-formulas``
(:mod:`survey_kit.cli._tables`). ``--format`` chooses csv, xlsx or both
(default both). It prints the flow table. Rule parameters are given as
``--rule NAME=VALUE`` (repeatable), for example ``--rule speeder_fraction=0.4
--rule near_duplicate_action=exclude``.

A Parquet dataset (a file, a folder or a glob) past 256 MB, or any with
``--engine duckdb``, is cleaned out of core
(:func:`survey_kit.clean_parquet`): the questionnaire's rules
with the same parameters (``--rule`` included), order and first-rule
attribution, in DuckDB, with progress lines on stderr. It writes
``<stem>_flagged.parquet`` (every raw row in order, a ``flag_<rule>`` column
per applied rule, ``excluded``, ``exclusion_reason``), ``<stem>_kept.parquet``
(the kept rows as the labelled frame, which ``weight`` and ``crosstab --engine``
take as they are) and ``<stem>_flow.csv`` (the flow as in memory), and prints
the flow. Rules
that need every respondent in memory (near_duplicate, gibberish, mahalanobis,
even_odd) are refused by name there: switch them off (``--rule
near_duplicate_action=off``) or give ``--engine pandas``. ``--engine dask`` is
not offered for cleaning.

Example
-------
$ survey-kit clean questionnaires/japan_digital_services_2024.yaml \\
      sample_data/japan_digital_services_2024_raw.csv --out out/clean \\
      --rule trap_max_failures=2
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from . import add_cleaning_args, cleaning_overrides, missing_columns, sheet_arg
from ._engine import add_engine_arg, duckdb_options, wants_engine

FORMATS = ("csv", "xlsx")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "clean",
        help="apply the quality rules to a response file; write kept/excluded data and the "
             "exclusion flow",
        description="Flag screen-outs, partial completes, duplicates, failed traps, speeders, "
                    "straight-liners, implausible answers and gibberish, remove respondents by "
                    "the rules' actions, and write the kept data, the excluded data with "
                    "reasons, the flags and the exclusion flow (CSV and/or XLSX). Prints the "
                    "flow table.",
    )
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="questionnaire YAML file")
    p.add_argument("responses", metavar="RESPONSES",
                   help="response file (raw export), or a Parquet dataset (file, folder or "
                        "glob)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_cleaning_args(p)
    p.add_argument("--format", dest="formats", default="csv,xlsx", metavar="FMT[,FMT]",
                   help="output formats: csv, xlsx or csv,xlsx (default)")
    p.add_argument("--encoding", help="text encoding of a CSV input (default: detected)")
    p.add_argument("--sheet", type=sheet_arg,
                   help="sheet of a workbook, by name or 0-based position")
    add_engine_arg(p)
    p.set_defaults(run=run)
    return p


def _formats(text: str) -> list[str]:
    from ..errors import UsageError

    out = [x.strip().lower() for x in str(text).split(",") if x.strip()]
    bad = [x for x in out if x not in FORMATS]
    if bad or not out:
        raise UsageError(f"--format {text!r}: give csv, xlsx or csv,xlsx")
    return list(dict.fromkeys(out))


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..cleaning.engine import clean
    from ..cleaning.parameters import resolve_parameters
    from ..io.read import read_responses
    from ..instrument.questionnaire import load_questionnaire
    from ._tables import setting_values, write_csv, write_workbook

    formats = _formats(args.formats)
    overrides = cleaning_overrides(args)
    q = load_questionnaire(args.questionnaire)
    resolve_parameters(q, overrides)          # bad names/values fail before any reading
    if wants_engine(args, cleans=True):
        return _out_of_core(args, q, overrides)
    # with --skip-unavailable, columns the file lacks become blank variables and the
    # rules needing them are skipped
    read_kwargs: dict[str, Any] = {"duplicate_ids": "keep",
                                   "missing_columns": missing_columns(args)}
    if args.encoding:
        read_kwargs["encoding"] = args.encoding
    if args.sheet is not None:
        read_kwargs["sheet"] = args.sheet
    raw = read_responses(args.responses, q, **read_kwargs)
    result = clean(raw, q, **overrides)

    out = Path(args.out)
    stem = Path(args.responses).stem
    tables = {
        "flow": (result.flow, False),
        "kept": (result.kept, True),
        "excluded": (result.excluded, True),
        "review": (result.review, True),
        "flags": (result.flags, True),
        "overlap": (result.overlap, True),
    }
    written: list[Path] = []
    notes: list[str] = []
    if "csv" in formats:
        for name, (table, index) in tables.items():
            written.append(write_csv(table, out / f"{stem}_{name}.csv", index=index))
    if "xlsx" in formats:
        extra = {
            "parameters": (result.params_frame().assign(
                value=lambda f: setting_values(f["value"].tolist()).to_numpy()), False),
            "warnings": (pd.DataFrame({"warning": result.warnings or ["(none)"]}), False),
        }
        path, notes = write_workbook(out / f"{stem}_cleaning.xlsx", {**tables, **extra})
        written.append(path)

    for w in raw.attrs.get("warnings", []) or []:
        print(f"reading: {w}")
    print(result)
    for w in notes:
        print(f"writing: {w}")
    print(f"\nwritten to {out}: " + ", ".join(p.name for p in written))
    return 0


def _out_of_core(args: argparse.Namespace, q: Any, overrides: dict) -> int:
    """``--engine duckdb`` (or a large Parquet dataset): the rules out of core."""
    from ..design.engine_design import stderr_progress
    from ..engine.cleaning import clean_parquet
    from ..errors import UsageError
    from ._tables import write_csv

    engine = "duckdb" if args.engine == "auto" else args.engine
    if engine != "duckdb":
        raise UsageError(f"--engine {engine} is not offered for clean; out of core the rules "
                         "run on DuckDB (--engine duckdb), in memory with --engine pandas")
    if args.encoding or args.sheet is not None:
        raise UsageError("--encoding and --sheet apply to CSV and workbook files, not to a "
                         "Parquet dataset")
    out = Path(args.out)
    result = clean_parquet(args.responses, q, out, overrides=overrides,
                           missing_columns=missing_columns(args), progress=stderr_progress,
                           **duckdb_options(args))
    flow = write_csv(result.flow, out / f"{result.flagged.name[:-len('_flagged.parquet')]}"
                                         "_flow.csv", index=False)
    print(result)
    print(f"\nwritten to {out}: " + ", ".join(p.name for p in (result.flagged, result.kept,
                                                                flow)))
    return 0

"""``survey-kit weight``: weight a response file to population targets.

Reads the responses (``sk.read_responses``), cleans them (``sk.clean``; its
``.kept`` respondents are weighted), weights them by post-stratification,
raking or calibration, optionally trims the weights, and writes to ``--out DIR``:

* ``<stem>_weighted.csv`` -- the kept respondents with a weight column;
* ``<stem>_weighting_margins.csv`` / ``_diagnostics.csv`` (+ ``_not_stated``,
  ``_imputations`` when relevant) and ``<stem>_weighting_report.xlsx`` with
  every table of the report and the settings used.

Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written with a leading apostrophe in every CSV and XLSX file (the data through
``sk.write_responses``, the report through :mod:`survey_kit.cli._tables`) so
that a spreadsheet does not run it, unless ``--no-escape-formulas``.

It prints the diagnostics (Kish design effect, effective sample size, CV,
range of the weights) and any warnings. Defaults (method, variables,
not-stated strategy, imputation classes, targets file, trimming cap) come
from the questionnaire's ``weighting`` section; options override them.

Example
-------
$ survey-kit weight questionnaires/japan_digital_services_2024.yaml \\
      sample_data/japan_digital_services_2024_raw.csv \\
      --targets sample_data/japan_firm_population_targets.csv --method rake \\
      --not-stated separate --trim-upper 5x --out out/weights
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from . import (
    add_cleaning_args,
    add_collapse_args,
    bounds_option,
    cleaning_overrides,
    collapse_options,
    missing_columns,
    sheet_arg,
)
from ._engine import add_engine_arg

METHODS = ("rake", "poststratify", "calibrate")
NOT_STATED = ("separate", "impute", "exclude")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "weight",
        help="weight a response file to population targets (rake, post-stratify, calibrate)",
        description="Read and clean a response file, weight the kept respondents to population "
                    "targets, optionally trim the weights, and write the weighted data and a "
                    "weighting report (margins, diagnostics) as CSV and XLSX. Defaults come "
                    "from the questionnaire's 'weighting' section.",
    )
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="questionnaire YAML file")
    p.add_argument("responses", metavar="RESPONSES", help="response file (raw export)")
    p.add_argument("--targets", metavar="TARGETS",
                   help="population targets, CSV (variable,level,target, or joint cells) or "
                        "YAML (default: the questionnaire's weighting.targets)")
    p.add_argument("--method", choices=METHODS,
                   help="rake (default unless the questionnaire says otherwise), poststratify "
                        "or calibrate")
    p.add_argument("--variables", metavar="VAR[,VAR...]",
                   help="weighting variables (default: the questionnaire's, else every "
                        "variable of the targets)")
    p.add_argument("--calfun", choices=("linear", "raking", "logit"), default="linear",
                   help="calibration function for --method calibrate (default linear)")
    p.add_argument("--bounds", metavar="LO,HI",
                   help="bounds on the adjustment g = w/d for --method calibrate, e.g. 0.5,3")
    p.add_argument("--base-weights", metavar="COLUMN",
                   help="column of base (design) weights; default the questionnaire's "
                        "design.weights, else all 1")
    p.add_argument("--replicate-weights", metavar="PATTERN",
                   help="replicate weight columns of the data (a prefix or a regular "
                        "expression): each is calibrated again like the weights and written "
                        "as WEIGHT_COLUMN_r1..r<R> (R's calibration of replicate designs)")
    p.add_argument("--replicate-type", metavar="T",
                   choices=["JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "ACS",
                            "successive-difference", "other"],
                   help="type of the replicate weights (needed with --replicate-weights)")
    p.add_argument("--trim-upper", metavar="X",
                   help="cap the weights at X, or at X times the mean weight when written "
                        "as e.g. 5x (default: the questionnaire's weighting.trim_upper, "
                        "times the mean weight); trimming repeats until no weight exceeds "
                        "the cap and keeps the total")
    p.add_argument("--trim-lower", metavar="X",
                   help="floor for the weights, X or e.g. 0.2x the mean weight")
    p.add_argument("--not-stated", choices=NOT_STATED,
                   help="respondents with a missing weighting variable: their own group "
                        "(separate), hot-deck imputation (impute) or weight 0 (exclude)")
    p.add_argument("--impute-within", metavar="VAR[,VAR...]",
                   help="imputation classes for --not-stated impute (default: the "
                        "questionnaire's, else the other weighting variables)")
    p.add_argument("--seed", type=int, default=0, help="seed of the hot-deck draws (default 0)")
    p.add_argument("--max-iter", type=int, metavar="N",
                   help="maximum raking sweeps / calibration steps")
    p.add_argument("--no-clean", action="store_true",
                   help="the file is already clean: weight every row read")
    p.add_argument("--weight-column", default="weight", metavar="NAME",
                   help="name of the weight column written (default 'weight')")
    p.add_argument("--data-format", choices=("csv", "xlsx", "parquet", "sav", "dta"),
                   default="csv", help="format of the weighted data file (default csv)")
    p.add_argument("--encoding", help="text encoding of a CSV input (default: detected)")
    p.add_argument("--sheet", type=sheet_arg,
                   help="sheet of a workbook, by name or 0-based position")
    p.add_argument("--format", dest="file_format",
                   help="force the input format (csv, tsv, qualtrics, xlsx, sav, dta, parquet)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_collapse_args(p)
    add_cleaning_args(p)
    add_engine_arg(p)
    p.set_defaults(run=run)
    return p


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    out = [x.strip() for x in value.split(",") if x.strip()]
    return out or None


def _settings(args: argparse.Namespace) -> tuple[Any, Any]:
    """The questionnaire and the weighting plan (options over its weighting section).

    Everything is checked here, before any reading.
    """
    from ..errors import UsageError
    from ..weighting.plan import Cap, weighting_plan
    from ..instrument.questionnaire import load_questionnaire

    q = load_questionnaire(args.questionnaire)
    method = args.method or (q.weighting.method if q.weighting is not None else "rake")
    if method != "calibrate" and (args.bounds or args.calfun != "linear"):
        raise UsageError("--bounds and --calfun apply to --method calibrate only")
    trim_upper = None if args.trim_upper is None else Cap.parse(args.trim_upper, "--trim-upper")
    trim_lower = None if args.trim_lower is None else Cap.parse(args.trim_lower, "--trim-lower")
    if args.max_iter is not None and args.max_iter < 1:
        raise UsageError("--max-iter must be a positive integer")
    if not args.weight_column.strip():
        raise UsageError("--weight-column needs a name")
    plan = weighting_plan(q, args.targets, method=args.method, variables=_split(args.variables),
                          not_stated=args.not_stated, impute_within=_split(args.impute_within),
                          trim_upper=trim_upper, trim_lower=trim_lower,
                          weights=args.base_weights, seed=args.seed, max_iter=args.max_iter,
                          calfun=args.calfun, bounds=bounds_option(args.bounds),
                          collapse=collapse_options(args))
    if plan is None:
        raise UsageError(f"give the population targets with --targets FILE (questionnaire "
                         f"{q.id!r} names none in weighting.targets)")
    return q, plan


def _read(args: argparse.Namespace, q: Any) -> tuple[Any, str]:
    from ..cleaning.engine import clean
    from ..cleaning.parameters import resolve_parameters
    from ..errors import CleaningError, DataError, UsageError
    from ..io.read import read_responses

    overrides = cleaning_overrides(args)
    if args.no_clean and overrides:
        raise UsageError("--rule and --skip-unavailable set cleaning, which --no-clean skips; "
                         "give one or the other")
    resolve_parameters(q, overrides)          # bad names/values fail before any reading
    raw = read_responses(args.responses, q, encoding=args.encoding, sheet=args.sheet,
                         format=args.file_format, missing_columns=missing_columns(args),
                         duplicate_ids="error" if args.no_clean else "keep")
    if not len(raw):
        raise DataError("the file has no respondents (no rows below the header), so there is "
                        "nothing to weight", file=args.responses)
    if args.no_clean:
        return raw, f"{len(raw)} respondents read (not cleaned: --no-clean)"
    kept = clean(raw, q, **overrides).kept
    if not len(kept):
        raise CleaningError(f"cleaning excluded all {len(raw)} respondents, so there is nothing "
                            "to weight; run survey-kit clean on the file to see which rules "
                            "removed them", file=args.responses)
    return kept, f"{len(kept)} of {len(raw)} respondents kept after cleaning"


def _write_report(result: Any, plan: Any, args: argparse.Namespace, out: Path,
                  stem: str, summary: str) -> tuple[list[Path], list[str]]:
    """The weighting report: its tables as CSV files and one workbook (and the warnings
    about cells the workbook could not hold)."""
    import pandas as pd

    from ._tables import setting_values, write_csv, write_workbook

    settings = {
        "questionnaire": args.questionnaire, "responses": args.responses,
        "respondents": summary, "targets": plan.targets_text(), "method": result.method,
        "variables": plan.variables_text(),
        "base_weights": plan.weights or "(none: 1)",
        "not_stated": plan.not_stated or "(none)",
        "impute_within": (plan.impute_within if isinstance(plan.impute_within, str)
                          else ", ".join(plan.impute_within or ())) or "(default)",
        "seed": args.seed, "trim_upper": plan.trim_upper or "",
        "trim_lower": plan.trim_lower or "", "converged": result.converged,
        "iterations": result.iterations, "max_margin_error": result.max_margin_error,
    }
    tables = {"settings": pd.DataFrame({"setting": list(settings),
                                        "value": setting_values(list(settings.values()))}),
              **result.report_tables()}
    written = [write_csv(table, out / f"{stem}_weighting_{name}.csv", index=False)
               for name, table in tables.items() if name not in ("settings", "warnings")]
    path, notes = write_workbook(out / f"{stem}_weighting_report.xlsx",
                                 {name[:31]: (table, False) for name, table in tables.items()})
    return written + [path], notes


def _with_replicates(weighted: Any, frame: Any, result: Any, plan: Any,
                     args: argparse.Namespace) -> Any:
    """The weighted data plus the replicate weights calibrated again (one column each)."""
    import numpy as np

    from ..design.survey_design import SurveyDesign
    from ..errors import UsageError

    if args.replicate_type is None:
        raise UsageError("--replicate-weights needs --replicate-type (e.g. JK1, JKn, BRR)")
    if plan.trim_upper or plan.trim_lower:
        raise UsageError("replicate weights are calibrated again, not trimmed: drop "
                         "--trim-upper/--trim-lower (or the questionnaire's trim_upper)")
    base = plan.weights if plan.weights else np.ones(len(frame))
    design = SurveyDesign(frame, weights=base, replicate_weights=args.replicate_weights,
                          replicate_type=args.replicate_type).with_weighting(result)
    W = design.replicates.analysis()
    names = [f"{args.weight_column}_r{k + 1}" for k in range(W.shape[1])]
    clash = [c for c in names if c in weighted.columns]
    if clash:
        raise UsageError(f"the data already have a column {clash[0]!r}; name the weights "
                         "with --weight-column NAME")
    import pandas as pd

    reps = pd.DataFrame(W, index=weighted.index, columns=names)
    print(f"replicate weights: {W.shape[1]} {args.replicate_type} columns calibrated again "
          f"(scale {design.replicates.scale:.6g}) -> {names[0]}..{names[-1]}")
    return pd.concat([weighted, reps], axis=1)


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..io.write import write_responses
    from ._engine import out_of_core_weight, wants_engine

    q, plan = _settings(args)
    if wants_engine(args):
        return out_of_core_weight(args, q)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out!r} is a file; give a folder")
    frame, summary = _read(args, q)
    if args.weight_column in frame.columns:
        raise UsageError(f"the data already have a column {args.weight_column!r}; name the "
                         "new weights with --weight-column NAME")
    _, result = plan.apply(frame)
    stem = Path(args.responses).stem
    data_path = out / f"{stem}_weighted.{args.data_format}"
    weighted = result.with_weights(frame, args.weight_column)
    if args.replicate_weights:
        weighted = _with_replicates(weighted, frame, result, plan, args)
    write_responses(weighted, data_path)
    report, notes = _write_report(result, plan, args, out, stem, summary)
    written = [data_path] + report

    print(f"{summary}; weighted by {result.method} to {plan.variables_text()} "
          f"({plan.targets_text()})")
    trimmed = result.method.endswith("+ trim")
    print(f"converged: {result.converged} after {result.iterations} iteration(s); "
          f"max relative margin error {result.max_margin_error:.3g}"
          + (" (after trimming)" if trimmed else ""))
    print()
    print("Diagnostics:")
    print(result.diagnostics.to_string(float_format=lambda x: f"{x:,.6g}"))
    if result.warnings:
        print()
        print("Warnings:")
        for w in result.warnings:
            print(f"- {w}")
    for w in notes:
        print(f"writing: {w}")
    print()
    for path in written:
        print(f"wrote {path}")
    return 0

"""``survey-kit crosstab``: a banner table from a questionnaire and a response file.

Reads the responses, cleans them (``sk.clean``) and weights them by the
questionnaire's ``weighting`` section (method, variables, not-stated
strategy, population targets relative to the YAML file, trimming cap) as the
report does (:mod:`survey_kit.weighting.plan`), or takes an already
weighted file (``--weight-column``), or stays unweighted (``--unweighted``);
then prints or writes the table.

Example
-------
$ survey-kit crosstab questionnaires/japan_digital_services_2024.yaml \\
      sample_data/japan_digital_services_2024_raw.csv \\
      --rows foreign_share --cols export_intensity
$ survey-kit crosstab Q.yaml raw.csv --rows foreign_services --cols size_class \\
      --cols sector --format xlsx --out tables/foreign_services.xlsx
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import (
    add_cleaning_args,
    add_collapse_args,
    add_not_stated_arg,
    add_design_args,
    cleaning_overrides,
    collapse_options,
    missing_columns,
)
from ._engine import add_engine_arg

FORMATS = ("text", "md", "html", "latex", "xlsx", "csv")
_SUFFIX = {".txt": "text", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
           ".tex": "latex", ".xlsx": "xlsx", ".csv": "csv"}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "crosstab",
        help="banner table of row variables by banner variables, with letters and tests",
        description="Clean and weight a response file as the questionnaire says, then print or "
                    "write a banner table: weighted percentages, bases, nets, significance "
                    "letters and the Rao-Scott test of each block.",
    )
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="questionnaire YAML file")
    p.add_argument("responses", metavar="RESPONSES",
                   help="response file (raw export, or a weighted file with --weight-column)")
    p.add_argument("--rows", action="append", required=True, metavar="VAR",
                   help="row variable or multi-select question id; repeat (or separate by "
                        "commas) for several blocks")
    p.add_argument("--cols", action="append", required=True, metavar="VAR",
                   help="banner variable; repeat (or separate by commas) for several")
    w = p.add_mutually_exclusive_group()
    w.add_argument("--targets", metavar="TARGETS",
                   help="population targets CSV/YAML (default: the questionnaire's "
                        "weighting.targets, relative to the YAML file)")
    w.add_argument("--weight-column", metavar="W",
                   help="the file is already cleaned and weighted; use this column as weights")
    w.add_argument("--unweighted", action="store_true",
                   help="clean but do not weight; unweighted percentages and Pearson tests")
    p.add_argument("--percent", choices=("col", "row", "total", "none"), default="col",
                   help="column (default), row or total percentages, or counts")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the --out suffix, else text)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of printing")
    p.add_argument("--lang", choices=("en", "ja"), default="en", help="label language")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level of the letters")
    p.add_argument("--adjust", choices=("holm", "bh", "bonferroni", "none"), default="holm",
                   help="multiple-comparison adjustment of the letters (default holm)")
    p.add_argument("--min-base", type=int, default=30,
                   help="mark columns with a smaller unweighted base and leave them untested")
    p.add_argument("--no-nets", action="store_true", help="leave out the questionnaire's nets")
    p.add_argument("--no-letters", action="store_true", help="no significance letters")
    p.add_argument("--ci", action="store_true", help="show confidence intervals")
    p.add_argument("--title", help="table title")
    p.add_argument("--encoding", help="text encoding of a CSV (default: detected)")
    add_design_args(p)
    add_collapse_args(p)
    add_not_stated_arg(p)
    add_cleaning_args(p)
    add_engine_arg(p)
    p.set_defaults(run=run)
    return p


def _split(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def _output_format(args: argparse.Namespace) -> str:
    from ..errors import UsageError

    if args.out and Path(args.out).is_dir():
        raise UsageError(f"--out {args.out} is a folder; give the path of a file, e.g. "
                         f"{Path(args.out) / 'table.xlsx'}")
    fmt = args.format
    if fmt is None:
        fmt = _SUFFIX.get(Path(args.out).suffix.lower(), "text") if args.out else "text"
    if fmt == "xlsx" and not args.out:
        raise UsageError("--format xlsx writes a workbook; give the file with --out FILE.xlsx")
    return fmt


def _check_names(frame: Any, q: Any, names: list[str], role: str) -> None:
    from ..tables.variables import valid_names as _valid_names
    from ..errors import CrosstabError

    valid = _valid_names(frame, q)
    bad = [x for x in names if x not in valid]
    if bad:
        raise CrosstabError(f"unknown {role} variable(s) {', '.join(map(repr, bad))}; valid "
                            f"names are: {', '.join(valid)}")


def weighted_design(frame: Any, q: Any, targets: str | None = None,
                    design: Any = None, collapse: tuple = (),
                    not_stated: str | None = None) -> tuple[Any, str]:
    """A calibrated design weighted as the questionnaire says; and a summary line.

    The weighting is :func:`survey_kit.weighting.plan.weighting_plan` (the report's):
    method, variables, not-stated strategy, targets and trimming cap of the
    questionnaire's ``weighting`` section, ``targets`` replacing its file. The
    design (base weights, strata, clusters, fpc) is the questionnaire's
    ``design`` section, ``design`` (a mapping of overrides) replacing its entries;
    with base weights and no targets the design is weighted by the base weights.
    ``collapse`` merges levels before weighting (``--collapse``); ``not_stated`` says
    how respondents with a missing weighting variable are weighted (``--not-stated``).
    """
    from ..design.survey_design import SurveyDesign
    from ..errors import UsageError
    from ..weighting.plan import check_design_columns, weighting_plan

    declared = q.declared_design(**(design or {}))
    check_design_columns(declared, frame)
    args = declared.survey_design_args() if declared is not None else {}
    plan = weighting_plan(q, targets, weights=args.get("weights"), collapse=tuple(collapse),
                          not_stated=not_stated)
    if plan is None and args.get("weights"):
        return SurveyDesign(frame, **args), f"weights: base weights {args['weights']!r}"
    if plan is None:
        if q.weighting is None:
            raise UsageError(f"questionnaire {q.id!r} defines no weighting; give --targets, "
                             "--weight-column W or --unweighted")
        raise UsageError(f"questionnaire {q.id!r} names no population targets "
                         "(weighting.targets); give --targets or --unweighted")
    _, result = plan.apply(frame)
    weighted = SurveyDesign(frame, **args).with_weighting(result)
    note = f"weights: {plan.describe()}"
    for w in result.warnings or ():
        note += f"\n  warning: {w}"
    return weighted, note


def _given_weights(raw: Any, q: Any, args: argparse.Namespace) -> Any:
    """``--weight-column W``: the design of an already weighted file (with the declared
    strata, clusters and fpc)."""
    from ..design.survey_design import SurveyDesign
    from ..errors import UsageError
    from ..weighting.plan import check_design_columns
    from . import design_overrides

    if args.weight_column not in raw.columns:
        raise UsageError(f"the weight column {args.weight_column!r} is not in "
                         f"{args.responses}; its columns are: "
                         f"{', '.join(map(str, raw.columns))}")
    declared = q.declared_design(**{**design_overrides(args), "weights": None})
    if declared is None:
        return SurveyDesign(raw, weights=args.weight_column)
    declared = declared.model_copy(update={"weights": args.weight_column})
    check_design_columns(declared, raw, args.responses)
    return SurveyDesign(raw, **declared.survey_design_args())


def _check_option_use(args: argparse.Namespace, overrides: dict, collapse: tuple,
                      q: Any) -> None:
    """Cleaning and collapsing options that the chosen data path would ignore are refused;
    cleaning parameters are checked before any reading."""
    from ..cleaning.parameters import resolve_parameters
    from ..errors import UsageError

    if args.weight_column and (overrides or collapse or args.not_stated):
        raise UsageError("--weight-column reads a file already cleaned and weighted; --rule, "
                         "--skip-unavailable, --collapse and --not-stated apply to cleaning "
                         "and weighting the raw export, so leave them out")
    if args.unweighted and (collapse or args.not_stated):
        raise UsageError("--collapse and --not-stated concern the weighting; --unweighted "
                         "does not weight")
    resolve_parameters(q, overrides)


def run(args: argparse.Namespace) -> int:
    from ..tables.crosstab import crosstab
    from ..io.read import read_responses
    from ..instrument.questionnaire import load_questionnaire

    from ..tables.crosstab import check_options
    from . import design_overrides
    from ._engine import out_of_core_design, wants_engine

    fmt = _output_format(args)
    rows, cols = _split(args.rows), _split(args.cols)
    check_options(args.percent, None if args.adjust == "none" else args.adjust, args.alpha,
                  0.95, args.lang, args.min_base)      # before the data are read
    overrides = cleaning_overrides(args)
    collapse = collapse_options(args)
    q = load_questionnaire(args.questionnaire)
    _check_option_use(args, overrides, collapse, q)
    if wants_engine(args):
        data, summary = out_of_core_design(args, q)
        return _write(crosstab(data, rows, cols, percent=args.percent, nets=not args.no_nets,
                               ci=args.ci, letters=not args.no_letters, alpha=args.alpha,
                               adjust=None if args.adjust == "none" else args.adjust,
                               min_base=args.min_base, questionnaire=q, lang=args.lang,
                               title=args.title), fmt, args, summary)
    raw = read_responses(args.responses, q, encoding=args.encoding, duplicate_ids="keep",
                         missing_columns=missing_columns(args))
    _check_names(raw, q, rows, "row")
    _check_names(raw, q, cols, "banner (--cols)")
    if args.weight_column:
        data: Any = _given_weights(raw, q, args)
        summary = f"{len(raw)} respondents; weights from column {args.weight_column!r}"
    else:
        from ..cleaning.engine import clean

        kept = clean(raw, q, **overrides).kept
        summary = f"{len(kept)} of {len(raw)} respondents kept after cleaning"
        if args.unweighted:
            data = kept
            summary += "; unweighted"
        else:
            data, note = weighted_design(kept, q, args.targets, design_overrides(args),
                                         collapse, not_stated=args.not_stated)
            summary += f"; {note}"
    table = crosstab(data, rows, cols, percent=args.percent, weighted=not args.unweighted,
                     nets=not args.no_nets, ci=args.ci, letters=not args.no_letters,
                     alpha=args.alpha, adjust=None if args.adjust == "none" else args.adjust,
                     min_base=args.min_base, questionnaire=q, lang=args.lang, title=args.title)
    return _write(table, fmt, args, summary)


def _write(table: Any, fmt: str, args: argparse.Namespace, summary: str) -> int:
    print(summary, file=sys.stderr)
    if fmt == "xlsx":
        table.to_excel(args.out)
    else:
        text = {"text": table.to_text, "md": table.to_markdown, "html": table.to_html,
                "latex": table.to_latex, "csv": table.to_csv}[fmt]()
        if args.out:
            from .._files import write_text

            write_text(args.out, text)
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if args.out:
        print(f"wrote {args.out}", file=sys.stderr)
    return 0

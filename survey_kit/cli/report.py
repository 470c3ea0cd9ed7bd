"""``survey-kit report [QUESTIONNAIRE RESPONSES] [--targets T] --out DIR``: the whole job.

Reads, cleans, weights, tabulates, tests and draws, then writes the appendix
(Markdown, self-contained HTML, XLSX, LaTeX), the figures (PNG and SVG), the
tables as CSV and the cleaned and weighted data (CSV, Parquet, SPSS with
labels) into ``DIR/<survey id>/``, with ``DIR/summary.md``. With no
arguments it runs on the bundled sample (``questionnaires/`` and
``sample_data/`` next to the package). One progress line per stage goes to
stderr; the summary goes to stdout.

Example
-------
$ survey-kit report --out out
$ survey-kit report questionnaires/japan_creators_2024.yaml \\
      sample_data/japan_creators_2024_raw.csv --out out --lang ja
"""

from __future__ import annotations

import argparse
from typing import Any

from . import add_cleaning_args, add_collapse_args, add_design_args, add_not_stated_arg


def _formats(text: str) -> tuple[str, ...]:
    """``--format md,html``: appendix formats (also used by ``survey-kit appendix``)."""
    from ..report.appendix import FORMATS
    from ..errors import UsageError

    parts = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in FORMATS]
    if bad or not parts:
        raise UsageError(f"--format takes a comma-separated list of {', '.join(FORMATS)}; "
                         f"got {text!r}")
    return parts


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "report",
        help="run the whole job: clean, weight, tabulate, draw, write the report",
        description="Read, clean, weight, tabulate, test and draw, then write the appendix "
                    "(md, html, xlsx, tex), figures (png, svg), tables (csv) and the cleaned "
                    "and weighted data (csv, parquet, sav) to DIR/<survey id>/. Without "
                    "QUESTIONNAIRE and RESPONSES it runs on the bundled sample.",
    )
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", nargs="?",
                   help="questionnaire YAML (default: every bundled questionnaire)")
    p.add_argument("responses", metavar="RESPONSES", nargs="?",
                   help="raw export (CSV, XLSX, SAV, DTA, Parquet)")
    p.add_argument("--targets", metavar="TARGETS",
                   help="population targets CSV/YAML (default: the file the questionnaire "
                        "names under weighting.targets)")
    p.add_argument("--out", metavar="DIR", default="out", help="output folder (default: out)")
    p.add_argument("--lang", choices=("en", "ja"), default="en",
                   help="language of labels in tables and figures (default: en)")
    p.add_argument("--format", dest="formats", default="md,html,xlsx,tex",
                   help="appendix formats, comma-separated (default: md,html,xlsx,tex)")
    p.add_argument("--no-data", action="store_true",
                   help="do not write the cleaned and weighted data files")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    add_design_args(p)
    add_collapse_args(p)
    add_not_stated_arg(p)
    add_cleaning_args(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..report.outputs import run_report
    from . import (
        cleaning_overrides,
        collapse_options,
        design_overrides,
        input_files,
        missing_columns,
        out_folder,
    )

    if args.questionnaire is not None and args.responses is None:
        raise UsageError("give RESPONSES after QUESTIONNAIRE (or neither, to run on the "
                         "bundled sample)")
    input_files(args.questionnaire, args.targets, datasets=(args.responses,))
    design = {k: v for k, v in design_overrides(args).items() if v}
    if design and args.questionnaire is None:
        raise UsageError("--base-weights, --strata, --cluster and --fpc need QUESTIONNAIRE "
                         "and RESPONSES")
    collapse = collapse_options(args)
    if (collapse or args.not_stated) and args.questionnaire is None:
        raise UsageError("--collapse and --not-stated concern one survey's weighting "
                         "variables; they need QUESTIONNAIRE and RESPONSES")
    out = out_folder(args.out)
    formats = _formats(args.formats)
    result = run_report(args.questionnaire, args.responses, args.targets, out=out,
                        lang=args.lang, formats=formats,
                        data=not args.no_data, progress=not args.quiet,
                        design=design or None, cleaning=cleaning_overrides(args),
                        collapse=collapse, missing_columns=missing_columns(args),
                        not_stated=args.not_stated)
    print(result)
    return 0

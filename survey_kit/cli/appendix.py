"""``survey-kit appendix QUESTIONNAIRE RESPONSES --out DIR``: the survey appendix tables.

Methodology (AAPOR disclosure items, margins of error), exclusion flow and
rule overlap, sample composition, weighting diagnostics, codebook, headline
results (banner tables with bases, 95% CIs and Rao-Scott tests, one figure
each) and published vs reproduced figures, in Markdown, self-contained
HTML, XLSX and LaTeX.

Example
-------
$ survey-kit appendix questionnaires/japan_digital_services_2024.yaml \\
      sample_data/japan_digital_services_2024_raw.csv \\
      --targets sample_data/japan_firm_population_targets.csv --out out/appendix \\
      --format md,html
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import add_cleaning_args, add_collapse_args, add_design_args, add_not_stated_arg


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "appendix",
        help="write the survey appendix tables (md, html, xlsx, tex) and figures",
        description="Clean and weight the responses, then write the appendix: methodology, "
                    "exclusion flow, sample composition, weighting diagnostics, codebook, "
                    "headline results with figures, and published vs reproduced figures.",
    )
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="questionnaire YAML")
    p.add_argument("responses", metavar="RESPONSES",
                   help="raw export (CSV, XLSX, SAV, DTA, Parquet)")
    p.add_argument("--targets", metavar="TARGETS",
                   help="population targets CSV/YAML (default: the file the questionnaire "
                        "names under weighting.targets)")
    p.add_argument("--out", metavar="DIR", required=True, help="output folder")
    p.add_argument("--format", dest="formats", default="md,html,xlsx,tex",
                   help="comma-separated formats among md, html, xlsx, tex (default: all)")
    p.add_argument("--lang", choices=("en", "ja"), default="en",
                   help="language of labels (default: en)")
    p.add_argument("--spec", metavar="SPEC",
                   help="report spec YAML (default: <questionnaire>.report.yaml beside it)")
    p.add_argument("--no-figures", action="store_true", help="tables only")
    add_design_args(p)
    add_collapse_args(p)
    add_not_stated_arg(p)
    add_cleaning_args(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    import time

    from ..report.appendix import build_appendix
    from ..report.run import prepare
    from . import (
        cleaning_overrides,
        collapse_options,
        design_overrides,
        input_files,
        missing_columns,
        out_folder,
    )
    from .report import _formats

    input_files(args.questionnaire, args.targets, args.spec, datasets=(args.responses,))
    out = out_folder(args.out)
    formats = _formats(args.formats)
    t0 = time.perf_counter()

    def show(stage: str, seconds: float, detail: str) -> None:
        print(f"{stage:<9s} {seconds:6.2f} s  {detail}", file=sys.stderr, flush=True)

    run_ = prepare(args.questionnaire, args.responses, args.targets, spec=args.spec,
                   design=design_overrides(args), progress=show,
                   cleaning=cleaning_overrides(args), collapse=collapse_options(args),
                   missing_columns=missing_columns(args), not_stated=args.not_stated)
    app = build_appendix(run_, lang=args.lang, figures=not args.no_figures, progress=show)
    files = app.write(out, formats, figures=not args.no_figures)
    f = app.facts
    print(f"{app.survey_id}: {f['n_raw']} read, {f['n_kept']} kept; weighting deff "
          f"{f['deff_kish']:.2f}; {len(app.tables)} tables, {len(app.figures)} figures")
    for key in formats:
        print(f"  {key:5s} {files[key]}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0

"""``--engine``: the out-of-core path of the commands that read data.

A response dataset given as Parquet (a file, a folder or a glob) is read by
an engine (:mod:`survey_kit.engine`): ``auto`` keeps data under 256 MB on
disk in memory (the usual path: read, clean, weight) and sends larger data to
DuckDB; ``duckdb`` and ``dask`` force the out-of-core path. That path does
not hold the respondents: it builds the design over the dataset
(:meth:`survey_kit.SurveyDesign.from_parquet`) with the questionnaire's
design (or ``--base-weights``/``--strata``/``--cluster``/``--fpc``), rakes or
post-stratifies to ``--targets`` (or the questionnaire's) by the
questionnaire's weighting method (raking, post-stratification or calibration to
categorical margins), trims the weights to the questionnaire's ``trim_upper`` (or
``--trim-upper``/``--trim-lower``) as the in-memory path does, and reports each
long step on stderr. The data are taken as they are there (clean them first with
``survey-kit clean --engine duckdb``, which runs the questionnaire's own rules out
of core and writes ``<stem>_kept.parquet``). ``survey-kit clean`` accepts
``--rule`` and ``--skip-unavailable`` out of core (:func:`wants_engine` with
``cleans=True``); ``crosstab`` and ``weight`` refuse them there.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_engine_arg", "duckdb_options", "out_of_core_design", "out_of_core_weight",
           "wants_engine"]


def add_engine_arg(p: argparse.ArgumentParser) -> None:
    """``--engine {auto,pandas,duckdb,dask}``."""
    p.add_argument("--engine", choices=("auto", "pandas", "duckdb", "dask"), default="auto",
                   help="engine for a Parquet dataset (file, folder or glob): auto (default) "
                        "keeps small data in memory and uses DuckDB past 256 MB; duckdb or "
                        "dask read it out of core (dask: the active cluster)")
    p.add_argument("--memory-limit", metavar="SIZE",
                   help="DuckDB's memory limit, e.g. 3GB (past it, sorts and groups spill to "
                        "a temporary folder; default: DuckDB's, 80%% of the memory)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="DuckDB's worker threads (default: one per core)")


def duckdb_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--memory-limit`` and ``--threads`` as DuckDB engine options (only those given);
    refused for another engine, which would not use them."""
    options = {k: v for k, v in (("memory_limit", getattr(args, "memory_limit", None)),
                                 ("threads", getattr(args, "threads", None))) if v}
    if options and getattr(args, "engine", "auto") not in ("auto", "duckdb"):
        from ..errors import UsageError
        raise UsageError(f"--memory-limit and --threads set DuckDB; --engine {args.engine} "
                         "does not use them")
    if getattr(args, "threads", None) is not None and args.threads < 1:
        from ..errors import UsageError
        raise UsageError("--threads must be a positive number")
    return options


def wants_engine(args: argparse.Namespace, cleans: bool = False) -> bool:
    """Whether the responses go the out-of-core way (``cleans``: the command is
    ``clean``, whose rules and their options follow the questionnaire out of core)."""
    from ..engine.source import choose_engine, is_parquet_source, parquet_files

    engine = getattr(args, "engine", "auto")
    if not is_parquet_source(args.responses):
        if engine in ("duckdb", "dask"):
            from ..errors import UsageError
            raise UsageError(f"--engine {engine} reads Parquet datasets (a .parquet file, a "
                             f"folder or a glob); {args.responses} is not one")
        return False
    if choose_engine(engine, parquet_files(args.responses)) == "pandas":
        return False
    if not cleans:
        _refuse_in_memory_options(args, engine)
    return True


def _refuse_in_memory_options(args: argparse.Namespace, engine: str) -> None:
    """The out-of-core path takes the data as cleaned: options that clean or collapse would
    be silently ignored there, so they are refused by name."""
    given = [opt for opt, value in (("--rule", getattr(args, "rule", None)),
                                    ("--skip-unavailable", getattr(args, "skip_unavailable", None)),
                                    ("--missing-columns", getattr(args, "missing_columns", None)),
                                    ("--collapse", getattr(args, "collapse", None))) if value]
    if given:
        from ..errors import UsageError
        raise UsageError(f"{', '.join(given)} apply to the in-memory path, but {args.responses} "
                         f"goes out of core (--engine {engine}), where the data are taken as "
                         "cleaned and the weighting cells as given; clean the dataset first "
                         "(survey-kit clean --engine duckdb) or give --engine pandas")


def out_of_core_design(args: argparse.Namespace, q: Any) -> tuple[Any, str]:
    """The design over the dataset, weighted as the questionnaire says; a summary line."""
    from ..design.engine_design import EngineDesign, stderr_progress
    from ..errors import UsageError
    from ..weighting.plan import Cap, weighting_plan
    from ..weighting.targets import load_targets

    over = {k: v for k in ("strata", "cluster", "fpc") if (v := getattr(args, k, None))}
    if getattr(args, "base_weights", None):
        over["weights"] = args.base_weights
    declared = q.declared_design(**over)
    spec = declared.survey_design_args() if declared is not None else {}
    if spec.get("replicate_weights") is not None or getattr(args, "replicate_weights", None):
        raise UsageError("the design has replicate weights: out of core, a replicate design "
                         "gives means, totals and proportions in Python "
                         "(sk.SurveyDesign.from_parquet(..., replicate_weights=...)); its "
                         "tables and weighting run in memory: give --engine pandas")
    for key in ("cluster", "fpc"):
        if isinstance(spec.get(key), list):
            if len(spec[key]) > 1:
                raise UsageError(f"the out-of-core engines take one stage; --{key} was given "
                                 f"{len(spec[key])} times")
            spec[key] = spec[key][0]
    given = getattr(args, "weight_column", None) if not hasattr(args, "no_clean") else None
    weights = given or spec.pop("weights", None)
    spec.pop("weights", None)
    engine = "duckdb" if args.engine == "auto" else args.engine
    options = duckdb_options(args)
    design = EngineDesign.from_parquet(args.responses, weights=weights, engine=engine,
                                       progress=stderr_progress, **spec, **options)
    note = f"{design.n} respondents ({design.engine_name} engine, not cleaned here)"
    listed = getattr(args, "variables", None)
    caps = {f"trim_{side}": Cap.parse(value, f"--trim-{side}") for side in ("upper", "lower")
            if (value := getattr(args, f"trim_{side}", None)) is not None}
    from . import bounds_option

    plan = weighting_plan(q, getattr(args, "targets", None), method=getattr(args, "method", None),
                          variables=[v.strip() for v in listed.split(",") if v.strip()]
                          if listed else None, not_stated=getattr(args, "not_stated", None),
                          calfun=getattr(args, "calfun", None) or "linear",
                          bounds=bounds_option(getattr(args, "bounds", None)), **caps)
    if plan is None or given or getattr(args, "unweighted", False):
        return design, note + (f"; weights from column {weights!r}" if weights else "")
    targets, method, path = load_targets(plan.targets), plan.method, plan.targets
    if method == "poststratify":
        design = design.poststratify(targets, variables=plan.variables,
                                     not_stated=plan.not_stated)
    elif method == "rake":
        design = design.rake(targets, variables=plan.variables, not_stated=plan.not_stated)
    else:
        design = design.calibrate(targets, plan.calfun, plan.bounds, variables=plan.variables,
                                  not_stated=plan.not_stated)
    note += f"; weights: {method} to {path}"
    if plan.trim_upper is not None or plan.trim_lower is not None:
        mean = design.mean_weight()
        design = design.trim(
            lower=None if plan.trim_lower is None else plan.trim_lower.bound(mean),
            upper=None if plan.trim_upper is None else plan.trim_upper.bound(mean), strict=True)
        sides = [f"{side} {cap}" for side, cap in (("upper", plan.trim_upper),
                                                   ("lower", plan.trim_lower)) if cap]
        note += f", trimmed ({', '.join(sides)}): " + "; ".join(design.trim_notes)
    return design, note


def out_of_core_weight(args: argparse.Namespace, q: Any) -> int:
    """``survey-kit weight --engine ...``: rake, post-stratify or calibrate the dataset and write it
    back with the weight column (``<stem>_weighted.parquet`` in ``--out``), streaming."""
    from ..errors import UsageError

    design, summary = out_of_core_design(args, q)
    if design._factor is None:
        raise UsageError("give the population targets with --targets FILE")
    stem = Path(str(args.responses).rstrip("/*")).stem.replace("*", "") or "responses"
    path = design.write_weights(Path(args.out) / f"{stem}_weighted.parquet",
                                name=args.weight_column)
    print(summary)
    print(f"wrote {path}")
    return 0

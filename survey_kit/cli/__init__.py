"""The ``survey-kit`` command.

Each subcommand lives in its own module of this package and exposes
``add_parser(subparsers)`` and ``run(args) -> int``. Modules import heavy
libraries only inside ``run`` so that ``survey-kit --help`` starts fast.

Every :class:`~survey_kit.errors.SurveyKitError` becomes a clear message on
stderr and exit code 2; there is no traceback for bad input. Ctrl-C stops a
command with exit code 130 and leaves no partial or temporary files.

Every subcommand also takes ``--force`` (replace existing files that
survey-kit did not write) and ``--no-escape-formulas`` (write text that begins
with ``=``, ``+``, ``-``, ``@`` as it is, for trusted data). Outputs never
replace the command's own input files (:func:`survey_kit._files.output_policy`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from pathlib import Path

from ..errors import SurveyKitError

# subcommand modules, in the order `survey-kit --help` lists them
COMMANDS = (
    "init",
    "validate",
    "clean",
    "weight",
    "crosstab",
    "appendix",
    "report",
    "generate",
)


def sheet_arg(text: str) -> int | str:
    """``--sheet``: a 0-based position when all digits, else a sheet name."""
    return int(text) if text.isdigit() else text


def add_design_args(p: argparse.ArgumentParser) -> None:
    """``--base-weights``, ``--strata``, ``--cluster``, ``--fpc``: the sample design,
    overriding the questionnaire's ``design`` section."""
    g = p.add_argument_group("sample design (overrides the questionnaire's design section)")
    g.add_argument("--base-weights", metavar="COLUMN",
                   help="column of base (design) weights; default the questionnaire's "
                        "design.weights, else all 1")
    g.add_argument("--strata", metavar="COL", help="column of the strata")
    g.add_argument("--cluster", action="append", metavar="COL",
                   help="column of the clusters (PSUs); repeat for each further stage")
    g.add_argument("--fpc", action="append", metavar="COL",
                   help="column of the finite population correction; repeat, one per stage")
    g.add_argument("--replicate-weights", metavar="PATTERN",
                   help="replicate weight columns shipped with the data: a prefix or a "
                        "regular expression of their names (instead of strata/cluster/fpc)")
    g.add_argument("--replicate-type", metavar="T",
                   choices=["JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "ACS",
                            "successive-difference", "other"],
                   help="type of the replicate weights (sets R's default scale)")
    g.add_argument("--replicate-scale", metavar="C", type=float,
                   help="overall scale of the replicate variance (default: R's for the type)")
    g.add_argument("--replicate-mse", action="store_true", default=None,
                   help="centre replicates on the full-sample estimate (R mse=TRUE)")


def design_overrides(args: argparse.Namespace) -> dict[str, object]:
    """The design options given on the command line (see :func:`add_design_args`)."""
    return {"weights": args.base_weights, "strata": args.strata, "cluster": args.cluster,
            "fpc": args.fpc, "replicate_weights": args.replicate_weights,
            "replicate_type": args.replicate_type, "scale": args.replicate_scale,
            "mse": args.replicate_mse}


def add_cleaning_args(p: argparse.ArgumentParser) -> None:
    """``--rule NAME=VALUE``, ``--skip-unavailable``, ``--missing-columns``: the cleaning and
    reading options every command that cleans accepts, as ``survey-kit clean`` does."""
    g = p.add_argument_group("cleaning (the same options as survey-kit clean)")
    g.add_argument("--rule", action="append", default=[], metavar="NAME=VALUE",
                   help="set a cleaning parameter, e.g. speeder_fraction=0.4, "
                        "near_duplicate_action=exclude, straightliner_action=off "
                        "(repeatable; an unknown NAME lists the valid ones)")
    g.add_argument("--skip-unavailable", action="store_true",
                   help="accept a file lacking some of the questionnaire's columns and skip, "
                        "with a warning, the rules that need them (e.g. no duration for the "
                        "speeder rule) instead of failing")
    g.add_argument("--missing-columns", choices=("error", "allow"), default=None,
                   help="a column the questionnaire names but the file lacks: error (default) "
                        "or allow (the variable is left empty and a warning is shown; "
                        "--skip-unavailable implies allow)")


def cleaning_overrides(args: argparse.Namespace) -> dict[str, object]:
    """The cleaning parameters of ``--rule NAME=VALUE`` (and ``--skip-unavailable``).

    Raises
    ------
    UsageError
        An item that is not NAME=VALUE, or a NAME given twice.
    """
    from ..errors import UsageError

    out: dict[str, object] = {}
    for item in getattr(args, "rule", None) or []:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise UsageError(f"--rule {item!r}: write NAME=VALUE, e.g. --rule "
                             "speeder_fraction=0.4")
        if name in out:
            raise UsageError(f"--rule {name} is given twice; give each parameter once")
        out[name] = value
    if getattr(args, "skip_unavailable", False):
        out["skip_unavailable"] = True
    return out


def bounds_option(text: str | None) -> tuple[float, float] | None:
    """``--bounds LO,HI`` (calibration bounds on g) as two floats, or None."""
    from ..errors import UsageError

    if text is None:
        return None
    parts = [x.strip() for x in text.split(",")]
    try:
        lo, hi = (float(x) for x in parts)
    except ValueError:
        raise UsageError(f"--bounds {text!r}: give two numbers LO,HI, e.g. --bounds 0.5,3") \
            from None
    if not lo < hi:
        raise UsageError(f"--bounds {text!r}: LO must be below HI")
    return lo, hi


def missing_columns(args: argparse.Namespace) -> str:
    """``--missing-columns``, ``allow`` when ``--skip-unavailable`` is given."""
    given = getattr(args, "missing_columns", None)
    if given is None:
        return "allow" if getattr(args, "skip_unavailable", False) else "error"
    return given


def add_collapse_args(p: argparse.ArgumentParser) -> None:
    """``--collapse VAR=LEVEL[+LEVEL...][:INTO]``: merge levels of a weighting variable in
    the data and the targets, as ``sk.collapse_levels`` does."""
    p.add_argument("--collapse", action="append", default=[],
                   metavar="VAR=LEVEL[+LEVEL...][:INTO]",
                   help="merge levels of a weighting variable in the data and the targets "
                        "before weighting (as sk.collapse_levels): one level merges with its "
                        "neighbour, several with each other, e.g. size_class=medium or "
                        "region=north+islands:north_islands (repeatable)")


def add_not_stated_arg(p: argparse.ArgumentParser) -> None:
    """``--not-stated {separate,impute,exclude}``: how respondents whose weighting variable
    is missing are weighted (default: the questionnaire's ``weighting.not_stated``)."""
    p.add_argument("--not-stated", choices=("separate", "impute", "exclude"), default=None,
                   help="respondents whose weighting variable is missing: their own group "
                        "(separate), hot-deck imputed (impute) or weight 0 (exclude); "
                        "default: the questionnaire's weighting.not_stated")


def collapse_options(args: argparse.Namespace) -> tuple[tuple[str, tuple[str, ...],
                                                              str | None], ...]:
    """``(variable, levels, into)`` of each ``--collapse``.

    Raises
    ------
    UsageError
        An item that is not VAR=LEVEL[+LEVEL...][:INTO].
    """
    from ..errors import UsageError

    out = []
    for item in getattr(args, "collapse", None) or []:
        var, sep, rest = item.partition("=")
        levels, _, into = rest.partition(":")
        names = tuple(x.strip() for x in levels.split("+") if x.strip())
        if not sep or not var.strip() or not names:
            raise UsageError(f"--collapse {item!r}: write VAR=LEVEL, VAR=LEVEL+LEVEL or "
                             "VAR=LEVEL+LEVEL:INTO, e.g. --collapse size_class=medium")
        out.append((var.strip(), names, into.strip() or None))
    return tuple(out)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that exits with code 2 and a one-line hint."""

    def error(self, message: str) -> None:  # pragma: no cover - argparse path
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\nRun '{self.prog} --help' for details.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="survey-kit",
        description="Clean, weight, tabulate and report business surveys fielded on online panels.",
    )
    parser.add_argument("--version", action="version", version="survey-kit 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).add_parser(sub)
    for command in sub.choices.values():
        _add_output_safety(command)
    return parser


def _add_output_safety(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("output safety")
    group.add_argument("--force", action="store_true",
                       help="replace existing files in the output location that survey-kit "
                            "did not write (input files are never replaced)")
    group.add_argument("--no-escape-formulas", action="store_true",
                       help="write text beginning with = + - @ as it is in CSV and XLSX "
                            "outputs (only for trusted data; by default such text is "
                            "prefixed with an apostrophe so spreadsheets do not run it)")


def _input_files(args: argparse.Namespace) -> list[Path]:
    """Every existing file named by an argument (also within a list, as ``nargs`` and
    ``action="append"`` give): the command's inputs."""
    found = []
    for dest, value in vars(args).items():
        if dest in ("out", "run", "command"):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if not isinstance(item, (str, os.PathLike)):
                continue
            path = Path(item)
            with contextlib.suppress(OSError, ValueError):
                if path.is_file():
                    found.append(path)
    return found


def out_folder(text: str | os.PathLike) -> Path:
    """``--out DIR`` of a command that writes a folder: refuse an existing file.

    Raises
    ------
    UsageError
        ``text`` names a file (an input, or any file): the outputs would go
        into a folder that cannot exist.
    """
    from ..errors import UsageError

    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError("--out names a file, not a folder; give the folder to write "
                         "into (input files are never written over)", file=path)
    return path


def input_files(*paths: str | os.PathLike | None,
                datasets: tuple[str | os.PathLike | None, ...] = ()) -> None:
    """Check the input files a command was given, before it starts working; each of
    ``datasets`` (the responses) may also be a Parquet dataset: a folder or a glob of
    Parquet files.

    Raises
    ------
    UsageError
        A path that does not exist, is a folder, or is not a regular file (a
        device or a pipe, which could block the command forever); ``None``
        (an optional argument not given) is skipped.
    DataError
        A folder or glob that holds no Parquet file.
    """
    from ..errors import UsageError
    from ..io.parquet import is_parquet_source, parquet_files

    for text in datasets:
        if text is not None and is_parquet_source(text) and not Path(text).is_file():
            parquet_files(text)
            continue
        input_files(text)
    for text in paths:
        if text is None:
            continue
        path = Path(text)
        if not path.exists():
            raise UsageError("file not found; check the path", file=path)
        if path.is_dir():
            raise UsageError("this is a folder, not a file; give the path of the file",
                             file=path)
        if not path.is_file():
            raise UsageError("not a regular file (a device or a pipe); give the path of a "
                             "file", file=path)


def _run(args: argparse.Namespace) -> int:
    from .._files import output_policy
    from .._formulas import formula_escaping

    with output_policy(inputs=_input_files(args), force=getattr(args, "force", False)), \
            formula_escaping(not getattr(args, "no_escape_formulas", False)):
        return int(args.run(args) or 0)


def main(argv: list[str] | None = None) -> int:
    from .._files import interruptible

    prog = "survey-kit"
    try:
        with interruptible():
            parser = build_parser()
            args = parser.parse_args(argv)
            if not getattr(args, "run", None):
                parser.print_help()
                return 0
            prog = f"survey-kit {args.command}"
            return _run(args)
    except SurveyKitError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; no partial output was left", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"{prog}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

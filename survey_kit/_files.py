"""Atomic file output, and the rules a command's outputs obey.

Every file the toolkit writes goes through :func:`atomic_write`: the data are
written to a hidden temporary file beside the target, then renamed onto it, so
a reader never sees a half-written table and a crash or Ctrl-C leaves the old
file (and no temporary file: the temporary is removed on any exception, and
one left by a killed process is removed by the next write of the same target).

A command (the CLI) runs inside :func:`output_policy`, which adds two rules:

* an output may never be one of the command's input files;
* an existing file may be replaced only if survey-kit wrote it (it is listed
  in the folder's manifest, :data:`MANIFEST`) or ``force=True`` (``--force``).

A file is listed in the manifest before it is renamed into place, so a
process killed at any moment never leaves a file of its own that a re-run
would refuse to replace. Inputs found while the command runs (the targets
file a questionnaire names, the report spec beside it) are added with
:func:`note_inputs`.

Ctrl-C: within :func:`interruptible` (the CLI runs every command in it) an
interrupt cannot be lost. Python runs a signal handler between any two
bytecodes -- also inside a weakref callback or a ``__del__`` method, where the
KeyboardInterrupt it raises is printed as "Exception ignored in ..." and
dropped, and the run would go on to finish with exit 0. The handler there also
remembers the interrupt, and :func:`check_interrupt` (called by every write
before it starts and before its rename) raises it again.

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(folder / "table.csv") as tmp:
...     _ = tmp.write_text("a,b\\n1,2\\n")
>>> (folder / "table.csv").read_text()
'a,b\\n1,2\\n'
>>> (folder / "notes.txt").write_text("mine")
4
>>> with output_policy():
...     write_text(folder / "notes.txt", "replaced")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
survey_kit.errors.UsageError: ...notes.txt: refusing to replace a file survey-kit did not write; ...
"""

from __future__ import annotations

import contextlib
import contextvars
import glob
import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ReportError, UsageError

#: hidden file in an output folder listing the files survey-kit wrote there
MANIFEST = ".survey-kit-outputs"


@dataclass(frozen=True)
class _Policy:
    inputs: set[Path]
    force: bool


_POLICY: contextvars.ContextVar[_Policy | None] = contextvars.ContextVar("survey_kit_outputs",
                                                                        default=None)


@contextlib.contextmanager
def output_policy(*, inputs: Iterable[str | os.PathLike] = (), force: bool = False
                  ) -> Iterator[None]:
    """Within the block, refuse to write over ``inputs`` or over files survey-kit did not write.

    ``force=True`` allows replacing existing files (never the inputs).
    """
    token = _POLICY.set(_Policy(set(), force))
    try:
        note_inputs(*inputs)
        yield
    finally:
        _POLICY.reset(token)


def note_inputs(*paths: object) -> None:
    """Add files the running command reads to the ones it may not write over.

    For inputs found while it runs (the targets file a questionnaire names, the
    report spec beside it); anything that is not a path is ignored, and so is
    everything outside :func:`output_policy`.
    """
    policy = _POLICY.get()
    if policy is None:
        return
    for p in paths:
        if isinstance(p, (str, os.PathLike)):
            with contextlib.suppress(OSError, ValueError, TypeError):
                policy.inputs.add(Path(p).resolve())


# ---------------------------------------------------------------------------
# Ctrl-C that cannot be lost
# ---------------------------------------------------------------------------

_INTERRUPT = {"pending": False}


def _on_interrupt(signum: int, frame: object) -> None:
    _INTERRUPT["pending"] = True
    raise KeyboardInterrupt


def check_interrupt() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed within :func:`interruptible`
    (also when the first KeyboardInterrupt was swallowed where it was raised)."""
    if _INTERRUPT["pending"]:
        raise KeyboardInterrupt


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, Ctrl-C stops the work even where Python would swallow it.

    SIGINT raises KeyboardInterrupt as usual and is also remembered: if it was
    raised where Python cannot propagate it (a weakref callback, ``__del__``),
    the next write (:func:`check_interrupt`) or the end of the block raises it
    again, and the "Exception ignored" report of the lost one is not printed.
    Outside the main thread (where no signal handler can be set) it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _on_interrupt)
    previous_hook: Callable = sys.unraisablehook

    def hook(unraisable: object) -> None:
        if not isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
            previous_hook(unraisable)

    sys.unraisablehook = hook
    _INTERRUPT["pending"] = False
    try:
        yield
        check_interrupt()
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None
                      else previous)
        sys.unraisablehook = previous_hook
        _INTERRUPT["pending"] = False


# ---------------------------------------------------------------------------
# the rules and the writes
# ---------------------------------------------------------------------------

def check_outputs(paths: Iterable[str | os.PathLike]) -> None:
    """Raise the UsageError a write of any of ``paths`` would raise, before writing anything.

    For a command that knows its outputs in advance (``generate-sample``): a
    refused file then stops it before it has written the others.
    """
    for path in paths:
        _check_target(Path(path))


def _manifest(folder: Path) -> set[str]:
    try:
        return set((folder / MANIFEST).read_text(encoding="utf-8").split("\n")) - {""}
    except (OSError, UnicodeDecodeError):
        return set()


def _check_target(target: Path) -> None:
    policy = _POLICY.get()
    if policy is None:
        return
    real = target.resolve()
    for inp in policy.inputs:
        if real == inp:
            raise UsageError("refusing to write over an input file of this command; "
                             "choose another output path", file=target)
    if target.name == MANIFEST:
        raise UsageError("this name is reserved for survey-kit's list of outputs", file=target)
    if target.exists() and not policy.force and target.name not in _manifest(target.parent):
        raise UsageError("refusing to replace a file survey-kit did not write; pass --force "
                         "to replace it, or choose another output folder", file=target)


def _record(target: Path) -> None:
    """List ``target`` in its folder's manifest (before it is renamed into place)."""
    if _POLICY.get() is None:
        return
    names = _manifest(target.parent)
    if target.name in names:
        return
    text = "".join(f"{n}\n" for n in sorted(names | {target.name}))
    manifest = target.parent / MANIFEST
    _remove_stale_temporaries(manifest)
    with _temporary(manifest) as tmp:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, manifest)


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files of ``target`` left behind by a killed process."""
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[Path]:
    """A new empty hidden file beside ``target``, removed if the block fails.

    Its name is chosen before it is created, inside the ``try``: an interrupt
    at any moment, even while it is being created, cannot leave it behind.
    Created with the mode an ordinary ``open()`` gives (0666 less the umask).
    """
    tmp = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
    mine = True
    try:
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:  # 64 random bits: not ours, never remove it
            mine = False
            raise
        yield tmp
    except BaseException:
        if mine:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success rename it onto ``path``.

    The parent directory is created if needed. On error (Ctrl-C included) the
    temporary file is removed and ``path`` is left as it was.
    """
    check_interrupt()
    target = Path(path)
    _check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create the output folder: {exc.strerror}; "
                          "choose a writable location", file=target.parent) from exc
    _remove_stale_temporaries(target)
    if _POLICY.get() is not None:
        _remove_stale_temporaries(target.parent / MANIFEST)
    with _temporary(target) as tmp:
        yield tmp
        check_interrupt()
        _record(target)
        os.replace(tmp, target)


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)

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
survey_kit.errors.UsageError: ...notes.txt: refusing to replace a file survey-kit did not write; pass --force to replace it, or choose another output folder
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ReportError, UsageError

#: hidden file in an output folder listing the files survey-kit wrote there
MANIFEST = ".survey-kit-outputs"


@dataclass(frozen=True)
class _Policy:
    inputs: tuple[Path, ...]
    force: bool


_POLICY: contextvars.ContextVar[_Policy | None] = contextvars.ContextVar("survey_kit_outputs",
                                                                        default=None)


@contextlib.contextmanager
def output_policy(*, inputs: Iterable[str | os.PathLike] = (), force: bool = False
                  ) -> Iterator[None]:
    """Within the block, refuse to write over ``inputs`` or over files survey-kit did not write.

    ``force=True`` allows replacing existing files (never the inputs).
    """
    resolved = tuple(Path(p).resolve() for p in inputs)
    token = _POLICY.set(_Policy(resolved, force))
    try:
        yield
    finally:
        _POLICY.reset(token)


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
    if _POLICY.get() is None:
        return
    names = _manifest(target.parent)
    if target.name in names:
        return
    text = "".join(f"{n}\n" for n in sorted(names | {target.name}))
    _replace(target.parent / MANIFEST, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files of ``target`` left behind by a killed process."""
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _replace(target: Path, fill) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        fill(tmp)
        # mkstemp creates 0600; give the file the mode an ordinary open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success rename it onto ``path``.

    The parent directory is created if needed. On error (Ctrl-C included) the
    temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    _check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create the output folder: {exc.strerror}; "
                          "choose a writable location", file=target.parent) from exc
    _remove_stale_temporaries(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600; give the file the mode an ordinary open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _record(target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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

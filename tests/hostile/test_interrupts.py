"""Ctrl-C and kill -9 during ``survey-kit report``: no partial files, no lost interrupts.

A ``survey-kit report`` of the creators survey runs as a subprocess; a signal is
sent a fixed delay after one of its progress lines (stderr) appears, so the
moments are the same on a fast or a slow machine:

* SIGINT (Ctrl-C) -> exit 130, the one-line "interrupted" message, no traceback,
  no hidden ``.*.tmp`` file, every file left behind complete (it parses);
* SIGKILL -> every file left behind parses, and a re-run into the same folder
  succeeds (no file refused as "not written by survey-kit"), removes the stale
  temporaries and writes the same bytes as an uninterrupted run.

Before the fix, a Ctrl-C that Python delivered inside a weakref callback during
the write phase (openpyxl saving the workbook) was printed as "Exception ignored"
and the run finished with exit 0; :func:`test_interrupt_swallowed_in_a_finaliser_still_stops`
reproduces that moment deterministically.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from survey_kit import _files
from survey_kit.cli import main

ROOT = Path(__file__).resolve().parents[2]
Q = ROOT / "questionnaires" / "japan_creators_2024.yaml"
RAW = ROOT / "sample_data" / "japan_creators_2024_raw.csv"
SID = "japan_creators_2024"


def _argv(out: Path) -> list[str]:
    return ["report", str(Q), str(RAW), "--out", str(out)]


def _files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*.tmp")] if folder.exists() else []


def _check_parses(path: Path) -> None:
    """Open ``path`` with the reader of its format (a half-written file fails)."""
    suffix = path.suffix
    if suffix == ".csv":
        pd.read_csv(path)
    elif suffix in (".md", ".tex", ".html") or path.name == _files.MANIFEST:
        assert path.read_text(encoding="utf-8").strip(), path
    elif suffix == ".svg":
        ET.fromstring(path.read_bytes())
    elif suffix == ".png":
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82"), path
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        load_workbook(path).close()
    elif suffix == ".parquet":
        pd.read_parquet(path)
    elif suffix == ".sav":
        import pyreadstat

        pyreadstat.read_sav(str(path))
    else:  # pragma: no cover - a new kind of output: teach this test to read it
        raise AssertionError(f"unknown output {path}")


def _check_left_behind(folder: Path) -> int:
    """Every non-temporary file parses; returns how many there are."""
    n = 0
    for p in folder.rglob("*") if folder.exists() else []:
        if p.is_file() and not p.name.endswith(".tmp"):
            _check_parses(p)
            n += 1
    return n


def _signal_after(out: Path, line: str, delay: float, sig: int) -> tuple[int | None, str, bool]:
    """Start the report, send ``sig`` ``delay`` s after the progress line containing
    ``line``; returns (exit code, stderr, whether the signal was sent before it ended)."""
    proc = subprocess.Popen([sys.executable, "-m", "survey_kit", *_argv(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8")
    seen = []
    sent = False
    try:
        for text in proc.stderr:
            seen.append(text)
            if line in text:
                time.sleep(delay)
                sent = proc.poll() is None
                if sent:
                    proc.send_signal(sig)
                break
        rest = proc.stderr.read()
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:  # pragma: no cover - a hang: do not leave it running
            proc.kill()
            proc.wait()
    return proc.returncode, "".join(seen) + rest, sent


def _main_thread_only() -> None:
    """A SIGINT handler can only be set in the main thread; elsewhere SIGINT would stop
    the test runner itself."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """The files of an uninterrupted run."""
    out = tmp_path_factory.mktemp("reference")
    assert main([*_argv(out), "--quiet"]) == 0
    return _files_in(out)


# ---------------------------------------------------------------------------
# Ctrl-C
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("line, delay", [
    pytest.param("] read ", 0.0, id="while-cleaning"),
    pytest.param("] draw ", 0.0, id="write-phase-start"),
    pytest.param("] draw ", 0.25, id="write-phase-early"),
    pytest.param("] draw ", 0.6, id="write-phase-late"),
])
def test_ctrl_c_stops_with_130_and_leaves_no_partial_file(tmp_path, line, delay):
    out = tmp_path / "out"
    code, stderr, sent = _signal_after(out, line, delay, signal.SIGINT)
    assert sent, "the report ended before the signal; the moment is too late to test"
    assert code == 130, stderr
    assert stderr.rstrip().splitlines()[-1] == ("survey-kit report: interrupted; no partial "
                                                "output was left")
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert _temporaries(out) == []
    _check_left_behind(out)


def test_interrupt_swallowed_in_a_finaliser_still_stops(tmp_path, monkeypatch, capsys):
    """SIGINT handled inside ``__del__`` (as inside a weakref callback) raises a
    KeyboardInterrupt that Python only prints; the next write stops the command."""
    import survey_kit.cli.report as command

    _main_thread_only()
    reached = []

    def run(args):
        class Finalised:
            def __del__(self):
                os.kill(os.getpid(), signal.SIGINT)

        Finalised()                          # the interrupt is raised and lost in __del__
        reached.append("after the lost interrupt")
        _files.write_text(tmp_path / "out" / "late.txt", "must not be written")
        return 0

    monkeypatch.setattr(command, "run", run)
    before = signal.getsignal(signal.SIGINT)
    assert main(["report", "--out", str(tmp_path / "out")]) == 130
    assert reached                           # the interrupt really was swallowed ...
    assert not (tmp_path / "out" / "late.txt").exists()   # ... and still stopped the write
    err = capsys.readouterr().err
    assert "interrupted" in err and "Exception ignored" not in err
    assert signal.getsignal(signal.SIGINT) is before          # the handler is put back


def test_interrupt_lost_after_the_last_write_still_exits_130(monkeypatch, capsys):
    import survey_kit.cli.report as command

    _main_thread_only()
    def run(args):
        class Finalised:
            def __del__(self):
                os.kill(os.getpid(), signal.SIGINT)

        Finalised()
        return 0

    monkeypatch.setattr(command, "run", run)
    assert main(["report"]) == 130
    assert capsys.readouterr().err.strip() == ("survey-kit report: interrupted; no partial "
                                               "output was left")


@pytest.mark.parametrize("moment", ["fill", "rename"])
def test_interrupt_inside_a_write_removes_its_temporary(tmp_path, monkeypatch, moment):
    target = tmp_path / "table.csv"
    target.write_text("old\n")
    if moment == "rename":
        def replace(src, dst):
            raise KeyboardInterrupt
        monkeypatch.setattr(_files.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        with _files.atomic_write(target) as tmp:
            tmp.write_text("half")
            if moment == "fill":
                raise KeyboardInterrupt
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_interrupt_while_the_temporary_is_created_leaves_nothing(tmp_path, monkeypatch):
    """The temporary's name is known before it exists: an interrupt right after the
    operating system created it (before Python got the handle back) still removes it."""
    real_open = os.open

    def interrupted_open(path, flags, mode=0o777):
        os.close(real_open(path, flags, mode))
        raise KeyboardInterrupt

    monkeypatch.setattr(_files.os, "open", interrupted_open)
    with pytest.raises(KeyboardInterrupt):
        _files.write_text(tmp_path / "table.csv", "x")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# kill -9
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("line, delay", [
    pytest.param("] draw ", 0.05, id="write-phase-start"),
    pytest.param("] draw ", 0.4, id="write-phase-middle"),
    pytest.param("] write ", 0.0, id="writing-the-summary"),
])
def test_kill_leaves_readable_files_and_a_rerun_repairs_everything(tmp_path, reference,
                                                                   capsys, line, delay):
    out = tmp_path / "out"
    code, stderr, sent = _signal_after(out, line, delay, signal.SIGKILL)
    assert line in stderr and "Traceback" not in stderr, stderr
    assert code == (-signal.SIGKILL if sent else 0), stderr   # (not sent: it had finished)
    _check_left_behind(out)
    # a stale temporary of the kind a kill leaves (also of the manifest) is removed
    stale = [out / SID / ".appendix.md.0123456789abcdef.tmp",
             out / SID / f".{_files.MANIFEST}.0123456789abcdef.tmp"]
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("half")
    assert main(_argv(out)) == 0, capsys.readouterr().err
    assert _temporaries(out) == []
    assert _files_in(out) == reference


def test_a_file_renamed_into_place_is_already_listed(tmp_path, monkeypatch):
    """The manifest names a file before it appears, so a kill between the two never
    leaves a file of survey-kit's that a re-run refuses to replace."""
    seen = []
    real = os.replace

    def spy(src, dst):
        if Path(dst).name != _files.MANIFEST:
            seen.append(Path(dst).name in _files._manifest(Path(dst).parent))
        return real(src, dst)

    monkeypatch.setattr(_files.os, "replace", spy)
    with _files.output_policy():
        _files.write_text(tmp_path / "a.csv", "1\n")
        _files.write_text(tmp_path / "b.csv", "2\n")
    assert seen == [True, True]

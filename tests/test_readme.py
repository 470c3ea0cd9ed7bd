"""The README's library example runs as written (from the repository root)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_library_example_runs(tmp_path, monkeypatch, capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "out").mkdir()
    for name in ("questionnaires", "sample_data"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "Rao-Scott" in printed
    assert (tmp_path / "out" / "foreign_share_by_exports.xlsx").stat().st_size > 0


def test_readme_quick_start_names_the_two_make_targets():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "make report" in text and "make test" in text
    assert re.search(r"^report:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_out_of_core_example_runs(tmp_path, monkeypatch, capsys):
    """The example of "Data beyond memory" (the block with clean_parquet) runs as written."""
    import pytest

    pytest.importorskip("duckdb")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S)
                 if "clean_parquet" in b)
    (tmp_path / "out").mkdir()
    for name in ("questionnaires", "sample_data"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "Rao & Scott" in printed and "Effective base" in printed
    assert (tmp_path / "out" / "export_kept.parquet").stat().st_size > 0
    assert (tmp_path / "out" / "weighted.parquet").stat().st_size > 0

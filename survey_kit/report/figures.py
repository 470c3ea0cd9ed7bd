"""Figures of headline results: labelled bar charts with design-based 95% CIs.

One figure per headline table (:func:`draw_figures`, from its banner table):
horizontal bars of (weighted) percentages, one bar per level and group, the
percentage printed at each bar, the 95% confidence interval as an error bar,
the base sizes and source line in the caption (:func:`bar_figure` draws one
from a tidy frame). Japanese labels are drawn with IPAexGothic, the font shipped by the
``matplotlib-fontja`` dependency (registered with matplotlib's font manager
without importing that package, whose import changes global settings).

matplotlib is imported inside the functions (Agg backend, a ``Figure`` without
pyplot) so ``import survey_kit`` stays fast; the bars are drawn with matplotlib
directly (seaborn's barplot cost as much as the rest of a figure) in seaborn's
colour-blind palette. Japanese labels break at phrase boundaries (BudouX),
never inside a word.

Example
-------
>>> import pandas as pd
>>> from survey_kit.report.figures import bar_figure
>>> tidy = pd.DataFrame({"level": ["Yes", "No"], "group": ["Total", "Total"],
...                      "pct": [62.0, 38.0], "ci_low": [55.1, 31.2],
...                      "ci_high": [68.4, 44.9]})
>>> fig = bar_figure(tidy, title="Uses cloud", caption="Base: all firms (n = 200)")
>>> fig.png[:4] == b"\\x89PNG"
True

Notes
-----
Output is deterministic: PNG and SVG carry no creation date and the SVG ids
are hashed with a fixed salt, so the same data give the same files. The SVG
holds its labels as text (``svg.fonttype = "none"``), not as glyph outlines,
so they can be searched, copied and edited; the font is named in the file.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import write_bytes, write_text
from ..errors import ReportError
from ..tables.document import FigureDoc

__all__ = ["FIGURE_DPI", "bar_figure", "draw_figures", "font_path", "japanese_font",
           "save_figure"]

FIGURE_DPI = 200
_SALT = "survey_kit"
_TOTAL_COLOUR = "#4a4a4a"
#: seaborn's "colorblind" palette (after Okabe and Ito), as hex colours
_COLORBLIND = ("#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4",
               "#949494", "#ece133", "#56b4e9")


def font_path() -> Path:
    """Path of IPAexGothic (``ipaexg.ttf``) shipped by ``matplotlib-fontja``.

    Raises
    ------
    ReportError
        If the package is not installed or the font file is missing.
    """
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise ReportError("Japanese figures need the font package 'matplotlib-fontja'; "
                          "install it with: pip install matplotlib-fontja")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "ipaexg.ttf"
    if not path.is_file():
        raise ReportError("the IPAexGothic font file is missing; reinstall "
                          "matplotlib-fontja", file=path)
    return path


@functools.lru_cache(maxsize=1)
def japanese_font() -> str:
    """Register IPAexGothic with matplotlib (once) and return its family name."""
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _rc(lang: str) -> dict:
    rc = {
        "svg.hashsalt": _SALT,
        # real <text> elements, not glyph outlines: the SVG stays searchable, selectable
        # and editable, and is much smaller; a viewer draws it with the named font or
        # its own sans-serif
        "svg.fonttype": "none",
        "font.size": 9,
        "axes.titlesize": 11,
        "axes.titleweight": "bold" if lang != "ja" else "normal",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": False,
    }
    if lang == "ja":
        rc["font.family"] = [japanese_font(), "DejaVu Sans", "sans-serif"]
    else:
        rc["font.family"] = ["DejaVu Sans", "sans-serif"]
    return rc


def _width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count 2."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


@functools.lru_cache(maxsize=1)
def _ja_parser() -> Any:
    """BudouX's Japanese phrase model (loaded once)."""
    import budoux

    return budoux.load_default_japanese_parser()


def _chunks(text: str) -> list[str]:
    """Units a line may break between: BudouX phrases of Japanese text (a phrase is a word
    with its particles), each Latin word with the space after it."""
    out: list[str] = []
    for phrase in _ja_parser().parse(text):
        out += [p for p in phrase.replace(" ", " \x00").split("\x00") if p]
    return out


def _wrap(text: str, width: int, lang: str = "en") -> str:
    """Wrap at ``width`` display columns: at spaces for Latin text; Japanese text at
    phrase boundaries found by BudouX (never inside a word), a phrase longer than a
    line being the only one split.

    >>> print(_wrap("外国サービスが利用できない場合の影響", 16, "ja"))
    外国サービスが
    利用できない
    場合の影響
    """
    text = str(text)
    if _width(text) == len(text):       # no wide characters: break at spaces
        return "\n".join(textwrap.wrap(text, width)) or text
    lines, cur, cw = [], "", 0
    for chunk in _chunks(text):
        w = _width(chunk)
        if cw + w > width and cur.strip():
            lines.append(cur)
            cur, cw = "", 0
        while w > width:                # a phrase wider than a line: split it
            cut, cut_w = "", 0
            for ch in chunk:
                if cut_w + _width(ch) > width:
                    break
                cut, cut_w = cut + ch, cut_w + _width(ch)
            lines.append(cut)
            chunk, w = chunk[len(cut):], w - cut_w
        cur += chunk
        cw += w
    lines.append(cur)
    return "\n".join(line.strip() for line in lines if line.strip())


def bar_figure(tidy: pd.DataFrame, *, title: str, caption: str, lang: str = "en",
               xlabel: str = "%", name: str = "figure",
               levels: Sequence[str] | None = None,
               groups: Sequence[str] | None = None,
               legend_title: str | None = None) -> FigureDoc:
    """Draw a horizontal grouped bar chart of percentages with 95% CIs.

    Parameters
    ----------
    tidy : pandas.DataFrame
        One row per (level, group) with columns ``level`` and ``group``
        (labels), ``pct`` (0-100) and optionally ``ci_low``, ``ci_high``.
        Missing ``pct`` (an empty group) draws no bar.
    title, caption : str
        Title above the plot; caption (bases, method, source) below it.
    lang : {"en", "ja"}
        ``"ja"`` draws with IPAexGothic so Japanese labels render.
    xlabel : str
        Axis label of the percentages.
    name : str
        Identifier of the figure (file stem when saved).
    levels, groups : sequence of str, optional
        Order of the bars (default: order of first appearance).
    legend_title : str, optional
        Title of the legend of the groups (e.g. the banner variable's label).

    Returns
    -------
    FigureDoc
        PNG bytes (200 dpi), SVG text, title and caption.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    need = {"level", "group", "pct"}
    if not need <= set(tidy.columns):
        raise ReportError(f"figure {name!r}: the data need columns level, group, pct; got "
                          f"{', '.join(map(str, tidy.columns))}")
    levels = list(dict.fromkeys(tidy["level"])) if levels is None else list(levels)
    groups = list(dict.fromkeys(tidy["group"])) if groups is None else list(groups)
    if not levels or not groups:
        raise ReportError(f"figure {name!r}: nothing to draw (no levels or groups)")
    wrapped = {lv: _wrap(lv, 26, lang) for lv in levels}
    full = _bars(tidy, levels, groups, wrapped)
    nbars = len(levels) * len(groups)
    height = float(np.clip(1.3 + 0.24 * nbars + 0.12 * len(levels), 2.6, 11.5))
    with matplotlib.rc_context(_rc(lang)), warnings.catch_warnings():
        # a Figure without pyplot: no global figure manager, nothing to close
        fig = Figure(figsize=(8.0, height))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        _draw_bars(ax, full, levels, groups, wrapped)
        top = _annotate(ax, full, levels, groups)
        ax.set_xlim(0, min(110.0, top * 1.14 + 4))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("")
        ax.set_title(_wrap(title, 76, lang), loc="left")
        if len(groups) > 1:
            handles, labs = ax.get_legend_handles_labels()
            ax.legend(handles, [_wrap(x, 30, lang) for x in labs],
                      title=_wrap(legend_title, 30, lang) if legend_title else None,
                      frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
                      title_fontsize=8, alignment="left")
        png, svg = _render(fig, ax, caption, lang)
    alt = (f"{title}：{'、'.join(groups)}別の割合の棒グラフ" if lang == "ja"
           else f"{title}: bar chart of percentages by {', '.join(groups)}")
    return FigureDoc(name=name, title=title, caption=caption, png=png, svg=svg, alt=alt)


def _bars(tidy: pd.DataFrame, levels: list[str], groups: list[str],
          wrapped: dict[str, str]) -> pd.DataFrame:
    """One row per (level, group) in drawing order; ``plot`` is 0 where ``pct`` is missing."""
    full = (pd.MultiIndex.from_product([levels, groups], names=["level", "group"])
            .to_frame(index=False)
            .merge(tidy, on=["level", "group"], how="left"))
    for col in ("ci_low", "ci_high"):
        if col not in full:
            full[col] = np.nan
    full["plot"] = full["pct"].fillna(0.0)
    full["ylab"] = full["level"].map(wrapped)
    return full


def _palette(groups: list[str]) -> list:
    """Colour-blind palette; the total (first of more than two groups) in dark grey."""
    if len(groups) == 1:
        return [_TOTAL_COLOUR]
    base = [_COLORBLIND[i % len(_COLORBLIND)] for i in range(len(groups))]
    return [_TOTAL_COLOUR if g == groups[0] and len(groups) > 2 else c
            for g, c in zip(groups, base)]


def _draw_bars(ax: Any, full: pd.DataFrame, levels: list[str], groups: list[str],
               wrapped: dict[str, str]) -> None:
    """Horizontal bars, one per (level, group): the levels top to bottom, the groups side
    by side within a level (one bar container per group, in order)."""
    n_g = len(groups)
    h = 0.8 / n_g
    ys = np.arange(len(levels), dtype=float)
    for g, (grp, colour) in enumerate(zip(groups, _palette(groups))):
        sub = full[full["group"] == grp].set_index("level").loc[levels]
        ax.barh(ys - 0.4 + h * (g + 0.5), sub["plot"].to_numpy(dtype=float), height=h,
                color=colour, label=grp, zorder=2)
    ax.set_yticks(ys, [wrapped[lv] for lv in levels])
    ax.set_ylim(len(levels) - 0.5, -0.5)             # the first level on top
    ax.grid(axis="x", color=".9", zorder=0)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)


def _annotate(ax: Any, full: pd.DataFrame, levels: list[str], groups: list[str]) -> float:
    """Draw the 95% CIs as error bars and the percentage beside each bar; return the
    right-most value drawn (for the axis limit)."""
    top = float(np.nanmax(np.r_[full["ci_high"].to_numpy(dtype=float),
                                full["plot"].to_numpy(dtype=float), 1.0]))
    pad = top * 0.012 + 0.4
    for g_i, container in enumerate(ax.containers[: len(groups)]):
        sub = full[full["group"] == groups[g_i]].set_index("level").loc[levels]
        ys = np.array([p.get_y() + p.get_height() / 2 for p in container.patches])
        pct = sub["pct"].to_numpy(dtype=float)
        lo = sub["ci_low"].to_numpy(dtype=float)
        hi = sub["ci_high"].to_numpy(dtype=float)
        has_ci = np.isfinite(pct) & np.isfinite(lo) & np.isfinite(hi)
        if has_ci.any():
            ax.errorbar(pct[has_ci], ys[has_ci],
                        xerr=np.vstack([pct[has_ci] - lo[has_ci], hi[has_ci] - pct[has_ci]]),
                        fmt="none", ecolor="#222222", elinewidth=0.8,
                        capsize=2.0, capthick=0.8, zorder=3)
        right = np.where(has_ci, np.fmax(pct, hi), pct)
        for y, r, v in zip(ys, right, pct):
            if np.isfinite(v):
                ax.text(r + pad, y, f"{v:.0f}%", va="center", ha="left",
                        fontsize=7.5, color="#222222")
    return top


def _render(fig: Any, ax: Any, caption: str, lang: str) -> tuple[bytes, str]:
    """Place the caption under the x-axis label and render (PNG bytes, SVG text)."""
    wrapped_caption = "\n".join(_wrap(part, 120, lang) for part in caption.split("\n"))
    # the caption goes under the x-axis label: place it after one draw
    renderer = fig.canvas.get_renderer()
    ax_box = ax.get_tightbbox(renderer).transformed(fig.transFigure.inverted())
    fig.text(0.01, ax_box.y0 - 0.01, wrapped_caption, ha="left", va="top",
             fontsize=7, color="#444444", transform=fig.transFigure)
    bbox = fig.get_tightbbox(renderer).padded(0.08)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=FIGURE_DPI, bbox_inches=bbox,
                metadata={"Software": None}, facecolor="white",
                pil_kwargs={"compress_level": 2})   # 3-4x faster to encode than 6; ~10% larger
    svg = io.StringIO()
    fig.savefig(svg, format="svg", bbox_inches=bbox,
                metadata={"Date": None, "Creator": None}, facecolor="white")
    return png.getvalue(), svg.getvalue()


def save_figure(fig: FigureDoc, folder: str | Path) -> tuple[Path, Path]:
    """Write ``<name>.png`` and ``<name>.svg`` into ``folder`` atomically."""
    folder = Path(folder)
    png = write_bytes(folder / f"{fig.name}.png", fig.png)
    svg = write_text(folder / f"{fig.name}.svg", fig.svg)
    return png, svg


# ---------------------------------------------------------------------------
# the figures of the appendix: one per banner table
# ---------------------------------------------------------------------------

def draw_figures(tables: Mapping[str, Any], *, lang: str = "en",
                 source: str = "") -> dict[str, FigureDoc]:
    """One bar chart per banner table: percentages, 95% CIs, bases and source in the caption.

    Parameters
    ----------
    tables : mapping of str -> Crosstab
        Banner tables with confidence intervals, by name (the figure's name).
    lang : {"en", "ja"}
    source : str
        Source line appended to each caption. Whether the percentages are weighted is
        said as each table is (``Crosstab.weighted``).

    Returns
    -------
    dict of str -> FigureDoc
    """
    out = {}
    for name, ct in tables.items():
        tidy, levels, groups = _figure_tidy(ct)
        banner = ct.columns.loc[ct.columns["banner_variable"] != "total", "banner_label"]
        out[name] = bar_figure(tidy, title=ct.title, levels=levels, groups=groups,
                               legend_title=str(banner.iloc[0]) if len(banner) else None,
                               caption=_caption(ct, source, lang), lang=lang,
                               name=name, xlabel="％" if lang == "ja" else "%")
    return out


def _figure_tidy(ct: Any) -> tuple[pd.DataFrame, list[str], list[str]]:
    """(level, group, pct, CI) rows of a banner table, its levels and its groups in order."""
    cells = ct.cells
    rows = cells[cells["row_kind"].isin(["level", "option", "net"])]
    order_cols = list(ct.columns["column_label"].astype(str))
    tidy = pd.DataFrame({"level": rows["row_label"].astype(str).to_numpy(),
                         "group": rows["column_label"].astype(str).to_numpy(),
                         "pct": rows["percent"].to_numpy(dtype=float),
                         "ci_low": rows["ci_low"].to_numpy(dtype=float),
                         "ci_high": rows["ci_high"].to_numpy(dtype=float)})
    # a banner level nobody is in (e.g. a screened-out category) draws no bars: leave it out
    empty = tidy.groupby("group", sort=False)["pct"].apply(lambda s: s.isna().all())
    drop = set(empty[empty].index)
    tidy = tidy[~tidy["group"].isin(drop)]
    levels = list(dict.fromkeys(tidy["level"]))
    return tidy, levels, [c for c in order_cols if c not in drop]


def _caption(ct: Any, source: str, lang: str) -> str:
    """Bases (unweighted n per column), what the bars and error bars show, the source."""
    cells = ct.cells
    first = cells[cells["row_variable"] == cells["row_variable"].iloc[0]]
    first = first.drop_duplicates(["banner_variable", "column_level"])
    sep = "、" if lang == "ja" else "; "
    bases = sep.join(f"{c['column_label']} {int(c['unweighted_base'])}"
                     for _, c in first.iterrows())
    if lang == "ja":
        lines = [f"回答者数（非加重）：{bases}。",
                 ("加重後の割合。" if ct.weighted else "非加重の割合。")
                 + "誤差棒は95％信頼区間（デザインベース、線形化法）。"]
    else:
        lines = [f"Base: respondents answering (unweighted n): {bases}.",
                 ("Weighted" if ct.weighted else "Unweighted") + " percentages; error bars: 95% "
                 "confidence intervals (design-based, linearization, logit scale)."]
    if source:
        lines.append(source)
    return "\n".join(lines)

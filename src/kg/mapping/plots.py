"""Overlap maps as figures: the document heatmap, unit coverage and a network of documents.

Needs the `notebooks` extra (matplotlib, networkx), imported on first use. Labels
are the documents' Chinese titles when a CJK font is installed (Debian:
fonts-noto-cjk); without one, a warning says so and the labels fall back to codes,
which every font can draw.
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas

from kg.errors import KgError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Traditional Chinese first: the same characters look right in the TC face.
CJK_FONTS = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Noto Sans CJK HK",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans TC",
    "Microsoft JhengHei",
    "PingFang TC",
    "WenQuanYi Zen Hei",
)
CJK_FILES = ("NotoSansCJK", "NotoSansTC", "SourceHanSans", "wqy-zenhei", "msjh", "PingFang")
KIND_COLOURS = {"standard": "#1f77b4", "unit": "#ff7f0e"}


def _pyplot() -> Any:
    """matplotlib's pyplot on the backend already chosen: Jupyter's inline one in a notebook, so
    figures show there, and Agg on a machine without a display (matplotlib's own fallback)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise KgError("plots need matplotlib: pip install 'kg[notebooks]'") from None
    return plt


@cache
def cjk_font() -> str | None:
    """The first installed font that draws Chinese, or None (with a warning) when there is none."""
    from matplotlib import font_manager

    for attempt in range(2):
        installed = {font.name for font in font_manager.fontManager.ttflist}
        for name in CJK_FONTS:
            if name in installed:
                return name
        if attempt == 0:  # a font installed after matplotlib cached its list: add it now
            for path in font_manager.findSystemFonts():
                if any(part in Path(path).name for part in CJK_FILES):
                    font_manager.fontManager.addfont(path)
    warnings.warn(
        "no CJK font found (install fonts-noto-cjk): figures label documents by code instead of title",
        stacklevel=2,
    )
    return None


def _labels(codes: list[str], titles: dict[str, str | None] | None) -> list[str]:
    """'code title' when a CJK font can draw the title; the code alone otherwise."""
    if not titles or cjk_font() is None:
        return codes
    return [f"{code} {titles.get(code) or ''}".strip() for code in codes]


def _style(plt: Any) -> None:
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]
        plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False


def overlap_heatmap(matrix: pandas.DataFrame, titles: dict[str, str | None] | None = None) -> Figure:
    """Each cell: the share of the row document's items matched in the column document."""
    plt = _pyplot()
    _style(plt)
    codes = list(matrix.index)
    size = max(5.0, 1.0 + 1.1 * len(codes))
    figure, axes = plt.subplots(figsize=(size + 2, size))
    image = axes.imshow(matrix.to_numpy(dtype=float), vmin=0, vmax=1, cmap="Blues")
    labels = _labels(codes, titles)
    axes.set_xticks(range(len(codes)), labels=labels, rotation=40, ha="right")
    axes.set_yticks(range(len(codes)), labels=labels)
    for row in range(len(codes)):
        for column in range(len(codes)):
            share = float(matrix.iat[row, column])
            axes.text(
                column,
                row,
                f"{share:.0%}",
                ha="center",
                va="center",
                color="white" if share > 0.6 else "black",
                fontsize=9,
            )
    figure.colorbar(image, ax=axes, label="share of the row document's items matched")
    axes.set_title("文件重疊 Document overlap (row items matched in column)")
    figure.tight_layout()
    return figure


def coverage_chart(coverage: pandas.DataFrame) -> Figure:
    """For each unit and standard: how much of the unit the best task covers (50% = incorporated)."""
    plt = _pyplot()
    _style(plt)
    rows = coverage.sort_values("coverage")
    labels = [
        f"{r.unit} → {r.standard} {r.task if isinstance(r.task, str) else ''}".strip()
        for r in rows.itertuples()
    ]
    if cjk_font() is not None:
        labels = [
            f"{label} {r.task_title}" if isinstance(r.task_title, str) else label
            for label, r in zip(labels, rows.itertuples(), strict=True)
        ]
    figure, axes = plt.subplots(figsize=(10, 1.2 + 0.55 * max(len(rows), 1)))
    colours = ["#2ca02c" if flag else "#9e9e9e" for flag in rows["incorporated"]]
    axes.barh(range(len(rows)), rows["coverage"], color=colours)
    axes.set_yticks(range(len(rows)), labels=labels)
    axes.axvline(0.5, color="#d62728", linestyle="--", linewidth=1)
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of the unit's items matched inside the task (green: incorporated)")
    axes.set_title("單元納入職能基準 Unit coverage by standards' tasks")
    figure.tight_layout()
    return figure


def overlap_network(
    matrix: pandas.DataFrame,
    kinds: dict[str, str],
    titles: dict[str, str | None] | None = None,
    min_share: float = 0.05,
) -> Figure:
    """Documents as nodes (standards and units), linked when they share at least `min_share` of
    items either way; thicker lines for more overlap."""
    plt = _pyplot()
    _style(plt)
    try:
        import networkx
    except ImportError:
        raise KgError("the network picture needs networkx: pip install 'kg[notebooks]'") from None
    graph = networkx.Graph()
    codes = list(matrix.index)
    graph.add_nodes_from(codes)
    for i, x in enumerate(codes):
        for y in codes[i + 1 :]:
            share = max(float(matrix.loc[x, y]), float(matrix.loc[y, x]))
            if share >= min_share:
                graph.add_edge(x, y, weight=share)
    positions = networkx.spring_layout(graph, seed=7, weight="weight")
    figure, axes = plt.subplots(figsize=(9, 7))
    widths = [1 + 12 * graph.edges[e]["weight"] for e in graph.edges]
    networkx.draw_networkx_edges(graph, positions, ax=axes, width=widths, edge_color="#888888", alpha=0.7)
    networkx.draw_networkx_edge_labels(
        graph,
        positions,
        ax=axes,
        font_size=8,
        edge_labels={e: f"{graph.edges[e]['weight']:.0%}" for e in graph.edges},
    )
    colours = [KIND_COLOURS.get(kinds.get(code, ""), "#7f7f7f") for code in codes]
    networkx.draw_networkx_nodes(graph, positions, ax=axes, node_color=colours, node_size=900)
    font = cjk_font() or "sans-serif"
    below = {code: (x, y - 0.14) for code, (x, y) in positions.items()}  # labels under their nodes
    networkx.draw_networkx_labels(
        graph,
        below,
        ax=axes,
        font_size=9,
        font_family=font,
        labels=dict(
            zip(codes, [label.replace(" ", "\n", 1) for label in _labels(codes, titles)], strict=True)
        ),
    )
    for kind, colour in KIND_COLOURS.items():
        axes.scatter([], [], color=colour, label=kind)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.margins(0.18)
    axes.set_title("共享項目的文件網絡 Documents linked by shared items")
    axes.axis("off")
    figure.tight_layout()
    return figure


def save_figure(figure: Figure, path: str | Path) -> Path:
    """Save a figure as PNG (creating the folder), and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    return path

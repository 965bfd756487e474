"""Course coverage as a figure: per task, the share of its indicators the course covers.

Needs the `notebooks` extra (matplotlib), imported on first use; Chinese task titles
are drawn when a CJK font is installed (`kg.mapping.plots.cjk_font`), codes otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.course.report import CourseCoverage
from kg.errors import KgError
from kg.mapping.plots import cjk_font

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COVERED = "#2ca02c"
GAP = "#d62728"


def coverage_bars(coverage: CourseCoverage, document: str | None = None) -> Figure:
    """One bar per task of the document (default: the first covered): the share of its indicators
    covered; tasks no course line reaches are red and marked 缺口 (gap)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise KgError("plots need matplotlib: pip install 'kg[notebooks]'") from None
    chosen = [d for d in coverage.documents if document in (None, d.document)]
    if not chosen:
        raise KgError(
            f"the coverage has no document {document!r}: it covers {[d.document for d in coverage.documents]}"
        )
    covered = chosen[0]
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]
        plt.rcParams["font.family"] = "sans-serif"
    tasks = covered.of_kind("task")[::-1]  # the first task on top
    shares = [t.indicators_covered / t.indicators if t.indicators else float(t.covered) for t in tasks]
    labels = [f"{t.code} {t.text}" if font else t.code for t in tasks]
    figure, axes = plt.subplots(figsize=(10, 1.2 + 0.5 * max(len(tasks), 1)))
    axes.barh(range(len(tasks)), shares, color=[COVERED if t.covered else GAP for t in tasks])
    for row, (task, share) in enumerate(zip(tasks, shares, strict=True)):
        note = f"{task.indicators_covered}/{task.indicators}" if task.indicators else ""
        axes.text(share + 0.01, row, note + ("" if task.covered else "  缺口 gap"), va="center", fontsize=9)
    axes.set_yticks(range(len(tasks)), labels=labels)
    axes.set_xlim(0, 1.15)
    axes.set_xlabel("share of the task's indicators covered by a course line (red: a gap)")
    axes.set_title(f"課程涵蓋 Course coverage of {covered.document} {covered.title if font else ''}".strip())
    figure.tight_layout()
    return figure

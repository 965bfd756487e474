"""Overlap figures: Chinese titles with a CJK font, codes and a warning without one."""

from __future__ import annotations

import pytest

import kg
from kg.mapping import plots

pytest.importorskip("matplotlib")


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(plots, "CJK_FONTS", ("No Such Font",))
    plots.cjk_font.cache_clear()
    yield
    plots.cjk_font.cache_clear()


def tick_labels(figure) -> list[str]:
    return [label.get_text() for label in figure.axes[0].get_yticklabels()]


def test_the_heatmap_labels_documents_with_their_chinese_titles(built, tmp_path):
    assert plots.cjk_font() is not None, "install fonts-noto-cjk (CI does)"
    figure = kg.overlap_heatmap(kg.open(settings=built).matrix(), built)
    assert "KMM5R0915v2 發展客戶服務的行銷策略" in tick_labels(figure)
    path = kg.save_figure(figure, tmp_path / "nested" / "heatmap.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_a_cjk_font_labels_fall_back_to_codes_with_a_warning(built, no_cjk_font):
    with pytest.warns(UserWarning, match="no CJK font found"):
        figure = kg.overlap_heatmap(kg.open(settings=built).matrix(), built)
    assert tick_labels(figure) == sorted(kg.documents(built)["code"])


def test_coverage_and_network_figures_draw_every_document(built):
    coverage = kg.coverage_chart(kg.open(settings=built).coverage())
    assert any("KMM5R0915v2 → BAS1499-003 T2" in label for label in tick_labels(coverage))
    network = kg.overlap_network(kg.open(settings=built).matrix(), built)
    texts = {text.get_text() for text in network.axes[0].texts}
    assert all(any(code in text for text in texts) for code in kg.documents(built)["code"])


def test_drawing_a_figure_leaves_the_backend_alone(built):
    """Jupyter's inline backend must survive a kg figure, or neither it nor the user's plots would show."""
    import matplotlib

    before = matplotlib.get_backend()
    matplotlib.use("svg")  # stands in for Jupyter's inline backend: any backend but Agg
    try:
        kg.overlap_heatmap(kg.open(settings=built).matrix(), built)
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)

"""Rules for documents as real iCAP files print them, whatever the format: several codes in
one classification cell, Kangxi radicals from PDF text extraction, full-width and half-width
colons and parentheses, and the shared table model's own rules (pages, list markers, escapes).

Each is shown on a small document of our own, written inline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kg.errors import ParseError
from kg.graph.convert import document_graph
from kg.graph.vocabulary import KG, Iris
from kg.parse import parse_layout, parse_text
from kg.parse.layout import Block, Layout, join_wrapped, list_item, normalise_code_points
from kg.parse.model import Document
from test_parse_rules import SIMPLE_ROW, row, standard


def with_classification(occupation: tuple[str, str], industry: tuple[str, str]) -> str:
    return standard(
        SIMPLE_ROW,
        fields=(
            row("職能基準代碼", "", "TST0001-001", "", ""),
            row("職能基準名稱 (擇一填寫)", "", "職類", "", ""),
            row("", "", "職業", "測試人員", ""),
            row("所屬類別", "職類別", "企業經營管理", "職類別代碼", "BAS"),
            row("", "職業別", occupation[0], "職業別代碼", occupation[1]),
            row("", "行業別", industry[0], "行業別代碼", industry[1]),
            row("基準級別", "", "3", "", ""),
        ),
    )


def concepts(doc: Document, name: str) -> list[tuple[str | None, str | None]]:
    return [(c.name, c.code) for c in getattr(doc, name)]


def test_several_occupation_codes_in_one_cell_pair_with_their_names() -> None:
    doc = parse_text(
        with_classification(("其他工程專業人員、機械工程師", "2149、2144"), ("製造業", "C29")), "t"
    )
    assert concepts(doc, "occupations") == [("其他工程專業人員", "2149"), ("機械工程師", "2144")]
    assert (doc.occupation.name, doc.occupation.code) == ("其他工程專業人員", "2149")  # type: ignore[union-attr]


def test_several_industry_codes_separated_by_semicolons_keep_the_whole_name_on_the_first() -> None:
    doc = parse_text(
        with_classification(("電信工程師", "2153"), ("製造業／電子零組件", "C22; C25; C29")), "t"
    )
    assert concepts(doc, "industries") == [("製造業／電子零組件", "C22"), (None, "C25"), (None, "C29")]
    assert doc.industry is not None and doc.industry.code == "C22"


def test_codes_one_per_line_in_a_cell_are_several_codes() -> None:
    layout = Layout.from_blocks(
        [
            Block(["職能基準代碼", "", "TST0001-001", "", ""]),
            Block(["職能基準名稱 (擇一填寫)", "", "職業", "測試人員", ""]),
            Block(["所屬類別", "職業別", "其他工程專業人員\n機械工程師", "職業別代碼", "2149\n2144"]),
            Block(["基準級別", "", "3", "", ""]),
            Block([]),
            *(Block(line.split("\t")) for line in standard(SIMPLE_ROW).split("\n")[7:9]),
        ],
        "test",
    )
    doc = parse_layout(layout, "t.test")
    # Names one per line cannot be told from one name wrapped in the cell: the first code takes it.
    assert concepts(doc, "occupations") == [("其他工程專業人員機械工程師", "2149"), (None, "2144")]


def test_names_that_do_not_split_like_the_codes_stay_whole_on_the_first_code() -> None:
    doc = parse_text(
        with_classification(("電影、舞台及有關導演與製作人", "2654、3439、2651"), ("製造業", "C29")), "t"
    )
    assert concepts(doc, "occupations") == [
        ("電影、舞台及有關導演與製作人", "2654"),
        (None, "3439"),
        (None, "2651"),
    ]


def test_a_single_code_with_a_name_holding_a_comma_is_one_concept() -> None:
    doc = parse_text(with_classification(("電影、舞台及有關導演與製作人", "2654"), ("製造業", "C29")), "t")
    assert concepts(doc, "occupations") == [("電影、舞台及有關導演與製作人", "2654")]


def test_every_occupation_and_industry_is_linked_in_the_graph() -> None:
    text = with_classification(("其他工程專業人員、機械工程師", "2149、2144"), ("製造業", "C22; C25"))
    iris = Iris("https://example.org/kg/")
    graph = document_graph(parse_text(text, "t.txt"), iris, text.encode())
    document = iris.document("TST0001-001")
    linked = {str(graph.value(o, KG.code)) for o in graph.objects(document, KG.occupation)}
    assert linked == {"2149", "2144"}
    linked = {str(graph.value(o, KG.code)) for o in graph.objects(document, KG.industry)}
    assert linked == {"C22", "C25"}


def test_several_codes_round_trip_through_json() -> None:
    doc = parse_text(with_classification(("A、B", "2149、2144"), ("製造業", "C22; C25")), "t")
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict(), ensure_ascii=False)))
    assert again.to_dict() == doc.to_dict()


def test_kangxi_radicals_become_the_unified_ideographs_and_nothing_else_changes() -> None:
    assert normalise_code_points("⾦融財務／保險 ⼈⼒") == "金融財務／保險 人力"
    untouched = "全形：（）ＡＢ１２ 半形:() ⺠ 兀 𠀀"  # full width, a radical supplement, ext. B
    assert normalise_code_points(untouched) == untouched


def test_kangxi_radicals_in_a_document_are_read_as_unified_ideographs() -> None:
    text = standard(row("T1 ⾦融任務", "T1.1 ⾦融活動", "", "P1.1.1 ⼈⼒指標", "3", "K1 知識", "S1 技能"))
    doc = parse_text(text, "t")
    assert doc.tasks[0].title == "金融任務"
    assert doc.tasks[0].activities[0].indicators[0].text == "人力指標"


def test_full_width_parentheses_and_equals_in_column_labels_are_recognised() -> None:
    header = row(
        "工作任務",
        "工作活動",
        "工作產出",
        "行為指標",
        "職能級別",
        "職能內涵（Ｋ＝knowledge 知識）",
        "職能內涵（Ｓ＝skills 技能）",
    )
    doc = parse_text(standard(SIMPLE_ROW, header=header), "t")
    assert doc.tasks[0].knowledge == ["K1"] and doc.tasks[0].skills == ["S1"]


@pytest.mark.parametrize("colon", ["：", ":"])
def test_attitudes_with_full_or_half_width_colons(colon: str) -> None:
    after = ("", "職能內涵（A=attitude 態度）", f"A01 團隊意識{colon}積極參與")
    doc = parse_text(standard(SIMPLE_ROW, after=after), "t")
    assert [(a.code, a.name, a.text) for a in doc.attitudes] == [("A01", "團隊意識", "積極參與")]


def test_codes_with_leading_zeros_are_kept_as_printed() -> None:
    text = standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "3", "K01 知識 K02 知識二", "S01 技能"))
    doc = parse_text(text, "t")
    assert [k.code for k in doc.knowledge] == ["K01", "K02"] and doc.tasks[0].skills == ["S01"]


# --- the shared table model -------------------------------------------------------------------


def test_blocks_become_tab_separated_lines_with_wrapped_cell_text_on_one_line() -> None:
    layout = Layout.from_blocks([Block(["T1 任務", "第一行\n第二行", ""]), Block(["single"])], "test")
    assert layout.lines == ["T1 任務\t第一行 第二行\t", "single\t"]


def test_cell_text_is_escaped_so_that_markup_stripping_keeps_it() -> None:
    layout = Layout.from_blocks([Block(["a < b & <p>c</p>", "x"])], "test")
    assert layout.lines == ["a &lt; b &amp; &lt;p&gt;c&lt;/p&gt;\tx"]


def test_paragraph_indents_become_nesting_and_pages_a_blank_line() -> None:
    blocks = [
        Block(["說明與補充事項"], page=1, table=False, indent=56.7),
        Block(["● 其他補充說明："], page=1, table=False, indent=56.7),
        Block(["■ 利益關係人"], page=2, table=False, indent=74.2),
    ]
    layout = Layout.from_blocks(blocks, "pdf")
    assert layout.lines == ["說明與補充事項", "● 其他補充說明：", "", " ■ 利益關係人"]
    assert [layout.page_of(n) for n in range(1, 5)] == [1, 1, 2, 2]


@pytest.mark.parametrize(
    ("text", "number", "printed"),
    [
        ("項目", None, "■ 項目"),
        ("項目", 3, "3. 項目"),
        ("● 項目", None, "● 項目"),
        ("1. 項目", 1, "1. 項目"),
        ("一、項目", None, "一、項目"),
        ("(2) 項目", 2, "(2) 項目"),
    ],
)
def test_list_items_keep_a_printed_marker_or_get_one(text: str, number: int | None, printed: str) -> None:
    assert list_item(text, number) == printed


def test_items_read_from_a_paginated_layout_carry_their_page_in_json_and_graph() -> None:
    lines = standard(SIMPLE_ROW).split("\n")
    pages: list[int | None] = [1 if n < 8 else 2 for n in range(len(lines))]  # the table from line 9
    doc = parse_layout(Layout(lines, pages, "pdf"), "t.pdf")
    task = doc.to_dict()["tasks"][0]
    assert task["page"] == 2 and list(task)[list(task).index("line") + 1] == "page"
    iris = Iris("https://example.org/kg/")
    graph = document_graph(doc, iris, b"")
    node = iris.item("TST0001-001", "T1")
    assert graph.value(node, KG.sourcePage) == Literal(
        2, datatype=URIRef("http://www.w3.org/2001/XMLSchema#positiveInteger")
    )


def test_text_sources_have_no_page_in_json_or_graph() -> None:
    doc = parse_text(standard(SIMPLE_ROW), "t.txt")
    assert "page" not in json.dumps(doc.to_dict())
    graph = document_graph(doc, Iris("https://example.org/kg/"), b"")
    assert not list(graph.triples((None, KG.sourcePage, None)))


def test_errors_and_warnings_in_a_paginated_layout_name_the_page() -> None:
    lines = standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "高", "K1 知識", "S1 技能")).split("\n")
    with pytest.raises(ParseError) as caught:
        parse_layout(Layout(lines, [3] * len(lines), "pdf"), "t.pdf")
    assert str(caught.value).startswith("t.pdf: page 3: level '高'")
    stray = standard(SIMPLE_ROW, row("", "", "", "", "", "", "無碼的一行")).split("\n")
    doc = parse_layout(Layout(stray, [4] * len(stray), "pdf"), "t.pdf")
    assert any(w.startswith("t.pdf: page 4: a row that is neither") for w in doc.warnings)


def test_a_unit_read_from_a_bounded_table_is_not_reported_truncated(tmp_path: Path) -> None:
    text = Path("data/raw/BGM4R0172v2.txt").read_text(encoding="utf-8")
    without_end = "\n".join(line for line in text.split("\n") if not line.startswith("--"))
    assert any("closes the table" in w for w in parse_text(without_end, "t.txt").warnings)
    lines = without_end.split("\n")
    assert not any("closes the table" in w for w in parse_layout(Layout(lines, [], "odt"), "t.odt").warnings)


def test_symbol_font_bullets_become_bullets() -> None:
    layout = Layout.from_blocks(
        [Block(["本基準可能跨屬下列行業別：\n\uf09f 住宿及餐飲類"], table=False)], "pdf"
    )
    assert layout.lines == ["本基準可能跨屬下列行業別： ● 住宿及餐飲類"]


@pytest.mark.parametrize(
    ("lines", "text"),
    [
        (["運作客戶", "服務中心"], "運作客戶服務中心"),  # Chinese wraps anywhere: nothing between
        (["具相關工作經驗", "2年以上"], "具相關工作經驗2年以上"),
        (["interactive voice", "response"], "interactive voice response"),  # Latin words: a space
        (["系統 ", "(IVR)"], "系統 (IVR)"),  # the wrap kept the line's own space
        (["K2 解決投訴的技巧：", "■ 客戶行為", "■ 客戶需求"], "K2 解決投訴的技巧：\n■ 客戶行為\n■ 客戶需求"),
        (["1. 確定欄位", "2. 開發和測試"], "1. 確定欄位\n2. 開發和測試"),
        (["P1.1.1 評估性質", "P1.1.2 融入需求"], "P1.1.1 評估性質\nP1.1.2 融入需求"),
        (["", "  單行  ", ""], "單行"),
    ],
)
def test_lines_wrapped_by_the_page_are_joined_as_the_text_was(lines: list[str], text: str) -> None:
    assert join_wrapped(lines) == text

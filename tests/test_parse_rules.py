"""The parser's general rules, each proven on a small hand-written document.

Documents are built inline from tab-separated rows (`row(...)`) so that each test shows
the exact input it depends on. Expected line numbers are looked up in the document text
(`line_of`), never taken from the parser.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from kg.errors import ParseError
from kg.parse import discover, files, parse_file, parse_text

# --- building documents -----------------------------------------------------------------


def row(*cells: str) -> str:
    """One tab-separated table row."""
    return "\t".join(cells)


K_HEAD = "職能內涵 (K=knowledge 知識)"
S_HEAD = "職能內涵 (S=skills 技能)"
TASK_ACTIVITY_HEADER = row("工作任務", "工作活動", "工作產出", "行為指標", "職能級別", K_HEAD, S_HEAD)
DUTY_TASK_HEADER = row("主要職責", "工作任務", "工作產出", "行為指標", "職能級別", K_HEAD, S_HEAD)
SIMPLE_ROW = row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "3", "K1 知識", "S1 技能")


def standard(
    *table: str,
    header: str = TASK_ACTIVITY_HEADER,
    fields: tuple[str, ...] | None = None,
    before: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
) -> str:
    """A 職能基準: optional version table, header fields, the task table, then `after`."""
    if fields is None:
        fields = (
            row("職能基準代碼", "", "TST0001-001", "", ""),
            row("職能基準名稱 (擇一填寫)", "", "職類", "", ""),
            row("", "", "職業", "測試人員", ""),
            row("基準級別", "", "3", "", ""),
        )
    lines = ["測試人員職能基準", "", *before, *fields, "", header, *table, *after]
    return "\n".join(lines) + "\n"


def unit(*rows: str, level: str = "3") -> str:
    """A 職能單元: its header rows followed by `rows`."""
    lines = [
        "",
        row("職能單元代碼", "TST3R0001v1"),
        row("職能單元名稱", "測試 單元"),
        row("領域類別", "測試/測試管理"),
        row("職能單元級別", level),
        *rows,
    ]
    return "\n".join(lines) + "\n"


# The sections every standard ends with (attitudes, notes): without them a document warns
# that it may be truncated, so tests that count warnings end their documents with these.
COMPLETE_END = (
    "",
    "職能內涵 (A=attitude 態度)",
    "A01 團隊意識：積極參與。",
    "",
    "說明與補充事項",
    "- 參考國外資料。",
)


def parse(text: str) -> dict[str, Any]:
    return parse_text(text, "doc.txt").to_dict()


def line_of(text: str, fragment: str) -> int:
    """1-based number of the first line of `text` containing `fragment`."""
    for number, line in enumerate(text.split("\n"), 1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the document")


def activities(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for t in doc["tasks"] for a in t.get("activities", [])]


def find(doc: dict[str, Any], code: str) -> dict[str, Any]:
    pools = [doc["tasks"], activities(doc), doc["knowledge"], doc["skills"], doc["attitudes"], doc["notes"]]
    pools += [a["outputs"] + a["indicators"] for a in activities(doc)]
    pools += [t.get("indicators", []) for t in doc["tasks"]] + [doc.get("assessment", [])]
    found = [item for pool in pools for item in pool if item["code"] == code]
    assert len(found) == 1, f"{code}: expected one item, found {len(found)}"
    return found[0]


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [item["code"] for item in items]


# --- the two standard layouts -----------------------------------------------------------

TASK_ACTIVITY = standard(
    row(
        "T1 規劃 服務",
        "T1.1 蒐集 資料",
        "",
        "P1.1.1 確認 來源",
        "4",
        "K1 產品 知識 K2 法規 要求",
        "S1 溝通 技能",
    ),
    row("", "T1.2 分析 資料", "", "P1.2.1 比較 差異", "", "", ""),
    row(
        "T2 提出 建議",
        "T2.1 撰寫 報告",
        "O2.1.1 分析 報告",
        "P2.1.1 撰寫 報告",
        "5",
        "K3 統計 方法",
        "S2 文書 能力",
    ),
)


def test_task_activity_layout_level_and_competences_belong_to_the_task() -> None:
    doc = parse(TASK_ACTIVITY)
    assert [(t["code"], t["level"], t["knowledge"], t["skills"]) for t in doc["tasks"]] == [
        ("T1", 4, ["K1", "K2"], ["S1"]),
        ("T2", 5, ["K3"], ["S2"]),
    ]


def test_task_activity_layout_activities_carry_no_level_or_competences() -> None:
    doc = parse(TASK_ACTIVITY)
    assert [(a["code"], a["level"], a["knowledge"], a["skills"]) for a in activities(doc)] == [
        ("T1.1", None, [], []),
        ("T1.2", None, [], []),
        ("T2.1", None, [], []),
    ]


def test_task_activity_layout_items_go_to_their_activity() -> None:
    doc = parse(TASK_ACTIVITY)
    assert codes(find(doc, "T1.2")["indicators"]) == ["P1.2.1"]
    assert [(o["code"], o["text"]) for o in find(doc, "T2.1")["outputs"]] == [("O2.1.1", "分析報告")]


DUTY_TASK = standard(
    row("T1分析 客戶 需求", "T1.1蒐集 資料", "O1.1.1資料 清單",
        "P1.1.1確認 資料來源。 P1.1.2整理 資料。", "3",
        "K01產品 知識 K02法規 要求", "S01資訊 能力"),
    row("", "T1.2分析 資料", "", "P1.2.1比較 差異。", "4",
        "K02法規 要求 K03統計 方法", "S01資訊 能力 S02分析 能力"),
    row("T2提出 建議", "T2.1撰寫 報告", "O2.1.1分析 報告", "P2.1.1撰寫 報告。", "3",
        "K03統計 方法", "S03文書 能力"),
    header=DUTY_TASK_HEADER,
)  # fmt: skip


def test_duty_task_layout_level_and_competences_belong_to_each_activity() -> None:
    doc = parse(DUTY_TASK)
    assert [(a["code"], a["level"], a["knowledge"], a["skills"]) for a in activities(doc)] == [
        ("T1.1", 3, ["K01", "K02"], ["S01"]),
        ("T1.2", 4, ["K02", "K03"], ["S01", "S02"]),
        ("T2.1", 3, ["K03"], ["S03"]),
    ]


def test_duty_task_layout_tasks_carry_no_level_or_competences() -> None:
    doc = parse(DUTY_TASK)
    assert [(t["code"], t["title"], t["level"], t["knowledge"], t["skills"]) for t in doc["tasks"]] == [
        ("T1", "分析客戶需求", None, [], []),
        ("T2", "提出建議", None, [], []),
    ]


def test_duty_task_layout_with_one_activity_per_task_is_still_per_activity() -> None:
    doc = parse(
        standard(
            row("T1規劃", "T1.1蒐集", "", "P1.1.1確認", "2", "K01知識", "S01技能"), header=DUTY_TASK_HEADER
        )
    )
    task, activity = doc["tasks"][0], activities(doc)[0]
    assert (task["level"], task["knowledge"], task["skills"]) == (None, [], [])
    assert (activity["level"], activity["knowledge"], activity["skills"]) == (2, ["K01"], ["S01"])


def test_competence_printed_on_several_rows_is_defined_once_where_first_printed() -> None:
    doc = parse(DUTY_TASK)
    assert codes(doc["knowledge"]) == ["K01", "K02", "K03"]
    assert codes(doc["skills"]) == ["S01", "S02", "S03"]
    k02 = find(doc, "K02")
    assert (k02["text"], k02["line"]) == ("法規要求", line_of(DUTY_TASK, "K01產品"))


def test_codes_glued_to_text_are_split_off() -> None:
    doc = parse(DUTY_TASK)
    assert [(i["code"], i["text"]) for i in find(doc, "T1.1")["indicators"]] == [
        ("P1.1.1", "確認資料來源。"),
        ("P1.1.2", "整理資料。"),
    ]


def test_items_carry_the_line_where_they_start() -> None:
    doc = parse(DUTY_TASK)
    assert find(doc, "T1.2")["line"] == line_of(DUTY_TASK, "T1.2")
    assert find(doc, "K03")["line"] == line_of(DUTY_TASK, "K03")
    assert find(doc, "O2.1.1")["line"] == line_of(DUTY_TASK, "O2.1.1")


# --- a table broken across pages --------------------------------------------------------

PAGE_BREAK = standard(
    row("T1 運作 客戶", "T1.1 規劃 服務", "O1.1.1 服務 計畫", "P1.1.1 評估 需求 P1.1.2 在 規劃 過程", "4",
        "K1 客服 要求 K2 解決投訴的技巧： ■ 客戶行為 ■ 客戶", "S1 溝通 技能"),
    "",
    TASK_ACTIVITY_HEADER,
    row("服務中心", "流程", "書", "中融入 客戶需求", "",
        "需求研究 ■ 客戶關係 K3 紀錄保存的方", "S2 簡報 技能"),
    "",
    TASK_ACTIVITY_HEADER,
    row("", "", "", "", "", "法", ""),
    row("", "T1.2 監控 進度", "", "P1.2.1 監控 服務", "", "", ""),
)  # fmt: skip


def test_repeated_header_rows_are_dropped() -> None:
    doc = parse(PAGE_BREAK)
    assert codes(doc["tasks"]) == ["T1"]
    assert codes(activities(doc)) == ["T1.1", "T1.2"]
    assert codes(doc["knowledge"]) == ["K1", "K2", "K3"]


def test_task_title_continued_on_next_page_is_joined() -> None:
    assert find(parse(PAGE_BREAK), "T1")["title"] == "運作客戶服務中心"


def test_activity_title_continued_on_next_page_is_joined() -> None:
    assert find(parse(PAGE_BREAK), "T1.1")["title"] == "規劃服務流程"


def test_output_text_continued_on_next_page_is_joined() -> None:
    assert find(parse(PAGE_BREAK), "O1.1.1")["text"] == "服務計畫書"


def test_indicator_text_continued_on_next_page_is_joined() -> None:
    doc = parse(PAGE_BREAK)
    assert find(doc, "P1.1.2")["text"] == "在規劃過程中融入客戶需求"
    assert find(doc, "P1.1.1")["text"] == "評估需求"


def test_knowledge_bullet_continued_on_next_page_is_joined() -> None:
    k2 = find(parse(PAGE_BREAK), "K2")
    assert (k2["text"], k2["items"]) == ("解決投訴的技巧：", ["客戶行為", "客戶需求研究", "客戶關係"])


def test_knowledge_text_continued_across_two_page_breaks_is_joined() -> None:
    assert find(parse(PAGE_BREAK), "K3")["text"] == "紀錄保存的方法"


def test_competences_after_page_break_still_belong_to_the_task() -> None:
    task = find(parse(PAGE_BREAK), "T1")
    assert (task["knowledge"], task["skills"]) == (["K1", "K2", "K3"], ["S1", "S2"])


def test_continued_item_keeps_the_line_where_it_starts() -> None:
    doc = parse(PAGE_BREAK)
    first_row = line_of(PAGE_BREAK, "T1 運作")
    assert [find(doc, c)["line"] for c in ("T1", "T1.1", "O1.1.1", "P1.1.2", "K2")] == [first_row] * 5
    assert find(doc, "K3")["line"] == line_of(PAGE_BREAK, "K3")
    assert find(doc, "T1.2")["line"] == line_of(PAGE_BREAK, "T1.2")


# --- bullets and HTML -------------------------------------------------------------------


def test_square_bullets_in_a_cell_become_items() -> None:
    doc = parse(standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "3",
                             "K1 自我管理技巧： ■ 遵守政策 ■ 尋求學習機會 K2 簡報", "S1 技能")))  # fmt: skip
    k1 = find(doc, "K1")
    assert (k1["text"], k1["items"]) == ("自我管理技巧：", ["遵守政策", "尋求學習機會"])
    assert find(doc, "K2")["items"] == []


def test_html_paragraphs_and_bullet_lists_in_a_cell_become_text_and_items() -> None:
    skills = (
        '<p>S1 分析技能：</p> <ul style="list-style-type: none"> ■ 分析 數據 ■ 評估 風險</ul>'
        " <p>S2 簡報技巧</p>"
    )
    doc = parse(
        standard(row("T1 任務", "T1.1 活動", "", "<p>P1.1.1 指標</p>", "3", "<p>K1 知識</p>", skills))
    )
    assert [(s["code"], s["text"], s["items"]) for s in doc["skills"]] == [
        ("S1", "分析技能：", ["分析數據", "評估風險"]),
        ("S2", "簡報技巧", []),
    ]
    assert find(doc, "P1.1.1")["text"] == "指標"


def test_round_bullets_in_unit_notes_become_items() -> None:
    doc = parse(unit(row("說明與補充事項", "<p>【註1】供應鏈包括：</p> <ul> ● 帳務 ● 客戶 服務</ul>")))
    note = find(doc, "N1")
    assert (note["text"], note["items"]) == ("供應鏈包括：", ["帳務", "客戶服務"])


def test_inline_html_tags_vanish_without_leaving_spaces() -> None:
    doc = parse(
        unit(
            row("工作任務與行為指標", "<p>一、任務</p> <ol> 1. 訂定<u>工作 規範</u>與<b>職務</b>說明。</ol>")
        )
    )
    assert find(doc, "P1.1")["text"] == "訂定工作規範與職務說明。"


def test_html_list_items_become_items() -> None:
    cell = "K1 知識一：<ul><li>項目甲</li><li>項目乙</li></ul>"
    k1 = find(parse(standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "3", cell, "S1 技能"))), "K1")
    assert (k1["text"], k1["items"]) == ("知識一：", ["項目甲", "項目乙"])


# --- wrap spaces ------------------------------------------------------------------------


def test_wrap_spaces_between_cjk_characters_are_removed() -> None:
    doc = parse(standard(row("T1 運作 客戶服務 中心", "T1.1 監督 規劃", "",
                             "P1.1.1 評估 客戶 需求，並 回報", "3", "K1 知識", "S1 技能")))  # fmt: skip
    assert (find(doc, "T1")["title"], find(doc, "T1.1")["title"], find(doc, "P1.1.1")["text"]) == (
        "運作客戶服務中心",
        "監督規劃",
        "評估客戶需求，並回報",
    )


def test_spaces_between_latin_words_are_kept() -> None:
    doc = parse(standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 使用 Microsoft Excel 製作 報表", "3",
                             "K1 信任 and 信心", "S1 技能")))  # fmt: skip
    assert find(doc, "P1.1.1")["text"] == "使用 Microsoft Excel 製作報表"
    assert find(doc, "K1")["text"] == "信任 and 信心"


def test_unit_text_keeps_latin_spaces_and_drops_cjk_wrap_spaces() -> None:
    doc = parse(
        unit(
            row(
                "工作任務與行為指標",
                "<p>一、規劃 客戶 服務</p> <ol> 1. 透過 B2B 平台 與 APP 服務 客戶。</ol>",
            )
        )
    )
    assert find(doc, "T1")["title"] == "規劃客戶服務"
    assert find(doc, "P1.1")["text"] == "透過 B2B 平台與 APP 服務客戶。"


# --- items placed by their code ---------------------------------------------------------


def test_indicator_printed_in_output_column_goes_to_its_activity() -> None:
    doc = parse(standard(
        row("T1 任務", "T1.1 活動一", "", "P1.1.1 指標", "3", "K1 知識", "S1 技能"),
        row("", "T1.2 活動二", "P1.2.1 印在 產出欄的 指標 P1.2.2 另一個 指標", "", "", "", ""),
    ))  # fmt: skip
    activity = find(doc, "T1.2")
    assert activity["outputs"] == []
    assert [(i["code"], i["text"]) for i in activity["indicators"]] == [
        ("P1.2.1", "印在產出欄的指標"),
        ("P1.2.2", "另一個指標"),
    ]


def test_output_printed_in_indicator_column_is_an_output() -> None:
    doc = parse(
        standard(row("T1 任務", "T1.1 活動", "", "O1.1.1 報告 P1.1.1 指標", "3", "K1 知識", "S1 技能"))
    )
    activity = find(doc, "T1.1")
    assert ([o["code"] for o in activity["outputs"]], codes(activity["indicators"])) == (
        ["O1.1.1"],
        ["P1.1.1"],
    )


def test_indicator_printed_on_another_activitys_row_goes_where_its_code_says() -> None:
    doc = parse(standard(
        row("T1 任務", "T1.1 活動一", "", "P1.1.1 指標一 P1.2.1 指標二", "3", "K1 知識", "S1 技能"),
        row("", "T1.2 活動二", "", "", "", "", ""),
    ))  # fmt: skip
    assert (codes(find(doc, "T1.1")["indicators"]), codes(find(doc, "T1.2")["indicators"])) == (
        ["P1.1.1"],
        ["P1.2.1"],
    )


def test_indicator_in_output_column_continued_in_same_column_on_next_page() -> None:
    doc = parse(standard(
        row("T1 任務", "T1.1 活動一", "O1.1.1 活動一的產出", "P1.1.1 指標一", "3", "K1 知識", "S1 技能"),
        row("", "T1.2 活動二", "P1.2.1 被印在 產出欄的 指標", "", "", "", ""),
        "",
        TASK_ACTIVITY_HEADER,
        row("", "", "跨頁 接續", "P1.2.2 指標二", "", "", ""),
    ))  # fmt: skip
    assert find(doc, "O1.1.1")["text"] == "活動一的產出"
    assert find(doc, "P1.2.1")["text"] == "被印在產出欄的指標跨頁接續"


def test_indicator_printed_in_activity_column_goes_to_its_activity() -> None:
    doc = parse(
        standard(row("T1 任務", "T1.1 活動一 P1.1.1 指標一", "", "P1.1.2 指標二", "3", "K1 知識", "S1 技能"))
    )
    activity = find(doc, "T1.1")
    assert activity["title"] == "活動一"
    assert [(i["code"], i["text"]) for i in activity["indicators"]] == [
        ("P1.1.1", "指標一"),
        ("P1.1.2", "指標二"),
    ]


# --- note markers -----------------------------------------------------------------------


def test_note_marker_on_indicator_becomes_reference() -> None:
    doc = parse(
        standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 確認 需求【註2】並回報", "3", "K1 知識", "S1 技能"))
    )
    indicator = find(doc, "P1.1.1")
    assert (indicator["text"], indicator["notes"]) == ("確認需求並回報", ["N2"])


@pytest.mark.parametrize("code", ["T1", "T1.1", "O1.1.1", "K1", "S1"])
def test_note_markers_on_other_standard_items_become_references(code: str) -> None:
    doc = parse(standard(row("T1 任務【註1】", "T1.1 活動【註2】", "O1.1.1 產出【註3】", "P1.1.1 指標", "3",
                             "K1 知識【 註 4 】", "S1 技能【註5】")))  # fmt: skip
    expected = {"T1": ["N1"], "T1.1": ["N2"], "O1.1.1": ["N3"], "K1": ["N4"], "S1": ["N5"]}[code]
    item = find(doc, code)
    assert item["notes"] == expected
    assert "註" not in item.get("title", item.get("text"))


def test_two_note_markers_on_one_unit_indicator() -> None:
    doc = parse(
        unit(row("工作任務與行為指標", "<p>一、任務</p> <ol> 1. 訂定工作規範【註1】與職務說明【註2】。</ol>"))
    )
    indicator = find(doc, "P1.1")
    assert (indicator["text"], indicator["notes"]) == ("訂定工作規範與職務說明。", ["N1", "N2"])


# --- column order -----------------------------------------------------------------------


def test_columns_in_another_order_are_found_by_their_header_words() -> None:
    header = row("工作任務", "行為指標", S_HEAD, "工作活動", K_HEAD, "工作產出", "職能級別")
    doc = parse(
        standard(
            row("T1 任務", "P1.1.1 指標", "S1 技能", "T1.1 活動", "K1 知識", "O1.1.1 產出", "4"),
            header=header,
        )
    )
    task, activity = doc["tasks"][0], activities(doc)[0]
    assert (task["title"], task["level"], task["knowledge"], task["skills"]) == ("任務", 4, ["K1"], ["S1"])
    assert (activity["title"], codes(activity["outputs"]), codes(activity["indicators"])) == (
        "活動",
        ["O1.1.1"],
        ["P1.1.1"],
    )


def test_activity_column_before_task_column() -> None:
    header = row("工作活動", "工作任務", "工作產出", "行為指標", "職能級別", K_HEAD, S_HEAD)
    doc = parse(
        standard(row("T1.1 活動", "T1 任務", "", "P1.1.1 指標", "4", "K1 知識", "S1 技能"), header=header)
    )
    assert codes(doc["tasks"]) == ["T1"]
    assert codes(doc["tasks"][0]["activities"]) == ["T1.1"]


# --- standard header fields and sections after the table ---------------------------------


def test_standard_title_under_occupation_category_row() -> None:
    fields = (
        row("職能基準代碼", "", "TST0002-001", "", ""),
        row("職能基準名稱 (擇一填寫)", "", "職類", "測試服務類", ""),
        row("", "", "職業", "", ""),
    )
    doc = parse(standard(SIMPLE_ROW, fields=fields))
    assert (doc["code"], doc["title"], doc["level"]) == ("TST0002-001", "測試服務類", None)


def test_standard_classification_fields() -> None:
    fields = (
        row("職能基準代碼", "", "TST0003-001", "", ""),
        row("所屬 類別", "職類別", "測試 / 管理", "職類別代碼", "TST"),
        row("", "職業別", "測試 人員", "職業別代碼", "9999"),
        row("", "行業別", "測試業", "行業別代碼", "Z0001"),
        row("工作描述", "", "負責 測試 工作。", "", ""),
        row("基準級別", "", "5", "", ""),
    )
    doc = parse(standard(SIMPLE_ROW, fields=fields))
    assert (doc["category"], doc["occupation"], doc["industry"]) == (
        {"name": "測試 / 管理", "code": "TST"},
        {"name": "測試人員", "code": "9999"},
        {"name": "測試業", "code": "Z0001"},
    )
    assert (doc["description"], doc["level"]) == ("負責測試工作。", 5)


def test_version_rows_become_versions_with_iso_dates() -> None:
    before = (
        row("版本", "職能基準代碼", "職能基準名稱", "狀態", "更新說明", "發展更新日期"),
        row("V2", "TST0001-001v2", "測試人員", "最新版本", "略", "2024/3/5"),
        row("V1", "TST0001-001v1", "測試 人員", "歷史版本", "已被《TST0001-001v2》取代", "2020/12/31"),
        "",
    )
    text = standard(SIMPLE_ROW, before=before)
    versions = parse(text)["versions"]
    assert [(v["version"], v["code"], v["title"], v["status"], v["remark"], v["date"]) for v in versions] == [
        ("V2", "TST0001-001v2", "測試人員", "最新版本", "略", "2024-03-05"),
        ("V1", "TST0001-001v1", "測試人員", "歷史版本", "已被《TST0001-001v2》取代", "2020-12-31"),
    ]
    assert versions[0]["line"] == line_of(text, "V2\t")


AFTER_TABLE = standard(
    SIMPLE_ROW,
    after=(
        "",
        "職能內涵 (A=attitude 態度)",
        "",
        "A01 團隊意識：積極 參與 並支持 團隊。",
        "A02 主動積極：不需 他人 指示",
        "能自動 自發 做事。",
        "",
        "說明與補充事項",
        "",
        "- 此項 職能基準 參考 國外 資料。",
        "- 建議擔任此職類/職業之學歷/經歷/或能力條件：大學 以上，且具備 3 年 經驗。",
        "- 其他補充說明：",
        "  - 利害關係人：包含 客戶。",
        "  - 法規：如 個資法。",
        "- 基準更新紀錄",
        "  - 2020 年修訂。",
        "  - 2023 年再修訂。",
    ),
)


def test_attitude_lines_split_name_and_text_at_the_colon() -> None:
    attitudes = parse(AFTER_TABLE)["attitudes"]
    assert attitudes == [
        {
            "code": "A01",
            "name": "團隊意識",
            "text": "積極參與並支持團隊。",
            "line": line_of(AFTER_TABLE, "A01"),
        },
        {
            "code": "A02",
            "name": "主動積極",
            "text": "不需他人指示能自動自發做事。",
            "line": line_of(AFTER_TABLE, "A02"),
        },
    ]


def test_standard_note_bullets_become_numbered_notes() -> None:
    notes = parse(AFTER_TABLE)["notes"]
    assert [(n["code"], n["text"], n["line"]) for n in notes] == [
        ("N1", "此項職能基準參考國外資料。", line_of(AFTER_TABLE, "此項")),
        ("N2", "利害關係人：包含客戶。", line_of(AFTER_TABLE, "利害關係人")),
        ("N3", "法規：如個資法。", line_of(AFTER_TABLE, "法規：")),
    ]


def test_standard_qualification_bullet_is_not_a_note() -> None:
    assert parse(AFTER_TABLE)["qualification"] == "大學以上，且具備 3 年經驗。"


def test_standard_update_record_sub_bullets_become_history() -> None:
    assert parse(AFTER_TABLE)["history"] == ["2020 年修訂。", "2023 年再修訂。"]


def test_standard_update_record_heading_after_notes_becomes_history() -> None:
    doc = parse(
        standard(
            SIMPLE_ROW, after=("", "說明與補充事項", "- 補充 說明。", "", "更新紀錄", "2024年修訂職能內容。")
        )
    )
    assert (doc["history"], [n["text"] for n in doc["notes"]], doc["qualification"]) == (
        ["2024年修訂職能內容。"],
        ["補充說明。"],
        None,
    )


def test_standard_note_with_marker_and_sub_bullets_keeps_its_code() -> None:
    text = standard(
        row("T1 任務【註1】", "T1.1 活動", "", "P1.1.1 指標【註2】", "3", "K1 知識", "S1 技能"),
        after=(
            "",
            "說明與補充事項",
            "",
            "- 【註1】利害關係人可能包括：",
            "  - 直屬團隊",
            "  - 團隊領導者",
            "- 【註2】指標說明。",
        ),
    )
    notes = parse(text)["notes"]
    assert [(n["code"], n["text"], n["items"]) for n in notes] == [
        ("N1", "利害關係人可能包括：", ["直屬團隊", "團隊領導者"]),
        ("N2", "指標說明。", []),
    ]


# --- units ------------------------------------------------------------------------------

UNIT = unit(
    row("工作任務與行為指標", '<p>一、規劃 客戶 服務【註1】</p> <ol style="list-style-type: none"> '
        "1. 蒐集 客戶 資料。 2. 使用 Microsoft Excel 分析【註2】"),
    "",
    row("", "數據。 3. 撰寫 報告。</ol> <p>二、執行 服務</p> <ol> 1. 執行 服務 流程。</ol>"),
    row(K_HEAD, "<p>一、服務 原則</p> <p>二、法規 知識： <ul> ■ 消費者 保護法 ■ 個資法</ul></p>"),
    row(S_HEAD, "<p>一、溝通 技能【註3】</p> <p>二、分析 技能</p>"),
    row("評量設計參考", "<p>一、評量 證據：</p> <ol> 1. 能 規劃 服務。 2. 能 執行 服務。</ol>"
        " <p>二、評量方法</p> <ol> 1. 筆試。</ol>"),
    row("說明與補充事項", "<p>【註1】客戶 服務 包括：</p> <ul> ● 電話 ● 電子 郵件</ul>"
        " <p>【註2】分析 工具。</p>"),
    "",
    row("", "<p>【註3】溝通 對象 包括 主管 及 同仁。</p>"),
    row("--", "--"),
    "",
    "更新紀錄",
    "2024 年修訂職能內容。",
)  # fmt: skip


def test_unit_header_fields() -> None:
    doc = parse(UNIT)
    assert (doc["kind"], doc["code"], doc["title"], doc["domain"], doc["level"]) == (
        "unit",
        "TST3R0001v1",
        "測試單元",
        "測試/測試管理",
        3,
    )


def test_unit_tasks_numbered_in_chinese_get_t_codes() -> None:
    doc = parse(UNIT)
    assert [(t["code"], t["title"], t["notes"]) for t in doc["tasks"]] == [
        ("T1", "規劃客戶服務", ["N1"]),
        ("T2", "執行服務", []),
    ]


def test_unit_indicators_numbered_in_arabic_get_p_codes() -> None:
    doc = parse(UNIT)
    assert [(i["code"], i["text"], i["notes"]) for i in find(doc, "T1")["indicators"]] == [
        ("P1.1", "蒐集客戶資料。", []),
        ("P1.2", "使用 Microsoft Excel 分析數據。", ["N2"]),
        ("P1.3", "撰寫報告。", []),
    ]
    assert codes(find(doc, "T2")["indicators"]) == ["P2.1"]


def test_unit_items_carry_the_line_where_they_start() -> None:
    doc = parse(UNIT)
    first, continued = line_of(UNIT, "一、規劃"), line_of(UNIT, "3. 撰寫")
    assert [find(doc, c)["line"] for c in ("T1", "P1.1", "P1.2", "P1.3", "T2", "P2.1")] == [
        first, first, first, continued, continued, continued,
    ]  # fmt: skip


def test_unit_knowledge_and_skill_lists() -> None:
    doc = parse(UNIT)
    assert [(k["code"], k["text"], k["items"]) for k in doc["knowledge"]] == [
        ("K1", "服務原則", []),
        ("K2", "法規知識：", ["消費者保護法", "個資法"]),
    ]
    assert [(s["code"], s["text"], s["notes"]) for s in doc["skills"]] == [
        ("S1", "溝通技能", ["N3"]),
        ("S2", "分析技能", []),
    ]


def test_unit_assessment_sections() -> None:
    sections = parse(UNIT)["assessment"]
    assert [(e["code"], e["title"], e["items"]) for e in sections] == [
        ("E1", "評量證據", ["能規劃服務。", "能執行服務。"]),
        ("E2", "評量方法", ["筆試。"]),
    ]


def test_unit_notes_with_bullets() -> None:
    doc = parse(UNIT)
    assert [(n["code"], n["text"], n["items"], n["line"]) for n in doc["notes"]] == [
        ("N1", "客戶服務包括：", ["電話", "電子郵件"], line_of(UNIT, "【註1】客戶")),
        ("N2", "分析工具。", [], line_of(UNIT, "【註1】客戶")),
        ("N3", "溝通對象包括主管及同仁。", [], line_of(UNIT, "【註3】溝通")),
    ]


def test_unit_update_record_becomes_history() -> None:
    assert parse(UNIT)["history"] == ["2024 年修訂職能內容。"]


def test_unit_tasks_beyond_nine_use_chinese_tens() -> None:
    numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]
    cell = " ".join(f"<p>{n}、任務{n}</p> <ol> 1. 指標{n}</ol>" for n in numerals)
    doc = parse(unit(row("工作任務與行為指標", cell)))
    assert codes(doc["tasks"]) == [f"T{n}" for n in range(1, 12)]
    assert [(i["code"], i["text"]) for i in find(doc, "T11")["indicators"]] == [("P11.1", "指標十一")]


def test_unit_decimal_number_in_indicator_is_not_a_new_indicator() -> None:
    doc = parse(
        unit(row("工作任務與行為指標", "<p>一、任務</p> <ol> 1. 提升 滿意度 2.5 倍。 2. 回報。</ol>"))
    )
    assert [(i["code"], i["text"]) for i in find(doc, "T1")["indicators"]] == [
        ("P1.1", "提升滿意度 2.5 倍。"),
        ("P1.2", "回報。"),
    ]


# --- encodings and line endings ---------------------------------------------------------

ENCODED_DOCUMENTS = {"standard": PAGE_BREAK, "unit": UNIT}


def without_source(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "source"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950", "big5", "utf-16"])
@pytest.mark.parametrize("kind", ["standard", "unit"])
def test_encodings_parse_to_the_same_document(tmp_path: Path, kind: str, encoding: str) -> None:
    text = ENCODED_DOCUMENTS[kind]
    reference = tmp_path / "reference.txt"
    reference.write_bytes(text.encode("utf-8"))
    encoded = tmp_path / f"{encoding}.txt"
    encoded.write_bytes(text.encode(encoding))
    assert without_source(parse_file(encoded).to_dict()) == without_source(parse_file(reference).to_dict())


@pytest.mark.parametrize("kind", ["standard", "unit"])
def test_crlf_line_endings_parse_to_the_same_document(tmp_path: Path, kind: str) -> None:
    text = ENCODED_DOCUMENTS[kind]
    (tmp_path / "lf.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    lf, crlf = (without_source(parse_file(tmp_path / n).to_dict()) for n in ("lf.txt", "crlf.txt"))
    assert crlf == lf


def test_source_is_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "doc.txt").write_text(UNIT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert parse_file("sub/doc.txt").source == "sub/doc.txt"


# --- errors: files that are not documents -----------------------------------------------


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path so that error messages name files as `name.txt`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"^empty\.txt: .*empty"),
        (b"  \n\t\n \r\n", r"^empty\.txt: .*empty"),
        ("職能單元代碼\tX1\n\x00\x01\x02".encode(), r"^empty\.txt: .*binary"),
    ],
    ids=["empty", "whitespace-only", "nul-bytes"],
)
def test_file_without_text_is_an_error(in_tmp: Path, content: bytes, message: str) -> None:
    (in_tmp / "empty.txt").write_bytes(content)
    with pytest.raises(ParseError, match=message):
        parse_file("empty.txt")


def test_undecodable_bytes_are_an_error_naming_the_line(in_tmp: Path) -> None:
    (in_tmp / "bad.txt").write_bytes("職能單元代碼\tX1\n職能單元名稱\t名稱\n".encode() + b"\x80\xff abc\n")
    with pytest.raises(ParseError, match=r"^bad\.txt:3: .*(decode|UTF-8|Big5)"):
        parse_file("bad.txt")


def test_text_of_no_known_kind_is_an_error(in_tmp: Path) -> None:
    (in_tmp / "notes.txt").write_text("會議紀錄\n今天 討論 客戶服務。\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"^notes\.txt: .*known kind"):
        parse_file("notes.txt")


# --- errors: documents that cannot be parsed --------------------------------------------


def parse_error(text: str, pattern: str) -> None:
    with pytest.raises(ParseError, match=pattern):
        parse_text(text, "doc.txt")


def at(text: str, fragment: str) -> str:
    """The `doc.txt:N: ` prefix for the line holding fragment."""
    return rf"^doc\.txt:{line_of(text, fragment)}: "


def test_standard_without_code_is_an_error() -> None:
    fields = (row("職能基準代碼", "", "", "", ""), row("基準級別", "", "3", "", ""))
    parse_error(standard(SIMPLE_ROW, fields=fields), r"^doc\.txt: .*職能基準代碼")


def test_standard_without_task_table_is_an_error() -> None:
    parse_error(
        "\n".join([row("職能基準代碼", "", "TST0001-001"), row("基準級別", "", "3")]), r"^doc\.txt: .*table"
    )


def test_level_in_table_that_is_not_a_number_is_an_error() -> None:
    text = standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "高", "K1 知識", "S1 技能"))
    parse_error(text, at(text, "T1 任務") + ".*level.*高")


def test_standard_level_that_is_not_a_number_is_an_error() -> None:
    fields = (row("職能基準代碼", "", "TST0001-001", "", ""), row("基準級別", "", "四", "", ""))
    text = standard(SIMPLE_ROW, fields=fields)
    parse_error(text, at(text, "基準級別") + ".*level.*四")


def test_unit_level_that_is_not_a_number_is_an_error() -> None:
    text = unit(level="三")
    parse_error(text, at(text, "職能單元級別") + ".*level.*三")


def test_indicator_of_a_missing_activity_is_an_error() -> None:
    text = standard(
        row("T1 任務", "T1.1 活動", "", "P1.1.1 指標 P9.1.1 孤兒 指標", "3", "K1 知識", "S1 技能")
    )
    parse_error(text, at(text, "P9.1.1") + ".*P9.1.1.*T9.1")


def test_activity_of_a_missing_task_is_an_error() -> None:
    text = standard(SIMPLE_ROW, row("", "T2.1 孤兒 活動", "", "P2.1.1 指標", "", "", ""))
    parse_error(text, at(text, "T2.1") + ".*T2.1.*T2")


def test_continuation_text_before_any_item_in_its_column_is_an_error() -> None:
    text = standard(row("T1 任務", "T1.1 活動", "", "沒有 代碼的 指標", "3", "K1 知識", "S1 技能"))
    parse_error(text, at(text, "沒有") + ".*indicator.*沒有")


def test_row_with_more_cells_than_the_header_is_an_error() -> None:
    text = standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "3", "K1 知識", "S1 技能", "多出來的"))
    parse_error(text, at(text, "多出來的") + ".*8 cells.*7 columns")


def test_duplicated_task_code_is_an_error() -> None:
    text = standard(SIMPLE_ROW, row("T1 又一個 任務", "T1.2 活動", "", "P1.2.1 指標", "", "", ""))
    parse_error(text, at(text, "又一個") + ".*T1.*twice")


def test_duplicated_activity_code_is_an_error() -> None:
    text = standard(SIMPLE_ROW, row("", "T1.1 重複的 活動", "", "P1.1.2 指標", "", "", ""))
    parse_error(text, at(text, "重複的") + ".*T1.1.*twice")


def test_text_after_table_in_no_section_is_an_error() -> None:
    text = standard(SIMPLE_ROW, after=("", "不明的 段落"))
    parse_error(text, at(text, "不明的") + ".*no known section")


def test_unit_text_before_first_task_number_is_an_error() -> None:
    text = unit(row("工作任務與行為指標", "前言 文字"), row("", "<p>一、任務</p> <ol> 1. 指標</ol>"))
    parse_error(text, at(text, "前言") + ".*一、")


def test_unit_text_before_first_knowledge_number_is_an_error() -> None:
    text = unit(row(K_HEAD, "沒有 編號 <p>一、知識</p>"))
    parse_error(text, at(text, "沒有") + ".*一、")


def test_error_message_is_one_line_naming_file_and_line() -> None:
    text = standard(SIMPLE_ROW, row("T1 又一個 任務", "T1.2 活動", "", "P1.2.1 指標", "", "", ""))
    with pytest.raises(ParseError) as caught:
        parse_text(text, "data/raw/X.txt")
    message = str(caught.value)
    assert "\n" not in message
    assert re.match(rf"^data/raw/X\.txt:{line_of(text, '又一個')}: \S", message)


def test_form_feeds_between_pdf_pages_are_ignored():
    plain = standard(SIMPLE_ROW)
    with_page_breaks = plain.replace("\n" + TASK_ACTIVITY_HEADER, "\n\f" + TASK_ACTIVITY_HEADER)
    assert "\f" in with_page_breaks
    assert parse_text(with_page_breaks, "doc.txt").to_dict() == parse_text(plain, "doc.txt").to_dict()


# --- variants seen on other iCAP pages ----------------------------------------------------


def test_full_width_level_digits_are_read():
    doc = parse(standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "４", "K1 知識", "S1 技能")))
    assert doc["tasks"][0]["level"] == 4


@pytest.mark.parametrize(
    ("printed", "iso"),
    [("2025/12/15", "2025-12-15"), ("2025.1.5", "2025-01-05"), ("114/12/15", "2025-12-15"), ("略", None)],
)
def test_version_dates_become_iso_dates_including_republic_of_china_years(printed, iso):
    versions = (
        row("版本", "職能基準代碼", "職能基準名稱", "狀態", "更新說明", "發展更新日期"),
        row("V1", "TST0001-001", "測試人員", "最新版本", "略", printed),
        "",
    )
    doc = parse(standard(SIMPLE_ROW, before=versions))
    assert doc["versions"][0]["date"] == iso


def test_attitudes_printed_as_a_table_split_into_code_name_and_text():
    after = ("", "職能內涵 (A=attitude 態度)", row("A01", "團隊意識", "積極參與並支持團隊。"))
    doc = parse(standard(SIMPLE_ROW, after=after))
    assert doc["attitudes"] == [
        {
            "code": "A01",
            "name": "團隊意識",
            "text": "積極參與並支持團隊。",
            "line": line_of(standard(SIMPLE_ROW, after=after), "A01"),
        }
    ]


def test_a_unit_listing_items_as_html_list_items_instead_of_numbers():
    text = unit(
        row(
            "工作任務與行為指標",
            "<p>一、提供服務</p> <ol><li>確認需求</li><li>回應客訴</li></ol>"
            " <p>二、檢討服務</p> <ol><li>蒐集回饋</li></ol>",
        ),
        row("職能內涵 (K=knowledge 知識)", "<ul><li>服務原則</li><li>客訴流程</li></ul>"),
    )
    doc = parse(text)
    assert [(t["code"], t["title"]) for t in doc["tasks"]] == [("T1", "提供服務"), ("T2", "檢討服務")]
    assert [(i["code"], i["text"]) for i in doc["tasks"][0]["indicators"]] == [
        ("P1.1", "確認需求"),
        ("P1.2", "回應客訴"),
    ]
    assert [(k["code"], k["text"]) for k in doc["knowledge"]] == [("K1", "服務原則"), ("K2", "客訴流程")]


def test_page_furniture_between_table_pages_is_skipped_with_a_warning():
    text = standard(
        row("T1 任務", "T1.1 活動", "", "P1.1.1 指標 跨頁", "3", "K1 知識", "S1 技能"),
        "第 1 頁",
        "",
        TASK_ACTIVITY_HEADER,
        row("", "", "", "接續", "", "", ""),
        after=COMPLETE_END,
    )
    document = parse_text(text, "doc.txt")
    assert document.to_dict()["tasks"][0]["activities"][0]["indicators"][0]["text"] == "指標跨頁接續"
    assert document.warnings == [
        f"doc.txt:{line_of(text, '第 1 頁')}: text between table pages skipped: '第1頁'"
    ]


def test_a_section_heading_ends_the_table_even_with_trailing_tabs():
    text = standard(SIMPLE_ROW, after=("職能內涵 (A=attitude 態度)\t", "A01 團隊意識：積極參與。"))
    assert parse(text)["attitudes"][0]["name"] == "團隊意識"


def test_an_unknown_column_is_skipped_with_a_warning():
    header = row("工作任務", "工作活動", "工作產出", "行為指標", "職能級別", K_HEAD, S_HEAD, "備註")
    text = standard(
        row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "3", "K1 知識", "S1 技能", "另見附件"),
        header=header,
        after=COMPLETE_END,
    )
    document = parse_text(text, "doc.txt")
    assert document.to_dict()["tasks"][0]["activities"][0]["indicators"][0]["text"] == "指標"
    assert document.warnings == [
        f"doc.txt:{line_of(text, '備註')}: column '備註' is not a known column; its cells are skipped"
    ]


def test_a_separator_after_a_code_is_not_part_of_the_text():
    doc = parse(standard(row("T1：任務", "T1.1. 活動", "", "P1.1.1：指標", "3", "K1：知識", "S1、技能")))
    assert find(doc, "T1")["title"] == "任務"
    assert find(doc, "T1.1")["title"] == "活動"
    assert find(doc, "P1.1.1")["text"] == "指標"
    assert find(doc, "K1")["text"] == "知識"
    assert find(doc, "S1")["text"] == "技能"


def test_unit_notes_without_markers_are_numbered_in_order():
    numbered = parse(
        unit(row("說明與補充事項", "<p>一、第一個說明。</p> <p>二、第二個說明：</p> <ul>● 甲 ● 乙</ul>"))
    )
    assert [(n["code"], n["text"], n["items"]) for n in numbered["notes"]] == [
        ("N1", "第一個說明。", []),
        ("N2", "第二個說明：", ["甲", "乙"]),
    ]
    plain = parse(unit(row("說明與補充事項", "<p>本單元參考國外資料。</p>")))
    assert [(n["code"], n["text"]) for n in plain["notes"]] == [("N1", "本單元參考國外資料。")]


def test_numbered_lines_in_a_standard_s_notes_are_separate_notes():
    after = ("", "說明與補充事項", "", "1. 第一點。", "2. 第二點。")
    doc = parse(standard(SIMPLE_ROW, after=after))
    assert [(n["code"], n["text"]) for n in doc["notes"]] == [("N1", "第一點。"), ("N2", "第二點。")]


def test_knowledge_and_skills_listed_after_the_table_define_the_table_s_codes():
    after = (
        "",
        "職能內涵 (K=knowledge 知識)",
        "K01 產品和服務知識",
        "K02 相關法規：",
        "■ 消費者保護法",
        "職能內涵 (S=skills 技能)",
        row("S01", "溝通 能力"),
    )
    text = standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "3", "K01 K02", "S01"), after=after)
    doc = parse(text)
    assert find(doc, "T1")["knowledge"] == ["K01", "K02"]
    assert [(k["code"], k["text"], k["items"], k["line"]) for k in doc["knowledge"]] == [
        ("K01", "產品和服務知識", [], line_of(text, "K01 產品")),
        ("K02", "相關法規：", ["消費者保護法"], line_of(text, "K02 相關")),
    ]
    assert [(s["code"], s["text"]) for s in doc["skills"]] == [("S01", "溝通能力")]


def test_unit_header_fields_printed_in_pairs_on_one_row():
    text = "\n".join(
        [
            row("職能單元代碼", "TST3R0002v1", "職能單元名稱", "配對 欄位"),
            row("領域類別", "測試/測試管理", "職能單元級別", "3 級"),
            row("工作任務與行為指標", "<p>一、任務</p> <ol> 1. 指標</ol>"),
        ]
    )
    doc = parse(text)
    assert (doc["code"], doc["title"], doc["domain"], doc["level"]) == (
        "TST3R0002v1",
        "配對欄位",
        "測試/測試管理",
        3,
    )
    assert doc["tasks"][0]["indicators"][0]["text"] == "指標"


@pytest.mark.parametrize("printed", ["3", "３", "3級", "3 級", "Level 3"])
def test_decorated_levels_are_read(printed):
    assert parse(unit(level=printed))["level"] == 3


def test_a_spanning_cell_printed_lower_down_still_belongs_to_its_task():
    text = standard(
        row("T1 任務", "T1.1 活動一", "", "P1.1.1 指標一", "", "", ""),
        row("", "T1.2 活動二", "", "P1.2.1 指標二", "4", "K1 知識", "S1 技能"),
        row("", "T1.3 活動三", "", "P1.3.1 指標三", "", "", ""),
    )
    doc = parse(text)
    task = find(doc, "T1")
    assert (task["level"], task["knowledge"], task["skills"]) == (4, ["K1"], ["S1"])
    assert all(a["level"] is None and a["knowledge"] == [] for a in activities(doc))


def test_a_duplicated_indicator_code_is_an_error():
    text = standard(row("T1 任務", "T1.1 活動", "", "P1.1.1 指標 P1.1.1 又是它", "3", "K1 知識", "S1 技能"))
    parse_error(text, at(text, "又是它") + ".*indicator P1.1.1 appears twice")


def test_a_standard_name_printed_beside_its_label():
    fields = (
        row("職能基準代碼", "", "TST0001-001"),
        row("職能基準名稱", "", "測試 人員"),
        row("基準級別", "", "3"),
    )
    text = standard(SIMPLE_ROW, fields=fields).replace("測試人員職能基準\n", "")
    assert parse(text)["title"] == "測試人員"


# --- damaged documents: stray rows, truncation, impossible dates ---------------------------

SEED_DIR = Path(__file__).resolve().parent.parent / "data" / "raw"
GARBAGE = "@@@ garbage ### ... !!!"


def seed_lines(name: str) -> list[str]:
    return (SEED_DIR / name).read_text(encoding="utf-8").split("\n")


def without_lines(doc: dict[str, Any]) -> dict[str, Any]:
    """A document's JSON without line numbers (an inserted row shifts those below it)."""
    if isinstance(doc, dict):
        return {k: without_lines(v) for k, v in doc.items() if k not in ("line", "source")}
    if isinstance(doc, list):
        return [without_lines(v) for v in doc]
    return doc


@pytest.mark.parametrize(
    ("name", "after_line", "garbage"),
    [
        ("BAS1499-003.txt", 39, GARBAGE + "\t\t\t"),  # below T4's first row, in the task column
        ("BAS1499-003.txt", 39, "\t".join(GARBAGE.split())),  # one word a column, level '!!!'
        ("BAS1499-003.txt", 39, GARBAGE),  # one cell: no row of the table, and no header after it
        ("BAS2421-003v4.txt", 25, "\t" + GARBAGE),
        ("BGM4R0172v2.txt", 7, "\t" + GARBAGE),  # a unit row without a label, not after a page break
        ("TTM3R0299v2.txt", 12, "\t" + GARBAGE),
    ],
    ids=["standard-task-cell", "standard-every-cell", "standard-one-cell", "duty-layout", "unit", "unit-2"],
)
def test_a_stray_row_in_a_seed_is_skipped_with_a_warning_naming_its_line(name, after_line, garbage):
    lines = seed_lines(name)
    damaged = "\n".join([*lines[:after_line], garbage, *lines[after_line:]])
    document = parse_text(damaged, name)
    assert len(document.warnings) == 1
    assert document.warnings[0].startswith(f"{name}:{after_line + 1}: ")
    assert "skipped" in document.warnings[0]
    assert "@@@" not in str(document.to_dict())
    original = parse_text("\n".join(lines), name).to_dict()
    assert without_lines(document.to_dict()) == without_lines(original)


def test_a_row_without_codes_continues_items_only_after_a_page_break():
    text = standard(
        row("T1 任務", "T1.1 活動", "", "P1.1.1 指標", "3", "K1 知識", "S1 技能"),
        row("", "", "", "不是 接續", "", "", ""),
        "",
        TASK_ACTIVITY_HEADER,
        row("", "", "", "跨頁 接續", "", "", ""),
        after=COMPLETE_END,
    )
    document = parse_text(text, "doc.txt")
    assert find(document.to_dict(), "P1.1.1")["text"] == "指標跨頁接續"
    assert document.warnings == [
        f"doc.txt:{line_of(text, '不是')}: a row that is neither a new item nor a continuation after a "
        "page break is skipped: '不是接續'"
    ]


def test_a_unit_row_without_a_label_continues_a_section_only_after_a_page_break():
    text = unit(
        row("工作任務與行為指標", "<p>一、任務</p> <ol> 1. 指標一"),
        "",
        row("", "2. 指標二</ol>"),
        row("", "3. 不是 接續"),
    )
    document = parse_text(text, "doc.txt")
    assert [i["text"] for i in document.to_dict()["tasks"][0]["indicators"]] == ["指標一", "指標二"]
    assert document.warnings[0] == (
        f"doc.txt:{line_of(text, '不是')}: a row without a label that is not a continuation after a "
        "page break is skipped: '3. 不是接續'"
    )


# What the seeds lose when cut at 60% and 90% of their characters.
TRUNCATED = {
    ("BAS1499-003.txt", 0.6): "態度 (attitudes) and 說明與補充事項 (notes)",
    ("BAS1499-003.txt", 0.9): "態度 (attitudes) and 說明與補充事項 (notes)",
    ("BAS2421-003v4.txt", 0.6): "態度 (attitudes) and 說明與補充事項 (notes)",
    ("BAS2421-003v4.txt", 0.9): "說明與補充事項 (notes)",
    ("BGM4R0172v2.txt", 0.6): "說明與補充事項 (notes) and the row that closes the table (--)",
    ("BGM4R0172v2.txt", 0.9): "the row that closes the table (--)",
    ("KMM5R0915v2.txt", 0.6): "說明與補充事項 (notes) and the row that closes the table (--)",
    ("KMM5R0915v2.txt", 0.9): "the row that closes the table (--)",
    ("TTM3R0299v2.txt", 0.6): "說明與補充事項 (notes) and the row that closes the table (--)",
    ("TTM3R0299v2.txt", 0.9): "the row that closes the table (--)",
}


@pytest.mark.parametrize(("name", "share"), sorted(TRUNCATED), ids=lambda v: str(v))
def test_a_truncated_seed_warns_naming_the_sections_it_ends_without(name, share):
    text = (SEED_DIR / name).read_text(encoding="utf-8")
    cut = text[: int(len(text) * share)]
    last_line = len(cut.rstrip("\n").split("\n"))
    document = parse_text(cut, name)
    assert document.warnings == [
        f"{name}:{last_line}: the document ends without {TRUNCATED[name, share]}: truncated?"
    ]


def test_every_section_missing_from_a_unit_is_named():
    document = parse_text(unit(row("工作任務與行為指標", "<p>一、任務</p> <ol> 1. 指標</ol>")), "doc.txt")
    assert document.warnings == [
        "doc.txt:6: the document ends without 知識 (knowledge), 技能 (skills), 評量設計參考 (assessment), "
        "說明與補充事項 (notes) and the row that closes the table (--): truncated?"
    ]


@pytest.mark.parametrize(
    "printed", ["2025/13/45", "2025/02/30", "二〇二五年", "2025/12", "114/2/29", "下週", "2025/12/15 前"]
)
def test_an_impossible_version_date_is_an_error_naming_its_line(printed):
    versions = (
        row("版本", "職能基準代碼", "職能基準名稱", "狀態", "更新說明", "發展更新日期"),
        row("V1", "TST0001-001", "測試人員", "最新版本", "略", printed),
        "",
    )
    text = standard(SIMPLE_ROW, before=versions)
    parse_error(text, at(text, "V1\t") + ".*date '" + re.escape(printed.replace(" ", " ")) + "'")


@pytest.mark.parametrize(
    ("printed", "iso"),
    [("2024/2/29", "2024-02-29"), ("113/2/29", "2024-02-29"), ("２０２５／１２／１５", "2025-12-15"),
     ("2025年12月15日", "2025-12-15"), ("", None), ("無", None), ("-", None)],
)  # fmt: skip
def test_real_dates_in_any_printing_are_read_and_a_dash_is_no_date(printed, iso):
    versions = (
        row("版本", "職能基準代碼", "職能基準名稱", "狀態", "更新說明", "發展更新日期"),
        row("V1", "TST0001-001", "測試人員", "最新版本", "略", printed),
        "",
    )
    assert parse(standard(SIMPLE_ROW, before=versions))["versions"][0]["date"] == iso


# --- files that are not regular files ------------------------------------------------------


def test_a_fifo_is_named_and_never_opened(in_tmp: Path) -> None:
    os.mkfifo(in_tmp / "pipe.txt")  # opening it for reading would block forever
    with pytest.raises(ParseError, match=r"^pipe\.txt: not a regular file \(a FIFO\)$"):
        parse_file("pipe.txt")


def test_a_device_is_named_and_never_read() -> None:
    with pytest.raises(ParseError, match=r"^/dev/zero: not a regular file \(a character device\)$"):
        parse_file("/dev/zero")


def test_a_socket_is_named(in_tmp: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind("sock.txt")
        with pytest.raises(ParseError, match=r"^sock\.txt: not a regular file \(a socket\)$"):
            parse_file("sock.txt")


@pytest.mark.parametrize(
    "links", [{"a.txt": "b.txt", "b.txt": "a.txt"}, {"a.txt": "a.txt"}], ids=["two", "self"]
)
def test_a_symbolic_link_loop_is_named(in_tmp: Path, links: dict[str, str]) -> None:
    for name, target in links.items():
        (in_tmp / name).symlink_to(target)
    with pytest.raises(ParseError, match=r"^a\.txt: a symbolic link loop$"):
        parse_file("a.txt")
    with pytest.raises(ParseError, match=r"^a\.txt: a symbolic link loop$"):
        discover(["a.txt"])


def test_a_broken_link_is_named(in_tmp: Path) -> None:
    (in_tmp / "gone.txt").symlink_to("nowhere.txt")
    with pytest.raises(ParseError, match=r"^gone\.txt: a broken symbolic link"):
        parse_file("gone.txt")


def test_a_link_to_a_document_is_read(in_tmp: Path) -> None:
    (in_tmp / "doc.txt").write_text(UNIT, encoding="utf-8")
    (in_tmp / "link.txt").symlink_to("doc.txt")
    assert parse_file("link.txt").code == "TST3R0001v1"


@pytest.mark.parametrize("make", ["fifo", "loop"])
def test_a_non_regular_source_inside_a_folder_is_named(in_tmp: Path, make: str) -> None:
    (in_tmp / "docs" / "deeper").mkdir(parents=True)
    (in_tmp / "docs" / "doc.txt").write_text(UNIT, encoding="utf-8")
    bad = in_tmp / "docs" / "deeper" / "bad.txt"
    if make == "fifo":
        os.mkfifo(bad)
    else:
        bad.symlink_to("bad.txt")
    with pytest.raises(
        ParseError, match=r"^docs/deeper/bad\.txt: (not a regular file \(a FIFO\)|a symbolic link loop)$"
    ):
        discover(["docs"])


def test_a_folder_linking_to_itself_is_walked_once(in_tmp: Path) -> None:
    (in_tmp / "docs").mkdir()
    (in_tmp / "docs" / "doc.txt").write_text(UNIT, encoding="utf-8")
    (in_tmp / "docs" / "again").symlink_to("..")
    assert [p.name for p in discover(["docs"])] == ["doc.txt"]


def test_a_huge_file_is_not_read(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_SOURCE_BYTES", 1024 * 1024)
    (in_tmp / "huge.txt").write_bytes(UNIT.encode() + b" " * (2 * 1024 * 1024))
    with pytest.raises(ParseError, match=r"^huge\.txt: is 2 MB; a source document is at most 1 MB$"):
        parse_file("huge.txt")


def test_an_unreadable_file_is_an_error_in_one_line(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (in_tmp / "secret.txt").write_text(UNIT, encoding="utf-8")
    (in_tmp / "secret.txt").chmod(0)
    if os.geteuid() == 0:  # root reads any file: make the open fail as it would for a user

        def refuse(path: Any, *args: Any, **kwargs: Any) -> int:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(files.os, "open", refuse)
    with pytest.raises(ParseError, match=r"^secret\.txt: cannot be read \(permission denied\)$"):
        parse_file("secret.txt")


def test_a_folder_that_cannot_be_listed_is_named(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (in_tmp / "docs" / "locked").mkdir(parents=True)
    (in_tmp / "docs" / "doc.txt").write_text(UNIT, encoding="utf-8")
    scandir = os.scandir

    def refuse(path: Any = ".") -> Any:  # what chmod 000 does to a user who is not root
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(ParseError, match=r"^docs/locked: cannot be read \(permission denied\)$"):
        discover(["docs"])

"""The parser on the five real seed documents in data/raw/.

Every expected value below was read off the seed text by hand (the raw file, line by
line), not copied from the parser's output. Line numbers are 1-based lines of the raw
file where the item starts.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    ACTIVITY_KEYS,
    ASSESSMENT_KEYS,
    ATTITUDE_KEYS,
    COMPETENCE_KEYS,
    CONCEPT_KEYS,
    INDICATOR_KEYS,
    NOTE_KEYS,
    OUTPUT_KEYS,
    STANDARD_KEYS,
    STANDARD_TASK_KEYS,
    UNIT_KEYS,
    UNIT_TASK_KEYS,
    VERSION_KEYS,
)
from kg.parse import parse_file

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"

STANDARDS = ["BAS1499-003", "BAS2421-003v4"]
UNITS = ["BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2"]
SEEDS = STANDARDS + UNITS


@cache
def seed(name: str) -> dict[str, Any]:
    """The contract JSON of one seed (parsed once per test run)."""
    return parse_file(RAW / f"{name}.txt").to_dict()


def raw_lines(name: str) -> list[str]:
    return (RAW / f"{name}.txt").read_text(encoding="utf-8").split("\n")


def activities(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for t in doc["tasks"] for a in t.get("activities", [])]


def outputs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for a in activities(doc) for o in a["outputs"]]


def indicators(doc: dict[str, Any]) -> list[dict[str, Any]]:
    direct = [i for t in doc["tasks"] for i in t.get("indicators", [])]
    return direct + [i for a in activities(doc) for i in a["indicators"]]


def find(doc: dict[str, Any], code: str) -> dict[str, Any]:
    """The one item with this code, wherever it is in the document."""
    pools = (
        doc["tasks"],
        activities(doc),
        outputs(doc),
        indicators(doc),
        doc["knowledge"],
        doc["skills"],
        doc["attitudes"],
        doc["notes"],
        doc.get("assessment", []),
    )
    found = [item for pool in pools for item in pool if item["code"] == code]
    assert len(found) == 1, f"{code}: expected exactly one item, found {len(found)}"
    return found[0]


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [item["code"] for item in items]


def numbered(prefix: str, first: int, last: int, width: int = 1) -> list[str]:
    return [f"{prefix}{n:0{width}d}" for n in range(first, last + 1)]


# --- kind, code and header fields ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("BAS1499-003", "standard"),
        ("BAS2421-003v4", "standard"),
        ("BGM4R0172v2", "unit"),
        ("KMM5R0915v2", "unit"),
        ("TTM3R0299v2", "unit"),
    ],
)
def test_kind_and_code_come_from_the_document(name: str, kind: str) -> None:
    doc = seed(name)
    assert (doc["kind"], doc["code"]) == (kind, name)


@pytest.mark.parametrize(
    ("name", "title", "level"),
    [
        ("BAS1499-003", "客戶服務主管", 4),
        ("BAS2421-003v4", "客戶服務企劃人員", 3),
        ("BGM4R0172v2", "管理客戶服務部門員工", 4),
        ("KMM5R0915v2", "發展客戶服務的行銷策略", 5),
        ("TTM3R0299v2", "提昇優質客戶服務", 3),
    ],
)
def test_title_and_level(name: str, title: str, level: int) -> None:
    doc = seed(name)
    assert (doc["title"], doc["level"]) == (title, level)


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("BGM4R0172v2", "企業經營管理 / 一般管理"),
        ("KMM5R0915v2", "行銷與銷售/行銷管理"),
        ("TTM3R0299v2", "休閒與觀光旅遊/旅遊管理"),
    ],
)
def test_unit_domain(name: str, domain: str) -> None:
    assert seed(name)["domain"] == domain


@pytest.mark.parametrize(
    ("name", "category", "occupation", "industry"),
    [
        (
            "BAS1499-003",
            {"name": "企業經營管理 / 行政支援", "code": "BAS"},
            {"name": "未分類其他場所服務經理人員", "code": "1499"},
            {"name": "支援服務業 / 行政支援服務業", "code": "N8209"},
        ),
        (
            "BAS2421-003v4",
            {"name": "企業經營管理 / 行政支援", "code": "BAS"},
            {"name": "組織及政策管理專業人員", "code": "2421"},
            {"name": "支援服務業 / 行政支援服務業", "code": "N8209"},
        ),
    ],
)
def test_standard_classification(name: str, category: dict, occupation: dict, industry: dict) -> None:
    doc = seed(name)
    assert (doc["category"], doc["occupation"], doc["industry"]) == (category, occupation, industry)


@pytest.mark.parametrize(
    ("name", "description"),
    [
        (
            "BAS1499-003",
            "負責客服中心人員管理、流程規劃改造，以及客服績效目標設定與管理並透過督導、"
            "修正不當之服務行為或產品資訊，以確保高品質的服務。",
        ),
        (
            "BAS2421-003v4",
            "依據組織所提供之產品及服務內涵，分析客戶需求，優化並協助制訂客戶服務標準作業流程。",
        ),
    ],
)
def test_standard_description(name: str, description: str) -> None:
    assert seed(name)["description"] == description


# --- counts ----------------------------------------------------------------------------

STANDARD_COUNTS = {
    # tasks, activities, outputs, indicators, knowledge, skills, attitudes, notes, versions, history
    "BAS1499-003": (8, 28, 6, 114, 49, 54, 5, 1, 0, 1),
    "BAS2421-003v4": (2, 5, 4, 21, 12, 9, 6, 2, 4, 0),
}
UNIT_COUNTS = {
    # tasks, indicators, knowledge, skills, attitudes, notes, assessment, history
    "BGM4R0172v2": (5, 15, 9, 7, 0, 7, 3, 1),
    "KMM5R0915v2": (4, 18, 8, 14, 0, 5, 3, 0),
    "TTM3R0299v2": (3, 11, 7, 9, 0, 10, 3, 1),
}


@pytest.mark.parametrize("name", STANDARDS)
def test_standard_counts(name: str) -> None:
    doc = seed(name)
    actual = (
        len(doc["tasks"]),
        len(activities(doc)),
        len(outputs(doc)),
        len(indicators(doc)),
        len(doc["knowledge"]),
        len(doc["skills"]),
        len(doc["attitudes"]),
        len(doc["notes"]),
        len(doc["versions"]),
        len(doc["history"]),
    )
    assert actual == STANDARD_COUNTS[name]


@pytest.mark.parametrize("name", UNITS)
def test_unit_counts(name: str) -> None:
    doc = seed(name)
    actual = (
        len(doc["tasks"]),
        len(indicators(doc)),
        len(doc["knowledge"]),
        len(doc["skills"]),
        len(doc["attitudes"]),
        len(doc["notes"]),
        len(doc["assessment"]),
        len(doc["history"]),
    )
    assert actual == UNIT_COUNTS[name]


def test_bas1499_indicators_per_activity() -> None:
    per_activity = {a["code"]: len(a["indicators"]) for a in activities(seed("BAS1499-003"))}
    assert per_activity == {
        "T1.1": 3, "T1.2": 3, "T1.3": 3,
        "T2.1": 5, "T2.2": 5, "T2.3": 5, "T2.4": 3,
        "T3.1": 3, "T3.2": 5, "T3.3": 3, "T3.4": 5, "T3.5": 5,
        "T4.1": 4, "T4.2": 3, "T4.3": 2, "T4.4": 8,
        "T5.1": 5, "T5.2": 3, "T5.3": 3,
        "T6.1": 4, "T6.2": 5, "T6.3": 5,
        "T7.1": 5, "T7.2": 7,
        "T8.1": 2, "T8.2": 4, "T8.3": 3, "T8.4": 3,
    }  # fmt: skip


def test_bas1499_codes_are_the_printed_codes() -> None:
    doc = seed("BAS1499-003")
    assert codes(doc["tasks"]) == numbered("T", 1, 8)
    assert codes(doc["knowledge"]) == numbered("K", 1, 49)
    assert codes(doc["skills"]) == numbered("S", 1, 54)
    assert codes(doc["attitudes"]) == numbered("A", 1, 5, width=2)
    assert codes(outputs(doc)) == ["O2.2.1", "O2.2.2", "O3.2.1", "O7.1.1", "O7.1.2", "O7.2.1"]


# --- BAS1499-003: layout 工作任務/工作活動, values per task ------------------------------------


@pytest.mark.parametrize(
    ("task", "level", "knowledge", "skills"),
    [
        ("T1", 4, numbered("K", 1, 6), numbered("S", 1, 4)),
        ("T2", 5, numbered("K", 7, 14), numbered("S", 5, 18)),
        ("T3", 4, numbered("K", 15, 20), numbered("S", 19, 32)),
        ("T4", None, numbered("K", 21, 25), numbered("S", 33, 35)),
        ("T5", 4, numbered("K", 26, 32), numbered("S", 36, 38)),
        ("T6", 4, numbered("K", 33, 37), numbered("S", 39, 44)),
        ("T7", 4, numbered("K", 38, 43), numbered("S", 45, 48)),
        ("T8", 5, numbered("K", 44, 49), numbered("S", 49, 54)),
    ],
)
def test_bas1499_level_and_competences_belong_to_tasks(task, level, knowledge, skills) -> None:
    item = find(seed("BAS1499-003"), task)
    assert (item["level"], item["knowledge"], item["skills"]) == (level, knowledge, skills)


def test_bas1499_activities_carry_no_level_or_competences() -> None:
    for activity in activities(seed("BAS1499-003")):
        assert (activity["level"], activity["knowledge"], activity["skills"]) == (None, [], []), activity[
            "code"
        ]


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("T1", "運作客戶服務中心"),  # wrap spaces removed: "運作 客戶服務 中心"
        ("T3", "管理客戶服務的營運成本"),  # "…營運成" + next page "本"
        ("T5", "發展客服工作所需產品和服務面的知識"),
        ("T8", "促進團隊效能"),
        ("T1.1", "客戶服務中心監督規劃"),
        ("T5.3", "將產品和服務的知識轉換為收益"),  # joined across a page break
        ("T7.2", "協調個人或團體學習發展計畫"),  # "協調個人或團" + "體學習發展計畫"
    ],
)
def test_bas1499_task_and_activity_titles(code: str, title: str) -> None:
    assert find(seed("BAS1499-003"), code)["title"] == title


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("P1.3.1", "與適當的個人和團體協商，以做出決策克服問題並調整客戶服務和產品的交付"),
        ("P2.2.5", "建立緊急應變計畫以應對資料庫與系統之故障"),
        ("P4.4.1", "闡釋和溝通店內政策和程序，並用於門市作業"),  # stray "1." removed
        ("P4.4.7", "鼓勵團隊成員針對業績目標的實現做出回饋，並提供改進建議"),
        ("P5.3.1", "確定具潛在買家且具吸引力的產品與服務的特色"),
        ("P7.2.1", "按照組織政策，經評比後，與合適的提供者簽定績效發展合約"),
        ("P8.2.2", "鼓勵團隊成員為自己的工作負責，並相互協助承擔必要的角色和職責"),
        ("O7.2.1", "學習和發展計畫"),
        ("O2.2.2", "緊急應變計劃"),
    ],
)
def test_bas1499_indicator_and_output_texts(code: str, text: str) -> None:
    assert find(seed("BAS1499-003"), code)["text"] == text


def test_bas1499_indicator_printed_in_output_column_belongs_to_its_activity() -> None:
    activity = find(seed("BAS1499-003"), "T4.3")
    assert activity["outputs"] == []
    assert codes(activity["indicators"]) == ["P4.3.1", "P4.3.2"]
    assert (
        activity["indicators"][0]["text"]
        == "瞭解當前管理階層的店內政策，以了解可能影響部門整體或部份運作的客戶服務議題"
    )


def test_bas1499_indicators_of_t4_4_printed_in_output_column_stay_in_t4_4() -> None:
    activity = find(seed("BAS1499-003"), "T4.4")
    assert activity["outputs"] == []
    assert codes(activity["indicators"]) == numbered("P4.4.", 1, 8)


def test_bas1499_indicator_after_page_break_joins_its_activity() -> None:
    activity = find(seed("BAS1499-003"), "T3.1")
    assert codes(activity["indicators"]) == ["P3.1.1", "P3.1.2", "P3.1.3"]


def test_bas1499_t7_2_output_and_indicators() -> None:
    activity = find(seed("BAS1499-003"), "T7.2")
    assert codes(activity["outputs"]) == ["O7.2.1"]
    assert codes(activity["indicators"]) == numbered("P7.2.", 1, 7)


@pytest.mark.parametrize(
    ("code", "text", "items"),
    [
        ("K1", "客服中心的服務要求", []),
        (
            "K2",
            "解決投訴的技巧，包括下列幾個方面：",
            ["客戶行為", "客戶需求研究", "客戶關係", "持續的產品和服務品質", "問題識別與解決"],
        ),
        ("K4", "紀錄保存和管理的方法", []),  # "…管理的方" + next page "法"
        (
            "K25",
            "下列方面的公司政策和程序：",
            [
                "客戶服務",
                "客戶投訴產品或個別員工",  # "…或個別" + next page "員工"
                "工作人員的監督",
                "監控團隊績效",
                "紀律",
                "申訴處理",
                "分配職責和責任",
                "會議",
                "店內評鑑",
            ],
        ),
        ("K32", "與倫理相關的法則：", ["隱私法規", "貿易慣例法/競爭和消費者法案"]),
        (
            "K33",
            "與業務有關的政策條款：",
            ["反歧視法規", "道德原則", "實務守則", "隱私法規", "金融法規", "職業健康與安全 (OHS)"],
        ),
        ("K47", "組織結構(包括組織圖)", []),
    ],
)
def test_bas1499_knowledge(code: str, text: str, items: list[str]) -> None:
    item = find(seed("BAS1499-003"), code)
    assert (item["text"], item["items"]) == (text, items)


@pytest.mark.parametrize(
    ("code", "text", "items"),
    [
        ("S4", "自我管理技巧：", ["遵守政策和程序", "尋求學習和發展機會"]),
        (
            "S5",
            "分析技能：",
            [
                "分析工作場所的資訊和數據",
                "評估是否符合相關法律、法規和組織要求",
                "考慮所有的選項，並支持該策略的發展",
            ],
        ),
        ("S9", "具領導能力以贏得同事和客戶的信任 and 信心", []),  # page break; Latin spaces kept
        ("S10", "讀寫技能，以：", ["針對複雜的概念和觀點準備並提出報告", "編寫政策、程序和計劃"]),
        ("S19", "分析技能:", ["分析商場訊息和數據", "理解預算方案、敏感性和威脅"]),
        ("S34", "讀寫技能：", ["在管理上完成回饋", "閱讀和理解店內政策和程序"]),  # bullet after a page break
        (
            "S54",
            "屬性：",
            [
                "彈性",
                "交際",
                "自我認識",
                "支援",
                "信任",
                "開放",
                "靈活",
                "包容",
                "啟動",
                "忠誠",
                "公平",
                "適應性",
            ],
        ),
    ],
)
def test_bas1499_skills(code: str, text: str, items: list[str]) -> None:
    item = find(seed("BAS1499-003"), code)
    assert (item["text"], item["items"]) == (text, items)


def test_bas1499_attitudes_split_name_and_text() -> None:
    doc = seed("BAS1499-003")
    assert doc["attitudes"][0] == {
        "code": "A01",
        "name": "團隊意識",
        "text": "積極參與並支持團隊，能彼此鼓勵共同達成團隊目標。",
        "line": 78,
    }
    assert [a["name"] for a in doc["attitudes"]] == ["團隊意識", "主動積極", "謹慎細心", "追求卓越", "自信心"]


def test_bas1499_qualification() -> None:
    assert seed("BAS1499-003")["qualification"] == "大專(學)以上，且具備相關經歷達 5-7 年。"


def test_bas1499_notes() -> None:
    notes = seed("BAS1499-003")["notes"]
    assert [(n["code"], n["text"], n["line"]) for n in notes] == [
        ("N1", "此項職能基準乃參考國外職能資料發展並經國內專家本土化及檢視完成。", 90)
    ]


def test_bas1499_history() -> None:
    assert seed("BAS1499-003")["history"] == [
        "因應 2017/05/25 公告職能基準品質認證作業規範修訂版，將原「入門水準」內容移至"
        "「說明與補充事項」/【建議擔任此職類/職業之學歷/經歷/或能力條件】。"
    ]


def test_bas1499_has_no_version_table() -> None:
    assert seed("BAS1499-003")["versions"] == []


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("T1", 15),
        ("T1.2", 16),
        ("P1.3.1", 17),
        ("P1.3.2", 20),  # first item after the page break
        ("K5", 20),
        ("S10", 25),
        ("T3", 28),
        ("P3.1.3", 31),
        ("K18", 31),
        ("S29", 37),
        ("P4.3.1", 44),
        ("T4.4", 45),
        ("P4.4.7", 45),  # starts on 45 although it continues on 48
        ("P4.4.8", 48),
        ("K47", 70),
        ("A05", 86),
    ],
)
def test_bas1499_item_lines(code: str, line: int) -> None:
    assert find(seed("BAS1499-003"), code)["line"] == line


# --- BAS2421-003v4: layout 主要職責/工作任務, values per activity -------------------------------


@pytest.mark.parametrize(
    ("code", "level", "knowledge", "skills"),
    [
        ("T1.1", 3, numbered("K", 1, 5, 2), numbered("S", 1, 5, 2)),
        ("T1.2", 3, numbered("K", 1, 5, 2), numbered("S", 1, 4, 2)),
        ("T2.1", 3, ["K05", "K06"], ["S01", "S04", "S05"]),
        ("T2.2", 3, numbered("K", 5, 11, 2), ["S01", "S04", "S05", "S06", "S07", "S08"]),
        (
            "T2.3",
            4,
            ["K05", "K06", "K08", "K09", "K10", "K11", "K12"],
            ["S01", "S04", "S05", "S06", "S07", "S09"],
        ),
    ],
)
def test_bas2421_level_and_competences_belong_to_activities(code, level, knowledge, skills) -> None:
    item = find(seed("BAS2421-003v4"), code)
    assert (item["level"], item["knowledge"], item["skills"]) == (level, knowledge, skills)


def test_bas2421_tasks_carry_no_level_or_competences() -> None:
    for task in seed("BAS2421-003v4")["tasks"]:
        assert (task["level"], task["knowledge"], task["skills"]) == (None, [], []), task["code"]


def test_bas2421_knowledge_and_skills_defined_once_each() -> None:
    doc = seed("BAS2421-003v4")
    assert codes(doc["knowledge"]) == numbered("K", 1, 12, 2)
    assert codes(doc["skills"]) == numbered("S", 1, 9, 2)


@pytest.mark.parametrize(
    ("code", "text", "line"),
    [
        ("K01", "產品和服務知識", 21),
        ("K05", "影響業務營運相關法規", 21),
        ("K11", "組織之專案資訊資源、指引和支援", 26),  # "…指引" + next page "和支援"
        ("K12", "預算管理知識", 30),
        ("S09", "預算管理能力", 30),
    ],
)
def test_bas2421_competence_texts(code: str, text: str, line: int) -> None:
    item = find(seed("BAS2421-003v4"), code)
    assert (item["text"], item["line"]) == (text, line)


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("T1", "分析促進客戶服務工作服務知識"),
        ("T1.1", "分析內外環境及衡量產品與服務"),
        ("T2", "企劃客戶服務項目"),
        ("T2.3", "協助制定客服標準作業流程"),
    ],
)
def test_bas2421_titles(code: str, title: str) -> None:
    assert find(seed("BAS2421-003v4"), code)["title"] == title


def test_bas2421_indicator_after_page_break() -> None:
    doc = seed("BAS2421-003v4")
    item = find(doc, "P2.2.5")
    assert (item["text"], item["line"]) == ("整合新設施資源之使用及專案管理工具。", 29)
    assert codes(find(doc, "T2.2")["indicators"]) == numbered("P2.2.", 1, 5)


def test_bas2421_outputs() -> None:
    doc = seed("BAS2421-003v4")
    assert [(o["code"], o["text"]) for o in outputs(doc)] == [
        ("O1.1.1", "產品及客服市場分析定位報告"),
        ("O2.1.1", "客戶服務措施分析報告"),
        ("O2.2.1", "組織內部資源彙整報告"),
        ("O2.3.1", "客服作業計畫"),
    ]


def test_bas2421_versions_with_iso_dates() -> None:
    rows = [
        {k: v[k] for k in ("version", "code", "title", "status", "remark", "date")}
        for v in seed("BAS2421-003v4")["versions"]
    ]
    assert rows == [
        {"version": "V4", "code": "BAS2421-003v4", "title": "客戶服務企劃人員", "status": "最新版本",
         "remark": "略", "date": "2025-12-15"},
        {"version": "V3", "code": "BAS2421-003v3", "title": "客戶服務企劃人員", "status": "歷史版本",
         "remark": "已被《BAS2421-003v4》取代", "date": "2021-12-31"},
        {"version": "V2", "code": "BAS2421-003v2", "title": "客戶服務企劃人員", "status": "歷史版本",
         "remark": "已被《BAS2421-003v3》取代", "date": "2019-12-31"},
        {"version": "V1", "code": "BAS2421-003v1", "title": "客戶服務規劃人員", "status": "歷史版本",
         "remark": "已被《BAS2421-003v2》取代", "date": "2016-12-31"},
    ]  # fmt: skip


def test_bas2421_attitudes_split_at_full_width_colon() -> None:
    attitudes = seed("BAS2421-003v4")["attitudes"]
    assert [(a["code"], a["name"]) for a in attitudes] == [
        ("A01", "謹慎細心"),
        ("A02", "持續學習"),
        ("A03", "追求卓越"),
        ("A04", "彈性"),
        ("A05", "主動積極"),
        ("A06", "好奇開放"),
    ]
    assert (
        attitudes[3]["text"]
        == "能夠敞開心胸，調整行為或工作方法以適應新資訊、變化的外在環境或突如其來的阻礙。"
    )
    assert attitudes[0]["line"] == 34


def test_bas2421_qualification_from_sub_bullet() -> None:
    assert seed("BAS2421-003v4")["qualification"] == "大專以上畢業，且具相關工作經驗2年以上。"


def test_bas2421_notes_from_sub_bullets_of_other_remarks() -> None:
    notes = seed("BAS2421-003v4")["notes"]
    assert [(n["code"], n["text"], n["line"]) for n in notes] == [
        (
            "N1",
            "影響業務營運相關法規：如反歧視法規、道德原則、個資法、合約、職業安全衛生相關規範、產業相關法規及消費者法等。",
            46,
        ),
        ("N2", "利益關係人：包含客戶、股東、董監事、上下游合作廠商等。", 47),
    ]


def test_bas2421_has_no_history() -> None:
    assert seed("BAS2421-003v4")["history"] == []


# --- TTM3R0299v2 ------------------------------------------------------------------------


def test_ttm_task_title_without_note_marker() -> None:
    task = find(seed("TTM3R0299v2"), "T1")
    assert (task["title"], task["notes"], task["line"]) == ("提供優質的客戶服務", ["N1"], 7)


def test_ttm_task_titles() -> None:
    assert [t["title"] for t in seed("TTM3R0299v2")["tasks"]] == [
        "提供優質的客戶服務",
        "執行管理優質服務",
        "持續性調整客戶服務。",
    ]


def test_ttm_indicator_with_note() -> None:
    item = find(seed("TTM3R0299v2"), "P1.2")
    assert (item["text"], item["notes"], item["line"]) == (
        "利用多樣化的資訊取得管道，獲取客戶的需求及滿意度。",
        ["N2"],
        7,
    )


@pytest.mark.parametrize(
    ("code", "notes"),
    [("P1.1", []), ("P2.1", ["N3"]), ("T3", ["N4"]), ("P3.1", ["N5"]), ("P3.3", ["N6"]),
     ("K4", ["N7"]), ("K5", ["N8"]), ("S1", ["N9"]), ("S4", ["N10"])],
)  # fmt: skip
def test_ttm_note_references(code: str, notes: list[str]) -> None:
    assert find(seed("TTM3R0299v2"), code)["notes"] == notes


def test_ttm_indicators_per_task() -> None:
    doc = seed("TTM3R0299v2")
    assert [codes(t["indicators"]) for t in doc["tasks"]] == [
        ["P1.1", "P1.2", "P1.3"],
        ["P2.1", "P2.2", "P2.3"],
        ["P3.1", "P3.2", "P3.3", "P3.4", "P3.5"],
    ]


def test_ttm_skills_continue_after_page_break() -> None:
    doc = seed("TTM3R0299v2")
    assert codes(doc["skills"]) == numbered("S", 1, 9)
    item = find(doc, "S6")
    assert (item["text"], item["line"]) == ("建立計畫與定期評鑑客戶服務系統的規劃與組織技能", 11)


def test_ttm_knowledge_text_without_note_marker() -> None:
    item = find(seed("TTM3R0299v2"), "K4")
    assert (item["text"], item["line"]) == ("提供優質服務的實施方法", 8)


def test_ttm_assessment_sections() -> None:
    sections = seed("TTM3R0299v2")["assessment"]
    assert [(e["code"], e["title"], len(e["items"])) for e in sections] == [
        ("E1", "評量之關鍵面向/能力證明之證據", 4),
        ("E2", "評量所需情境與特定資源", 4),
        ("E3", "評量方法", 5),
    ]
    assert sections[0]["items"] == [
        "發展、評估與審視提供優質客戶服務的實務做法。",
        "持續管理客戶服務的執行，並監督客戶服務實務做法的有效程度。",
        "發展提供優質服務的全面政策與程序。",
        "整合對於優質客戶服務與消費者保護相關法規知識。",
    ]
    assert sections[1]["items"][0] == "模擬客戶服務實務進行的相關產業環境(如：觀光業、接待或活動產業的業務)。"


def test_ttm_note_joined_across_page_break() -> None:
    note = find(seed("TTM3R0299v2"), "N1")
    assert note["text"] == (
        "客戶可能來自：外部(企業對企業 B2B、公司、電子商務、政府、網路、媒體及零售)，"
        "內部(同仁、管理者、團隊成員、其他部門的工作人員、其他分公司或地方的工作人員及主管)，新的或定期的及訪客。"
    )
    assert note["line"] == 13


def test_ttm_notes_codes_and_lines() -> None:
    notes = seed("TTM3R0299v2")["notes"]
    assert codes(notes) == numbered("N", 1, 10)
    assert [n["line"] for n in notes] == [13] + [15] * 9
    assert notes[3]["text"] == "客戶服務可能以下列模式提供：電話、電子郵件或書面通訊、面對面、網路及 APP。"


def test_ttm_history() -> None:
    assert seed("TTM3R0299v2")["history"] == ["2020年修訂職能內容。"]


# --- KMM5R0915v2 ------------------------------------------------------------------------


def test_kmm_skills_across_page_break() -> None:
    doc = seed("KMM5R0915v2")
    assert codes(doc["skills"]) == numbered("S", 1, 14)
    s8 = find(doc, "S8")
    assert (s8["text"], s8["line"]) == ("規劃和組織能力以在時限內設法完成任務", 10)
    assert find(doc, "S5")["text"] == "具領導能力以贏得同事和客戶的信任和信心"
    assert find(doc, "S14")["text"] == "組織、管理和分析數據的技能"
    assert find(doc, "S7")["line"] == 8


def test_kmm_knowledge_after_skills() -> None:
    doc = seed("KMM5R0915v2")
    assert codes(doc["knowledge"]) == numbered("K", 1, 8)
    assert [(k["text"], k["line"]) for k in doc["knowledge"][:2]] == [
        ("客服中心資訊系統和從這些系統獲得之數據和訊息", 11),
        ("緊急應變原則", 11),
    ]


def test_kmm_tasks_and_indicators() -> None:
    doc = seed("KMM5R0915v2")
    assert [t["title"] for t in doc["tasks"]] == [
        "應用銷售和行銷原則發展客戶服務中心的績效",
        "啟動、評估和維護行銷資料庫系統",
        "建立和評估客戶服務和留住策略",
        "分析銷售和客戶活動成果",
    ]
    assert [len(t["indicators"]) for t in doc["tasks"]] == [5, 5, 5, 3]
    assert find(doc, "P2.5")["text"] == "建立緊急應變計畫以應對資料庫與系統之故障"


def test_kmm_assessment_item_after_page_break() -> None:
    sections = seed("KMM5R0915v2")["assessment"]
    assert [(e["code"], e["title"], len(e["items"])) for e in sections] == [
        ("E1", "評量之關鍵面向/能力證明之證據", 5),
        ("E2", "評量所需情境與特定資源", 4),
        ("E3", "評量方法", 8),
    ]
    assert sections[2]["items"][7] == "檢視銷售和客戶服務績效報告"  # printed on line 14


@pytest.mark.parametrize(
    ("code", "text", "items", "line"),
    [
        ("N2", "供應鏈包括：", ["帳務", "放款和收款", "客戶服務", "服務範圍", "銷售"], 15),
        (
            "N3",
            "行銷資料庫的欄位可能包括：",
            ["郵遞區號、通訊和戶籍地址", "聯絡電話", "目前的產品和服務", "電子郵件信箱",
             "姓名", "職業", "過往優惠紀錄"],
            15,
        ),
        (
            "N4",
            "緊急應變計畫可能包括：",
            [
                "維持正常運行的活動",
                "聯繫層級原則",
                "交互式語音回應留言系統 (IVR)",
                "聽取訊息並於系統恢復後回電客戶",
                "暫時把電話轉到其他區域",  # after the page break
                "使用備份系統或資料庫",
                "使用人工流程或記錄",
            ],
            15,
        ),
        (
            "N5",
            "售後服務和留住客戶策略包括：",
            ["帳戶管理", "後續追蹤電話", "客戶滿意度調查", "差異化的客戶服務和支持", "折扣或特別優惠",
             "追蹤以確保客戶滿意度和售後忠誠度", "忠誠度計畫", "提供加值的服務或產品"],
            17,
        ),
    ],
)  # fmt: skip
def test_kmm_note_items(code: str, text: str, items: list[str], line: int) -> None:
    note = find(seed("KMM5R0915v2"), code)
    assert (note["text"], note["items"], note["line"]) == (text, items, line)


def test_kmm_nested_note_bullets_keep_all_leaves_in_order() -> None:
    note = find(seed("KMM5R0915v2"), "N1")
    assert note["text"] == "利害關係人可能包括："
    leaves = [
        "直屬團隊",
        "團隊領導者",
        "其他資深之客服中心工作人員",
        "銷售和行銷",
        "放款和收款",
        "帳務",
        "承包商",
        "軟硬體供應商",
    ]
    assert [i for i in note["items"] if i in leaves] == leaves


def test_kmm_has_no_history() -> None:
    assert seed("KMM5R0915v2")["history"] == []


# --- BGM4R0172v2 ------------------------------------------------------------------------


def test_bgm_indicator_with_underline_tags_removed() -> None:
    item = find(seed("BGM4R0172v2"), "P1.1")
    assert (item["text"], item["notes"], item["line"]) == (
        "為客戶服務角色，發展並訂定工作規範與職務說明。",
        ["N1", "N2"],
        7,
    )


@pytest.mark.parametrize(
    ("code", "text", "notes"),
    [
        (
            "P1.2",
            "使用訪談技巧應用員工遴選流程藉由分析員工流動並引用員工留用策略以減少員工流失。",
            ["N3", "N4"],
        ),
        ("P3.1", "為所有成員，發展並維持關鍵績效指標。", ["N5"]),
        ("P4.3", "運用關鍵績效指標啟動獎勵計畫定期評量薪資和激勵計畫以確保有效性。", ["N6"]),
        ("P5.1", "定期安排執行法規性訓練以協助個人和員工熟悉法令和法規，並確保符合法令和法規要求。", ["N7"]),
        ("P2.1", "盤點所有員工技能。", []),
    ],
)
def test_bgm_indicators(code: str, text: str, notes: list[str]) -> None:
    item = find(seed("BGM4R0172v2"), code)
    assert (item["text"], item["notes"]) == (text, notes)


def test_bgm_knowledge_continues_after_page_break() -> None:
    doc = seed("BGM4R0172v2")
    assert codes(doc["knowledge"]) == numbered("K", 1, 9)
    k5 = find(doc, "K5")
    assert (k5["text"], k5["line"]) == ("組織招募流程", 10)


def test_bgm_notes_after_page_break() -> None:
    doc = seed("BGM4R0172v2")
    assert codes(doc["notes"]) == numbered("N", 1, 7)
    n4 = find(doc, "N4")
    assert n4["line"] == 15
    assert n4["text"].startswith("流失：流失因素外部因素，如其他地方的更高薪資率")


def test_bgm_assessment() -> None:
    sections = seed("BGM4R0172v2")["assessment"]
    assert [(e["title"], len(e["items"])) for e in sections] == [
        ("評量證據", 5),
        ("評量情境與資源", 2),
        ("評量方法", 3),
    ]


def test_bgm_history() -> None:
    assert seed("BGM4R0172v2")["history"] == ["2021 年修訂職能內容。"]


# --- whole-document properties ----------------------------------------------------------


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "source" for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"


@pytest.mark.parametrize("name", SEEDS)
def test_no_markup_bullets_or_note_markers_left_in_texts(name: str) -> None:
    leftovers = [s for s in strings(seed(name)) if re.search(r"<\s*/?\s*[a-zA-Z]|[■●]|【\s*註", s)]
    assert leftovers == []


@pytest.mark.parametrize("name", SEEDS)
def test_no_wrap_spaces_between_cjk_characters(name: str) -> None:
    leftovers = [s for s in strings(seed(name)) if re.search(rf"{CJK}\s+{CJK}", s)]
    assert leftovers == []


@pytest.mark.parametrize("name", STANDARDS)
def test_standard_items_start_on_the_line_that_prints_their_code(name: str) -> None:
    doc = seed(name)
    lines = raw_lines(name)
    items = doc["tasks"] + activities(doc) + outputs(doc) + indicators(doc)
    items += doc["knowledge"] + doc["skills"] + doc["attitudes"]
    wrong = [
        (item["code"], item["line"])
        for item in items
        if not re.search(
            rf"(?<![A-Za-z0-9.]){re.escape(item['code'])}(?![0-9]|\.\d)", lines[item["line"] - 1]
        )
    ]
    assert wrong == []


# --- the JSON contract ------------------------------------------------------------------


def missing(obj: dict[str, Any], keys: set[str]) -> set[str]:
    return keys - obj.keys()


def contract_problems(doc: dict[str, Any]) -> list[str]:
    problems: list[str] = []

    def check(where: str, obj: dict[str, Any], keys: set[str]) -> None:
        if missing(obj, keys):
            problems.append(f"{where}: missing {sorted(missing(obj, keys))}")

    for item in doc["knowledge"] + doc["skills"]:
        check(item["code"], item, COMPETENCE_KEYS)
    for item in doc["attitudes"]:
        check(item["code"], item, ATTITUDE_KEYS)
    for item in doc["notes"]:
        check(item["code"], item, NOTE_KEYS)
    if doc["kind"] == "standard":
        for key in ("category", "occupation", "industry"):
            check(key, doc[key], CONCEPT_KEYS)
        for version in doc["versions"]:
            check(version["version"], version, VERSION_KEYS)
        for task in doc["tasks"]:
            check(task["code"], task, STANDARD_TASK_KEYS)
            for activity in task["activities"]:
                check(activity["code"], activity, ACTIVITY_KEYS)
                for output in activity["outputs"]:
                    check(output["code"], output, OUTPUT_KEYS)
                for indicator in activity["indicators"]:
                    check(indicator["code"], indicator, INDICATOR_KEYS)
    else:
        for task in doc["tasks"]:
            check(task["code"], task, UNIT_TASK_KEYS)
            for indicator in task["indicators"]:
                check(indicator["code"], indicator, INDICATOR_KEYS)
        for section in doc["assessment"]:
            check(section["code"], section, ASSESSMENT_KEYS)
    return problems


@pytest.mark.parametrize("name", STANDARDS)
def test_standard_json_has_exactly_the_contract_document_keys(name: str) -> None:
    assert set(seed(name)) == STANDARD_KEYS


@pytest.mark.parametrize("name", UNITS)
def test_unit_json_has_exactly_the_contract_document_keys(name: str) -> None:
    assert set(seed(name)) == UNIT_KEYS


@pytest.mark.parametrize("name", SEEDS)
def test_every_item_has_the_contract_keys(name: str) -> None:
    assert contract_problems(seed(name)) == []


@pytest.mark.parametrize("name", SEEDS)
def test_json_round_trips(name: str) -> None:
    doc = seed(name)
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc


@pytest.mark.parametrize("name", SEEDS)
def test_source_names_the_file(name: str) -> None:
    assert seed(name)["source"].endswith(f"data/raw/{name}.txt")

"""A synthetic iCAP corpus with the reuse of the real one, as source files `kg build` reads.

- Standards (職能基準, 40%) take their code, name, level, 職類別, 職業別 and 行業別 from the
  metadata of 905 real standards (/work/shared/data or $KG_STANDARDS_INDEX; beyond 905
  the codes get a new serial number); units (職能單元, 60%) get codes of the real shape and
  the 職類別 of a real standard.
- Every text is new, in the words of its document's 職類別 (see `_Words`), so that documents
  of one field share vocabulary and documents of different fields rarely do, and do not copy
  each other except where the real corpus does:
  - a unit is embedded, word for word, as a task of 0 to 4 standards (its indicators
    become the task's indicators, its knowledge and skills join the task's lists);
  - knowledge and skill texts are drawn from a shared pool with Zipf-like frequencies
    (a few, like 溝通協調能力, in many documents), beside each document's own;
  - a share of texts are near copies of another text of the same field (one word changed);
  - attitudes come from a short common list.
The same arguments give the same files (with the same jieba and OpenCC).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import jieba
import opencc

jieba.setLogLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
INDEX = Path(os.environ.get("KG_STANDARDS_INDEX", "/work/shared/data/icap-standards-index.json"))
NUMERALS = "一二三四五六七八九十"
# words of section and field names: a text holding one could read as a heading
_HEADINGS = (
    "職能",
    "代碼",
    "名稱",
    "類別",
    "級別",
    "工作任務",
    "工作活動",
    "工作產出",
    "行為指標",
    "內涵",
    "評量",
)
_HEADINGS += ("說明", "補充", "工作描述", "基準", "職類", "職業", "行業", "態度", "知識", "技能")
_HEADINGS += ("更新", "修訂", "紀錄", "記錄")  # 更新紀錄 opens a unit's history section
_CONTENT_COLUMNS = "職能內涵 (K=knowledge 知識)\t職能內涵 (S=skills 技能)"
# the action verbs competency texts open with
VERBS = """規劃 執行 分析 評估 維護 檢查 撰寫 設計 管理 協調 監控 測試 安裝 操作 整理 製作 辨識 處理
提供 建立 確認 訂定 審核 統計 回報 追蹤 改善 推動 溝通 指導 培訓 調整 選用 準備 彙整 蒐集 判讀 校正
保養 驗收 估算 編列 擬定 落實 控管 排除 研判 應用 導入 開發 部署 量測 清潔 包裝 運送 採購 盤點 檢驗
修繕 組裝 配置 諮詢 接待 宣導 推廣 審查 稽核 簽核 展示 呈現 歸納 比較 預測 模擬 驗證""".split()  # noqa: SIM905
NEAR = 0.08  # the share of texts made as a near copy of an earlier one (same field and kind)
_WORD = re.compile(r"[\u4e00-\u9fff]{2,3}")
_KNOWLEDGE = ["知識", "概論", "原理", "實務", "法規", "基本概念", "相關規範", "作業流程"]
_ABILITY = ["能力", "技巧", "技術", "應用能力"]
# kind -> its shapes: a format and what fills each slot (v: a verb, n: a noun, k and a: a suffix)
_SHAPES: dict[str, list[tuple[str, ...]]] = {
    "task": [("{}{}", "v", "n"), ("{}{}{}", "v", "n", "n"), ("{}{}與{}", "v", "n", "n")],
    "title": [("{}{}", "n", "n"), ("{}{}{}", "n", "n", "v")],
    "indicator": [
        ("能{}{}{}", "v", "n", "n"),
        ("能依據{}{}，{}{}", "n", "n", "v", "n"),
        ("能{}{}，並{}{}{}", "v", "n", "v", "n", "n"),
        ("依{}{}{}，確保{}{}", "n", "v", "n", "n", "n"),
        ("{}{}時，能{}{}", "v", "n", "v", "n"),
    ],
    "knowledge": [("{}{}{}", "n", "n", "k"), ("{}與{}{}", "n", "n", "k")],
    "skill": [("{}{}{}", "n", "v", "a"), ("{}{}{}", "v", "n", "a")],
    "description": [("{}{}{}，並{}{}{}", "v", "n", "n", "v", "n", "n")],
}
ATTITUDES = ["謹慎細心", "持續學習", "追求卓越", "彈性", "主動積極", "好奇開放", "團隊意識", "正直誠實"]


@dataclass
class _Unit:
    code: str
    title: str
    domain: str
    level: int
    tasks: list[tuple[str, list[str]]]  # (title, indicators)
    knowledge: list[str]
    skills: list[str]
    embedded_in: list[int] = field(default_factory=list)  # standards (by number) that embed it


class _Words:
    """New texts in the words of an occupation's field, in the shapes competency texts take.

    Nouns: the words of the real standards' names in the document's 職類別 (cut by jieba)
    and a share of the common nouns of jieba's dictionary drawn for that field, the rest
    from all of them; verbs from the action verbs competency texts open with. A share
    (`NEAR`) of the texts are near copies of an earlier text of the same field and kind,
    one word changed, as one standard adapts another's wording.
    """

    def __init__(self, rng: random.Random, standards: list[dict]) -> None:
        self.rng = rng
        self.nouns = _dictionary_nouns()
        names: dict[str, set[str]] = defaultdict(set)
        for entry in standards:
            for cut in jieba.cut(_to_simplified(entry["name"] + " " + entry["occupation_name"])):
                word = to_traditional(cut)
                if _WORD.fullmatch(word) and not _heading(word):
                    names[entry["category"]].add(word)
        self.named = {field: sorted(words) for field, words in names.items()}
        self.fields: dict[str, list[str]] = {}
        self.made: dict[tuple[str, str], list[tuple[int, list[str]]]] = defaultdict(list)
        self.seen: set[str] = set()

    def text(self, kind: str, field: str) -> str:
        """A new text of `kind` (a key of `_SHAPES`) in the words of `field`."""
        earlier = self.made[kind, field]
        while True:
            if earlier and self.rng.random() < NEAR:
                shape, words = self.rng.choice(earlier)
                words = list(words)
                at = self.rng.randrange(len(words))
                words[at] = self._word(_SHAPES[kind][shape][at + 1], field)
            else:
                shape = self.rng.randrange(len(_SHAPES[kind]))
                words = [self._word(slot, field) for slot in _SHAPES[kind][shape][1:]]
            made = _SHAPES[kind][shape][0].format(*words)
            if made not in self.seen:
                self.seen.add(made)
                earlier.append((shape, words))
                return made

    def _word(self, slot: str, field: str) -> str:
        if slot == "v":
            return self.rng.choice(VERBS)
        if slot in ("k", "a"):
            return self.rng.choice(_KNOWLEDGE if slot == "k" else _ABILITY)
        if self.rng.random() < 0.3:
            return self.rng.choice(self.nouns)
        if field not in self.fields:
            drawn = random.Random(f"{field}").sample(self.nouns, 200)
            self.fields[field] = self.named.get(field, []) + drawn
        return self.rng.choice(self.fields[field])


def _heading(word: str) -> bool:
    return any(heading in word for heading in _HEADINGS)


_to_simplified = opencc.OpenCC("t2s").convert
to_traditional = opencc.OpenCC("s2tw").convert


def _dictionary_nouns() -> list[str]:
    """The common nouns of jieba's dictionary (2 or 3 characters), in Traditional characters."""
    found = set()
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as lines:
        for line in lines:
            word, frequency, tag = line.split()
            if tag in ("n", "vn") and int(frequency) >= 300 and _WORD.fullmatch(word):
                found.add(to_traditional(word))
    return sorted(word for word in found if not _heading(word))


_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # what the parser takes as a document code


def _letters(category_code: str) -> str:
    """A unit code's letters from a 職類別代碼 cell, which may hold several codes ("MPD；SET") or none."""
    return re.sub(r"[^A-Za-z0-9]", "", category_code) or "GEN"


def _numeral(n: int) -> str:
    return NUMERALS[n - 1] if n <= 10 else "十" + (NUMERALS[n - 11] if n > 10 else "")


def _zipf(rng: random.Random, pool: list[str], count: int) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(pool))]
    picked: list[str] = []
    while len(picked) < count:
        text = rng.choices(pool, weights)[0]
        if text not in picked:
            picked.append(text)
    return picked


def write_corpus(folder: Path, documents: int, seed: int = 7) -> Path:
    """`documents` source files in `folder`: 40% standards, 60% units (see the module docstring)."""
    rng = random.Random(seed)
    real = json.loads(INDEX.read_text(encoding="utf-8"))["standards"]
    words = _Words(rng, real)
    standards = max(1, documents * 2 // 5)
    knowledge_pool = [words.text("knowledge", "*") for _ in range(max(50, documents // 2))]
    skill_pool = [words.text("skill", "*") for _ in range(max(40, documents // 3))]
    units = []
    for n in range(documents - standards):
        meta = real[n % len(real)]
        domain = meta["category"]

        def texts(kind: str, count: tuple[int, int], domain: str = domain) -> list[str]:
            return [words.text(kind, domain) for _ in range(rng.randint(*count))]

        units.append(
            _Unit(
                code=f"{_letters(meta['category_code'])}{rng.randint(2, 5)}R{n:04d}v{rng.randint(1, 3)}",
                title=words.text("title", domain),
                domain=domain,
                level=rng.randint(2, 5),
                tasks=[
                    (words.text("task", domain), texts("indicator", (3, 5))) for _ in range(rng.randint(2, 4))
                ],
                knowledge=_zipf(rng, knowledge_pool, rng.randint(2, 4)) + texts("knowledge", (2, 4)),
                skills=_zipf(rng, skill_pool, rng.randint(2, 4)) + texts("skill", (2, 4)),
            )
        )
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4])):
            units[-1].embedded_in.append(rng.randrange(standards))
    folder.mkdir(parents=True, exist_ok=True)
    for unit in units:
        (folder / f"{unit.code}.txt").write_text(_unit_file(unit), encoding="utf-8")
    for n in range(standards):
        meta = dict(real[n % len(real)])
        if not _CODE.fullmatch(meta["code"]):  # a few real entries have a name where the code goes
            meta["code"] = f"{_letters(meta['category_code'])}{n:04d}-{n % 1000:03d}"
        if n >= len(real):
            meta["code"] = re.sub(r"-(\d{3})", f"-{n // len(real)}{n % 100:02d}", meta["code"], count=1)
        embedded = [u for u in units if n in u.embedded_in]
        (folder / f"{meta['code']}.txt").write_text(
            _standard_file(meta, embedded, words, rng, knowledge_pool, skill_pool), encoding="utf-8"
        )
    return folder


def _unit_file(unit: _Unit) -> str:
    tasks = " ".join(
        f"<p>{_numeral(t)}、{title}</p> <ol> "
        + " ".join(f"{i}. {text}" for i, text in enumerate(indicators, 1))
        + " </ol>"
        for t, (title, indicators) in enumerate(unit.tasks, 1)
    )

    def listed(texts: list[str]) -> str:
        return " ".join(f"<p>{_numeral(i)}、{text}</p>" for i, text in enumerate(texts, 1))

    return (
        f"\n\n職能單元代碼\t{unit.code}\n職能單元名稱\t{unit.title}\n領域類別\t{unit.domain}\n"
        f"職能單元級別\t{unit.level}\n工作任務與行為指標\t{tasks}\n"
        f"職能內涵 (S=skills 技能)\t{listed(unit.skills)}\n"
        f"職能內涵 (K=knowledge 知識)\t{listed(unit.knowledge)}\n"
        "評量設計參考\t<p>一、評量方法</p> <ol> 1. 直接提問 </ol>\n說明與補充事項\t<p>【註1】無</p>\n--\t--\n"
    )


def _standard_file(
    meta: dict, embedded: list[_Unit], words: _Words, rng: random.Random, kpool: list[str], spool: list[str]
) -> str:
    level = meta["level"] or 3
    domain = meta["category"]
    knowledge = _zipf(rng, kpool, rng.randint(3, 6)) + [
        words.text("knowledge", domain) for _ in range(rng.randint(3, 6))
    ]
    skills = _zipf(rng, spool, rng.randint(3, 6)) + [
        words.text("skill", domain) for _ in range(rng.randint(2, 5))
    ]
    tasks: list[tuple[str, list[list[str]], list[str], list[str]]] = []  # title, activities' indicators, K, S
    for unit in embedded:
        knowledge += [k for k in unit.knowledge if k not in knowledge]
        skills += [s for s in unit.skills if s not in skills]
        tasks.append((unit.title, [ind for _, ind in unit.tasks], unit.knowledge, unit.skills))
    for _ in range(rng.randint(2, 5)):
        activities = [
            [words.text("indicator", domain) for _ in range(rng.randint(2, 4))]
            for _ in range(rng.randint(1, 3))
        ]
        tasks.append(
            (words.text("task", domain), activities, rng.sample(knowledge, 3), rng.sample(skills, 3))
        )
    rng.shuffle(tasks)
    kcode = {text: f"K{i:02d}" for i, text in enumerate(knowledge, 1)}
    scode = {text: f"S{i:02d}" for i, text in enumerate(skills, 1)}
    header = "工作任務\t工作活動\t工作產出\t行為指標\t職能級別\t" + _CONTENT_COLUMNS
    rows = []
    for t, (title, activities, ks, ss) in enumerate(tasks, 1):
        for a, indicators in enumerate(activities, 1):
            found = " ".join(f"P{t}.{a}.{i}{text}" for i, text in enumerate(indicators, 1))
            ktext = " ".join(f"{kcode[k]}{k}" for k in ks)
            stext = " ".join(f"{scode[s]}{s}" for s in ss)
            first = f"T{t}{title}" if a == 1 else ""
            rows.append(
                f"{first}\tT{t}.{a}{words.text('task', domain)}\t\t{found}\t{level}\t{ktext}\t{stext}"
            )
    attitudes = "\n".join(
        f"- A{i:02d}{name}：{name}的態度。" for i, name in enumerate(rng.sample(ATTITUDES, 3), 1)
    )
    return (
        f"\n\n{meta['name']}職能基準\n\n職能基準代碼\t\t{meta['code']}\n職能基準名稱 (擇一填寫)\t\t職類\n"
        f"\t\t職業\t{meta['name']}\n"
        f"所屬類別\t職類別\t{meta['category']}\t\t職類別代碼\t{meta['category_code']}\n"
        f"\t職業別\t{meta['occupation_name']}\t\t職業別代碼\t{meta['occupation_code']}\n"
        f"\t行業別\t{'; '.join(meta['industry'])}\t\t行業別代碼\t{'; '.join(meta['industry_code'])}\n"
        f"工作描述\t\t{words.text('description', domain)}\n基準級別\t\t{level}\n\n{header}\n"
        + "\n".join(rows)
        + "\n\n"
        f"職能內涵 (A=attitude 態度)\n\n{attitudes}\n\n說明與補充事項\n\n- 其他補充說明：無。\n"
    )

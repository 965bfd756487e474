"""Occupation (職業別) and industry (行業別) names in a question: read from the build's own names."""

from __future__ import annotations

import json

import pytest

from conftest import RAW
from kg.parse import parse_text
from kg.search.engine import CLASS_BOOST, Filters, Searcher
from kg.search.items import class_names, class_vocabulary
from kg.search.lexical import get_tokenizer
from kg.search.understand import PARTS, names_in, understand
from kg.server.pages import CHIP_LABELS
from kg.store.layout import DOCUMENTS_FILE, current_build

# A vocabulary of this file's own: names chosen to exercise each rule, not the seeds' names.
VOCABULARY = {
    "industries": ["住宿及餐飲業", "餐飲業", "服務業", "Food service"],
    "occupations": ["旅館櫃檯人員", "Hotel receptionists", "業"],
}


def read(question: str) -> dict:
    return understand(question, (), VOCABULARY, get_tokenizer().boundaries).to_dict()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("餐飲業的客訴處理", {"industries": ["餐飲業"]}),
        ("住宿及餐飲業的預算編列", {"industries": ["住宿及餐飲業"]}),  # the longest name, not 餐飲業 in it
        ("旅館櫃檯人員要會什麼", {"occupations": ["旅館櫃檯人員"]}),
        ("what should hotel receptionists know", {"occupations": ["Hotel receptionists"]}),
        ("FOOD SERVICE budgeting", {"industries": ["Food service"]}),
        ("餐飲業者的訓練", {}),  # 餐飲 + 業者: the name ends inside a word
        ("客戶服務業務", {}),  # 服務 + 業務: 服務業 straddles two words
        ("food services", {}),  # a Latin name ends where another letter follows
        ("hotel receptionistsx", {}),
        ("企業管理", {}),  # a one-character name (業) is never read
        ("客訴處理", {}),
    ],
)
def test_a_name_is_read_only_as_a_whole_word(question, expected):
    assert read(question) == expected


def test_names_keep_the_words_as_written_and_several_parts_are_read():
    found = names_in("Hotel receptionists in 餐飲業", VOCABULARY)
    assert found == {
        "occupations": [("Hotel receptionists", "Hotel receptionists")],
        "industries": [("餐飲業", "餐飲業")],
    }
    reading = understand("hotel receptionists 餐飲業 知識", (), VOCABULARY)
    assert reading.words[-2:] == ("hotel receptionists", "餐飲業")
    assert reading.describe() == (
        "item kind knowledge first; occupation Hotel receptionists first; industry 餐飲業 first"
    )
    left = reading.without(["occupations"])
    assert left.to_dict() == {"item_kinds": ["knowledge"], "industries": ["餐飲業"]}


def test_without_boundaries_chinese_ends_are_not_checked():
    assert names_in("餐飲業者", VOCABULARY) == {"industries": [("餐飲業", "餐飲業")]}
    assert understand("餐飲業的預算").to_dict() == {}  # no vocabulary: nothing to read


def test_a_documents_names_come_from_its_classification_cells():
    text = (RAW / "BAS2421-003v4.txt").read_text(encoding="utf-8")
    text = text.replace("組織及政策管理專業人員", "旅館櫃檯人員").replace(
        "支援服務業 / 行政支援服務業", "住宿及餐飲業 / 餐飲業"
    )
    document = parse_text(text, "fixture.txt")
    names = class_names(document)
    assert names == {"occupations": ["旅館櫃檯人員"], "industries": ["住宿及餐飲業", "餐飲業"]}
    assert class_names(document.to_dict()) == names
    vocabulary = class_vocabulary([("A", names), ("B", {"industries": ["餐飲業"]}), ("A", names)])
    assert vocabulary == {
        "occupations": {"旅館櫃檯人員": ["A"]},
        "industries": {"住宿及餐飲業": ["A"], "餐飲業": ["A", "B"]},
    }


def test_every_part_of_a_reading_has_a_chip_label():
    assert set(CHIP_LABELS) == set(PARTS)


# --- in a real build ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def searcher(built) -> Searcher:
    return Searcher.open(built)


def test_the_index_keeps_the_names_its_documents_give(built, searcher):
    documents = json.loads((current_build(built.build_dir) / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    expected = class_vocabulary((d["code"], class_names(d)) for d in documents)
    assert searcher.index.vocabulary == expected
    assert expected["industries"]  # the seed standards name their industry
    codes = {code for names in expected.values() for documents in names.values() for code in documents}
    assert codes <= {"BAS1499-003", "BAS2421-003v4"}  # standards; units have no such cells


def occupation_of(searcher: Searcher, code: str) -> str:
    return next(n for n, codes in searcher.index.vocabulary["occupations"].items() if code in codes)


def test_a_named_occupation_puts_its_documents_first(searcher):
    name = occupation_of(searcher, "BAS2421-003v4")
    plain = searcher.search("客訴處理", top=5)
    assert plain.results[0].document != "BAS2421-003v4"  # without the name another comes first
    named = searcher.search(f"{name}的客訴處理", top=5)
    assert named.understood.to_dict() == {"occupations": [name]}
    assert named.results[0].document == "BAS2421-003v4"
    assert len(named.results) > 1  # a boost, not a filter: units still show
    assert CLASS_BOOST > 1


def test_a_named_occupation_can_be_ignored_and_explicit_documents_win(searcher):
    name = occupation_of(searcher, "BAS2421-003v4")
    ignored = searcher.search(f"{name}的客訴處理", ignore=("occupations",))
    assert ignored.understood.to_dict() == {}
    explicit = searcher.search(f"{name}的客訴處理", filters=Filters(documents=("BAS1499-003",)))
    assert explicit.understood.to_dict() == {}
    assert {d.document for d in explicit.results} == {"BAS1499-003"}

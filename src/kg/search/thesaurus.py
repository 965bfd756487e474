"""A bilingual thesaurus of this field: groups of words that mean the same here.

Curriculum designers say 客訴 and KPI where the documents print 投訴 and 績效指標,
and ask in English about Chinese text. Each line of data/synonyms.txt is a group;
a query that mentions one member is expanded with the others: BM25 gets their
tokens, and an English question gets their Chinese words before it is embedded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SynonymGroup:
    pattern: re.Pattern[str]  # finds any member in simplified, lower-cased text
    simplified: tuple[str, ...]  # the members as BM25 sees them
    traditional: tuple[str, ...]  # the Chinese members as printed in the file


class Thesaurus:
    def __init__(self, lines: Iterable[str], to_simplified: Callable[[str], str]) -> None:
        self.to_simplified = to_simplified
        self.groups = []
        for line in lines:
            members = [m.strip() for m in line.split(",") if m.strip()]
            simplified = tuple(to_simplified(m.lower()) for m in members)
            self.groups.append(
                SynonymGroup(
                    pattern=_member_pattern(simplified),
                    simplified=simplified,
                    traditional=tuple(m for m in members if not m.isascii()),
                )
            )

    def chinese_words(self) -> list[str]:
        """Every Chinese member (simplified), for the tokenizer's dictionary."""
        return [m for group in self.groups for m in group.simplified if not m.isascii()]

    def mentioned(self, text: str) -> list[SynonymGroup]:
        """The groups with a member in `text`."""
        simplified = self.to_simplified(text).lower()
        return [group for group in self.groups if group.pattern.search(simplified)]

    def expansion_tokens(self, text: str) -> list[str]:
        """The members of the groups `text` mentions, as BM25 tokens (an English phrase only triggers)."""
        return [m for group in self.mentioned(text) for m in group.simplified if " " not in m]

    def chinese_gloss(self, text: str) -> list[str]:
        """The Chinese members of the groups `text` mentions, as printed (Traditional)."""
        return list(dict.fromkeys(m for group in self.mentioned(text) for m in group.traditional))


def _member_pattern(members: Iterable[str]) -> re.Pattern[str]:
    """Matches any member: English ones as whole words (plural -s allowed), Chinese anywhere."""
    alternatives = [
        rf"(?<![a-z0-9]){re.escape(m)}s?(?![a-z0-9])" if m.isascii() else re.escape(m)
        for m in sorted(members, key=len, reverse=True)
    ]
    return re.compile("|".join(alternatives))

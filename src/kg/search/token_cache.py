"""Each distinct text's search tokens, kept between builds (`BUILD_DIR/cache/tokens.sqlite`).

Tokenising a text (OpenCC, then jieba: `kg.search.lexical.Tokenizer.tokens`) takes about
0.1 ms, and a 3,000-document corpus has 91,000 distinct texts: 9 s every build. A text's
tokens depend only on the text and the tokenizer (its code, its word lists, jieba's and
OpenCC's versions: `tokenizer_fingerprint`), so a build tokenises only the texts this cache
does not hold under the same fingerprint. Deleting it only costs time; `--clean` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

from kg.sqlite_cache import fingerprint_files, open_cache, rows_for_keys, text_key, write_quietly


def tokenizer_fingerprint() -> str:
    """What tokens depend on besides the text: the tokenizer's code and word lists, and the
    versions of jieba and OpenCC."""
    folder = Path(__file__).parent
    files = [folder / "lexical.py", folder / "thesaurus.py"]
    files += [folder / "data" / name for name in ("terms.txt", "synonyms.txt", "stopwords.txt")]
    versions = " ".join(f"{name} {metadata.version(name)}" for name in ("jieba", "opencc"))
    return fingerprint_files(files, salt=versions)


class TokenCache:
    """SQLite table (tokenizer fingerprint, text hash) -> the text's tokens (JSON)."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.db = open_cache(
            path,
            "CREATE TABLE IF NOT EXISTS tokens (fingerprint TEXT NOT NULL, text_sha256 BLOB NOT NULL, "
            "tokens TEXT NOT NULL, PRIMARY KEY (fingerprint, text_sha256))",
            "token cache",
        )
        self.fingerprint = fingerprint
        self.tokenized = 0  # texts tokenised (not found) by this cache's last `tokens` call

    def tokens(self, texts: Iterable[str], tokenize: Callable[[str], list[str]]) -> dict[str, list[str]]:
        """Each distinct text's tokens: kept ones read, the others made by `tokenize` and kept."""
        keys = {text: text_key(text) for text in dict.fromkeys(texts)}
        by_key = {key: text for text, key in keys.items()}
        select = "SELECT text_sha256, tokens FROM tokens WHERE fingerprint = ?"
        rows = list(rows_for_keys(self.db, select, [self.fingerprint], "text_sha256", list(by_key)))
        # one JSON array of every kept text's tokens: a single parse, not one per text
        parsed = json.loads(f"[{','.join(tokens for _, tokens in rows)}]")
        found = {by_key[key]: held for (key, _), held in zip(rows, parsed, strict=True)}
        made = [(text, tokenize(text)) for text in keys if text not in found]
        found.update(made)
        self.tokenized = len(made)
        kept = [
            (self.fingerprint, keys[text], json.dumps(tokens, ensure_ascii=False)) for text, tokens in made
        ]
        write_quietly(self.db, "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?)", kept)
        return found

    def close(self) -> None:
        self.db.close()

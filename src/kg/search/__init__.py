"""Semantic search over the build: items -> embeddings and tokens -> indexes -> answers.

items.py       the text-bearing items of parsed documents
embedders.py   e5-small (bundled) or st:<model>, picked by `get_embedder`
cache.py       passage embeddings kept by model and text across builds
dense.py       FAISS index of item vectors      lexical.py  OpenCC + jieba + BM25
thesaurus.py   the field's bilingual synonyms   index.py    building and loading an index
engine.py      `Searcher` / `search`: hybrid ranking, filters, grouping by document
understand.py  what a question asks for (kinds, levels, codes) -> filters and boosts
calibration.py calibrated 0-1 scores and the "no good match" threshold
similarity.py  kgf:similarity for SPARQL        evaluate.py recall, MRR, nDCG, no-answer
"""

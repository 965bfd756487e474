"""Semantic search over the build: items -> embeddings and tokens -> indexes -> answers.

items.py       the text-bearing items of parsed documents
embedders.py   e5-small (bundled) or st:<model>, picked by `get_embedder`
cache.py       passage embeddings kept by model and text across builds
dense.py       FAISS index of item vectors      lexical.py  OpenCC + jieba + BM25
thesaurus.py   the field's bilingual synonyms   index.py    building and loading an index
engine.py      `Searcher` / `search`: hybrid ranking, filters, grouping by document
similarity.py  kgf:similarity for SPARQL        evaluate.py recall@k and MRR
"""

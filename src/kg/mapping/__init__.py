"""Overlap mapping between documents: which items of two documents correspond.

model.py          Mapping, Thresholds, the relation names (SKOS exact / close / related)
scoring.py        how alike two items are: embedding cosine and shared characters
matching.py       one-to-one matching of two documents' items, kind with kind
incorporation.py  units that a standard embeds as one of its tasks
corpus.py         every document pair of a build: candidates, mappings, overlap matrix
sssom.py          SSSOM TSV, the standard exchange format for mappings
rdf.py            the mappings as RDF (skos:*Match, reified scores, kg:incorporatesUnit)
evaluate.py       precision and recall against labelled pairs; threshold calibration
overlap.py        what the API and CLI ask: a pair's overlap, the matrix, DataFrames
shares.py         the overlap of document pairs as shares: most overlapping documents, strongest pairs
"""

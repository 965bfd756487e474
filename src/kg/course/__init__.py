"""Course coverage: which items of a standard or unit a course outline teaches, and the gaps.

outline.py   a course file (text, Markdown, DOCX, ODT, PDF) read into course lines
matching.py  course lines against documents' items with the overlap mapping's calibrated scorer
report.py    the coverage of each document: items with their covering lines, gaps, summary
tables.py    the mapping table as xlsx (one sheet per document and a gaps sheet) or CSV
display.py   the coverage as the terminal shows it
evaluate.py  precision and recall on labelled course outlines (eval/courses/)
plots.py     coverage per task as bars, gaps in red (notebook 4)
"""

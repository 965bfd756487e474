"""Course coverage as the terminal shows it: the lines, each document's items and gaps, a summary."""

from __future__ import annotations

from kg.course.report import CourseCoverage, DocumentCoverage


def _document(document: DocumentCoverage) -> list[str]:
    out = [f"== {document.document} {document.title}", f"   {document.summary()['text']}"]
    for item in document.items:
        if item.kind not in ("task", "activity"):
            continue
        indent = "  " if item.kind == "task" else "    "
        share = f"{item.indicators_covered}/{item.indicators} indicators" if item.indicators else ""
        lines = ", ".join(str(c["line"]) for c in item.covered_by)
        mark = "✓" if item.covered else "✗"
        out.append(
            f"{indent}{mark} {item.code} {item.text}  {share}" + (f"  (lines {lines})" if lines else "")
        )
    gaps = [i for i in document.gaps() if i.kind in ("indicator", "knowledge", "skill")]
    if gaps:
        out.append(f"   gaps ({len(gaps)} indicators, knowledge and skill items no line covers):")
        out.extend(f"     {i.code} {i.text}" for i in gaps)
    return out


def format_coverage(coverage: CourseCoverage) -> str:
    out = []
    if coverage.ranking is not None:
        out.append("documents this course serves best (lines covering one of their items):")
        for r in coverage.ranking:
            out.append(
                f"  {r['document']:16} {r['lines_covering']:3}/{len(coverage.lines)} lines  "
                f"mean best {r['score']:.3f}  {r['title']}"
            )
            for e in r["evidence"][:2]:
                out.append(
                    f"      line {e['line']}: {e['code']} {e['text']} ({e['relation']} {e['score']:.3f})"
                )
        out.append(f"covering the best one, {coverage.documents[0].document}:")
        out.append("")
    out.append(f"course {coverage.course}: {len(coverage.lines)} lines")
    per_line = coverage.line_matches()
    for line in coverage.lines:
        matches = per_line[line.line]
        out.append(f"  {line.line:4} {line.text}")
        if not matches:
            out.append("         (covers nothing: not course content, or nothing of these documents)")
        for m in matches:
            out.append(f"         {m.relation:7} {m.score:.3f} {m.document} {m.code} [{m.kind}] {m.text}")
    for document in coverage.documents:
        out.append("")
        out.extend(_document(document))
    return "\n".join(out)

"""Benchmark: where one gap report's time goes — scoring, our HTML, and WeasyPrint's layout and PDF writing.

    python bench/bench_report.py            # the riverside example, 5 runs, medians

Goal: everything but WeasyPrint's own layout and PDF writing (scoring + HTML) is at most 25% of the total.
When HarfBuzz's subsetter (Debian: libharfbuzz-subset0) is installed, the run is repeated with WeasyPrint made to
fall back to fontTools, so that the two font subsetters are compared in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from qimaturity import load_assessment, load_rubric, score
from qimaturity.report.render import render_html

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", default=str(ROOT / "examples" / "answers" / "riverside-community.yaml"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    # Imported before timing: WeasyPrint's import (about a second) is paid once per process.
    import weasyprint.pdf.fonts as pdf_fonts

    subsetter = pdf_fonts.harfbuzz_subset
    measure(
        args.answers,
        args.runs,
        "HarfBuzz subsetter" if subsetter else "fontTools subsetter (HarfBuzz's is not installed)",
    )
    if subsetter:
        pdf_fonts.harfbuzz_subset = None
        measure(args.answers, args.runs, "fontTools subsetter, for comparison")
        pdf_fonts.harfbuzz_subset = subsetter


def measure(answers: str, runs: int, label: str) -> None:
    from qimaturity.report.render import pdf_document

    rubric = load_rubric("qi-readiness")
    phases: dict[str, list[float]] = {"scoring": [], "html": [], "layout": [], "pdf writing": []}
    pages = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        result = score(rubric, load_assessment(answers, rubric))
        t1 = time.perf_counter()
        html = render_html(result, rubric)
        t2 = time.perf_counter()
        document, options = pdf_document(html)
        rendered = document.render(**options)
        t3 = time.perf_counter()
        rendered.write_pdf(pdf_variant=options["pdf_variant"])
        t4 = time.perf_counter()
        pages = len(rendered.pages)
        for name, seconds in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            phases[name].append(seconds)
    medians = {name: statistics.median(times) for name, times in phases.items()}
    total = sum(medians.values())
    print(f"one report ({Path(answers).stem}, {pages} pages), median of {runs} runs, {label}")
    for name, seconds in medians.items():
        print(f"  {name:12} {seconds:6.3f} s  {100 * seconds / total:5.1f} %")
    ours = medians["scoring"] + medians["html"]
    print(f"  {'total':12} {total:6.3f} s")
    print(f"scoring + HTML: {100 * ours / total:.1f} % of the total (goal <= 25 %)")


if __name__ == "__main__":
    main()

"""Turn page 1 and the first domain page of a gap report into PNG files for a human look (uses pdftoppm).

    python scripts/preview.py out/riverside-community.pdf     # writes out/riverside-community-page-1.png, ...
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader


def domain_page(pdf: Path) -> int:
    """The first page showing a domain's question table (its caption says so)."""
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        if "each question, where it stands" in (page.extract_text() or ""):
            return number
    return 1


def main() -> None:
    pdf = Path(sys.argv[1])
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is not installed (Debian: apt-get install poppler-utils)")
    for number in sorted({1, domain_page(pdf)}):
        prefix = pdf.with_name(f"{pdf.stem}-page-{number}")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", str(number), "-l", str(number), "-singlefile", str(pdf), str(prefix)],
            check=True,
        )
        print(f"{prefix}.png")


if __name__ == "__main__":
    main()

"""Write the questionnaire's tick-box font (reports/fonts/QimaturityBoxes.ttf): the three glyphs ☐ ☑ ☒ (U+2610 to
U+2612) of DejaVu Sans, renamed "Qimaturity Boxes", so that a printed form does not depend on the fonts of the machine
that renders it (Liberation Sans, the reports' typeface, has no such glyphs).

    python scripts/make_box_font.py                       # from the installed DejaVu Sans
    python scripts/make_box_font.py --source DejaVuSans.ttf

DejaVu Sans is under the Bitstream Vera licence (with DejaVu's changes in the public domain and the Arev glyphs under
a licence of the same terms): reports/fonts/DejaVu-LICENSE.txt. It allows a modified copy under a name with neither
"Bitstream", "Vera", "Arev" nor "Tavmjong Bah" in it; its copyright notices stay in the font's name table. The same
source gives the same bytes: no hinting, no timestamp of the day. The bundled file was made from DejaVu Sans 2.37
(Debian's fonts-dejavu-core 2.37-6, /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "reports" / "fonts" / "QimaturityBoxes.ttf"
CODE_POINTS = (0x2610, 0x2611, 0x2612)  # ☐ ballot box, ☑ with check, ☒ with X
FAMILY = "Qimaturity Boxes"
SOURCES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # Debian and Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),  # Fedora
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),  # Arch
)


def find_source() -> Path | None:
    """The installed DejaVu Sans, else the copy matplotlib ships (when it is installed)."""
    for path in SOURCES:
        if path.is_file():
            return path
    try:
        import matplotlib  # type: ignore[import-not-found]
    except ImportError:
        return None
    shipped = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
    return shipped if shipped.is_file() else None


def make_box_font(source: Path, output: Path) -> bytes:
    """Subset ``source`` to the tick boxes, rename it and write it to ``output``; returns its bytes."""
    options = subset.Options()
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # with the copyright and licence notices
    # No layout tables (three symbols have no ligatures, kerning or maths) and no FontForge build timestamps.
    options.drop_tables += ["GDEF", "GPOS", "GSUB", "MATH", "FFTM"]
    font = TTFont(source, recalcTimestamp=False)
    missing = [f"U+{cp:04X}" for cp in CODE_POINTS if cp not in font.getBestCmap()]
    if missing:
        raise SystemExit(f"{source} has no glyph for {', '.join(missing)}")
    version = font["name"].getDebugName(5) or "unknown version"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=CODE_POINTS)
    subsetter.subset(font)
    names = font["name"]
    names.removeNames(nameID=16)
    names.removeNames(nameID=17)
    for name_id, value in (
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{FAMILY}: tick boxes of DejaVu Sans ({version})"),
        (4, FAMILY),
        (6, FAMILY.replace(" ", "")),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
    font["head"].modified = font["head"].created  # the source's date, not today's
    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(output, reorderTables=True)
    return output.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", type=Path, help="DejaVuSans.ttf to take the glyphs from (default: the installed one)"
    )
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help=f"where to write (default: {OUTPUT.relative_to(ROOT)})"
    )
    args = parser.parse_args()
    source = args.source or find_source()
    if source is None:
        sys.exit("DejaVu Sans not found: install it (Debian: fonts-dejavu-core) or give --source")
    data = make_box_font(source, args.output)
    print(f"{args.output}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()} (from {source})")


if __name__ == "__main__":
    main()

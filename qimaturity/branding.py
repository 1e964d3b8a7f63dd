"""Report branding as data: a consultant's name, logo, colours, fonts, cover and footer text.

Colours and font names are checked against strict patterns, so a brand file can never inject CSS; the logo is
read here (size- and type-checked) and embedded as a data URI, so the report stays one self-contained file.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from .limits import MAX_BRAND_BYTES, MAX_LOGO_BYTES
from .loading import load_yaml
from .problems import InputError, Problem
from .validation import schema_problems

_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
_MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}


@dataclass(frozen=True)
class Brand:
    name: str | None = None
    logo: str | None = None
    primary: str = "#1d3557"
    accent: str = "#0072b2"
    text: str = "#1b1b1b"
    body_font: str | None = None
    heading_font: str | None = None
    cover_text: str | None = None
    footer_text: str | None = None


DEFAULT_BRAND = Brand()


def load_brand(path: Path | str) -> Brand:
    """Read and check a brand file; raise :class:`InputError` with every problem found."""
    path = Path(path)
    doc = load_yaml(path, max_bytes=MAX_BRAND_BYTES, keep_going=True)
    problems = [*doc.problems, *schema_problems(doc, "brand")]
    if problems:
        raise InputError(problems)
    data = doc.data
    logo = None
    if "logo" in data:
        logo = _logo_data_uri((path.parent / data["logo"]).resolve(), doc.problem(("logo",), ""))
    colours = data.get("colours") or {}
    fonts = data.get("fonts") or {}
    return Brand(
        name=data.get("name"),
        logo=logo,
        primary=colours.get("primary", DEFAULT_BRAND.primary),
        accent=colours.get("accent", DEFAULT_BRAND.accent),
        text=colours.get("text", DEFAULT_BRAND.text),
        body_font=fonts.get("body"),
        heading_font=fonts.get("headings"),
        cover_text=data.get("cover_text"),
        footer_text=data.get("footer_text"),
    )


def _logo_data_uri(path: Path, place: Problem) -> str:
    def refuse(message: str, hint: str) -> InputError:
        return InputError([Problem(place.file, place.line, place.column, place.path, message, hint)])

    if not path.is_file():
        raise refuse(f"logo file not found: {path}", "give a path relative to the brand file")
    if path.stat().st_size > MAX_LOGO_BYTES:
        raise refuse(f"logo file is over {MAX_LOGO_BYTES // (1024 * 1024)} MB", "use a smaller image")
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    magic = _MAGIC.get(suffix)
    if magic is not None and not raw.startswith(magic):
        raise refuse(f"logo file is not a {suffix[1:].upper()} image", "check the file")
    if suffix == ".svg" and b"<svg" not in raw[:4096]:
        raise refuse("logo file is not an SVG image", "check the file")
    return f"data:{_LOGO_TYPES[suffix]};base64,{base64.b64encode(raw).decode('ascii')}"
